import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { OutboxListQuery, OutboxMail } from '../../../common/schemas/notifications';
import type { Page } from '../../../common/schemas/common';
import { inTransaction, type Ctx, type JobsTx } from '../../context';
import { AppError, notFound } from '../../errors';
import type { JobInfo } from '../../jobs/engine';
import { recordAudits } from '../audit/audit.service';
import { files } from '../files/files.tables';
import { mailOutbox } from './notifications.tables';
import { notify } from './notifications.service';

/** How this instance sends mail: over SMTP_URL, or not at all (messages are held in the outbox). */
export type Mailer = { transport: Transporter | null; from: string };

export function createMailer(smtpUrl: string | null, from: string): Mailer {
  if (!smtpUrl) return { transport: null, from };
  // Each attempt ends well within the job's expiry, so an expired job is never still sending
  // (nodemailer reads options from the URL's query; the operator's own values win).
  const url = new URL(smtpUrl);
  for (const [option, ms] of [
    ['connectionTimeout', 20_000],
    ['greetingTimeout', 15_000],
    ['socketTimeout', 60_000],
  ] as const) {
    if (!url.searchParams.has(option)) url.searchParams.set(option, String(ms));
  }
  return { transport: nodemailer.createTransport(url.toString()), from };
}

/**
 * The mail job: sends one queued message. Without SMTP the message is held for an administrator.
 * A failure is recorded on the message and rethrown so the job retries with backoff; after the
 * last retry the message is marked failed (visible in the outbox, where it can be sent again).
 */
export async function deliverMail(tx: JobsTx, mailer: Mailer, mailId: string, job: JobInfo): Promise<void> {
  const { db } = tx;
  const [mail] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, mailId));
  if (!mail || mail.status !== 'queued') return;
  if (!mailer.transport) {
    await db.update(mailOutbox).set({ status: 'held' }).where(eq(mailOutbox.id, mailId));
    return;
  }
  const attached = await db
    .select({ filename: files.filename, contentType: files.contentType, content: files.content })
    .from(files)
    .where(and(eq(files.ownerType, 'mail'), eq(files.ownerId, mailId)))
    .orderBy(files.createdAt, files.id);
  try {
    await mailer.transport.sendMail({
      from: mailer.from,
      to: mail.toAddress,
      subject: mail.subject,
      text: mail.body,
      attachments: attached.map((f) => ({
        filename: f.filename,
        contentType: f.contentType,
        content: Buffer.from(f.content),
      })),
    });
  } catch (error) {
    const last = job.retryCount >= job.retryLimit;
    await db
      .update(mailOutbox)
      .set({
        attempts: mail.attempts + 1,
        lastError: String((error as Error)?.message ?? error).slice(0, 500),
        status: last ? 'failed' : 'queued',
      })
      .where(eq(mailOutbox.id, mailId));
    // The sender learns that it did not go (the message stays in the outbox, to be sent again).
    if (last && mail.createdBy)
      await notify(tx, [
        {
          userId: mail.createdBy,
          kind: 'mail-failed',
          params: { subject: mail.subject, to: mail.toAddress },
          entityType: 'mail',
          entityId: mail.id,
        },
      ]);
    throw error;
  }
  await db
    .update(mailOutbox)
    .set({ status: 'sent', attempts: mail.attempts + 1, sentAt: new Date(), lastError: null })
    .where(eq(mailOutbox.id, mailId));
}

function present(m: typeof mailOutbox.$inferSelect): OutboxMail {
  return {
    id: m.id,
    status: m.status,
    toAddress: m.toAddress,
    subject: m.subject,
    body: m.body,
    kind: m.kind,
    attempts: m.attempts,
    lastError: m.lastError,
    nextAttemptAt: m.nextAttemptAt?.toISOString() ?? null,
    sentAt: m.sentAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}

/** The outbox, for administrators (route guard: mail:manage). */
export async function findOutbox(ctx: Ctx, query: OutboxListQuery): Promise<Page<OutboxMail>> {
  const where: SQL | undefined = query.status ? eq(mailOutbox.status, query.status) : undefined;
  const [rows, [{ total }]] = await Promise.all([
    ctx.db
      .select()
      .from(mailOutbox)
      .where(where)
      .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    ctx.db.select({ total: count() }).from(mailOutbox).where(where),
  ]);
  return { items: rows.map(present), total, page: query.page, pageSize: query.pageSize };
}

/** A queued message older than this has lost its job (e.g. the database was restored): it may be sent again. */
const STUCK_AFTER_MS = 2 * 86_400_000;

/** Sends a held, failed or stuck message again (e.g. after SMTP was set up or the server came back). */
export async function resendMail(ctx: Ctx, id: string): Promise<OutboxMail> {
  return inTransaction(ctx, async ({ db }) => {
    const [mail] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).for('update');
    if (!mail) throw notFound();
    const stuck = mail.status === 'queued' && Date.now() - mail.createdAt.getTime() > STUCK_AFTER_MS;
    if (mail.status !== 'held' && mail.status !== 'failed' && !stuck) throw new AppError('MAIL_NOT_RESENDABLE');
    const [after] = await db
      .update(mailOutbox)
      .set({ status: 'queued', lastError: null })
      .where(and(eq(mailOutbox.id, id)))
      .returning();
    await ctx.jobs.send(db, 'mail.send', { mailId: id });
    await recordAudits(db, { actorId: ctx.actor.id, requestId: ctx.requestId }, [
      {
        action: 'update',
        entityType: 'mail',
        entityId: id,
        before: { status: mail.status },
        after: { status: 'queued' },
      },
    ]);
    return present(after);
  });
}
