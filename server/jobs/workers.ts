import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { inTransaction } from '../context';
import { returnInactiveCustomersToPool } from '../domains/customers/pool-rule.service';
import { createMailer, deliverMail } from '../domains/notifications/mail.service';
import { fireReminder } from '../domains/reminders/reminders.service';
import { raiseInactiveSuggestions } from '../domains/suggestions/suggestions.service';
import { remindOverdue } from '../domains/workflows/engine.service';
import { remindAllDueTerms } from '../domains/contracts/term-reminders';
import { addMonthlyCycles } from '../domains/engagements/cycles.service';
import { remindAllExpiringQualifications } from '../domains/people/qualification-reminders';
import { runWhatIf } from '../domains/commissions/whatif.service';
import { sendDueSubscriptions } from '../domains/reports/subscriptions.job';
import { catchUpAll } from '../domains/reports/summaries.registry';
import { runMonthDraft } from '../domains/commissions/month.service';
import { sendMentionDigests } from '../domains/chat/digest.job';
import { runRenewalsToday } from '../domains/renewals/renewals.job';
import { runCrossSell } from '../domains/cross-sell/compute';
import { takeBackup } from '../domains/operations/backup';
import { FIRM_TIME_ZONE } from '../lib/time';
import type { QueueName } from './engine';

/** The rules that run on a schedule (cron in the firm's time zone). */
const SCHEDULED_RULES: QueueName[] = ['rule.pool', 'rule.inactive'];

/**
 * Makes this instance work the durable queues: reminders, e-mail, approval time limits, the scheduled rules, the
 * monthly engagement cycles, the commission what-ifs 模拟 and months' drafting of commission sheets. Any
 * number of instances may do so on one database; each job is taken by one of them.
 */
export async function startWorkers(
  app: FastifyInstance,
  config: Pick<
    Config,
    | 'smtpUrl'
    | 'mailFrom'
    | 'jobPollSeconds'
    | 'rulesCron'
    | 'termRemindersCron'
    | 'engagementCyclesCron'
    | 'reportSubscriptionsCron'
    | 'reportSummariesCron'
    | 'chatDigestCron'
    | 'renewalsCron'
    | 'crossSellCron'
    | 'backupCron'
    | 'backupDir'
    | 'backupKeep'
    | 'dataDir'
  >,
  /** Only these queues, and no schedules (tests sharing one database keep to their own); default all. */
  only?: QueueName[],
): Promise<void> {
  const { jobs, db } = app;
  const works = (queue: QueueName) => !only || only.includes(queue);
  const polling = { pollingIntervalSeconds: config.jobPollSeconds };
  if (works('reminder.fire')) {
    await jobs.work(
      'reminder.fire',
      (data) =>
        inTransaction({ db, jobs }, async (tx) => void (await fireReminder(tx, data.reminderId, data.remindAt))),
      { ...polling, batchSize: 50 },
    );
  }
  if (works('mail.send')) {
    const mailer = createMailer(config.smtpUrl, config.mailFrom);
    await jobs.work('mail.send', (data, job) => deliverMail({ db, jobs }, mailer, data.mailId, job), {
      ...polling,
      batchSize: 10,
    });
  }
  if (works('rule.pool'))
    await jobs.work('rule.pool', async () => void (await returnInactiveCustomersToPool(db)), polling);
  if (works('rule.inactive')) {
    await jobs.work(
      'rule.inactive',
      () => inTransaction({ db, jobs }, async (tx) => void (await raiseInactiveSuggestions(tx))),
      polling,
    );
  }
  if (works('workflow.overdue')) {
    await jobs.work(
      'workflow.overdue',
      (data) => inTransaction({ db, jobs }, async (tx) => void (await remindOverdue(tx, data.instanceId, data.round))),
      { ...polling, batchSize: 50 },
    );
  }
  if (works('rule.term-reminders'))
    await jobs.work('rule.term-reminders', async () => void (await remindAllDueTerms({ db, jobs })), polling);
  if (works('rule.engagement-cycles'))
    await jobs.work('rule.engagement-cycles', async () => void (await addMonthlyCycles({ db, jobs })), polling);
  if (works('rule.qualification-reminders')) {
    await jobs.work(
      'rule.qualification-reminders',
      async () => void (await remindAllExpiringQualifications({ db, jobs })),
      polling,
    );
  }
  if (works('rule.report-summaries'))
    await jobs.work('rule.report-summaries', async () => void (await catchUpAll(db)), polling);
  if (works('rule.report-subscriptions'))
    await jobs.work('rule.report-subscriptions', async () => void (await sendDueSubscriptions({ db, jobs })), polling);
  if (works('rule.chat-digest'))
    await jobs.work('rule.chat-digest', async () => void (await sendMentionDigests({ db, jobs })), polling);
  if (works('rule.renewals'))
    await jobs.work('rule.renewals', async () => await runRenewalsToday({ db, jobs }), polling);
  if (works('commission.what-if'))
    await jobs.work('commission.what-if', (data, job) => runWhatIf({ db, jobs }, job.id, data), {
      ...polling,
      batchSize: 1,
    });
  if (works('commission.month'))
    await jobs.work('commission.month', (data, job) => runMonthDraft({ db, jobs }, job.id, data), {
      ...polling,
      batchSize: 1,
    });
  if (works('cross-sell.compute'))
    await jobs.work('cross-sell.compute', (_data, job) => runCrossSell({ db, jobs, engine: app.engine }, job.id), {
      ...polling,
      batchSize: 1,
    });
  if (works('operations.backup')) {
    await jobs.work(
      'operations.backup',
      async (data) => {
        const run = await takeBackup(app.database, config, {
          trigger: data.runId ? 'api' : 'schedule',
          runId: data.runId,
        });
        return { runId: run.id, status: run.status };
      },
      { ...polling, batchSize: 1 },
    );
  }
  if (only) return jobs.markWorkersStarted();
  for (const rule of SCHEDULED_RULES) {
    if (config.rulesCron) await jobs.schedule(rule, config.rulesCron, FIRM_TIME_ZONE);
    else await jobs.boss.unschedule(rule);
  }
  // Payment terms fall due by the day: once a day, in the morning (config.termRemindersCron).
  if (config.termRemindersCron) await jobs.schedule('rule.term-reminders', config.termRemindersCron, FIRM_TIME_ZONE);
  else await jobs.boss.unschedule('rule.term-reminders');
  // Monthly engagements (代理记账) get each month's phases and work orders once it starts: daily, just after midnight.
  if (config.engagementCyclesCron)
    await jobs.schedule('rule.engagement-cycles', config.engagementCyclesCron, FIRM_TIME_ZONE);
  else await jobs.boss.unschedule('rule.engagement-cycles');
  // Qualifications expire by the day too: once a day, on the same morning schedule (holder and administrators).
  if (config.termRemindersCron)
    await jobs.schedule('rule.qualification-reminders', config.termRemindersCron, FIRM_TIME_ZONE);
  else await jobs.boss.unschedule('rule.qualification-reminders');
  // Scheduled reports 定期报表 fall due on Mondays and the 1st at 08:00: looked for every quarter of an hour.
  if (config.reportSubscriptionsCron)
    await jobs.schedule('rule.report-subscriptions', config.reportSubscriptionsCron, FIRM_TIME_ZONE);
  else await jobs.boss.unschedule('rule.report-subscriptions');
  // Report summaries 报表汇总 are brought up to date when read; the job keeps them close so that reads find little to do.
  if (config.reportSummariesCron)
    await jobs.schedule('rule.report-summaries', config.reportSummariesCron, FIRM_TIME_ZONE);
  else await jobs.boss.unschedule('rule.report-summaries');
  // People away get one e-mail listing the mentions they have not read (chat's digest): looked for every quarter hour.
  if (config.chatDigestCron) await jobs.schedule('rule.chat-digest', config.chatDigestCron, FIRM_TIME_ZONE);
  else await jobs.boss.unschedule('rule.chat-digest');
  // Renewals 续约 are raised by the day (each season's lead time): once a day, early in the morning.
  if (config.renewalsCron) await jobs.schedule('rule.renewals', config.renewalsCron, FIRM_TIME_ZONE);
  else await jobs.boss.unschedule('rule.renewals');
  // Cross-sell suggestions 交叉销售 for the whole firm: weekly by default (CROSS_SELL_CRON).
  if (config.crossSellCron) await jobs.schedule('cross-sell.compute', config.crossSellCron, FIRM_TIME_ZONE);
  else await jobs.boss.unschedule('cross-sell.compute');
  // A backup 备份 every night by default (BACKUP_CRON): a firm that configured nothing has last night's copy.
  if (config.backupCron) await jobs.schedule('operations.backup', config.backupCron, FIRM_TIME_ZONE);
  else await jobs.boss.unschedule('operations.backup');
  // Ready (/api/ready) from here on.
  jobs.markWorkersStarted();
}
