import { and, eq, sql } from 'drizzle-orm';
import type { ReportAnswer, ReportCell, ReportColumn, ReportRow } from '../../../common/schemas/reports';
import { REPORT_PERMISSION } from '../../../common/schemas/reports';
import { inTransaction, type Ctx, type JobsTx } from '../../context';
import { say } from '../../lib/label';
import { can } from '../../policy';
import { enqueueMail } from '../notifications/outbox';
import { loadActor } from '../staff/actors';
import { users } from '../staff/staff.tables';
import { reportOf } from './reports';
import { reportXlsx } from './reports.export';
import { reportSubscriptions } from './reports.tables';
import { nextRunAfter } from './saved.service';

/**
 * The scheduled reports 定期报表: every subscription due by now is sent once — the report run as its owner (their
 * grants and language today, loadActor), e-mailed through the outbox with the headline and the first table as text and
 * the .xlsx attached — and moved on to its next run in the same transaction. The row is taken FOR UPDATE SKIP LOCKED
 * and moved with a conditional UPDATE on the `next_run_at` it was due at, so with two instances (or a retry) each run
 * is sent exactly once. A subscription whose owner left, has no e-mail address or may no longer open the report is
 * moved on without mail (paused when the report is closed to them); a report that fails is moved on too, so one bad
 * subscription never holds the others.
 */

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const L = {
  subject: { zh: '定期报表：{title}（{from} 至 {to}）', en: 'Scheduled report: {title} ({from} to {to})' },
  intro: {
    zh: '您订阅的报表“{title}”已生成，完整表格见附件。',
    en: 'Your scheduled report “{title}” is ready; the full tables are attached.',
  },
  frequency: {
    zh: '（每{frequency}发送。可在“设置 › 报表订阅”中暂停或删除。）',
    en: '(Sent {frequency}. Pause or delete it under Settings › Report subscriptions.)',
  },
  weekly: { zh: '周一', en: 'every Monday' },
  monthly: { zh: '月 1 日', en: 'on the 1st of every month' },
  total: { zh: '合计', en: 'Total' },
};

function cellText(cell: ReportCell | undefined, column: ReportColumn): string {
  if (cell === null || cell === undefined || cell === '') return '—';
  if (column.kind === 'percent') return `${cell}%`;
  if (column.kind === 'money') {
    const [whole, fraction] = String(cell).split('.');
    return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
  }
  return String(cell);
}

/** The e-mail's text: the filters, the headline, and the first table with its total, one line per row. */
export function reportMailBody(answer: ReportAnswer, locale: Ctx['actor']['locale'], frequency: 'weekly' | 'monthly') {
  const table = answer.tables[0];
  const line = (row: ReportRow) => table.columns.map((c) => cellText(row.cells[c.key], c)).join(' | ');
  const lines = [
    say(L.intro, locale, { title: answer.title }),
    '',
    answer.filtersText,
    ...(answer.headline ? ['', answer.headline] : []),
    '',
    ...(table.title ? [table.title] : []),
    table.columns.map((c) => c.label).join(' | '),
    ...table.rows.map(line),
    ...(table.total ? [line(table.total)] : []),
    '',
    say(L.frequency, locale, { frequency: say(L[frequency], locale) }),
  ];
  return lines.join('\n');
}

type Due = typeof reportSubscriptions.$inferSelect;

/** Sends one due subscription (the oldest due) in its own transaction; false when none is due. */
async function sendOne(tx: JobsTx, now: Date): Promise<boolean> {
  return inTransaction(tx, async ({ db, jobs }) => {
    const [due] = (
      (await db.execute(sql`SELECT id, next_run_at::text AS at FROM ${reportSubscriptions}
        WHERE active AND next_run_at <= ${now.toISOString()}::timestamptz
        ORDER BY next_run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`)) as unknown as { rows: { id: string; at: string }[] }
    ).rows;
    if (!due) return false;
    const [row] = await db.select().from(reportSubscriptions).where(eq(reportSubscriptions.id, due.id));
    const moveOn = async (changes: { lastSentAt?: Date; active?: boolean }) => {
      const moved = await db
        .update(reportSubscriptions)
        .set({ nextRunAt: nextRunAfter(row.frequency, now), updatedAt: new Date(), ...changes })
        .where(and(eq(reportSubscriptions.id, row.id), sql`${reportSubscriptions.nextRunAt} = ${due.at}::timestamptz`))
        .returning({ id: reportSubscriptions.id });
      // Another run moved it meanwhile: undo this one (its mail too).
      if (moved.length === 0) throw new AlreadySent();
    };
    const actor = await loadActor(db, row.userId);
    const report = reportOf(row.kind);
    if (!actor || !report || !can(actor, REPORT_PERMISSION[row.kind])) {
      await moveOn({ active: actor && report ? false : row.active });
      return true;
    }
    const [{ email }] = await db.select({ email: users.email }).from(users).where(eq(users.id, row.userId));
    if (!email) {
      await moveOn({});
      return true;
    }
    try {
      await send({ db, jobs, actor, requestId: `report-subscription:${row.id}` }, row, report, email);
    } catch (error) {
      throw new Failed(row.id, error);
    }
    await moveOn({ lastSentAt: now });
    return true;
  }).catch(async (error) => {
    if (error instanceof AlreadySent) return true;
    throw error;
  });
}

class AlreadySent extends Error {}
class Failed extends Error {
  constructor(
    readonly id: string,
    readonly reason: unknown,
  ) {
    super(String((reason as Error)?.message ?? reason));
  }
}

async function send(ctx: Ctx, row: Due, report: NonNullable<ReturnType<typeof reportOf>>, email: string) {
  const locale = ctx.actor.locale;
  const answer = await report.run(ctx, report.query.parse(row.query));
  const file = await reportXlsx(answer);
  await enqueueMail(ctx, {
    to: email,
    toUserId: row.userId,
    subject: say(L.subject, locale, { title: answer.title, from: answer.from, to: answer.to }),
    body: reportMailBody(answer, locale, row.frequency),
    kind: 'report-subscription',
    createdBy: null,
    attachments: [{ filename: file.filename, contentType: XLSX, content: file.buffer }],
  });
}

/**
 * Sends every subscription due by `now` (the job, every REPORT_SUBSCRIPTIONS_CRON); returns how many were handled.
 * A report that fails (e.g. a filter naming a department since deleted) is logged and moved on without mail.
 */
export async function sendDueSubscriptions(tx: JobsTx, now: Date = new Date()): Promise<number> {
  let handled = 0;
  // Bounded: a run never loops for ever (what is left is due at the next run).
  for (let i = 0; i < 10_000; i += 1) {
    let more: boolean;
    try {
      more = await sendOne(tx, now);
    } catch (error) {
      if (!(error instanceof Failed)) throw error;
      console.error('[report-subscriptions]', error.id, error.reason);
      await skipFailed(tx, error.id, now);
      more = true;
    }
    if (!more) return handled;
    handled += 1;
  }
  return handled;
}

/** Moves a subscription whose report failed on to its next run, without sending. */
async function skipFailed(tx: JobsTx, id: string, now: Date): Promise<void> {
  const [row] = await tx.db.select().from(reportSubscriptions).where(eq(reportSubscriptions.id, id));
  if (!row) return;
  await tx.db
    .update(reportSubscriptions)
    .set({ nextRunAt: nextRunAfter(row.frequency, now), updatedAt: new Date() })
    .where(
      and(eq(reportSubscriptions.id, id), sql`${reportSubscriptions.nextRunAt} <= ${now.toISOString()}::timestamptz`),
    );
}
