import { and, count, desc, eq, gt, ilike, isNotNull, isNull, lte, or, type SQL } from 'drizzle-orm';
import type {
  AdminApiToken,
  AdminApiTokenListQuery,
  ApiToken,
  ApiTokenScope,
  ApiTokenStatus,
} from '../../../common/schemas/auth';
import type { Page } from '../../../common/schemas/common';
import { inTransaction, type Ctx } from '../../context';
import { notFound } from '../../errors';
import { containsPattern, offsetOf, orderFrom, pageWithTotal } from '../../lib/listing';
import { recordAudit } from '../audit/audit.service';
import { users } from '../staff/staff.tables';
import { API_TOKEN_PREFIX, randomToken, sha256 } from './auth.service';
import { apiTokens } from './auth.tables';

type Row = typeof apiTokens.$inferSelect;

function statusOf(row: Row, now = Date.now()): ApiTokenStatus {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

function present(row: Row): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    status: statusOf(row),
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** What the audit log keeps of a token (never its hash). */
const audited = (row: Row) => ({
  name: row.name,
  prefix: row.prefix,
  scope: row.scope,
  userId: row.userId,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

/** My tokens that are not revoked (expired ones stay listed, marked, until revoked). */
export async function findOwnApiTokens(ctx: Ctx): Promise<ApiToken[]> {
  const rows = await ctx.db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, ctx.actor.id), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt), apiTokens.id);
  return rows.map(present);
}

/** The token is returned once; only its hash is kept. */
export async function createApiToken(
  ctx: Ctx,
  input: { name: string; scope: ApiTokenScope; expiresInDays?: number | null },
) {
  const token = `${API_TOKEN_PREFIX}${randomToken()}`;
  return inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(apiTokens)
      .values({
        userId: ctx.actor.id,
        name: input.name,
        prefix: token.slice(0, 10),
        scope: input.scope,
        tokenHash: sha256(token),
        expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
      })
      .returning();
    await recordAudit(tx, { action: 'create', entityType: 'api-token', entityId: row.id, after: audited(row) });
    return { ...present(row), token };
  });
}

/** Revokes a token of mine (404 for anyone else's — administrators use revokeAnyApiToken). */
export async function revokeApiToken(ctx: Ctx, id: string): Promise<void> {
  await revoke(ctx, and(eq(apiTokens.id, id), eq(apiTokens.userId, ctx.actor.id))!);
}

/** An administrator revokes anyone's token. */
export async function revokeAnyApiToken(ctx: Ctx, id: string): Promise<void> {
  await revoke(ctx, eq(apiTokens.id, id));
}

async function revoke(ctx: Ctx, which: SQL) {
  await inTransaction(ctx, async (tx) => {
    const [before] = await tx.db
      .select()
      .from(apiTokens)
      .where(and(which, isNull(apiTokens.revokedAt)))
      .for('update');
    if (!before) throw notFound();
    const [after] = await tx.db
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(eq(apiTokens.id, before.id))
      .returning();
    await recordAudit(tx, {
      action: 'revoke',
      entityType: 'api-token',
      entityId: before.id,
      before: audited(before),
      after: audited(after),
    });
  });
}

/** Every user's tokens, newest first by default, filtered by owner, status, scope and a search. */
export async function findAllApiTokens(ctx: Ctx, query: AdminApiTokenListQuery): Promise<Page<AdminApiToken>> {
  const now = new Date();
  const filters: (SQL | undefined)[] = [];
  if (query.userId) filters.push(eq(apiTokens.userId, query.userId));
  if (query.scope) filters.push(eq(apiTokens.scope, query.scope));
  if (query.status === 'revoked') filters.push(isNotNull(apiTokens.revokedAt));
  if (query.status === 'expired') filters.push(isNull(apiTokens.revokedAt), lte(apiTokens.expiresAt, now));
  if (query.status === 'active')
    filters.push(isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)));
  if (query.q) {
    const p = containsPattern(query.q);
    filters.push(
      or(ilike(apiTokens.name, p), ilike(apiTokens.prefix, p), ilike(users.username, p), ilike(users.displayName, p)),
    );
  }
  const where = and(...filters);
  const order = orderFrom(
    query.sort,
    {
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      username: users.username,
    },
    '-createdAt',
    apiTokens.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    ctx.db
      .select({ token: apiTokens, username: users.username, userDisplayName: users.displayName })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () =>
      ctx.db.select({ total: count() }).from(apiTokens).innerJoin(users, eq(users.id, apiTokens.userId)).where(where),
  );
  return {
    items: rows.map((r) => ({
      ...present(r.token),
      userId: r.token.userId,
      username: r.username,
      userDisplayName: r.userDisplayName,
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}
