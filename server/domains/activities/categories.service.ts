import { and, asc, eq } from 'drizzle-orm';
import type {
  ActivityCategoryCreate,
  ActivityCategoryItem,
  ActivityCategoryUpdate,
} from '../../../common/schemas/activities';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, duplicate, isUniqueViolation, notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { activityCategories } from './activities.tables';

function present(row: typeof activityCategories.$inferSelect): ActivityCategoryItem {
  return {
    code: row.code,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    active: row.active,
    position: row.position,
    builtin: row.builtin,
  };
}

/** Every category, in the firm's order (inactive ones too: old activities still show their names). */
export async function findCategories(db: Db): Promise<ActivityCategoryItem[]> {
  const rows = await db
    .select()
    .from(activityCategories)
    .orderBy(asc(activityCategories.position), asc(activityCategories.code));
  return rows.map(present);
}

/** New and changed activities take an active category only. */
export async function assertCategoryActive(db: Db, code: string): Promise<void> {
  const [row] = await db
    .select({ code: activityCategories.code })
    .from(activityCategories)
    .where(and(eq(activityCategories.code, code), eq(activityCategories.active, true)));
  if (!row) throw new AppError('INACTIVE_REFERENCE', { fieldKey: 'field.category' }, { field: 'category' });
}

export async function createCategory(ctx: Ctx, input: ActivityCategoryCreate): Promise<ActivityCategoryItem> {
  return inTransaction(ctx, async (tx) => {
    try {
      const [row] = await tx.db
        .insert(activityCategories)
        .values({ ...input, position: input.position ?? 500 })
        .returning();
      const after = present(row);
      await recordAudit(tx, { action: 'create', entityType: 'activity-category', entityId: row.id, after });
      return after;
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate('field.categoryCode', input.code);
      throw error;
    }
  });
}

/** Renames, reorders or switches a category off (built-in ones too; none is ever deleted). */
export async function updateCategory(
  ctx: Ctx,
  code: string,
  patch: ActivityCategoryUpdate,
): Promise<ActivityCategoryItem> {
  return inTransaction(ctx, async (tx) => {
    const [before] = await tx.db.select().from(activityCategories).where(eq(activityCategories.code, code));
    if (!before) throw notFound();
    const [row] = await tx.db
      .update(activityCategories)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(activityCategories.code, code))
      .returning();
    const after = present(row);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'activity-category',
      entityId: row.id,
      before: present(before),
      after,
    });
    return after;
  });
}
