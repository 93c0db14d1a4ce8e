import { sql } from 'drizzle-orm';
import {
  CROSS_SELL_MIN_PERCENT,
  CROSS_SELL_MIN_PEERS,
  CROSS_SELL_YEARS,
  type CrossSellRun,
} from '../../../common/schemas/cross-sell';
import { inTransaction, type Ctx, type JobsTx } from '../../context';
import { rowsOf, type Db } from '../../db/client';
import { notFound } from '../../errors';
import type { Jobs } from '../../jobs/engine';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';

/**
 * The cross-sell computation 交叉销售计算 for the whole firm, set-based: a few statements over every customer.
 *
 * 1. What each customer BUYS (cs_buys): the business lines of its contracts signed / in progress / completed in the
 *    last CROSS_SELL_YEARS years (the contract's line and its orders' line lines), of its confirmed / completed orders'
 *    lines in that window, and its active recurring services (customer_services).
 * 2. The compared customers (cs_peers): every customer with an industry that buys something, in groups by industry ×
 *    size × region (level 3), industry × size (2), industry (1); a customer compares at the narrowest level where at
 *    least CROSS_SELL_MIN_PEERS OTHER customers share its group (null size / region are a value of their own).
 * 3. Per used group: how many buy each line (cs_single) and each ordered pair of lines (cs_pair).
 * 4. In chunks of customers (the progress): for a customer C, a line L it neither buys nor has an open / won
 *    opportunity in, and each line B it buys: similar = the others of its group buying B, buying = those of them also
 *    buying L. Bases with similar < MIN_PEERS are not used; of the rest the best B (highest buying ÷ similar, then
 *    larger similar) is the evidence; suggested when buying ÷ similar ≥ CROSS_SELL_MIN_PERCENT.
 * 5. A suggested line conflicting (business_line_conflicts, either order) with a line C buys or has an open / won
 *    opportunity in is stored `excluded` with that line (the rule shown, never offered).
 * 6. Written at once: open / excluded rows refreshed, new ones inserted, those no longer suggested removed; accepted
 *    and dismissed rows are never touched, except `later` ones past dismissed_until, which come back (or go) like open
 *    ones. owner_id follows the customer's owner on every row.
 *
 * One transaction (temporary tables), serialized by an advisory lock; suggestion rows are locked only by the final
 * writes, so an accept waits at most for those.
 */

export const QUEUE = 'cross-sell.compute';
/** Customers per chunk of step 4 (progress after each). */
const CHUNK = 5_000;

export type ComputeResult = NonNullable<CrossSellRun['output']>;

export async function computeCrossSell(
  tx: JobsTx | Ctx,
  options: { onProgress?: (done: number, total: number) => Promise<void> | void } = {},
): Promise<ComputeResult> {
  const started = Date.now();
  const db = tx.db;
  const today = localDate(new Date(), FIRM_TIME_ZONE);
  const run = (query: ReturnType<typeof sql>) => db.execute(query);
  await run(sql`SELECT pg_advisory_xact_lock(hashtext('cross-sell.compute'))`);
  // The pair counts and the best-base choice sort and hash a few million rows: room for them in memory.
  await run(sql`SET LOCAL work_mem = '64MB'`);
  const cutoff = sql`(${today}::date - make_interval(years => ${CROSS_SELL_YEARS}))::date`;
  const contractInWindow = sql`c.status IN ('signed', 'in-progress', 'completed')
    AND (c.status = 'in-progress' OR coalesce(c.completed_on, c.signed_on, c.created_at::date) >= ${cutoff})`;
  await run(sql`CREATE TEMP TABLE cs_buys ON COMMIT DROP AS
    SELECT DISTINCT customer_id, line_id FROM (
      SELECT c.customer_id, c.business_line_id AS line_id FROM contracts c WHERE ${contractInWindow}
      UNION ALL
      SELECT c.customer_id, l.business_line_id FROM contracts c
        JOIN orders o ON o.contract_id = c.id AND o.status <> 'cancelled'
        JOIN order_lines l ON l.order_id = o.id
        WHERE ${contractInWindow}
      UNION ALL
      SELECT o.customer_id, l.business_line_id FROM orders o JOIN order_lines l ON l.order_id = o.id
        WHERE o.status IN ('confirmed', 'completed')
          AND (o.status = 'confirmed' OR coalesce(o.completed_on, o.confirmed_on, o.created_at::date) >= ${cutoff})
      UNION ALL
      SELECT s.customer_id, s.business_line_id FROM customer_services s WHERE s.active
    ) x`);
  await run(sql`CREATE INDEX ON cs_buys (customer_id, line_id)`);
  await run(sql`ANALYZE cs_buys`);
  // The compared customers with their groups at each level, the chosen level and its group.
  await run(sql`CREATE TEMP TABLE cs_peers ON COMMIT DROP AS
    SELECT g.*,
      CASE WHEN g.n3 - 1 >= ${CROSS_SELL_MIN_PEERS} THEN 3 WHEN g.n2 - 1 >= ${CROSS_SELL_MIN_PEERS} THEN 2 ELSE 1 END AS lvl,
      CASE WHEN g.n3 - 1 >= ${CROSS_SELL_MIN_PEERS} THEN g.g3 WHEN g.n2 - 1 >= ${CROSS_SELL_MIN_PEERS} THEN g.g2 ELSE g.g1 END
        AS gid,
      row_number() OVER (ORDER BY g.customer_id) AS rn
    FROM (
      SELECT r.*, count(*) OVER (PARTITION BY r.g1) AS n1, count(*) OVER (PARTITION BY r.g2) AS n2,
        count(*) OVER (PARTITION BY r.g3) AS n3
      FROM (
        SELECT cu.id AS customer_id, btrim(cu.industry) AS industry, cu.size, cu.region_id, cu.owner_id, cu.status,
          dense_rank() OVER (ORDER BY btrim(cu.industry)) AS g1,
          dense_rank() OVER (ORDER BY btrim(cu.industry), cu.size) AS g2,
          dense_rank() OVER (ORDER BY btrim(cu.industry), cu.size, cu.region_id) AS g3
        FROM customers cu
        WHERE nullif(btrim(cu.industry), '') IS NOT NULL
          AND EXISTS (SELECT 1 FROM cs_buys b WHERE b.customer_id = cu.id)
      ) r
    ) g`);
  await run(sql`CREATE INDEX ON cs_peers (rn)`);
  await run(sql`CREATE INDEX ON cs_peers (customer_id)`);
  await run(sql`ANALYZE cs_peers`);
  // Each compared customer in every USED group it belongs to, then the counts per group.
  await run(sql`CREATE TEMP TABLE cs_member ON COMMIT DROP AS
    SELECT p.customer_id, v.lvl, v.gid
    FROM cs_peers p CROSS JOIN LATERAL (VALUES (3, p.g3), (2, p.g2), (1, p.g1)) v(lvl, gid)
    WHERE (v.lvl, v.gid) IN (SELECT DISTINCT lvl, gid FROM cs_peers)`);
  await run(sql`CREATE TEMP TABLE cs_single ON COMMIT DROP AS
    SELECT m.lvl, m.gid, b.line_id, count(*)::int AS n
    FROM cs_member m JOIN cs_buys b ON b.customer_id = m.customer_id
    GROUP BY 1, 2, 3`);
  await run(sql`CREATE TEMP TABLE cs_pair ON COMMIT DROP AS
    SELECT m.lvl, m.gid, b1.line_id AS base, b2.line_id AS line, count(*)::int AS n
    FROM cs_member m
    JOIN cs_buys b1 ON b1.customer_id = m.customer_id
    JOIN cs_buys b2 ON b2.customer_id = m.customer_id AND b2.line_id <> b1.line_id
    GROUP BY 1, 2, 3, 4`);
  await run(sql`CREATE INDEX ON cs_single (lvl, gid, line_id)`);
  await run(sql`CREATE INDEX ON cs_pair (lvl, gid, base)`);
  await run(sql`ANALYZE cs_single`);
  await run(sql`ANALYZE cs_pair`);
  // The lines a customer is being sold or was sold by an opportunity (not suggested again; their conflicts exclude).
  await run(sql`CREATE TEMP TABLE cs_opp ON COMMIT DROP AS
    SELECT DISTINCT customer_id, business_line_id AS line_id FROM opportunities WHERE status IN ('open', 'won')`);
  await run(sql`CREATE INDEX ON cs_opp (customer_id, line_id)`);
  await run(sql`ANALYZE cs_opp`);
  await run(sql`CREATE TEMP TABLE cs_new (
    customer_id uuid NOT NULL, line_id uuid NOT NULL, lvl int NOT NULL, base uuid NOT NULL,
    peers int NOT NULL, buying int NOT NULL, excluded_by uuid
  ) ON COMMIT DROP`);

  const [{ total }] = await rowsOf<{ total: number }>(db, sql`SELECT count(*)::int AS total FROM cs_peers`);
  await options.onProgress?.(0, total);
  for (let from = 1; from <= total; from += CHUNK) {
    await run(sql`INSERT INTO cs_new (customer_id, line_id, lvl, base, peers, buying)
      SELECT DISTINCT ON (t.customer_id, p.line) t.customer_id, p.line, t.lvl, b.line_id, s.n - 1, p.n
      FROM cs_peers t
      JOIN cs_buys b ON b.customer_id = t.customer_id
      JOIN cs_single s ON s.lvl = t.lvl AND s.gid = t.gid AND s.line_id = b.line_id AND s.n - 1 >= ${CROSS_SELL_MIN_PEERS}
      JOIN cs_pair p ON p.lvl = t.lvl AND p.gid = t.gid AND p.base = b.line_id
        AND p.n * 100 >= ${CROSS_SELL_MIN_PERCENT} * (s.n - 1)
      JOIN business_lines bl ON bl.id = p.line AND bl.active
      WHERE t.rn BETWEEN ${from} AND ${from + CHUNK - 1} AND t.status <> 'former'
        AND NOT EXISTS (SELECT 1 FROM cs_buys x WHERE x.customer_id = t.customer_id AND x.line_id = p.line)
        AND NOT EXISTS (SELECT 1 FROM cs_opp o WHERE o.customer_id = t.customer_id AND o.line_id = p.line)
      ORDER BY t.customer_id, p.line, p.n::numeric / (s.n - 1) DESC, s.n DESC, b.line_id`);
    await options.onProgress?.(Math.min(total, from + CHUNK - 1), total);
  }
  await run(sql`CREATE INDEX ON cs_new (customer_id, line_id)`);
  await run(sql`ANALYZE cs_new`);
  // Independence: a suggested line conflicting with one the customer buys or is sold.
  await run(sql`UPDATE cs_new n SET excluded_by = (
      SELECT x.line_id FROM (
        SELECT b.line_id FROM cs_buys b WHERE b.customer_id = n.customer_id
        UNION SELECT o.line_id FROM cs_opp o WHERE o.customer_id = n.customer_id
      ) x
      JOIN business_line_conflicts k ON (k.line_a = x.line_id AND k.line_b = n.line_id)
        OR (k.line_b = x.line_id AND k.line_a = n.line_id)
      ORDER BY x.line_id LIMIT 1)
    WHERE n.line_id IN (SELECT line_a FROM business_line_conflicts UNION SELECT line_b FROM business_line_conflicts)`);

  const refreshable = (s: string) =>
    sql.raw(`(${s}.status IN ('open', 'excluded')
      OR (${s}.status = 'dismissed' AND ${s}.dismiss_reason = 'later' AND ${s}.dismissed_until <= '${today}'::date))`);
  const removed = await rowsOf<{ n: number }>(
    db,
    sql`WITH gone AS (
      DELETE FROM cross_sell_suggestions s WHERE ${refreshable('s')}
        AND NOT EXISTS (SELECT 1 FROM cs_new n WHERE n.customer_id = s.customer_id AND n.line_id = s.business_line_id)
      RETURNING 1)
    SELECT count(*)::int AS n FROM gone`,
  );
  await run(sql`INSERT INTO cross_sell_suggestions AS s (customer_id, business_line_id, status, score, level, base_line_id,
        similar_count, buying_count, segment, excluded_by_line_id, owner_id, computed_at)
      SELECT n.customer_id, n.line_id, CASE WHEN n.excluded_by IS NULL THEN 'open' ELSE 'excluded' END,
        round(n.buying::numeric / n.peers, 5),
        CASE n.lvl WHEN 3 THEN 'industry-size-region' WHEN 2 THEN 'industry-size' ELSE 'industry' END,
        n.base, n.peers, n.buying,
        jsonb_build_object('industry', t.industry, 'size', t.size, 'regionId', t.region_id),
        n.excluded_by, t.owner_id, now()
      FROM cs_new n JOIN cs_peers t ON t.customer_id = n.customer_id
      ON CONFLICT (customer_id, business_line_id) DO UPDATE SET
        status = EXCLUDED.status, score = EXCLUDED.score, level = EXCLUDED.level, base_line_id = EXCLUDED.base_line_id,
        similar_count = EXCLUDED.similar_count, buying_count = EXCLUDED.buying_count, segment = EXCLUDED.segment,
        excluded_by_line_id = EXCLUDED.excluded_by_line_id, owner_id = EXCLUDED.owner_id,
        computed_at = EXCLUDED.computed_at, dismiss_reason = NULL, dismiss_note = NULL, dismissed_until = NULL,
        resolved_by = NULL, resolved_at = NULL
      WHERE ${refreshable('s')}
        AND (s.status, s.level, s.base_line_id, s.similar_count, s.buying_count, s.segment, s.excluded_by_line_id,
          s.owner_id) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.level, EXCLUDED.base_line_id, EXCLUDED.similar_count,
          EXCLUDED.buying_count, EXCLUDED.segment, EXCLUDED.excluded_by_line_id, EXCLUDED.owner_id)`);
  // The owner of accepted and dismissed rows follows the customer's too.
  await run(sql`UPDATE cross_sell_suggestions s SET owner_id = c.owner_id FROM customers c
    WHERE c.id = s.customer_id AND s.owner_id IS DISTINCT FROM c.owner_id`);
  const now = await rowsOf<{ status: string; n: number }>(
    db,
    sql`SELECT status, count(*)::int AS n FROM cross_sell_suggestions WHERE status IN ('open', 'excluded') GROUP BY status`,
  );
  const count = (status: string) => now.find((w) => w.status === status)?.n ?? 0;
  return {
    customers: total,
    open: count('open'),
    excluded: count('excluded'),
    removed: removed[0].n,
    ms: Date.now() - started,
  };
}

/**
 * The job's work: the computation in one transaction, its progress (done of total customers) in the job's data —
 * through another connection on PostgreSQL so that it shows while the job runs; on PGlite (one connection) inside the
 * transaction.
 */
export async function runCrossSell(deps: { db: Db; jobs: Jobs; engine: 'pglite' | 'postgres' }, jobId: string) {
  return inTransaction({ db: deps.db, jobs: deps.jobs }, (tx) =>
    computeCrossSell(tx, {
      onProgress: async (done, total) => {
        await (deps.engine === 'postgres' ? deps.db : tx.db).execute(
          sql`UPDATE pgboss.job SET data = data || ${JSON.stringify({ done, total })}::jsonb
            WHERE name = ${QUEUE} AND id = ${jobId}::uuid`,
        );
      },
    }),
  );
}

/** Starts a computation for the whole firm (sales:configure); its job's id. */
export async function startCrossSellRun(ctx: Ctx): Promise<{ id: string }> {
  const id = await ctx.jobs.send(ctx.db, QUEUE, { requestedBy: ctx.actor.id });
  return { id: id! };
}

type Stored = { requestedBy?: string; done?: number; total?: number };

/** A run's state, progress and, once done, its counts (404 for an id that is not one). */
export async function getCrossSellRun(ctx: Ctx, id: string): Promise<CrossSellRun> {
  const job = await ctx.jobs.boss.getJobById<Stored>(QUEUE, id);
  if (!job) throw notFound();
  const progress =
    job.data.total === undefined ? null : { done: Number(job.data.done ?? 0), total: Number(job.data.total) };
  const output = job.state === 'completed' ? (job.output as ComputeResult) : null;
  return { id, state: job.state, progress, output };
}
