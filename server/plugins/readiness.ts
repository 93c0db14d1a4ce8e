import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { rowsOf } from '../db/client';
import { MIGRATIONS_DIR } from '../db/migrate';
import { typed } from '../lib/routes';

/** How long the database may take to answer a check before the instance counts as not ready. */
const CHECK_TIMEOUT_MS = 3_000;

const Checks = z.object({
  /** The database answers a query. */
  database: z.enum(['ok', 'unreachable']),
  /** Every migration this version ships is applied (unknown: the database did not answer). */
  migrations: z.enum(['ok', 'pending', 'unknown']),
  /** This instance works the job queues (startWorkers ran, and they are not stopped). */
  jobs: z.enum(['ok', 'not_running']),
});
type Checks = z.infer<typeof Checks>;

export type ReadinessOptions = {
  /** The migrations this version ships (their drizzle journal); the tests point it at a copy with one more. */
  migrationsFolder?: string;
};

/**
 * GET /api/ready — 200 when this instance can serve: the database answers, all migrations are applied and the job
 * workers run; otherwise 503 naming the checks that failed (nothing else: it is public, like /api/health, which only
 * says the process is alive). For load balancers and orchestrators; each call runs two small statements.
 */
export function registerReadiness(app: FastifyInstance, options: ReadinessOptions = {}) {
  const journal = path.join(options.migrationsFolder ?? MIGRATIONS_DIR, 'meta', '_journal.json');
  let shipped: Promise<number> | null = null;
  // The newest migration this version ships (its folderMillis, which drizzle records as created_at), read once.
  const newestShipped = () =>
    (shipped ??= readFile(journal, 'utf8').then((text) => {
      const entries = (JSON.parse(text) as { entries: { when: number }[] }).entries;
      return Math.max(0, ...entries.map((e) => e.when));
    }));

  const check = async (): Promise<Checks> => {
    const jobs = app.jobs.workersRunning ? 'ok' : 'not_running';
    try {
      await withTimeout(app.db.execute('select 1'));
    } catch {
      return { database: 'unreachable', migrations: 'unknown', jobs };
    }
    let migrations: Checks['migrations'];
    try {
      // What `gongdan migrate` would apply: the shipped migrations newer than the newest applied (drizzle's rule).
      const [applied] = await withTimeout(
        rowsOf<{ newest: string | number | null }>(
          app.db,
          // The table may not exist yet (a database never migrated): to_regclass tells without an error.
          sql`select case when to_regclass('drizzle.__drizzle_migrations') is null
            then null else (select max(created_at) from drizzle.__drizzle_migrations) end as newest`,
        ),
      );
      migrations = Number(applied?.newest ?? 0) >= (await newestShipped()) ? 'ok' : 'pending';
    } catch {
      migrations = 'unknown';
    }
    return { database: 'ok', migrations, jobs };
  };

  typed(app).get(
    '/api/ready',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary:
          'Readiness: 200 when the database answers, every migration is applied and the job workers run; 503 naming the failed checks',
        response: {
          200: z.object({ status: z.literal('ready'), checks: Checks }),
          503: z.object({ status: z.literal('not_ready'), checks: Checks }),
        },
      },
    },
    async (_request, reply) => {
      const checks = await check();
      const ready = checks.database === 'ok' && checks.migrations === 'ok' && checks.jobs === 'ok';
      reply.header('cache-control', 'no-store');
      if (ready) return { status: 'ready' as const, checks };
      return reply.code(503).send({ status: 'not_ready' as const, checks });
    },
  );
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
