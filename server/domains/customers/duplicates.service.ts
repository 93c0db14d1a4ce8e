import { and, eq, ne, or, sql } from 'drizzle-orm';
import { normalizeCreditCode } from '../../../common/credit-code';
import type { Customer, DuplicateCandidate } from '../../../common/schemas/customers';
import { inTransaction, type Ctx } from '../../context';
import { AppError, rateLimited } from '../../errors';
import { WindowLimiter } from '../../lib/rate-limit';
import { recordAudit, recordAudits } from '../audit/audit.service';
import { users } from '../staff/staff.tables';
import { visibleCustomers } from './customers.policy';
import { refreshCustomer } from './contact-logs.service';
import { assertCustomerWritable, getCustomer } from './customers.service';
import {
  contactLogs,
  contacts,
  customerOwnerChanges,
  customerServices,
  customerShares,
  customers,
} from './customers.tables';

/** Legal-form words and punctuation that do not tell two companies apart. */
const NOISE = '(股份)?有限(责任)?公司|集团|公司|分公司|[[:space:]()（）·.,，-]';

/** A company name reduced to what distinguishes it: `西安华达建设（集团）有限公司` → `西安华达建设`. */
export function normalizeCompanyName(name: string): string {
  return name.replace(/(股份)?有限(责任)?公司|集团|公司|分公司|[\s()（）·.,，-]/g, '');
}

const normalizedName = sql`regexp_replace(${customers.name}, ${NOISE}, '', 'g')`;

/**
 * How alike two names must be (pg_trgm similarity of the names without legal forms, 0–1) for a
 * customer the caller cannot see to be named as a likely duplicate. 0.6 holds for
 * `西安华达建设` ~ `西安华达建设工程` and fails for a fragment such as `华达` (0) or
 * `西安华达建筑` (0.56). Customers the caller can see match more loosely (one name containing the other).
 */
export const DISCLOSE_SIMILARITY = 0.6;
/** Duplicate checks per user and minute (the check may name the owner of a customer one cannot see). */
export const DUPLICATE_CHECKS_PER_MINUTE = 30;
const checks = new WindowLimiter(DUPLICATE_CHECKS_PER_MINUTE, 60_000);

/** A customer the caller cannot see, named by a duplicate check: for the audit log. */
export type Disclosure = { id: string; name: string; ownerName: string | null; reason: DuplicateCandidate['reason'] };

/**
 * Customers that may be the same company. Searched firm-wide — a duplicate is a duplicate whoever
 * owns it, and naming the owner stops two salespeople chasing one client — but a customer the
 * caller cannot see is named (without its id) only on the same full credit code, the same name
 * once legal forms are removed, or a name at least DISCLOSE_SIMILARITY alike; never on a fragment.
 * Customers the caller can see also match when one name contains the other (四个字 and up).
 * Rate-limited per user (DUPLICATE_CHECK_RATE_LIMITED); each named invisible customer is written to
 * the audit log (action `disclose`) — unless `disclosed` collects them for a caller whose
 * transaction may roll back (it records them with recordDisclosures afterwards).
 */
export async function findDuplicates(
  ctx: Ctx,
  input: { name?: string; creditCode?: string; excludeId?: string },
  disclosed?: Disclosure[],
): Promise<DuplicateCandidate[]> {
  const code = input.creditCode ? normalizeCreditCode(input.creditCode) : '';
  const core = input.name ? normalizeCompanyName(input.name) : '';
  const byCode = code.length === 18 ? eq(customers.creditCode, code) : undefined;
  const sameName = core.length >= 2 ? sql`${normalizedName} = ${core}` : undefined;
  if (!byCode && !sameName) return [];
  const wait = checks.take(ctx.actor.id);
  if (wait) throw rateLimited('DUPLICATE_CHECK_RATE_LIMITED', wait);

  const similarity = sql<number>`similarity(${normalizedName}, ${core})`;
  const alike = core.length >= 4 ? sql`${similarity} >= ${DISCLOSE_SIMILARITY}` : undefined;
  // Containment only for cores long enough to mean something (四个字 and up), and only among visible customers.
  const contains =
    core.length >= 4
      ? and(
          sql`(strpos(${normalizedName}, ${core}) > 0 OR strpos(${core}, ${normalizedName}) > 0 AND length(${normalizedName}) >= 4)`,
          visibleCustomers(ctx.actor),
        )
      : undefined;
  const rows = await ctx.db
    .select({
      id: customers.id,
      name: customers.name,
      creditCode: customers.creditCode,
      ownerName: users.displayName,
      visible: sql<boolean>`${visibleCustomers(ctx.actor)}`,
      core: sql<string>`${normalizedName}`,
    })
    .from(customers)
    .leftJoin(users, eq(users.id, customers.ownerId))
    .where(and(or(byCode, sameName, alike, contains), input.excludeId ? ne(customers.id, input.excludeId) : undefined))
    // The same credit code first, then the same name, then the most alike.
    .orderBy(
      ...(byCode ? [sql`${byCode} DESC`] : []),
      ...(sameName ? [sql`${sameName} DESC`, sql`${similarity} DESC`] : []),
      customers.name,
      customers.id,
    )
    .limit(10);
  const candidates = rows.map((r) => ({
    id: r.visible ? r.id : null,
    name: r.name,
    ownerName: r.ownerName,
    reason: (code && r.creditCode === code
      ? 'credit-code'
      : r.core === core
        ? 'same-name'
        : 'similar-name') as DuplicateCandidate['reason'],
  }));
  const hidden = rows.flatMap((r, i) => (r.visible ? [] : [{ ...candidates[i], id: r.id }]));
  if (disclosed) disclosed.push(...hidden);
  else await recordDisclosures(ctx, input, hidden);
  return candidates;
}

/** Writes who was told what about customers they cannot see (the audit log's `disclose` entries). */
export async function recordDisclosures(
  ctx: Ctx,
  asked: { name?: string; creditCode?: string },
  disclosures: Disclosure[],
): Promise<void> {
  await recordAudits(
    ctx.db,
    { actorId: ctx.actor.id, requestId: ctx.requestId },
    disclosures.map((d) => ({
      action: 'disclose' as const,
      entityType: 'customer' as const,
      entityId: d.id,
      // What the asker was told (the record's name and owner, and why), and what they asked with.
      after: {
        name: d.name,
        ownerName: d.ownerName,
        reason: d.reason,
        asked: { name: asked.name ?? null, creditCode: asked.creditCode ?? null },
      },
    })),
  );
}

/**
 * Merges `duplicateId` into `id`: contacts, contact log (with attachments), recurring
 * services, shares and owner history move over; empty fields of the survivor are filled
 * from the duplicate; tags are united; the duplicate is deleted. Both must be writable.
 */
export async function mergeCustomers(ctx: Ctx, id: string, duplicateId: string): Promise<Customer> {
  if (id === duplicateId) throw new AppError('MERGE_SAME_CUSTOMER');
  return inTransaction(ctx, async (tx) => {
    await assertCustomerWritable(tx, id);
    await assertCustomerWritable(tx, duplicateId);
    const survivor = await getCustomer(tx, id);
    const duplicate = await getCustomer(tx, duplicateId);
    const [dupRow] = await tx.db.select().from(customers).where(eq(customers.id, duplicateId));

    await tx.db.update(contacts).set({ customerId: id }).where(eq(contacts.customerId, duplicateId));
    await tx.db.update(contactLogs).set({ customerId: id }).where(eq(contactLogs.customerId, duplicateId));
    await tx.db.update(customerServices).set({ customerId: id }).where(eq(customerServices.customerId, duplicateId));
    await tx.db
      .update(customerOwnerChanges)
      .set({ customerId: id })
      .where(eq(customerOwnerChanges.customerId, duplicateId));
    await tx.db.execute(sql`INSERT INTO ${customerShares} (customer_id, user_id, created_by)
      SELECT ${id}, user_id, ${ctx.actor.id} FROM ${customerShares} WHERE customer_id = ${duplicateId} ON CONFLICT DO NOTHING`);
    // The duplicate's owner keeps seeing the customer they worked on, as a colleague.
    if (duplicate.ownerId && duplicate.ownerId !== survivor.ownerId) {
      await tx.db
        .insert(customerShares)
        .values({ customerId: id, userId: duplicate.ownerId, createdBy: ctx.actor.id })
        .onConflictDoNothing();
    }
    // Delete first: the credit code is unique and may move to the survivor.
    await tx.db.delete(customers).where(eq(customers.id, duplicateId));

    const fill = <K extends keyof typeof dupRow>(key: K) =>
      survivor[key as keyof Customer] === null ? dupRow[key] : undefined;
    await tx.db
      .update(customers)
      .set({
        creditCode: fill('creditCode') as string | null | undefined,
        industry: fill('industry') as string | null | undefined,
        size: fill('size') as typeof dupRow.size | undefined,
        regionId: fill('regionId') as string | null | undefined,
        branchId: fill('branchId') as string | null | undefined,
        address: fill('address') as string | null | undefined,
        email: fill('email') as string | null | undefined,
        phone: fill('phone') as string | null | undefined,
        source: fill('source') as string | null | undefined,
        tags: [...new Set([...survivor.tags, ...duplicate.tags])],
        searchText: sql`${customers.searchText} || ' ' || ${dupRow.searchText}`,
        updatedAt: new Date(),
      })
      .where(eq(customers.id, id));
    await refreshCustomer(tx, id);
    // Keep one primary contact.
    await tx.db.execute(sql`UPDATE ${contacts} SET is_primary = false WHERE customer_id = ${id} AND is_primary
      AND id <> (SELECT id FROM ${contacts} WHERE customer_id = ${id} AND is_primary ORDER BY created_at LIMIT 1)`);

    const after = await getCustomer(tx, id);
    await recordAudit(tx, {
      action: 'merge',
      entityType: 'customer',
      entityId: id,
      before: survivor,
      after: { ...after, mergedFrom: duplicate },
    });
    await recordAudit(tx, {
      action: 'delete',
      entityType: 'customer',
      entityId: duplicateId,
      before: duplicate,
      after: { mergedInto: id },
    });
    return after;
  });
}
