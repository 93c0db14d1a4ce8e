import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import PizZip from 'pizzip';
import type { Locale } from '../../../common/i18n';
import type { Contact, Customer, LegalHoldChange } from '../../../common/schemas/customers';
import { ERASED_CONTACT_NAME } from '../../../common/privacy';
import { inTransaction, type Ctx } from '../../context';
import { AppError, notFound } from '../../errors';
import { say, type Label } from '../../lib/label';
import { searchTextOf } from '../../lib/search-text';
import { FIRM_TIME_ZONE, localParts } from '../../lib/time';
import { can, type Actor } from '../../policy';
import { activities } from '../activities/activities.tables';
import { auditLogs } from '../audit/audit.tables';
import { recordAudit } from '../audit/audit.service';
import { contracts } from '../contracts/contracts.tables';
import { files } from '../files/files.tables';
import { leads } from '../leads/leads.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';
import { customerSuggestions } from '../suggestions/suggestions.tables';
import { getContact } from './contacts.service';
import { getCustomer } from './customers.service';
import { contactLogs, contacts, customers } from './customers.tables';

/**
 * Personal-information requests under 个人信息保护法 (issue 20 item 6), about ONE contact person 联系人:
 *
 * - export (导出个人信息): everything the firm holds about them — their record, the contact logs naming them (by
 *   contact_id, or their name, a phone or an e-mail in the text, within their customer), the activities,
 *   opportunities, contracts, converted leads and follow-up drafts that reference them, and the documents
 *   attached to those log entries — as a .zip of data.json, the files and a readable summary in the reader's
 *   language. Audited without the personal data.
 * - erase (删除个人信息): the row anonymised in place, irreversibly, so history and figures stay right (logs,
 *   opportunities and counts keep pointing at it); their name, phones and e-mails replaced by the marker in the
 *   logs' text, the converted leads' contact fields and the follow-up drafts cleared, and the personal values in
 *   earlier audit entries of the contact and of those logs replaced too. Refused while the customer is under
 *   legal hold 法律保全 (LEGAL_HOLD), on an erased contact (CONTACT_ERASED), and without the contact's current name
 *   typed (ERASE_CONFIRMATION_MISMATCH).
 * - legal hold: set with a reason, or cleared, on a customer; audited.
 *
 * Who: export and erase by administrators (staff:manage), legal hold by them and by whoever may reassign every
 * customer (customers:assign with scope all — the partners 合伙人 among the built-in roles); always of a contact or
 * customer the actor sees (404 otherwise), and checked after that so the answer tells nothing of other records.
 */

/** Who may export or erase a contact's personal data. */
export const mayHandlePersonalData = (actor: Actor) => can(actor, 'staff:manage');

/** Who may put a customer under legal hold or release it. */
export const mayHoldCustomers = (actor: Actor) => can(actor, 'staff:manage') || can(actor, 'customers:assign', 'all');

/** A name shorter than this is not replaced in free text (a single 王 would blank every other 王). */
const MIN_NAME_IN_TEXT = 2;

/** What identifies the person in free text: their name (when long enough), phones and e-mails. */
function identifiersOf(contact: Pick<Contact, 'name' | 'phones' | 'emails'>): string[] {
  const terms = [...contact.phones, ...contact.emails].filter((v) => v.trim().length > 0);
  if (contact.name.trim().length >= MIN_NAME_IN_TEXT) terms.push(contact.name.trim());
  // Longest first: an e-mail holding the name is replaced whole.
  return [...new Set(terms)].sort((a, b) => b.length - a.length);
}

const escapeLike = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `column` with every term replaced by the marker, as SQL. */
function replacedIn(column: SQL | PgColumn, terms: string[]): SQL {
  let expr = sql`${column}`;
  for (const term of terms) expr = sql`replace(${expr}, ${term}, ${ERASED_CONTACT_NAME})`;
  return expr;
}

function mentions(column: PgColumn, terms: string[]) {
  return or(...terms.map((term) => sql`${column} LIKE ${`%${escapeLike(term)}%`}`));
}

/** The contact with their customer, for the export and the erasure: 404 when the actor does not see it. */
async function contactAndCustomer(ctx: Ctx, id: string): Promise<{ contact: Contact; customer: Customer }> {
  const contact = await getContact(ctx, id);
  const customer = await getCustomer(ctx, contact.customerId);
  return { contact, customer };
}

/** The contact logs about the contact: linked to them, or (within their customer) naming them in the text. */
async function logsAbout(ctx: Ctx, contact: Contact) {
  const terms = identifiersOf(contact);
  const naming = terms.length
    ? and(eq(contactLogs.customerId, contact.customerId), mentions(contactLogs.summary, terms))
    : undefined;
  return ctx.db
    .select({
      id: contactLogs.id,
      contactId: contactLogs.contactId,
      direction: contactLogs.direction,
      channel: contactLogs.channel,
      occurredAt: contactLogs.occurredAt,
      userName: users.displayName,
      summary: contactLogs.summary,
      nextContactOn: contactLogs.nextContactOn,
    })
    .from(contactLogs)
    .innerJoin(users, eq(users.id, contactLogs.userId))
    .where(or(eq(contactLogs.contactId, contact.id), naming))
    .orderBy(contactLogs.occurredAt, contactLogs.id);
}

const L = {
  title: { zh: '个人信息导出', en: 'Personal information export' },
  person: { zh: '联系人', en: 'Contact' },
  customer: { zh: '所属客户', en: 'Customer' },
  exportedAt: { zh: '导出时间', en: 'Exported at' },
  exportedBy: { zh: '导出人', en: 'Exported by' },
  titleField: { zh: '职务', en: 'Title' },
  department: { zh: '部门', en: 'Department' },
  phones: { zh: '电话', en: 'Phones' },
  emails: { zh: '邮箱', en: 'E-mails' },
  wechat: { zh: '微信', en: 'WeChat' },
  notes: { zh: '备注', en: 'Notes' },
  logs: { zh: '联系记录（{n} 条）', en: 'Contact log entries ({n})' },
  activities: { zh: '活动（{n} 项）', en: 'Activities ({n})' },
  opportunities: { zh: '商机（{n} 个）', en: 'Opportunities ({n})' },
  contracts: { zh: '合同（{n} 份）', en: 'Contracts ({n})' },
  leads: { zh: '来源线索（{n} 条）', en: 'Leads converted into this contact ({n})' },
  suggestions: { zh: '跟进邮件草稿（{n} 封）', en: 'Follow-up e-mail drafts ({n})' },
  files: { zh: '附件（{n} 个，见 files 文件夹）', en: 'Attachments ({n}, in the files folder)' },
  data: {
    zh: '完整数据见 data.json（字段为系统内部名称）。',
    en: 'The complete data is in data.json (fields by their system names).',
  },
} satisfies Record<string, Label>;

function when(at: Date): string {
  const p = localParts(at, FIRM_TIME_ZONE);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

/** A file name safe inside a zip on every system. */
const safeName = (name: string) => name.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_').slice(0, 120);

export type PersonalDataFile = { filename: string; contentType: string; content: Uint8Array };

/** 导出个人信息: the .zip of everything held about the contact (administrators; 404 when not seen). */
export async function exportPersonalData(ctx: Ctx, id: string, locale: Locale): Promise<PersonalDataFile> {
  const { contact, customer } = await contactAndCustomer(ctx, id);
  if (!mayHandlePersonalData(ctx.actor)) throw new AppError('FORBIDDEN');
  return inTransaction(ctx, async (tx) => {
    const logs = await logsAbout(tx, contact);
    const logIds = logs.map((l) => l.id);
    const [activityRows, opportunityRows, contractRows, leadRows, suggestionRows, fileRows] = await Promise.all([
      tx.db
        .select({
          id: activities.id,
          category: activities.category,
          subject: activities.subject,
          notes: activities.notes,
          status: activities.status,
          dueAt: activities.dueAt,
          doneAt: activities.doneAt,
        })
        .from(activities)
        .where(eq(activities.contactId, id)),
      tx.db
        .select({ id: opportunities.id, name: opportunities.name, status: opportunities.status })
        .from(opportunities)
        .where(eq(opportunities.contactId, id)),
      tx.db
        .select({ id: contracts.id, title: contracts.title, number: contracts.number, status: contracts.status })
        .from(contracts)
        .where(eq(contracts.contactId, id)),
      tx.db
        .select({
          id: leads.id,
          companyName: leads.companyName,
          contactName: leads.contactName,
          contactTitle: leads.contactTitle,
          phone: leads.phone,
          email: leads.email,
          wechat: leads.wechat,
          notes: leads.notes,
          convertedAt: leads.convertedAt,
        })
        .from(leads)
        .where(eq(leads.contactId, id)),
      tx.db
        .select({
          id: customerSuggestions.id,
          toAddress: customerSuggestions.toAddress,
          subject: customerSuggestions.subject,
          body: customerSuggestions.body,
          createdAt: customerSuggestions.createdAt,
        })
        .from(customerSuggestions)
        .where(eq(customerSuggestions.contactId, id)),
      logIds.length
        ? tx.db
            .select({
              id: files.id,
              ownerId: files.ownerId,
              filename: files.filename,
              contentType: files.contentType,
              size: files.size,
              content: files.content,
            })
            .from(files)
            .where(and(eq(files.ownerType, 'contact-log'), inArray(files.ownerId, logIds)))
        : Promise.resolve([]),
    ]);
    const now = new Date();
    const zip = new PizZip();
    const filesOut = fileRows.map((f, i) => ({
      id: f.id,
      contactLogId: f.ownerId,
      filename: f.filename,
      contentType: f.contentType,
      size: f.size,
      path: `files/${i + 1}-${safeName(f.filename)}`,
    }));
    fileRows.forEach((f, i) => zip.file(filesOut[i].path, Buffer.from(f.content)));
    const data = {
      exportedAt: now.toISOString(),
      exportedBy: ctx.actor.displayName,
      contact,
      customer: { id: customer.id, name: customer.name },
      contactLogs: logs.map((l) => ({
        ...l,
        occurredAt: l.occurredAt.toISOString(),
        linked: l.contactId === id,
        attachments: filesOut.filter((f) => f.contactLogId === l.id).map((f) => f.path),
      })),
      activities: activityRows.map((a) => ({
        ...a,
        dueAt: a.dueAt?.toISOString() ?? null,
        doneAt: a.doneAt?.toISOString() ?? null,
      })),
      opportunities: opportunityRows,
      contracts: contractRows,
      leads: leadRows.map((l) => ({ ...l, convertedAt: l.convertedAt?.toISOString() ?? null })),
      followUpDrafts: suggestionRows.map((s) => ({ ...s, createdAt: s.createdAt.toISOString() })),
      files: filesOut,
    };
    zip.file('data.json', JSON.stringify(data, null, 2));
    const s = (label: Label, params: Record<string, string | number> = {}) => say(label, locale, params);
    const line = (label: Label, value: string | null | undefined) => `${s(label)}: ${value || '—'}`;
    const summary = [
      s(L.title),
      '',
      line(L.person, contact.name),
      line(L.customer, customer.name),
      line(L.titleField, contact.title),
      line(L.department, contact.department),
      line(L.phones, contact.phones.join(', ')),
      line(L.emails, contact.emails.join(', ')),
      line(L.wechat, contact.wechat),
      line(L.notes, contact.notes),
      line(L.exportedAt, `${when(now)} (${FIRM_TIME_ZONE})`),
      line(L.exportedBy, ctx.actor.displayName),
      '',
      s(L.logs, { n: logs.length }),
      ...logs.map((l) => `- ${when(l.occurredAt)} ${l.channel} ${l.userName}: ${l.summary.replace(/\s+/g, ' ')}`),
      '',
      s(L.activities, { n: activityRows.length }),
      ...activityRows.map((a) => `- ${a.subject}`),
      s(L.opportunities, { n: opportunityRows.length }),
      ...opportunityRows.map((o) => `- ${o.name}`),
      s(L.contracts, { n: contractRows.length }),
      ...contractRows.map((c) => `- ${c.number ?? ''} ${c.title}`.trim()),
      s(L.leads, { n: leadRows.length }),
      s(L.suggestions, { n: suggestionRows.length }),
      s(L.files, { n: fileRows.length }),
      ...filesOut.map((f) => `- ${f.path}`),
      '',
      s(L.data),
      '',
    ].join('\r\n');
    const readme = locale === 'en-US' ? 'summary.txt' : '说明.txt';
    // A byte-order mark so that Notepad and its kind read the UTF-8 text.
    zip.file(readme, `\uFEFF${summary}`);
    await recordAudit(tx, {
      action: 'export',
      entityType: 'contact',
      entityId: id,
      after: {
        customerId: customer.id,
        contactLogs: logs.length,
        activities: activityRows.length,
        opportunities: opportunityRows.length,
        contracts: contractRows.length,
        leads: leadRows.length,
        followUpDrafts: suggestionRows.length,
        files: fileRows.length,
      },
    });
    const content = zip.generate({ type: 'uint8array', compression: 'DEFLATE' });
    const stamp = `${now.toISOString().slice(0, 10)}`;
    return {
      filename: `${locale === 'en-US' ? 'personal-data' : '个人信息'}-${safeName(contact.name)}-${stamp}.zip`,
      contentType: 'application/zip',
      content,
    };
  });
}

/** 删除个人信息: anonymises the contact in place, irreversibly (administrators; 404 when not seen). */
export async function erasePersonalData(ctx: Ctx, id: string, confirmName: string): Promise<Contact> {
  return inTransaction(ctx, async (tx) => {
    const seen = await getContact(tx, id);
    if (!mayHandlePersonalData(ctx.actor)) throw new AppError('FORBIDDEN');
    // The customer's row first (a hold set meanwhile waits for us, or we for it), then the contact's.
    const [customer] = await tx.db
      .select({ legalHoldAt: customers.legalHoldAt })
      .from(customers)
      .where(eq(customers.id, seen.customerId))
      .for('update');
    const [row] = await tx.db.select().from(contacts).where(eq(contacts.id, id)).for('update');
    if (!customer || !row) throw notFound();
    if (row.erasedAt) throw new AppError('CONTACT_ERASED');
    if (customer.legalHoldAt) throw new AppError('LEGAL_HOLD');
    if (confirmName.trim() !== row.name.trim())
      throw new AppError('ERASE_CONFIRMATION_MISMATCH', {}, { field: 'confirmName' });

    const nameTerms = identifiersOf({ name: row.name, phones: [], emails: [] });
    const contactTerms = identifiersOf({ name: '', phones: row.phones, emails: row.emails });
    const allTerms = identifiersOf(row);

    // The logs: the name within the customer's log, phones and e-mails anywhere (they identify the person alone).
    let logsRewritten = 0;
    const logIds: string[] = [];
    if (allTerms.length) {
      const touched = await tx.db
        .update(contactLogs)
        .set({ summary: replacedIn(contactLogs.summary, allTerms) })
        .where(
          or(
            nameTerms.length
              ? and(eq(contactLogs.customerId, row.customerId), mentions(contactLogs.summary, allTerms))
              : undefined,
            contactTerms.length ? mentions(contactLogs.summary, contactTerms) : undefined,
          ),
        )
        .returning({ id: contactLogs.id });
      logsRewritten = touched.length;
      logIds.push(...touched.map((t) => t.id));
    }
    const linked = await tx.db.select({ id: contactLogs.id }).from(contactLogs).where(eq(contactLogs.contactId, id));
    logIds.push(...linked.map((l) => l.id));

    // Leads converted into this contact: their person fields cleared, the company kept.
    const leadRows = await tx.db
      .select({ id: leads.id, companyName: leads.companyName })
      .from(leads)
      .where(eq(leads.contactId, id));
    for (const lead of leadRows) {
      await tx.db
        .update(leads)
        .set({
          contactName: ERASED_CONTACT_NAME,
          contactTitle: null,
          phone: null,
          email: null,
          wechat: null,
          notes: allTerms.length ? replacedIn(leads.notes, allTerms) : sql`${leads.notes}`,
          searchText: searchTextOf([lead.companyName], []),
          updatedAt: new Date(),
        })
        .where(eq(leads.id, lead.id));
    }

    // Follow-up e-mail drafts addressed to them.
    const drafts = await tx.db
      .update(customerSuggestions)
      .set({
        toAddress: null,
        subject: replacedIn(customerSuggestions.subject, allTerms),
        body: replacedIn(customerSuggestions.body, allTerms),
      })
      .where(eq(customerSuggestions.contactId, id))
      .returning({ id: customerSuggestions.id });

    // Activities naming them in their subject or notes.
    if (allTerms.length)
      await tx.db
        .update(activities)
        .set({
          subject: replacedIn(activities.subject, allTerms),
          notes: replacedIn(activities.notes, allTerms),
        })
        .where(eq(activities.contactId, id));

    // Earlier audit entries of the contact and of those logs held the values: replaced there as well.
    if (allTerms.length) {
      const jsonTerms = allTerms.map((term) => JSON.stringify(term).slice(1, -1));
      const marker = JSON.stringify(ERASED_CONTACT_NAME).slice(1, -1);
      const rewrite = (column: PgColumn) => {
        let expr = sql`${column}::text`;
        for (const term of jsonTerms) expr = sql`replace(${expr}, ${term}, ${marker})`;
        return sql`(${expr})::jsonb`;
      };
      await tx.db
        .update(auditLogs)
        .set({ before: rewrite(auditLogs.before), after: rewrite(auditLogs.after) })
        .where(
          or(
            and(eq(auditLogs.entityType, 'contact'), eq(auditLogs.entityId, id)),
            logIds.length
              ? and(eq(auditLogs.entityType, 'contact-log'), inArray(auditLogs.entityId, [...new Set(logIds)]))
              : undefined,
            leadRows.length
              ? and(
                  eq(auditLogs.entityType, 'lead'),
                  inArray(
                    auditLogs.entityId,
                    leadRows.map((l) => l.id),
                  ),
                )
              : undefined,
          ),
        );
    }

    const at = new Date();
    const [erased] = await tx.db
      .update(contacts)
      .set({
        name: ERASED_CONTACT_NAME,
        title: null,
        department: null,
        phones: [],
        emails: [],
        wechat: null,
        notes: null,
        searchText: '',
        erasedAt: at,
        erasedBy: ctx.actor.id,
        updatedAt: at,
      })
      .where(eq(contacts.id, id))
      .returning({ id: contacts.id });
    if (!erased) throw notFound();
    await recordAudit(tx, {
      action: 'erase',
      entityType: 'contact',
      entityId: id,
      // What was done, never what was erased.
      after: {
        customerId: row.customerId,
        erasedAt: at.toISOString(),
        contactLogsRewritten: logsRewritten,
        leadsCleared: leadRows.length,
        followUpDraftsCleared: drafts.length,
      },
    });
    return getContact(tx, id);
  });
}

/** 法律保全: set (with a reason) or clear on a customer the actor sees. */
export async function setLegalHold(ctx: Ctx, id: string, change: LegalHoldChange): Promise<Customer> {
  return inTransaction(ctx, async (tx) => {
    const before = await getCustomer(tx, id);
    if (!mayHoldCustomers(ctx.actor)) throw new AppError('FORBIDDEN');
    if (change.held && !change.reason) throw new AppError('REASON_REQUIRED', {}, { field: 'reason' });
    const at = new Date();
    await tx.db
      .update(customers)
      .set(
        change.held
          ? {
              legalHoldAt: before.legalHoldAt ? new Date(before.legalHoldAt) : at,
              legalHoldReason: change.reason!,
              legalHoldBy: ctx.actor.id,
            }
          : { legalHoldAt: null, legalHoldReason: null, legalHoldBy: null },
      )
      .where(eq(customers.id, id));
    const after = await getCustomer(tx, id);
    await recordAudit(tx, {
      action: 'legal-hold',
      entityType: 'customer',
      entityId: id,
      before: { name: before.name, legalHoldAt: before.legalHoldAt, legalHoldReason: before.legalHoldReason },
      after: { name: after.name, legalHoldAt: after.legalHoldAt, legalHoldReason: after.legalHoldReason },
    });
    return after;
  });
}
