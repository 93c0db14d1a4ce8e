import { sql } from 'drizzle-orm';
import { PgBoss, fromDrizzle, fromPglite, type JobResult, type JobWithMetadata, type QueueOptions } from 'pg-boss';
import type { Database, Db } from '../db/client';

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

export type JobInfo = { id: string; retryCount: number; retryLimit: number };
/** A handler may return what the job produced: kept as its output (read back with getJobById). */
export type JobHandler<Q extends QueueName> = (data: JobData[Q], job: JobInfo) => Promise<object | void>;

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
  private constructor(
    readonly boss: PgBoss,
    private readonly retries: NonNullable<JobsOptions['retries']> = {},
  ) {}

  static async open(database: Database, options: JobsOptions = {}): Promise<Jobs> {
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
    boss.on('error', (error) => console.error('[jobs]', error));
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
    return new Jobs(boss, options.retries ?? {});
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
    return this.boss.send(queue, data, {
      ...this.retries[queue],
      ...options,
      db: fromDrizzle(db as never, sql as never),
    });
  }

  /** Works a queue off in this instance, a batch at a time; a failing job fails (and retries) alone. */
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
    await this.boss.work<JobData[Q], unknown, typeof workOptions>(
      queue,
      workOptions,
      async (jobs: JobWithMetadata<JobData[Q]>[]) => {
        const results: JobResult[] = [];
        for (const job of jobs) {
          try {
            const output = await handler(job.data, {
              id: job.id,
              retryCount: job.retryCount,
              retryLimit: job.retryLimit,
            });
            results.push({ id: job.id, status: 'completed', ...(output ? { output } : {}) });
          } catch (error) {
            results.push({
              id: job.id,
              status: 'failed',
              output: { message: String((error as Error)?.message ?? error) },
            });
          }
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
    await this.boss.stop({ graceful: true, timeout: 5_000, close: true });
  }
}

function connectionStringOf(database: Database): string {
  const options = (database.client as unknown as { options: { connectionString?: string } }).options;
  if (!options.connectionString) throw new Error('PostgreSQL pool without a connection string');
  return options.connectionString;
}
