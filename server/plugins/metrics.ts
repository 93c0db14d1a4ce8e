import { createHash, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';
import { rowsOf, type Database } from '../db/client';
import { AppError } from '../errors';
import { QUEUES, type Jobs, type QueueName } from '../jobs/engine';
import type { Realtime } from '../realtime';

/** The states a queue's jobs are counted in: due and waiting, waiting for a later time, being worked, failed for good. */
export const JOB_STATES = ['waiting', 'deferred', 'active', 'failed'] as const;
/** Mail not (yet) sent, by status (mail_outbox). */
export const OUTBOX_STATUSES = ['queued', 'held', 'failed'] as const;
/** The route label of requests that matched no route (their addresses are never labels). */
export const UNMATCHED_ROUTE = 'unmatched';

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800];

export type MetricsOptions = {
  /** METRICS_TOKEN; null: /metrics answers 404 and nothing is measured. */
  token: string | null;
  database: Database;
  jobs: Jobs;
  realtime: Realtime;
  version: string;
};

/**
 * GET /metrics in Prometheus' text format, for a scraper holding METRICS_TOKEN (`Authorization: Bearer …`); off (404)
 * without the setting. Outside the sign-in gate (public route) and outside the API document. One Registry per app
 * (never prom-client's global one: the tests build many apps in one process). Counted as they happen: HTTP requests
 * by method, route PATTERN and status with their durations, the jobs this instance worked by queue and outcome; read
 * when scraped (a few indexed statements): the queues' jobs by state, the mail outbox's unsent messages, the database
 * pool, the live channels.
 */
export function registerMetrics(app: FastifyInstance, options: MetricsOptions) {
  const { token } = options;
  const expected = token ? digest(token) : null;
  const scrape = token ? measure(app, options) : null;
  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: { hide: true, querystring: z.strictObject({}) },
    },
    async (request, reply) => {
      if (!expected || !scrape) return reply.callNotFound();
      const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
      // Compared as digests: constant time, whatever the length given.
      if (!given || !timingSafeEqual(digest(given), expected)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new AppError('UNAUTHENTICATED');
      }
      const text = await scrape();
      return reply.header('cache-control', 'no-store').type('text/plain; version=0.0.4; charset=utf-8').send(text);
    },
  );
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Sets up the registry and the hooks that count; returns what a scrape runs. */
function measure(app: FastifyInstance, { database, jobs, realtime, version }: MetricsOptions) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  new Gauge({
    name: 'gongdan_info',
    help: 'This Gongdan instance: its version and database engine (always 1).',
    labelNames: ['version', 'engine'],
    registers,
  }).set({ version, engine: database.engine }, 1);

  const requests = new Counter({
    name: 'gongdan_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern (unmatched: no route) and status code.',
    labelNames: ['method', 'route', 'status'],
    registers,
  });
  const durations = new Histogram({
    name: 'gongdan_http_request_duration_seconds',
    help: 'How long HTTP requests took to answer, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_BUCKETS,
    registers,
  });
  app.addHook('onResponse', async (request, reply) => {
    // The pattern the router matched (`/api/v1/customers/:id`), never the address: no ids, no unbounded label values.
    const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    requests.inc(labels);
    durations.observe(labels, reply.elapsedTime / 1000);
  });

  const worked = new Counter({
    name: 'gongdan_jobs_total',
    help: 'Jobs this instance worked, by queue and outcome (completed, failed — a failed attempt may be retried).',
    labelNames: ['queue', 'outcome'],
    registers,
  });
  const jobDurations = new Histogram({
    name: 'gongdan_job_duration_seconds',
    help: 'How long the jobs this instance worked took, by queue and outcome.',
    labelNames: ['queue', 'outcome'],
    buckets: JOB_BUCKETS,
    registers,
  });
  for (const queue of Object.keys(QUEUES))
    for (const outcome of ['completed', 'failed']) worked.inc({ queue, outcome }, 0);
  jobs.observe((queue, outcome, seconds) => {
    worked.inc({ queue, outcome });
    jobDurations.observe({ queue, outcome }, seconds);
  });
  let engineErrorsSeen = 0;
  new Counter({
    name: 'gongdan_job_engine_errors_total',
    help: 'Errors the job engine (pg-boss: polling, maintenance) reported in this instance.',
    registers,
    collect() {
      this.inc(jobs.errorCount - engineErrorsSeen);
      engineErrorsSeen = jobs.errorCount;
    },
  });

  const queueJobs = new Gauge({
    name: 'gongdan_job_queue_jobs',
    help: 'Jobs in each queue (all instances) by state: waiting (due, not yet taken), deferred (due later), active, failed (for good, kept until pg-boss deletes them).',
    labelNames: ['queue', 'state'],
    registers,
  });
  const outbox = new Gauge({
    name: 'gongdan_mail_outbox_messages',
    help: 'E-mail in the outbox not sent, by status: queued (for the mail job), held (no SMTP_URL), failed (after the last retry).',
    labelNames: ['status'],
    registers,
  });
  const outboxOldest = new Gauge({
    name: 'gongdan_mail_outbox_oldest_age_seconds',
    help: 'Age of the oldest unsent message in the outbox, by status (0 when there is none).',
    labelNames: ['status'],
    registers,
  });
  const sourceUp = new Gauge({
    name: 'gongdan_metrics_source_up',
    help: 'Whether the last scrape could read a source (queues, outbox): 1 read, 0 failed (its gauges are then absent).',
    labelNames: ['source'],
    registers,
  });

  const live = new Gauge({
    name: 'gongdan_websocket_connections',
    help: 'Live channels (WebSocket /api/v1/events: notifications, chat) open on this instance.',
    registers,
  });
  const liveUsers = new Gauge({
    name: 'gongdan_websocket_users',
    help: 'People with at least one live channel open on this instance.',
    registers,
  });

  const poolSize = new Gauge({
    name: 'gongdan_db_pool_max',
    help: 'Most database connections the app may open (PGlite: 1, the embedded database is one connection).',
    registers,
  });
  const poolOpen = new Gauge({
    name: 'gongdan_db_pool_connections',
    help: 'Database connections open (PGlite: 1).',
    registers,
  });
  const pool = database.engine === 'postgres' ? (database.client as pg.Pool) : null;
  const poolIdle = pool
    ? new Gauge({ name: 'gongdan_db_pool_idle_connections', help: 'Open connections not in use.', registers })
    : null;
  const poolWaiting = pool
    ? new Gauge({
        name: 'gongdan_db_pool_waiting_clients',
        help: 'Queries waiting for a connection (the pool is exhausted while this is above 0).',
        registers,
      })
    : null;

  const queueNames = Object.keys(QUEUES) as QueueName[];
  const readQueues = async () => {
    // pg-boss's index on live jobs (name, state, blocked, start_after) answers this without reading finished jobs.
    const rows = await rowsOf<{ name: string; state: string; n: number | string }>(
      app.db,
      sql`select name,
            case when state in ('created', 'retry') and start_after > now() then 'deferred'
                 when state in ('created', 'retry') then 'waiting'
                 else state::text end as state,
            count(*)::int as n
          from pgboss.job
          where state in ('created', 'retry', 'active', 'failed')
          group by 1, 2`,
    );
    queueJobs.reset();
    for (const queue of queueNames) for (const state of JOB_STATES) queueJobs.set({ queue, state }, 0);
    for (const row of rows)
      if (queueNames.includes(row.name as QueueName))
        queueJobs.set({ queue: row.name, state: row.state }, Number(row.n));
  };
  const readOutbox = async () => {
    const rows = await rowsOf<{ status: string; n: number | string; age: number | string | null }>(
      app.db,
      sql`select status, count(*)::int as n, extract(epoch from now() - min(created_at))::float8 as age
          from mail_outbox where status in ('queued', 'held', 'failed') group by status`,
    );
    outbox.reset();
    outboxOldest.reset();
    for (const status of OUTBOX_STATUSES) {
      const row = rows.find((r) => r.status === status);
      outbox.set({ status }, Number(row?.n ?? 0));
      outboxOldest.set({ status }, Math.max(0, Number(row?.age ?? 0)));
    }
  };
  const read = async (source: string, reader: () => Promise<void>, gauges: Gauge[]) => {
    try {
      await reader();
      sourceUp.set({ source }, 1);
    } catch (error) {
      for (const gauge of gauges) gauge.reset();
      sourceUp.set({ source }, 0);
      app.log.warn({ err: error, source }, 'metrics: could not read a source');
    }
  };

  return async (): Promise<string> => {
    await Promise.all([read('queues', readQueues, [queueJobs]), read('outbox', readOutbox, [outbox, outboxOldest])]);
    const connections = realtime.connections();
    live.set(connections.channels);
    liveUsers.set(connections.users);
    if (pool) {
      poolSize.set(pool.options.max ?? 10);
      poolOpen.set(pool.totalCount);
      poolIdle!.set(pool.idleCount);
      poolWaiting!.set(pool.waitingCount);
    } else {
      poolSize.set(1);
      poolOpen.set(1);
    }
    return registry.metrics();
  };
}
