import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { returnInactiveCustomersToPool } from '../domains/customers/pool-rule.service';
import { createMailer, deliverMail } from '../domains/notifications/mail.service';
import { fireReminder } from '../domains/reminders/reminders.service';
import { FIRM_TIME_ZONE } from '../lib/time';
import type { QueueName } from './engine';

/** The rules that run on a schedule (cron in the firm's time zone). */
const SCHEDULED_RULES: QueueName[] = ['rule.pool'];

/**
 * Makes this instance work the durable queues: reminders, e-mail and the scheduled rules. Any
 * number of instances may do so on one database; each job is taken by one of them.
 */
export async function startWorkers(app: FastifyInstance, config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'jobPollSeconds' | 'rulesCron'>): Promise<void> {
  const { jobs, db } = app;
  const polling = { pollingIntervalSeconds: config.jobPollSeconds };
  const mailer = createMailer(config.smtpUrl, config.mailFrom);
  await jobs.work(
    'reminder.fire',
    async (data) => {
      await db.transaction(async (tx) => {
        await fireReminder({ db: tx as unknown as Db, jobs }, data.reminderId, data.remindAt);
      });
    },
    { ...polling, batchSize: 50 },
  );
  await jobs.work('mail.send', (data, job) => deliverMail(db, mailer, data.mailId, job), { ...polling, batchSize: 10 });
  await jobs.work('rule.pool', async () => {
    await returnInactiveCustomersToPool(db);
  }, polling);
  for (const rule of SCHEDULED_RULES) {
    if (config.rulesCron) await jobs.schedule(rule, config.rulesCron, FIRM_TIME_ZONE);
    else await jobs.boss.unschedule(rule);
  }
}
