import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { PgBoss, fromDrizzle, fromPglite, type JobResult, type JobWithMetadata, type QueueOptions } from 'pg-boss';
import type { Database, Db } from '../db/client';
import { currentRequestId, runWithRequestId } from '../lib/request-context';

/**
 * The durable queues. Reminders retry quickly (a fired reminder is recorded in the same
 * transaction as its notification, so a retry never notifies twice); e-mail retries with
 * exponential backoff (30 s doubling, then hourly): 30 retries span about a day before the
 * message is marked failed. A mail attempt gives up well within its expiry (mail.service.ts).
 */
export const QUEUES = {
  'reminder.fire': { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 300 },
  'mail.send': { retryLimit: 30, retryDelay: 30, retryBackoff: true, retryDelayMax: 3600, expireInSeconds: 180 },
  'rule.pool': { retryLimit: 1, expireInSeconds: 600 },
  'rule.inactive': { retryLimit: 1, expireInSeconds: 600 },
  'workflow.overdue': { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 300 },
  'rule.term-reminders': { retryLimit: 3, retryDelay: 60, expireInSeconds: 600 },
  'rule.engagement-cycles': { retryLimit: 3, retryDelay: 60, expireInSeconds: 600 },
  'rule.qualification-reminders': { retryLimit: 3, retryDelay: 60, expireInSeconds: 600 },
  'rule.report-subscriptions': { retryLimit: 3, retryDelay: 60, expireInSeconds: 900 },
  'rule.report-summaries': { retryLimit: 1, retryDelay: 60, expireInSeconds: 900 },
  // The e-mail digest of unread chat mentions: each mention is marked e-mailed with its mail, so a retry sends no more.
  'rule.chat-digest': { retryLimit: 2, retryDelay: 60, expireInSeconds: 900 },
  // Renewals 续约: each season is claimed once (renewals_season_key), so a retry raises only what is left.
  'rule.renewals': { retryLimit: 2, retryDelay: 60, expireInSeconds: 900 },
  // A what-if 模拟 runs once: a failure is reported, the user starts it again.
  'commission.what-if': { retryLimit: 0, expireInSeconds: 3600 },
  // Drafting a month's sheets runs once too: what it drafted stays drafted, a second run drafts what is left.
  'commission.month': { retryLimit: 0, expireInSeconds: 3600 },
  // The cross-sell computation 交叉销售 for the whole firm: one at a time (an advisory lock), rerun by the next schedule.
  'cross-sell.compute': { retryLimit: 1, retryDelay: 300, expireInSeconds: 1800 },
  // A backup 备份 (scheduled or asked for): recorded in backup_runs; a failure is recorded, the next one tries again.
  'operations.backup': { retryLimit: 0, expireInSeconds: 6 * 3600 },
} satisfies Record<string, QueueOptions>;
export type QueueName = keyof typeof QUEUES;

export type JobData = {
  'reminder.fire': { reminderId: string; remindAt: string };
  'mail.send': { mailId: string };
  'rule.pool': Record<string, never>;
  'rule.inactive': Record<string, never>;
  'workflow.overdue': { instanceId: string; round: number };
  'rule.term-reminders': Record<string, never>;
  'rule.engagement-cycles': Record<string, never>;
  'rule.qualification-reminders': Record<string, never>;
  'rule.report-subscriptions': Record<string, never>;
  'rule.report-summaries': Record<string, never>;
  'rule.chat-digest': Record<string, never>;
  'rule.renewals': Record<string, never>;
  /** done / total: the progress the job reports as it goes (commissions/whatif.service.ts). */
  'commission.what-if': { policyId: string; from: string; to: string; done?: number; total?: number };
  /** The month's sheets drafted as `actorId` (commissions/month.service.ts); done / total its progress. */
  'commission.month': { actorId: string; period: string; requestId: string; done?: number; total?: number };
  /** Who started it (none: the schedule); done / total customers its progress (cross-sell/compute.ts). */
  'cross-sell.compute': { requestedBy?: string; done?: number; total?: number };
  /** The run recorded when the backup was asked for (none: the schedule records its own). */
  'operations.backup': { runId?: string };
};

/**
 * What every job's data may carry besides its own fields: the id of the request that led to it (set by send() from
 * the request context), so the job logs under the same `reqId` as the request.
 */
export type Traced = { requestId?: string };

/** The job's logger: the app's, with the `reqId` of the request that led to the job, its queue and id. */
export type JobLogger = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error' | 'debug' | 'child'>;
export type JobInfo = { id: string; retryCount: number; retryLimit: number; log: JobLogger };
/** A handler may return what the job produced: kept as its output (read back with getJobById). */
export type JobHandler<Q extends QueueName> = (data: JobData[Q] & Traced, job: JobInfo) => Promise<object | void>;

/** Told of every job this instance worked (metrics): its queue, how it ended and how long it took. */
export type JobObserver = (queue: QueueName, outcome: 'completed' | 'failed', seconds: number) => void;

/** A logger that writes nothing (the CLI's seeding, the tests' set-up). */
const SILENT: JobLogger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
  child: () => SILENT as FastifyBaseLogger,
};

export type RetryOptions = Pick<QueueOptions, 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'retryDelayMax'>;
export type JobsOptions = {
  /** Run maintenance and cron schedules in this instance (the serving instances do; tests need not). */
  supervise?: boolean;
  /** Retry settings per queue for the jobs this instance sends (tests shorten the mail backoff). */
  retries?: Partial<Record<QueueName, RetryOptions>>;
};

/**
 * pg-boss on the application's database (on PGlite through its adapter), in the `pgboss` schema.
 * Every instance can send jobs — inside the caller's transaction, so a job exists exactly when
 * the change that asked for it committed — and serving instances also work them off.
 */
export class Jobs {
  private observers: JobObserver[] = [];
  private engineErrors = 0;
  private workersStarted = false;
  private stopped = false;

  private constructor(
    readonly boss: PgBoss,
    private readonly retries: NonNullable<JobsOptions['retries']>,
    private readonly log: JobLogger,
  ) {}

  /** `log`: where job lines go (the app's logger); silent by default. */
  static async open(database: Database, options: JobsOptions = {}, log: JobLogger = SILENT): Promise<Jobs> {
    const common = {
      supervise: options.supervise ?? false,
      schedule: options.supervise ?? false,
      migrate: true,
      registerInstance: false,
    } as const;
    const boss =
      database.engine === 'pglite'
        ? new PgBoss({ ...common, db: fromPglite(database.client as never), backend: 'pglite' })
        : new PgBoss({
            ...common,
            connectionString: connectionStringOf(database),
            max: 4,
            application_name: 'gongdan-jobs',
          });
    const jobs = new Jobs(boss, options.retries ?? {}, log);
    boss.on('error', (error) => {
      jobs.engineErrors++;
      log.error({ err: error }, 'job engine error');
    });
    await boss.start();
    const existing = new Set((await boss.getQueues()).map((q) => q.name));
    for (const [name, queue] of Object.entries(QUEUES)) {
      // Existing installs take changed retry settings too.
      if (existing.has(name)) await boss.updateQueue(name, queue);
      else
        await boss.createQueue(name, queue).catch((error) => {
          // Another instance created it first.
          if (!/exists/i.test(String(error?.message))) throw error;
        });
    }
    return jobs;
  }

  /** Calls `observer` after every job this instance works. */
  observe(observer: JobObserver): void {
    this.observers.push(observer);
  }

  /** Errors pg-boss reported (its maintenance, polling) since this instance started. */
  get errorCount(): number {
    return this.engineErrors;
  }

  /** startWorkers has set this instance's workers going (and they have not been stopped). */
  get workersRunning(): boolean {
    return this.workersStarted && !this.stopped;
  }

  /** Called by startWorkers once every worker of this instance is registered. */
  markWorkersStarted(): void {
    this.workersStarted = true;
  }

  /**
   * Enqueues a job on `db` — pass the open transaction so the job commits (or not) with the change; its id (null when
   * a singleton key held it back).
   */
  async send<Q extends QueueName>(
    db: Db,
    queue: Q,
    data: JobData[Q],
    options: { startAfter?: Date; singletonKey?: string } = {},
  ): Promise<string | null> {
    // Sent while a request (or a job) is handled: the job carries that request's id into its log lines.
    const requestId = currentRequestId();
    const traced: JobData[Q] & Traced = requestId && !('requestId' in data) ? { ...data, requestId } : data;
    return this.boss.send(queue, traced, {
      ...this.retries[queue],
      ...options,
      db: fromDrizzle(db as never, sql as never),
    });
  }

  /**
   * Works a queue off in this instance, a batch at a time; a failing job fails (and retries) alone. Each job runs as
   * part of the request that led to it (its data's requestId; a job no request started is its own origin, its id):
   * its log lines and the jobs it sends carry that `reqId`. One line per job, when it ends.
   */
  async work<Q extends QueueName>(
    queue: Q,
    handler: JobHandler<Q>,
    options: { pollingIntervalSeconds?: number; batchSize?: number } = {},
  ): Promise<void> {
    const workOptions = {
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
      batchSize: options.batchSize ?? 20,
      includeMetadata: true,
      perJobResults: true,
    } as const;
    await this.boss.work<JobData[Q] & Traced, unknown, typeof workOptions>(
      queue,
      workOptions,
      async (jobs: JobWithMetadata<JobData[Q] & Traced>[]) => {
        const results: JobResult[] = [];
        for (const job of jobs) {
          const given = job.data?.requestId;
          const reqId = typeof given === 'string' && given ? given : job.id;
          const log = this.log.child({ reqId, queue, jobId: job.id });
          const started = performance.now();
          const attempt = { retryCount: job.retryCount, retryLimit: job.retryLimit };
          let outcome: 'completed' | 'failed';
          try {
            const output = await runWithRequestId(reqId, () => handler(job.data, { id: job.id, ...attempt, log }));
            results.push({ id: job.id, status: 'completed', ...(output ? { output } : {}) });
            outcome = 'completed';
          } catch (error) {
            results.push({
              id: job.id,
              status: 'failed',
              output: { message: String((error as Error)?.message ?? error) },
            });
            outcome = 'failed';
            const retries = job.retryCount < job.retryLimit;
            log[retries ? 'warn' : 'error'](
              { err: error, ...attempt, responseTime: performance.now() - started },
              retries ? 'job failed; it is retried' : 'job failed',
            );
          }
          const ms = performance.now() - started;
          if (outcome === 'completed') log.info({ ...attempt, responseTime: ms }, 'job completed');
          for (const observe of this.observers) observe(queue, outcome, ms / 1000);
        }
        return results;
      },
    );
  }

  /** A cron schedule (in the firm's time zone) for a rule; one instance runs each occurrence. */
  async schedule(queue: QueueName, cron: string, timeZone: string): Promise<void> {
    await this.boss.schedule(queue, cron, {}, { tz: timeZone });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.boss.stop({ graceful: true, timeout: 5_000, close: true });
  }
}

function connectionStringOf(database: Database): string {
  const options = (database.client as unknown as { options: { connectionString?: string } }).options;
  if (!options.connectionString) throw new Error('PostgreSQL pool without a connection string');
  return options.connectionString;
}
