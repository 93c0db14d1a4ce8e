import { aliasedTable, and, asc, count, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type {
  Contract,
  ContractCreate,
  ContractListQuery,
  ContractSign,
  ContractStatus,
  ContractSummary,
  ContractUpdate,
  PaymentTerm,
  PaymentTermInput,
} from '../../../common/schemas/contracts';
import { inTransaction, type Ctx } from '../../context';
import { fixedLimit, pageOffset, preparedOnce, type Db } from '../../db/client';
import { AppError, invalidInput, notFound, type InputIssue } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { actorKey } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { visibleCustomers } from '../customers/customers.policy';
import { getFile, storeFile, type Upload } from '../files/files.service';
import { contacts, customers } from '../customers/customers.tables';
import { issueNumber, registerNumberedKind } from '../numbering/numbering.service';
import { writableOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, opportunityMembers, quoteItems, quotes } from '../opportunities/opportunities.tables';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import { branches, businessLines, users } from '../staff/staff.tables';
import { applicableWorkflow } from '../workflows/definitions.service';
import { latestApprovals, submitForApproval } from '../workflows/engine.service';
import { registerSubjectKind } from '../workflows/registry';
import { visibleContracts, writableContracts } from './contracts.policy';
import { dimensionFilters } from './dimensions';
import {
  contractLines,
  contractMembers,
  contracts,
  contractTemplates,
  contractTemplateVersions,
  orders,
  paymentTerms,
} from './contracts.tables';
import { storeSignedDocument } from './documents.service';
import { remindDueTerms } from './term-reminders';
import { publishedTemplateVersion } from './templates.service';
import { dueOn, planTerms, type PlannedTerm } from './terms';

/**
 * 销售合同: made from a won opportunity (customer, lines from its accepted quote, team) or blank; draft →
 * in approval (the workflow engine, kind `contract`) → approved → signed (the number is given here, never
 * before: numbering) → in progress (an order confirmed) → completed (its orders completed); terminated or
 * voided with a reason (a voided contract keeps its number). Payment terms must add up to the amount; their
 * due dates come from their triggers as signing and completion happen.
 */

type ContractRow = typeof contracts.$inferSelect;
const owners = aliasedTable(users, 'owners');
const signatories = aliasedTable(users, 'signatories');

export const today = (at = new Date()) => localDate(at, FIRM_TIME_ZONE);

const EDITABLE: ContractStatus[] = ['draft'];
export const SIGNED: ContractStatus[] = ['signed', 'in-progress', 'completed', 'terminated'];

export const statusError = (status: ContractStatus) =>
  new AppError('CONTRACT_STATUS_INVALID', { statusKey: `contractStatus.${status}` });

/** What the terms still wait for, over all terms of each contract. */
const outstandingOf = sql<string>`coalesce((SELECT sum(${paymentTerms.amount} - ${paymentTerms.received})
  FROM ${paymentTerms} WHERE ${paymentTerms.contractId} = ${contracts.id}), 0)`;

function selectSummaries(db: Db) {
  return db
    .select({
      c: contracts,
      customerName: customers.name,
      businessLineName: businessLines.name,
      ownerName: owners.displayName,
      outstanding: outstandingOf,
    })
    .from(contracts)
    .innerJoin(customers, eq(customers.id, contracts.customerId))
    .innerJoin(businessLines, eq(businessLines.id, contracts.businessLineId))
    .innerJoin(owners, eq(owners.id, contracts.ownerId));
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof selectSummaries>['execute']>>[number];

const money = (value: string | null) => fromHundredths(toHundredths(value ?? '0'));

function presentSummary(r: SummaryRow): ContractSummary {
  return {
    id: r.c.id,
    title: r.c.title,
    number: r.c.number,
    status: r.c.status,
    customerId: r.c.customerId,
    customerName: r.customerName,
    businessLineId: r.c.businessLineId,
    businessLineName: r.businessLineName,
    ownerId: r.c.ownerId,
    ownerName: r.ownerName,
    departmentId: r.c.departmentId,
    amount: money(r.c.amount),
    outstanding: money(r.outstanding),
    signedOn: r.c.signedOn,
    createdAt: r.c.createdAt.toISOString(),
  };
}

/** The list's value filters: each a placeholder of its name in a statement prepared once per shape. */
const LIST_FILTERS = {
  status: contracts.status,
  businessLineId: contracts.businessLineId,
  customerId: contracts.customerId,
  opportunityId: contracts.opportunityId,
  ownerId: contracts.ownerId,
} as const;
const LIST_FILTER_NAMES = Object.keys(LIST_FILTERS) as (keyof typeof LIST_FILTERS)[];

/** The drill-down's filters (销售报表): the signing dates, the branch, the customer's region, the department subtree. */
const DRILL_FILTER_NAMES = ['signedFrom', 'signedTo', 'branchId', 'regionId', 'departmentId'] as const;

function drillFilters(query: ContractListQuery): SQL[] {
  const filters: SQL[] = [];
  if (query.signedFrom) filters.push(sql`${contracts.signedOn} >= ${sql.placeholder('signedFrom')}`);
  if (query.signedTo) filters.push(sql`${contracts.signedOn} <= ${sql.placeholder('signedTo')}`);
  // Signed in a period: the contracts that stand signed (a voided one was annulled as if never made).
  if (query.signedFrom || query.signedTo) filters.push(inArray(contracts.status, SIGNED));
  filters.push(
    ...dimensionFilters(
      { branchId: query.branchId, regionId: query.regionId, departmentId: query.departmentId },
      {
        businessLine: sql`${contracts.businessLineId}`,
        owner: sql`${contracts.ownerId}`,
        department: sql`${contracts.departmentId}`,
        contractBranch: sql`${contracts.branchId}`,
        customer: sql`${contracts.customerId}`,
      },
      (name) => sql.placeholder(name),
    ),
  );
  return filters;
}

export async function findContracts(ctx: Ctx, query: ContractListQuery): Promise<Page<ContractSummary>> {
  const given = [...LIST_FILTER_NAMES, ...DRILL_FILTER_NAMES].filter((name) => query[name]);
  const where = () => {
    const filters: SQL[] = [
      visibleContracts(ctx.actor),
      ...LIST_FILTER_NAMES.filter((name) => query[name]).map((name) => eq(LIST_FILTERS[name], sql.placeholder(name))),
      ...drillFilters(query),
    ];
    if (query.q) {
      const pattern = sql.placeholder('pattern');
      filters.push(
        or(ilike(contracts.title, pattern), ilike(contracts.number, pattern), ilike(customers.name, pattern))!,
      );
    }
    return and(...filters);
  };
  // Read all day: the page and the count are built once per reader, filters given, search and sort (the first page,
  // or the others by the OFFSET placeholder) and prepared.
  const key = `${actorKey(ctx.actor)}|${given.join(',')}|${query.q ? 'q' : ''}|${query.sort ?? ''}`;
  const paged = pageOffset(query);
  const page = preparedOnce(ctx.db, `contract-list|${paged.key}|${key}`, () =>
    selectSummaries(ctx.db)
      .where(where())
      .orderBy(
        ...orderFrom(
          query.sort,
          {
            createdAt: contracts.createdAt,
            signedOn: contracts.signedOn,
            amount: contracts.amount,
            number: contracts.number,
          },
          '-createdAt',
          contracts.id,
        ),
      )
      .limit(fixedLimit(query.pageSize))
      .offset(paged.offset)
      .prepare(''),
  );
  // The customer's name matters to the count only when q searches it.
  const counted = preparedOnce(ctx.db, `contract-count|${key}`, () =>
    (query.q
      ? ctx.db.select({ total: count() }).from(contracts).innerJoin(customers, eq(customers.id, contracts.customerId))
      : ctx.db.select({ total: count() }).from(contracts)
    )
      .where(where())
      .prepare(''),
  );
  const values = {
    ...Object.fromEntries(given.map((name) => [name, query[name]])),
    ...(query.q ? { pattern: containsPattern(query.q) } : {}),
  };
  const { rows, total } = await pageWithTotal(query, page.execute({ ...values, offset: offsetOf(query) }), () =>
    counted.execute(values),
  );
  return { items: rows.map(presentSummary), total, page: query.page, pageSize: query.pageSize };
}

export function presentTerm(t: typeof paymentTerms.$inferSelect): PaymentTerm {
  return {
    id: t.id,
    position: t.position,
    kind: t.kind,
    amount: money(t.amount),
    percent: t.percent === null ? null : t.percent.replace(/\.?0+$/, ''),
    trigger: t.trigger,
    triggerDate: t.triggerDate,
    triggerDays: t.triggerDays,
    note: t.note,
    dueOn: t.dueOn,
    invoiced: money(t.invoiced),
    received: money(t.received),
    outstanding: fromHundredths(toHundredths(t.amount) - toHundredths(t.received)),
  };
}

/** A contract the actor may see (404 otherwise), in full. */
export async function getContract(ctx: Ctx, id: string): Promise<Contract> {
  const [row] = await selectSummaries(ctx.db).where(and(eq(contracts.id, id), visibleContracts(ctx.actor)));
  if (!row) throw notFound();
  const [names] = await ctx.db
    .select({
      contactName: contacts.name,
      opportunityName: opportunities.name,
      branchName: branches.name,
      signatoryName: signatories.displayName,
      templateName: contractTemplates.name,
      templateVersion: contractTemplateVersions.version,
    })
    .from(contracts)
    .leftJoin(contacts, eq(contacts.id, contracts.contactId))
    .leftJoin(opportunities, eq(opportunities.id, contracts.opportunityId))
    .leftJoin(branches, eq(branches.id, contracts.branchId))
    .leftJoin(signatories, eq(signatories.id, contracts.signatoryId))
    .leftJoin(contractTemplateVersions, eq(contractTemplateVersions.id, contracts.templateVersionId))
    .leftJoin(contractTemplates, eq(contractTemplates.id, contractTemplateVersions.templateId))
    .where(eq(contracts.id, id));
  const c = row.c;
  const [lines, terms, members, orderRows, approvals, writable] = await Promise.all([
    ctx.db.select().from(contractLines).where(eq(contractLines.contractId, id)).orderBy(asc(contractLines.position)),
    ctx.db.select().from(paymentTerms).where(eq(paymentTerms.contractId, id)).orderBy(asc(paymentTerms.position)),
    ctx.db.select({ userId: contractMembers.userId }).from(contractMembers).where(eq(contractMembers.contractId, id)),
    ctx.db
      .select({ id: orders.id, number: orders.number, status: orders.status })
      .from(orders)
      .where(eq(orders.contractId, id))
      .orderBy(asc(orders.createdAt)),
    latestApprovals(ctx.db, 'contract', [id]),
    ctx.db
      .select({ id: contracts.id })
      .from(contracts)
      .where(and(eq(contracts.id, id), writableContracts(ctx.actor))),
  ]);
  const mayWrite = writable.length > 0;
  const received = terms.some((t) => toHundredths(t.received) > 0n);
  const approval = approvals.get(id);
  return {
    ...presentSummary(row),
    contactId: c.contactId,
    contactName: names.contactName,
    opportunityId: c.opportunityId,
    opportunityName: names.opportunityName,
    quoteId: c.quoteId,
    branchId: c.branchId,
    branchName: names.branchName,
    signatoryId: c.signatoryId,
    signatoryName: names.signatoryName,
    statusReason: c.statusReason,
    templateVersionId: c.templateVersionId,
    templateName: names.templateName,
    templateVersion: names.templateVersion,
    startOn: c.startOn,
    endOn: c.endOn,
    completedOn: c.completedOn,
    recurringCycle: c.recurringCycle,
    note: c.note,
    documentFileId: c.documentFileId,
    documentSha256: c.documentSha256,
    signedCopyFileId: c.signedCopyFileId,
    lines: lines.map((l) => ({ id: l.id, position: l.position, description: l.description, amount: money(l.amount) })),
    terms: terms.map(presentTerm),
    memberIds: members.map((m) => m.userId),
    approval: { instanceId: approval?.id ?? null, status: approval?.status ?? null },
    orders: orderRows,
    can: {
      edit: mayWrite && EDITABLE.includes(c.status),
      submit: mayWrite && c.status === 'draft',
      sign: mayWrite && c.status === 'approved',
      terminate: mayWrite && (c.status === 'signed' || c.status === 'in-progress'),
      void: mayWrite && !received && ['draft', 'approved', 'signed'].includes(c.status),
    },
    updatedAt: c.updatedAt.toISOString(),
  };
}

/**
 * A record locked for a change the actor may make; otherwise 403 if they may at least see it, else 404 (as for a
 * record that does not exist).
 */
export async function lockedForChange<R>(locked: Promise<R[]>, seen: () => Promise<unknown[]>): Promise<R> {
  const [row] = await locked;
  if (row) return row;
  throw (await seen()).length ? new AppError('FORBIDDEN') : notFound();
}

export const lockContract = (tx: Ctx, id: string): Promise<ContractRow> =>
  lockedForChange(
    tx.db
      .select()
      .from(contracts)
      .where(and(eq(contracts.id, id), writableContracts(tx.actor)))
      .for('update'),
    () =>
      tx.db
        .select({ id: contracts.id })
        .from(contracts)
        .where(and(eq(contracts.id, id), visibleContracts(tx.actor))),
  );

/** Sum of the lines, exactly. */
const sumOf = (lines: { amount: string }[]) => fromHundredths(lines.reduce((s, l) => s + toHundredths(l.amount), 0n));

/** Terms checked per field and against the amount (CONTRACT_TERMS_MISMATCH). */
export function checkedTerms(ctx: Ctx, inputs: PaymentTermInput[], amount: string, path = 'terms'): PlannedTerm[] {
  const { terms, problems, total, addsUp } = planTerms(inputs, amount);
  if (problems.length)
    throw invalidInput(
      ctx.actor.locale,
      problems.map((p) => ({ path: `${path}.${p.index}.${p.field}`, key: p.key })),
    );
  if (terms.length && !addsUp) throw new AppError('CONTRACT_TERMS_MISMATCH', { total, amount }, { total, amount });
  return terms;
}

/** The published version of a template of this business line (the one given, or the line's newest). */
async function templateVersionFor(
  ctx: Ctx,
  businessLineId: string,
  templateId: string | null | undefined,
): Promise<string | null> {
  const version = await publishedTemplateVersion(ctx.db, businessLineId, templateId);
  if (templateId && !version)
    throw invalidInput(ctx.actor.locale, [{ path: 'templateId', key: 'validation.contractTemplateLine' }]);
  return version?.id ?? null;
}

async function replaceLines(tx: Ctx, contractId: string, lines: { description: string; amount: string }[]) {
  await tx.db.delete(contractLines).where(eq(contractLines.contractId, contractId));
  await tx.db
    .insert(contractLines)
    .values(lines.map((l, i) => ({ contractId, position: i + 1, description: l.description, amount: l.amount })));
}

/** Replaces the terms of a contract or an order (before any money was recorded against them). */
export async function replaceTerms(
  tx: Ctx,
  parent: { contractId: string } | { orderId: string },
  terms: PlannedTerm[],
  events: { signedOn: string | null; completedOn: string | null } | null,
) {
  const where =
    'contractId' in parent ? eq(paymentTerms.contractId, parent.contractId) : eq(paymentTerms.orderId, parent.orderId);
  await tx.db.delete(paymentTerms).where(where);
  if (terms.length === 0) return;
  await tx.db.insert(paymentTerms).values(
    terms.map((t) => ({
      ...t,
      ...parent,
      dueOn: events ? dueOn(t, events) : null,
      createdBy: tx.actor.id,
    })),
  );
}

/**
 * A contract from a won opportunity the actor may change (its customer, contact, business line, owner and team,
 * the accepted quote's lines), or blank (customer and business line given, lines required).
 */
export async function createContract(ctx: Ctx, i: ContractCreate): Promise<Contract> {
  const id = await inTransaction(ctx, async (tx) => {
    let base: {
      customerId: string;
      contactId: string | null;
      businessLineId: string;
      ownerId: string;
      opportunityId: string | null;
      quoteId: string | null;
      title: string;
      members: string[];
      lines: { description: string; amount: string }[];
    };
    if (i.opportunityId) {
      const [opportunity] = await tx.db
        .select()
        .from(opportunities)
        .where(and(eq(opportunities.id, i.opportunityId), writableOpportunities(tx.actor)));
      if (!opportunity) throw notFound();
      if (opportunity.status !== 'won') throw new AppError('OPPORTUNITY_NOT_WON');
      const [quote] = await tx.db
        .select({ id: quotes.id })
        .from(quotes)
        .where(and(eq(quotes.opportunityId, opportunity.id), eq(quotes.status, 'accepted')))
        .limit(1);
      const items = quote
        ? await tx.db
            .select({ description: quoteItems.description, amount: quoteItems.amount })
            .from(quoteItems)
            .where(eq(quoteItems.quoteId, quote.id))
            .orderBy(asc(quoteItems.position))
        : [];
      const members = await tx.db
        .select({ userId: opportunityMembers.userId })
        .from(opportunityMembers)
        .where(eq(opportunityMembers.opportunityId, opportunity.id));
      base = {
        customerId: opportunity.customerId,
        contactId: opportunity.contactId,
        businessLineId: opportunity.businessLineId,
        ownerId: opportunity.ownerId,
        opportunityId: opportunity.id,
        quoteId: quote?.id ?? null,
        title: opportunity.name,
        members: members.map((m) => m.userId),
        lines: items.length
          ? items
          : opportunity.expectedAmount
            ? [{ description: opportunity.name, amount: opportunity.expectedAmount }]
            : [],
      };
    } else {
      const issues: InputIssue[] = [];
      if (!i.customerId) issues.push({ path: 'customerId', key: 'validation.contractCustomer' });
      if (!i.businessLineId) issues.push({ path: 'businessLineId', key: 'validation.required' });
      if (!i.lines?.length) issues.push({ path: 'lines', key: 'validation.contractLines' });
      if (issues.length) throw invalidInput(tx.actor.locale, issues);
      const [customer] = await tx.db
        .select({ id: customers.id, name: customers.name })
        .from(customers)
        .where(and(eq(customers.id, i.customerId!), visibleCustomers(tx.actor)));
      if (!customer) throw invalidInput(tx.actor.locale, [{ path: 'customerId', key: 'validation.contractCustomer' }]);
      base = {
        customerId: customer.id,
        contactId: null,
        businessLineId: i.businessLineId!,
        ownerId: tx.actor.id,
        opportunityId: null,
        quoteId: null,
        title: customer.name,
        members: [],
        lines: [],
      };
    }
    const lines = i.lines ?? base.lines;
    if (lines.length === 0) throw invalidInput(tx.actor.locale, [{ path: 'lines', key: 'validation.contractLines' }]);
    const amount = sumOf(lines);
    const terms = checkedTerms(tx, i.terms ?? [], amount);
    const [owner] = await tx.db
      .select({ departmentId: users.departmentId })
      .from(users)
      .where(eq(users.id, base.ownerId));
    const departmentId = owner?.departmentId ?? tx.actor.departmentId;
    if (!departmentId) throw invalidInput(tx.actor.locale, [{ path: 'ownerId', key: 'validation.required' }]);
    const templateVersionId = await templateVersionFor(tx, base.businessLineId, i.templateId);
    const [row] = await tx.db
      .insert(contracts)
      .values({
        title: i.title ?? base.title,
        customerId: base.customerId,
        contactId: i.contactId === undefined ? base.contactId : i.contactId,
        opportunityId: base.opportunityId,
        quoteId: base.quoteId,
        businessLineId: base.businessLineId,
        branchId: i.branchId ?? null,
        signatoryId: i.signatoryId ?? null,
        ownerId: base.ownerId,
        departmentId,
        amount,
        templateVersionId,
        startOn: i.startOn ?? null,
        endOn: i.endOn ?? null,
        recurringCycle: i.recurringCycle ?? null,
        note: i.note ?? null,
        createdBy: tx.actor.id,
        updatedBy: tx.actor.id,
      })
      .returning();
    await replaceLines(tx, row.id, lines);
    await replaceTerms(tx, { contractId: row.id }, terms, null);
    const members = [...new Set(base.members)].filter((u) => u !== base.ownerId);
    if (members.length)
      await tx.db.insert(contractMembers).values(members.map((userId) => ({ contractId: row.id, userId })));
    await recordAudit(tx, {
      action: 'create',
      entityType: 'contract',
      entityId: row.id,
      after: { ...row, lines, terms },
    });
    return row.id;
  });
  return getContract(ctx, id);
}

/** Changes a draft (a contract in approval is locked: CONTRACT_IN_APPROVAL; later ones: CONTRACT_STATUS_INVALID). */
export async function updateContract(ctx: Ctx, id: string, p: ContractUpdate): Promise<Contract> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockContract(tx, id);
    if (before.status === 'in-approval') throw new AppError('CONTRACT_IN_APPROVAL');
    if (!EDITABLE.includes(before.status)) throw statusError(before.status);
    const amount = p.lines ? sumOf(p.lines) : before.amount;
    if (p.lines) await replaceLines(tx, id, p.lines);
    if (p.terms) await replaceTerms(tx, { contractId: id }, checkedTerms(tx, p.terms, amount), null);
    else if (p.lines) {
      // The planned terms must still add up to the new amount.
      const existing = await tx.db.select().from(paymentTerms).where(eq(paymentTerms.contractId, id));
      const total = sumOf(existing);
      if (existing.length && toHundredths(total) !== toHundredths(amount))
        throw new AppError('CONTRACT_TERMS_MISMATCH', { total, amount }, { total, amount });
    }
    const templateVersionId =
      p.templateId === undefined
        ? before.templateVersionId
        : await templateVersionFor(tx, before.businessLineId, p.templateId);
    const [after] = await tx.db
      .update(contracts)
      .set({
        title: p.title ?? before.title,
        contactId: p.contactId === undefined ? before.contactId : p.contactId,
        branchId: p.branchId === undefined ? before.branchId : p.branchId,
        signatoryId: p.signatoryId === undefined ? before.signatoryId : p.signatoryId,
        startOn: p.startOn === undefined ? before.startOn : p.startOn,
        endOn: p.endOn === undefined ? before.endOn : p.endOn,
        recurringCycle: p.recurringCycle === undefined ? before.recurringCycle : p.recurringCycle,
        note: p.note === undefined ? before.note : p.note,
        templateVersionId,
        amount,
        updatedAt: new Date(),
        updatedBy: tx.actor.id,
      })
      .where(eq(contracts.id, id))
      .returning();
    await recordAudit(tx, { action: 'update', entityType: 'contract', entityId: id, before, after });
  });
  return getContract(ctx, id);
}

/** Sends a draft for approval; with no flow that applies it is approved at once. */
export async function submitContract(ctx: Ctx, id: string): Promise<Contract> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockContract(tx, id);
    if (before.status !== 'draft') throw statusError(before.status);
    const flow = await applicableWorkflow(tx.db, 'contract', factsOf(before).fields);
    const status: ContractStatus = flow ? 'in-approval' : 'approved';
    await tx.db
      .update(contracts)
      .set({ status, updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(contracts.id, id));
    if (flow) await submitForApproval(tx, 'contract', id);
    await recordAudit(tx, { action: 'submit', entityType: 'contract', entityId: id, before, after: { status } });
  });
  return getContract(ctx, id);
}

/**
 * Signs an approved contract: the terms (given now or planned before) must add up to the amount; the number is
 * given in this transaction from the business line's series (gapless: a failure takes it back); terms due on
 * signing, on a date or N days after it get their due dates; the document is stored with its hash.
 */
export async function signContract(ctx: Ctx, id: string, input: ContractSign): Promise<Contract> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockContract(tx, id);
    if (before.number || SIGNED.includes(before.status))
      throw new AppError('CONTRACT_ALREADY_SIGNED', { number: before.number ?? '' });
    if (before.status === 'draft' || before.status === 'in-approval') throw new AppError('CONTRACT_APPROVAL_REQUIRED');
    if (before.status !== 'approved') throw statusError(before.status);
    const signedOn = input.signedOn ?? today();
    if (signedOn > today())
      throw invalidInput(tx.actor.locale, [{ path: 'signedOn', key: 'validation.signedInFuture' }]);
    const events = { signedOn, completedOn: null };
    if (input.terms) {
      await replaceTerms(tx, { contractId: id }, checkedTerms(tx, input.terms, before.amount), events);
    } else {
      const planned = await tx.db.select().from(paymentTerms).where(eq(paymentTerms.contractId, id));
      if (planned.length === 0) throw new AppError('CONTRACT_TERMS_REQUIRED');
      for (const t of planned)
        await tx.db
          .update(paymentTerms)
          .set({ dueOn: dueOn(t, events) })
          .where(eq(paymentTerms.id, t.id));
    }
    const issued = await issueNumber(tx, 'contract', before.businessLineId, id);
    await tx.db
      .update(contracts)
      .set({
        status: 'signed',
        signedOn,
        number: issued.number,
        seriesId: issued.seriesId,
        updatedAt: new Date(),
        updatedBy: tx.actor.id,
      })
      .where(eq(contracts.id, id));
    const document = await storeSignedDocument(tx, id);
    if (document)
      await tx.db
        .update(contracts)
        .set({ documentFileId: document.fileId, documentSha256: document.sha256 })
        .where(eq(contracts.id, id));
    await recordAudit(tx, {
      action: 'sign',
      entityType: 'contract',
      entityId: id,
      before,
      after: { status: 'signed', signedOn, number: issued.number, documentSha256: document?.sha256 ?? null },
    });
    await remindDueTerms(tx, { contractId: id });
  });
  return getContract(ctx, id);
}

/** Ends a signed contract early (terminated 终止) or cancels it (voided 作废: it keeps its number, if it has one). */
export async function endContract(
  ctx: Ctx,
  id: string,
  action: 'terminate' | 'void',
  reason: string,
): Promise<Contract> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockContract(tx, id);
    const allowed: ContractStatus[] =
      action === 'terminate' ? ['signed', 'in-progress'] : ['draft', 'approved', 'signed'];
    if (!allowed.includes(before.status)) throw statusError(before.status);
    if (action === 'void') {
      const [paid] = await tx.db
        .select({ id: paymentTerms.id })
        .from(paymentTerms)
        .where(and(eq(paymentTerms.contractId, id), sql`${paymentTerms.received} > 0`))
        .limit(1);
      if (paid) throw statusError(before.status);
    }
    const status: ContractStatus = action === 'terminate' ? 'terminated' : 'voided';
    await tx.db
      .update(contracts)
      .set({ status, statusReason: reason, updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(contracts.id, id));
    await recordAudit(tx, {
      action,
      entityType: 'contract',
      entityId: id,
      before,
      after: { status, statusReason: reason },
    });
  });
  return getContract(ctx, id);
}

/** What the approval flows of kind `contract` may test, and whom they resolve from. */
function factsOf(c: ContractRow) {
  return {
    fields: { amount: money(c.amount), businessLineId: c.businessLineId, departmentId: c.departmentId },
    ownerId: c.ownerId,
    departmentId: c.departmentId,
    businessLineId: c.businessLineId,
  };
}

registerSubjectKind({
  kind: 'contract',
  async describe(tx, contractId) {
    const [row] = await tx.db
      .select({ c: contracts, customerName: customers.name })
      .from(contracts)
      .innerJoin(customers, eq(customers.id, contracts.customerId))
      .where(and(eq(contracts.id, contractId), visibleContracts(tx.actor)))
      .for('update', { of: contracts });
    if (!row) throw notFound();
    return {
      facts: factsOf(row.c),
      summary: {
        title: row.c.title,
        facts: [
          { key: 'customer', value: row.customerName },
          { key: 'amount', value: money(row.c.amount), money: true },
        ],
        link: `/contracts/${contractId}`,
      },
    };
  },
  async canSee(ctx, contractId) {
    const [row] = await ctx.db
      .select({ one: sql`1` })
      .from(contracts)
      .where(and(eq(contracts.id, contractId), visibleContracts(ctx.actor)));
    return Boolean(row);
  },
  // Approved: it may be signed. Rejected, withdrawn or returned: a draft again, to change and submit again.
  async onSettled(tx, contractId, status) {
    await tx.db
      .update(contracts)
      .set({ status: status === 'approved' ? 'approved' : 'draft', updatedAt: new Date() })
      .where(and(eq(contracts.id, contractId), eq(contracts.status, 'in-approval')));
  },
});

registerNumberedKind({
  kind: 'contract',
  async describe(db, ids) {
    const rows = ids.length
      ? await db
          .select({ id: contracts.id, status: contracts.status, title: contracts.title })
          .from(contracts)
          .where(inArray(contracts.id, ids))
      : [];
    return new Map(rows.map((r) => [r.id, { status: r.status, title: r.title }]));
  },
});

/** The scanned signed copy of a signed contract (replacing an earlier one; the earlier file stays in the audit trail). */
export async function attachSignedCopy(ctx: Ctx, id: string, upload: Upload): Promise<Contract> {
  await inTransaction(ctx, async (tx) => {
    const before = await lockContract(tx, id);
    if (!SIGNED.includes(before.status)) throw statusError(before.status);
    const stored = await storeFile(tx.db, { type: 'contract', id }, upload, tx.actor.id);
    await tx.db
      .update(contracts)
      .set({ signedCopyFileId: stored.id, updatedAt: new Date(), updatedBy: tx.actor.id })
      .where(eq(contracts.id, id));
    await recordAudit(tx, {
      action: 'update',
      entityType: 'contract',
      entityId: id,
      before: { signedCopyFileId: before.signedCopyFileId },
      after: { signedCopyFileId: stored.id, signedCopy: stored.filename },
    });
  });
  return getContract(ctx, id);
}

/** A stored file of a contract the actor may see: its signed copy or its signed document. */
export async function getContractFile(ctx: Ctx, id: string, which: 'signed-copy' | 'document') {
  const [row] = await ctx.db
    .select({ signedCopyFileId: contracts.signedCopyFileId, documentFileId: contracts.documentFileId })
    .from(contracts)
    .where(and(eq(contracts.id, id), visibleContracts(ctx.actor)));
  const fileId = which === 'signed-copy' ? row?.signedCopyFileId : row?.documentFileId;
  if (!fileId) throw notFound();
  return getFile(ctx.db, 'contract', id, fileId);
}
