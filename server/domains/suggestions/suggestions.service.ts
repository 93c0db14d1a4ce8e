import { aliasedTable, and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import {
  DEFAULT_INACTIVE_DAYS,
  type InactiveDays,
  type MailTemplate,
  type MailTemplateUpdate,
  type MergeField,
  type Suggestion,
  type SuggestionListQuery,
  type SuggestionSend,
} from '../../../common/schemas/suggestions';
import { inTransaction, type Ctx, type JobsTx } from '../../context';
import { fixedLimit, preparedOnce, type Db } from '../../db/client';
import { AppError, notFound } from '../../errors';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { recordAudit } from '../audit/audit.service';
import { createContactLog } from '../customers/contact-logs.service';
import { writableCustomers } from '../customers/customers.policy';
import { getCustomerSettings } from '../customers/pool-rule.service';
import { contacts, customers } from '../customers/customers.tables';
import { knowledgeArticles } from '../knowledge/knowledge.tables';
import { fillPlaceholders, useTemplate } from '../knowledge/capture.service';
import { enqueueMail } from '../notifications/outbox';
import { notify } from '../notifications/notifications.service';
import { users } from '../staff/staff.tables';
import { customerSuggestions, mailTemplates } from './suggestions.tables';

export const INACTIVE_TEMPLATE = 'inactive-customer';

/** The built-in follow-up e-mail (the firm can change it in the settings). */
export const DEFAULT_TEMPLATE = {
  subject: '{{客户名称}}：近期业务沟通',
  body: [
    '{{联系人}}您好：',
    '',
    '我是{{业务员}}。自{{上次联系日期}}联系以来已有{{未联系天数}}天没有和贵公司沟通了，想了解一下贵公司近期在审计、税务、评估等方面是否有需要我们协助的地方。',
    '',
    '如方便，我们可以安排一次电话或上门拜访。',
    '',
    '顺祝商祺！',
    '{{业务员}}',
    '电话：{{业务员电话}}　邮箱：{{业务员邮箱}}',
  ].join('\n'),
};

/** Fills {{字段}} merge fields; unknown fields are left as written, so a typo shows in the draft. */
export function fillTemplate(text: string, values: Partial<Record<MergeField, string>>): string {
  return text.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (whole, name: string) => values[name as MergeField] ?? whole);
}

export async function getTemplate(db: Db): Promise<MailTemplate> {
  const [row] = await db.select().from(mailTemplates).where(eq(mailTemplates.code, INACTIVE_TEMPLATE));
  return {
    code: INACTIVE_TEMPLATE,
    subject: row?.subject ?? DEFAULT_TEMPLATE.subject,
    body: row?.body ?? DEFAULT_TEMPLATE.body,
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

export async function updateTemplate(ctx: Ctx, input: MailTemplateUpdate): Promise<MailTemplate> {
  return inTransaction(ctx, async (tx) => {
    const before = await getTemplate(tx.db);
    await tx.db
      .insert(mailTemplates)
      .values({ code: INACTIVE_TEMPLATE, ...input, updatedBy: ctx.actor.id })
      .onConflictDoUpdate({
        target: mailTemplates.code,
        set: { ...input, updatedAt: new Date(), updatedBy: ctx.actor.id },
      });
    const after = await getTemplate(tx.db);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'mail-template',
      entityId: TEMPLATE_AUDIT_ID,
      before,
      after,
    });
    return after;
  });
}
/** The audit log's record id for "the follow-up template" (a fixed, valid UUID). */
const TEMPLATE_AUDIT_ID = '5e771465-c0a5-4c57-8e7d-000000000002';

/**
 * The inactive-customer rule: every owned customer nobody contacted for the days its tier
 * allows (counting from creation when never contacted) gets one open suggestion, with the
 * follow-up e-mail drafted to its primary contact, and its salesperson is notified. A customer
 * is suggested again only after a newer contact went quiet too. Returns how many were raised.
 */
export async function raiseInactiveSuggestions(
  tx: JobsTx,
  options: { now?: Date; customerIds?: string[] } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const settings = await getCustomerSettings(tx.db);
  const days: InactiveDays = { ...DEFAULT_INACTIVE_DAYS, ...settings.inactiveDays };
  const threshold = sql`CASE ${customers.valueTier} WHEN 'A' THEN ${days.A}::int WHEN 'B' THEN ${days.B}::int WHEN 'C' THEN ${days.C}::int WHEN 'D' THEN ${days.D}::int ELSE ${days.none}::int END`;
  const quietSince = sql`coalesce(${customers.lastContactAt}, ${customers.createdAt})`;
  const owners = aliasedTable(users, 'suggestion_owners');
  const due = await tx.db
    .select({
      id: customers.id,
      name: customers.name,
      email: customers.email,
      ownerId: customers.ownerId,
      ownerName: owners.displayName,
      ownerPhone: owners.phone,
      ownerEmail: owners.email,
      lastContactAt: customers.lastContactAt,
      days: sql<number>`floor(extract(epoch from (${now}::timestamptz - ${quietSince})) / 86400)::int`,
    })
    .from(customers)
    .innerJoin(owners, and(eq(owners.id, customers.ownerId), eq(owners.active, true)))
    .where(
      and(
        sql`${quietSince} < ${now}::timestamptz - make_interval(days => ${threshold})`,
        sql`NOT EXISTS (SELECT 1 FROM ${customerSuggestions} s WHERE s.customer_id = ${customers.id} AND (s.status = 'open' OR s.created_at > ${quietSince}))`,
        options.customerIds ? inArray(customers.id, options.customerIds) : undefined,
      ),
    )
    .orderBy(asc(quietSince))
    .limit(1_000);
  if (due.length === 0) return 0;
  const template = await getTemplate(tx.db);
  let raised = 0;
  for (const c of due) {
    const [contact] = await tx.db
      .select({ id: contacts.id, name: contacts.name, emails: contacts.emails })
      .from(contacts)
      .where(eq(contacts.customerId, c.id))
      .orderBy(desc(sql`cardinality(${contacts.emails}) > 0`), desc(contacts.isPrimary), asc(contacts.createdAt))
      .limit(1);
    const values: Record<MergeField, string> = {
      客户名称: c.name,
      联系人: contact?.name ?? '',
      业务员: c.ownerName,
      业务员电话: c.ownerPhone ?? '',
      业务员邮箱: c.ownerEmail ?? '',
      上次联系日期: c.lastContactAt ? localDate(c.lastContactAt, FIRM_TIME_ZONE) : '—',
      未联系天数: String(c.days),
    };
    const inserted = await tx.db
      .insert(customerSuggestions)
      .values({
        customerId: c.id,
        userId: c.ownerId!,
        days: c.days,
        contactId: contact?.id ?? null,
        toAddress: contact?.emails[0] ?? c.email ?? null,
        subject: fillTemplate(template.subject, values),
        body: fillTemplate(template.body, values),
      })
      .onConflictDoNothing()
      .returning({ id: customerSuggestions.id });
    if (inserted.length === 0) continue; // raised meanwhile by another run
    raised++;
    await notify(tx, [
      {
        userId: c.ownerId!,
        kind: 'inactive-customer',
        params: { customer: c.name, days: c.days },
        entityType: 'customer',
        entityId: c.id,
      },
    ]);
  }
  return raised;
}

const suggestionCustomers = aliasedTable(customers, 'suggestion_customers');
const suggestionContacts = aliasedTable(contacts, 'suggestion_contacts');

function selectSuggestions(db: Db) {
  return db
    .select({
      s: customerSuggestions,
      customerName: suggestionCustomers.name,
      customerTier: suggestionCustomers.valueTier,
      lastContactAt: suggestionCustomers.lastContactAt,
      contactName: suggestionContacts.name,
    })
    .from(customerSuggestions)
    .innerJoin(suggestionCustomers, eq(suggestionCustomers.id, customerSuggestions.customerId))
    .leftJoin(suggestionContacts, eq(suggestionContacts.id, customerSuggestions.contactId))
    .$dynamic();
}

function present(r: Awaited<ReturnType<ReturnType<typeof selectSuggestions>['execute']>>[number]): Suggestion {
  return {
    id: r.s.id,
    kind: r.s.kind,
    status: r.s.status,
    customerId: r.s.customerId,
    customerName: r.customerName,
    customerTier: r.customerTier,
    userId: r.s.userId,
    days: r.s.days,
    lastContactAt: r.lastContactAt?.toISOString() ?? null,
    contactId: r.s.contactId,
    contactName: r.contactName,
    toAddress: r.s.toAddress,
    subject: r.s.subject,
    body: r.s.body,
    createdAt: r.s.createdAt.toISOString(),
    resolvedAt: r.s.resolvedAt?.toISOString() ?? null,
  };
}

/** Suggestions for me (raised to me), or for customers I may work on (a manager's team). */
const mineOrWritable = (ctx: Ctx) =>
  or(
    eq(customerSuggestions.userId, ctx.actor.id),
    sql`EXISTS (SELECT 1 FROM ${customers} WHERE ${customers.id} = ${customerSuggestions.customerId} AND ${writableCustomers(ctx.actor)})`,
  )!;

export async function findMySuggestions(ctx: Ctx, query: SuggestionListQuery): Promise<Suggestion[]> {
  // Prepared once per status and page size: Today asks for it on every visit.
  const rows = await preparedOnce(
    ctx.db,
    `my-suggestions|${query.status}|${query.pageSize}`,
    () =>
      selectSuggestions(ctx.db)
        // Mine while the customer is still mine.
        .where(
          and(
            eq(customerSuggestions.userId, sql.placeholder('me')),
            eq(suggestionCustomers.ownerId, sql.placeholder('me')),
            eq(customerSuggestions.status, query.status),
          ),
        )
        .orderBy(desc(customerSuggestions.days), asc(customerSuggestions.id))
        .limit(fixedLimit(query.pageSize))
        .prepare(''), // named by preparedOnce
  ).execute({ me: ctx.actor.id });
  return rows.map(present);
}

/**
 * Resolves an open suggestion the actor may act on — atomically: of two sends (a double click) or
 * a send and a dismiss at once, one wins and the other gets SUGGESTION_RESOLVED.
 */
async function resolveSuggestion(tx: Ctx, id: string, status: 'sent' | 'dismissed') {
  const [row] = await selectSuggestions(tx.db).where(and(eq(customerSuggestions.id, id), mineOrWritable(tx)));
  if (!row) throw notFound();
  const taken = await tx.db
    .update(customerSuggestions)
    .set({ status, resolvedAt: new Date() })
    .where(and(eq(customerSuggestions.id, id), eq(customerSuggestions.status, 'open')))
    .returning({ id: customerSuggestions.id });
  if (taken.length === 0) throw new AppError('SUGGESTION_RESOLVED');
  return row;
}

/**
 * Sends the follow-up as edited: into the outbox (the mail job delivers it, retrying when the
 * server is down), logged as an outbound e-mail with the customer — which also ends its quiet spell.
 */
export async function sendSuggestion(ctx: Ctx, id: string, mail: SuggestionSend): Promise<Suggestion> {
  return inTransaction(ctx, async (tx) => {
    const row = await resolveSuggestion(tx, id, 'sent');
    const mailId = await enqueueMail(tx, {
      to: mail.to,
      subject: mail.subject,
      body: mail.body,
      kind: 'customer-followup',
      createdBy: ctx.actor.id,
    });
    await tx.db
      .update(customerSuggestions)
      .set({ mailId, toAddress: mail.to, subject: mail.subject, body: mail.body })
      .where(eq(customerSuggestions.id, id));
    await createContactLog(tx, {
      customerId: row.s.customerId,
      contactId: row.s.contactId,
      direction: 'outbound',
      channel: 'email',
      summary: `发送跟进邮件：${mail.subject}`,
    });
    await recordAudit(tx, {
      action: 'status',
      entityType: 'suggestion',
      entityId: id,
      before: { status: 'open' },
      after: { status: 'sent', to: mail.to },
    });
    const [after] = await selectSuggestions(tx.db).where(eq(customerSuggestions.id, id));
    return present(after);
  });
}

export async function dismissSuggestion(ctx: Ctx, id: string): Promise<Suggestion> {
  return inTransaction(ctx, async (tx) => {
    await resolveSuggestion(tx, id, 'dismissed');
    await recordAudit(tx, {
      action: 'status',
      entityType: 'suggestion',
      entityId: id,
      before: { status: 'open' },
      after: { status: 'dismissed' },
    });
    const [after] = await selectSuggestions(tx.db).where(eq(customerSuggestions.id, id));
    return present(after);
  });
}

/**
 * Redrafts an open follow-up from a template 模板 of the knowledge library the actor may read (else 404): the
 * subject from its title, the body from its text, {客户名称} {联系人} {业务线} {我的姓名} {今天} filled (the
 * suggestion's contact first) — knowledge's fillPlaceholders; the template's use is counted.
 */
export async function redraftSuggestion(ctx: Ctx, id: string, articleId: string): Promise<Suggestion> {
  return inTransaction(ctx, async (tx) => {
    const [row] = await selectSuggestions(tx.db)
      .where(and(eq(customerSuggestions.id, id), mineOrWritable(tx)))
      .for('update', { of: customerSuggestions });
    if (!row) throw notFound();
    if (row.s.status !== 'open') throw new AppError('SUGGESTION_RESOLVED');
    const used = await useTemplate(tx, articleId, { customerId: row.s.customerId });
    const [template] = await tx.db
      .select({ title: knowledgeArticles.title, body: knowledgeArticles.body })
      .from(knowledgeArticles)
      .where(eq(knowledgeArticles.id, articleId));
    const values = { ...used.values, ...(row.contactName ? { 联系人: row.contactName } : {}) };
    const subject = fillPlaceholders(template.title, values).slice(0, 200);
    const body = fillPlaceholders(template.body, values).slice(0, 20_000);
    await tx.db.update(customerSuggestions).set({ subject, body }).where(eq(customerSuggestions.id, id));
    await recordAudit(tx, {
      action: 'update',
      entityType: 'suggestion',
      entityId: id,
      before: { subject: row.s.subject },
      after: { subject, templateId: articleId },
    });
    const [after] = await selectSuggestions(tx.db).where(eq(customerSuggestions.id, id));
    return present(after);
  });
}
