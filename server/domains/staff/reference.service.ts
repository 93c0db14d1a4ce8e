import { and, count, eq, ilike, inArray, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Page } from '../../../common/schemas/common';
import type { Branch, BusinessLine } from '../../../common/schemas/staff';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, duplicate, inactiveReference, notFound, type FieldLabel } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { branches, businessLines, regions, users } from './staff.tables';

/**
 * Branches, regions and business lines share one shape (name, optional code, active,
 * sort order) and one set of rules; this module serves all three.
 */
export const REFERENCE_KINDS = {
  branch: { table: branches, entityType: 'branch', label: 'field.branch' },
  region: { table: regions, entityType: 'region', label: 'field.region' },
  businessLine: { table: businessLines, entityType: 'business-line', label: 'field.businessLine' },
} as const satisfies Record<
  string,
  { table: typeof branches | typeof regions | typeof businessLines; entityType: string; label: FieldLabel }
>;
export type ReferenceKind = keyof typeof REFERENCE_KINDS;

type Row = typeof branches.$inferSelect;
type ReferenceRecord = Branch & BusinessLine;

function present(row: Row | typeof businessLines.$inferSelect): ReferenceRecord {
  return {
    id: row.id,
    name: row.name,
    code: row.code as string,
    active: row.active,
    sortOrder: row.sortOrder,
    headUserId: 'headUserId' in row ? row.headUserId : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

type ListQuery = { q?: string; page: number; pageSize: number; sort?: string; active: 'true' | 'false' | 'all' };

export async function findReferences(ctx: Ctx, kind: ReferenceKind, query: ListQuery): Promise<Page<ReferenceRecord>> {
  const t = REFERENCE_KINDS[kind].table as typeof branches;
  const filters: (SQL | undefined)[] = [];
  if (query.active !== 'all') filters.push(eq(t.active, query.active === 'true'));
  if (query.q) filters.push(or(ilike(t.name, containsPattern(query.q)), ilike(t.code, containsPattern(query.q))));
  const where = and(...filters);
  const order = orderFrom(
    query.sort,
    { name: t.name, sortOrder: t.sortOrder, createdAt: t.createdAt },
    'sortOrder',
    t.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    ctx.db
      .select()
      .from(t)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(t).where(where),
  );
  return { items: rows.map(present), total, page: query.page, pageSize: query.pageSize };
}

async function loadReference(db: Db, kind: ReferenceKind, id: string): Promise<Row> {
  const t = REFERENCE_KINDS[kind].table as typeof branches;
  const [row] = await db.select().from(t).where(eq(t.id, id));
  if (!row) throw notFound();
  return row;
}

export async function getReference(ctx: Ctx, kind: ReferenceKind, id: string): Promise<ReferenceRecord> {
  return present(await loadReference(ctx.db, kind, id));
}

async function assertUnique(
  db: Db,
  kind: ReferenceKind,
  column: 'name' | 'code',
  value: string | null | undefined,
  exceptId?: string,
) {
  if (value === null || value === undefined) return;
  const t = REFERENCE_KINDS[kind].table as typeof branches;
  const col = t[column] as PgColumn;
  const [clash] = await db.select({ id: t.id }).from(t).where(eq(col, value));
  if (clash && clash.id !== exceptId) throw duplicate(column === 'name' ? 'field.name' : 'field.code', value);
}

type ReferenceInput = {
  name?: string;
  code?: string | null;
  sortOrder?: number;
  active?: boolean;
  /** Business lines only: their head, an active user. */
  headUserId?: string | null;
};

async function assertActiveHead(db: Db, headUserId: string | null | undefined) {
  if (!headUserId) return;
  const [user] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, headUserId), eq(users.active, true)));
  if (!user) throw inactiveReference('field.head');
}

export async function createReference(
  ctx: Ctx,
  kind: ReferenceKind,
  input: ReferenceInput & { name: string },
): Promise<ReferenceRecord> {
  const { table, entityType } = REFERENCE_KINDS[kind];
  return inTransaction(ctx, async (tx) => {
    await assertUnique(tx.db, kind, 'name', input.name);
    await assertUnique(tx.db, kind, 'code', input.code);
    await assertActiveHead(tx.db, input.headUserId);
    const [row] = await tx.db
      .insert(table as typeof branches)
      .values({
        name: input.name,
        code: input.code ?? null,
        sortOrder: input.sortOrder ?? 0,
        createdBy: ctx.actor.id,
        ...(kind === 'businessLine' ? { headUserId: input.headUserId ?? null } : {}),
      } as typeof branches.$inferInsert)
      .returning();
    const record = present(row);
    await recordAudit(tx, { action: 'create', entityType, entityId: row.id, after: record });
    return record;
  });
}

export async function updateReference(
  ctx: Ctx,
  kind: ReferenceKind,
  id: string,
  patch: ReferenceInput,
): Promise<ReferenceRecord> {
  const { table, entityType } = REFERENCE_KINDS[kind];
  const t = table as typeof branches;
  return inTransaction(ctx, async (tx) => {
    const before = present(await loadReference(tx.db, kind, id));
    await assertUnique(tx.db, kind, 'name', patch.name, id);
    await assertUnique(tx.db, kind, 'code', patch.code, id);
    await assertActiveHead(tx.db, patch.headUserId);
    const [row] = await tx.db
      .update(t)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(t.id, id))
      .returning();
    const after = present(row);
    const action =
      patch.active === false && before.active
        ? 'deactivate'
        : patch.active === true && !before.active
          ? 'activate'
          : 'update';
    await recordAudit(tx, { action, entityType, entityId: id, before, after });
    return after;
  });
}

/** Deletes an unused record; one still referenced anywhere (a foreign key) is REFERENCE_IN_USE. */
export async function deleteReference(ctx: Ctx, kind: ReferenceKind, id: string): Promise<void> {
  const { table, entityType } = REFERENCE_KINDS[kind];
  const t = table as typeof branches;
  await deleteGuarded(ctx, async (tx) => {
    const before = present(await loadReference(tx.db, kind, id));
    await tx.db.delete(t).where(eq(t.id, id));
    await recordAudit(tx, { action: 'delete', entityType, entityId: id, before });
  });
}

/**
 * Runs a delete in a transaction and turns a foreign-key violation (the record is still
 * referenced by any table, including those of later domains) into REFERENCE_IN_USE.
 */
export async function deleteGuarded(ctx: Ctx, fn: (tx: Ctx) => Promise<void>): Promise<void> {
  try {
    await inTransaction(ctx, fn);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause ?? (error as { code?: string });
    if (cause?.code === '23503') throw new AppError('REFERENCE_IN_USE');
    throw error;
  }
}

/** Checks that referenced records exist and are active (for forms that pick them). */
export async function assertActiveReferences(
  db: Db,
  kind: ReferenceKind,
  ids: (string | null | undefined)[],
): Promise<void> {
  const wanted = [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
  if (wanted.length === 0) return;
  const t = REFERENCE_KINDS[kind].table as typeof branches;
  const [{ n }] = await db
    .select({ n: count() })
    .from(t)
    .where(and(inArray(t.id, wanted), eq(t.active, true)));
  if (n !== wanted.length) throw inactiveReference(REFERENCE_KINDS[kind].label);
}
