import { and, count, desc, eq, ilike, or, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import type { ContactLog, ContactLogCreate, ContactLogListQuery } from '../../../common/schemas/customers';
import type { Attachment } from '../../../common/schemas/files';
import { inTransaction, type Ctx, type JobsTx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { syncNextContactReminder } from '../reminders/reminders.service';
import { closeOpenSuggestions } from '../suggestions/close';
import {
  attachmentsOf,
  deleteFile,
  deleteFilesOf,
  fileTypeOf,
  getFile,
  lockUploadsOf,
  readAttachments,
  storedBytesOf,
  storeFile,
  type Upload,
} from '../files/files.service';
import { users } from '../staff/staff.tables';
import { visibleCustomers } from './customers.policy';
import { assertCustomerWritable, customerSearch, refreshContactDates } from './customers.service';
import { getCustomerSettings } from './pool-rule.service';
import { contactLogs, contacts, customers } from './customers.tables';

function selectLogs(db: Db) {
  return db
    .select({
      log: contactLogs,
      customerName: customers.name,
      contactName: contacts.name,
      userName: users.displayName,
      attachments: attachmentsOf('contact-log', outer(contactLogs.id)),
    })
    .from(contactLogs)
    .innerJoin(customers, eq(customers.id, contactLogs.customerId))
    .innerJoin(users, eq(users.id, contactLogs.userId))
    .leftJoin(contacts, eq(contacts.id, contactLogs.contactId))
    .$dynamic();
}

export type JoinedContactLog = Awaited<ReturnType<ReturnType<typeof selectLogs>['execute']>>[number];

export function presentContactLog(r: JoinedContactLog): ContactLog {
  const l = r.log;
  return {
    id: l.id,
    customerId: l.customerId,
    customerName: r.customerName,
    contactId: l.contactId,
    contactName: r.contactName,
    direction: l.direction,
    channel: l.channel,
    occurredAt: l.occurredAt.toISOString(),
    userId: l.userId,
    userName: r.userName,
    summary: l.summary,
    nextContactOn: l.nextContactOn,
    attachments: readAttachments(r.attachments),
    createdAt: l.createdAt.toISOString(),
  };
}

/**
 * The contact log is visible exactly when its customer is. `q` finds what was said (the summary)
 * or whom it was with (the customer as the customer search finds it: name, pinyin, contacts …).
 */
export async function findContactLogs(ctx: Ctx, query: ContactLogListQuery): Promise<Page<ContactLog>> {
  const filters: (SQL | undefined)[] = [visibleCustomers(ctx.actor)];
  if (query.q) filters.push(or(ilike(contactLogs.summary, containsPattern(query.q)), customerSearch(query.q)));
  if (query.customerId) filters.push(eq(contactLogs.customerId, query.customerId));
  if (query.direction) filters.push(eq(contactLogs.direction, query.direction));
  if (query.channel) filters.push(eq(contactLogs.channel, query.channel));
  const where = and(...filters);
  const order = orderFrom(query.sort, { occurredAt: contactLogs.occurredAt }, '-occurredAt', contactLogs.id);
  const { rows, total } = await pageWithTotal(
    query,
    selectLogs(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db
        .select({ total: count() })
        .from(contactLogs)
        .innerJoin(customers, eq(customers.id, contactLogs.customerId))
        .where(where),
  );
  return { items: rows.map(presentContactLog), total, page: query.page, pageSize: query.pageSize };
}

export async function getContactLog(ctx: Ctx, id: string): Promise<ContactLog> {
  const [row] = await selectLogs(ctx.db).where(and(eq(contactLogs.id, id), visibleCustomers(ctx.actor)));
  if (!row) throw notFound();
  return presentContactLog(row);
}

/**
 * The customer's last contact is its latest logged one; its next contact date is the one
 * set by that latest entry (a newer call supersedes an older plan); the next-contact reminder follows.
 */
export async function refreshCustomer(tx: JobsTx, customerId: string) {
  const db = tx.db;
  const [latest] = await db
    .select({ occurredAt: contactLogs.occurredAt, nextContactOn: contactLogs.nextContactOn })
    .from(contactLogs)
    .where(eq(contactLogs.customerId, customerId))
    .orderBy(desc(contactLogs.occurredAt), desc(contactLogs.createdAt))
    .limit(1);
  await refreshContactDates(db, customerId, latest?.occurredAt ?? null, latest?.nextContactOn ?? null);
  await syncNextContactReminder(tx, customerId);
  // Contacted again: no longer quiet.
  if (latest) await closeOpenSuggestions(db, [customerId]);
}

export async function createContactLog(ctx: Ctx, input: ContactLogCreate): Promise<ContactLog> {
  return inTransaction(ctx, async (tx) => {
    await assertCustomerWritable(tx, input.customerId);
    if (input.contactId) {
      const [contact] = await tx.db
        .select({ customerId: contacts.customerId, erasedAt: contacts.erasedAt })
        .from(contacts)
        .where(eq(contacts.id, input.contactId));
      if (contact?.customerId !== input.customerId)
        throw new AppError('INACTIVE_REFERENCE', { fieldKey: 'field.contact' }, { field: 'contactId' });
      // An erased contact is read-only: nothing new is recorded about them.
      if (contact.erasedAt) throw new AppError('CONTACT_ERASED', {}, { field: 'contactId' });
    }
    const [row] = await tx.db
      .insert(contactLogs)
      .values({
        customerId: input.customerId,
        contactId: input.contactId ?? null,
        direction: input.direction,
        channel: input.channel,
        occurredAt: input.occurredAt ? new Date(input.occurredAt) : new Date(),
        userId: ctx.actor.id,
        summary: input.summary,
        nextContactOn: input.nextContactOn ?? null,
        createdBy: ctx.actor.id,
      })
      .returning({ id: contactLogs.id });
    await refreshCustomer(tx, input.customerId);
    const after = await getContactLog(tx, row.id);
    await recordAudit(tx, { action: 'create', entityType: 'contact-log', entityId: row.id, after });
    return after;
  });
}

export async function deleteContactLog(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const before = await getContactLog(tx, id);
    await assertCustomerWritable(tx, before.customerId);
    await deleteFilesOf(tx.db, 'contact-log', id);
    await tx.db.delete(contactLogs).where(eq(contactLogs.id, id));
    await refreshCustomer(tx, before.customerId);
    await recordAudit(tx, { action: 'delete', entityType: 'contact-log', entityId: id, before });
  });
}

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

/**
 * Refuses an upload that cannot fit the user's attachment quota (customer settings): `adding` bytes
 * on top of what they have stored. STORAGE_QUOTA_EXCEEDED names both in MB.
 */
export async function assertQuota(ctx: Ctx, adding: number): Promise<void> {
  const { attachmentQuotaMb } = await getCustomerSettings(ctx.db);
  const used = await storedBytesOf(ctx.db, ctx.actor.id);
  if (used + adding > attachmentQuotaMb * MB)
    throw new AppError(
      'STORAGE_QUOTA_EXCEEDED',
      { usedMb: mb(used), quotaMb: attachmentQuotaMb, fileMb: mb(adding) },
      { usedBytes: used, quotaBytes: attachmentQuotaMb * MB, fileBytes: adding },
    );
}

/**
 * Before an upload is read: the log entry must be one the actor may change (404 / 403), and a file
 * of at least `atLeastBytes` (what the request announces) must fit their quota.
 */
export async function assertCanAttach(ctx: Ctx, id: string, atLeastBytes: number): Promise<void> {
  const log = await getContactLog(ctx, id);
  await assertCustomerWritable(ctx, log.customerId);
  await assertQuota(ctx, atLeastBytes);
}

/** Attaches one received document to a log entry, within the uploader's quota (checked under a per-user lock). */
export async function attachToContactLog(ctx: Ctx, id: string, upload: Upload): Promise<Attachment> {
  return inTransaction(ctx, async (tx) => {
    const log = await getContactLog(tx, id);
    await assertCustomerWritable(tx, log.customerId);
    fileTypeOf(upload.filename);
    await lockUploadsOf(tx.db, ctx.actor.id);
    await assertQuota(tx, upload.size);
    const stored = await storeFile(tx.db, { type: 'contact-log', id }, upload, ctx.actor.id);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'contact-log',
      entityId: id,
      before: { attachments: log.attachments },
      after: { attachments: [...log.attachments, stored] },
    });
    return stored;
  });
}

/** A document of a log entry, for those who may see the customer (404 for everyone else). */
export async function getContactLogFile(ctx: Ctx, id: string, fileId: string) {
  await getContactLog(ctx, id);
  return getFile(ctx.db, 'contact-log', id, fileId);
}

export async function removeContactLogFile(ctx: Ctx, id: string, fileId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const log = await getContactLog(tx, id);
    await assertCustomerWritable(tx, log.customerId);
    const removed = await deleteFile(tx.db, 'contact-log', id, fileId);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'contact-log',
      entityId: id,
      before: { attachments: log.attachments },
      after: { attachments: log.attachments.filter((a) => a.id !== removed.id) },
    });
  });
}
