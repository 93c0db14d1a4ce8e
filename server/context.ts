import type { FastifyRequest } from 'fastify';
import type { Db } from './db/client';
import type { Jobs } from './jobs/engine';
import { AppError } from './errors';
import type { Actor } from './policy';

/**
 * What a service call needs: the database (or the open transaction), who acts, the request id,
 * and the durable job queue (jobs are sent on `db`, so they commit with the change).
 */
export type Ctx = { db: Db; actor: Actor; requestId: string; jobs: Jobs };

/** What work done by the system (jobs, rules, seeding) needs: the database or open transaction, and the job queue. */
export type JobsTx = Pick<Ctx, 'db' | 'jobs'>;

export function ctxOf(request: FastifyRequest): Ctx {
  if (!request.actor) throw new AppError('UNAUTHENTICATED');
  return { db: request.server.db, actor: request.actor, requestId: request.id, jobs: request.server.jobs };
}

/**
 * Runs `fn` in a transaction with a context (a Ctx, or a JobsTx) bound to it. Inside, use `tx.db`
 * only (PGlite hangs otherwise).
 */
export function inTransaction<C extends { db: Db }, T>(ctx: C, fn: (tx: C) => Promise<T>): Promise<T> {
  return ctx.db.transaction((db) => fn({ ...ctx, db: db as unknown as Db }));
}
