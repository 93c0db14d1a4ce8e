import { and, count, desc, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { AuditAction, AuditEntityType, AuditListQuery, AuditLog } from '../../../common/schemas/audit';
import type { Page } from '../../../common/schemas/common';
import type { Ctx } from '../../context';
import { insertMany } from '../../db/bulk';
import type { Db } from '../../db/client';
import { offsetOf, pageWithTotal } from '../../lib/listing';
import { getUserNames } from '../staff/actors';
import { auditLogs } from './audit.tables';

/** Fields that never enter the audit log. */
const SECRET_FIELDS = new Set(['passwordHash', 'password', 'newPassword', 'tokenHash', 'csrfToken']);

function scrub(record: object | null | undefined): Record<string, unknown> | null {
  if (!record) return null;
  for (const key in record)
    if (SECRET_FIELDS.has(key))
      return Object.fromEntries(Object.entries(record).filter(([k]) => !SECRET_FIELDS.has(k)));
  return record as Record<string, unknown>; // nothing to leave out (an import audits 100,000 of them)
}

export type AuditEntry = {
  action: AuditAction;
  entityType: AuditEntityType;
  entityId: string;
  before?: object | null;
  after?: object | null;
};

/** Appends one entry. Call inside the transaction of the change it records. */
export async function recordAudit(ctx: Ctx, entry: AuditEntry): Promise<void> {
  await recordAudits(ctx.db, { actorId: ctx.actor.id, requestId: ctx.requestId }, [entry]);
}

/** Appends entries in one insert; `actorId` null means the system did it (a scheduled rule). */
export async function recordAudits(
  db: Db,
  by: { actorId: string | null; requestId: string | null },
  entries: AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await insertMany(
    db,
    auditLogs,
    entries.map((entry) => ({
      actorId: by.actorId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: scrub(entry.before),
      after: scrub(entry.after),
      requestId: by.requestId,
    })),
  );
}

/**
 * Entries written by the database from rows it already has (insertMany's `also`): a statement
 * appending, for each row of `from`, one entry about the entity `entityId` with `after` — SQL
 * expressions over `from`, whose values must hold no secret field (they are not scrubbed).
 */
export function auditsFrom(
  by: { actorId: string | null; requestId: string | null },
  entry: { action: AuditAction; entityType: AuditEntityType; entityId: SQL; after: SQL },
  from: SQL,
): SQL {
  return sql`INSERT INTO ${auditLogs} (actor_id, action, entity_type, entity_id, after, request_id)
    SELECT ${by.actorId}::uuid, ${entry.action}, ${entry.entityType}, ${entry.entityId}, ${entry.after}, ${by.requestId}
    FROM ${from}`;
}

export async function findAuditLogs(ctx: Ctx, query: AuditListQuery): Promise<Page<AuditLog>> {
  const filters: SQL[] = [];
  if (query.entityType) filters.push(eq(auditLogs.entityType, query.entityType));
  if (query.entityId) filters.push(eq(auditLogs.entityId, query.entityId));
  if (query.actorId) filters.push(eq(auditLogs.actorId, query.actorId));
  if (query.action) filters.push(eq(auditLogs.action, query.action));
  if (query.from) filters.push(gte(auditLogs.at, new Date(query.from)));
  if (query.to) filters.push(lte(auditLogs.at, new Date(query.to)));
  const where = and(...filters);
  const order = query.sort === 'at' ? [asc(auditLogs.at), asc(auditLogs.id)] : [desc(auditLogs.at), desc(auditLogs.id)];
  const { rows, total } = await pageWithTotal(
    query,
    ctx.db
      .select()
      .from(auditLogs)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(auditLogs).where(where),
  );
  const names = await getUserNames(
    ctx.db,
    rows.map((r) => r.actorId).filter((id): id is string => id !== null),
  );
  return {
    items: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorId: r.actorId,
      actorName: r.actorId ? (names.get(r.actorId) ?? null) : null,
      action: r.action as AuditAction,
      entityType: r.entityType,
      entityId: r.entityId,
      before: r.before,
      after: r.after,
      requestId: r.requestId,
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}
