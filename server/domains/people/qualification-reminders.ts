import { sql } from 'drizzle-orm';
import { QUALIFICATION_REMINDER_DAYS } from '../../../common/schemas/people';
import { inTransaction, type JobsTx } from '../../context';
import { addDays } from '../../lib/time';
import { notify, type NewNotification } from '../notifications/notifications.service';
import { roles, users } from '../staff/staff.tables';
import { firmToday } from './people.service';
import { qualifications } from './people.tables';

/**
 * Expiry reminders 证书到期提醒: a qualification that expires within `days` (30) days, and has not expired yet,
 * tells its holder and the administrators (every active user of the admin role) — once per qualification and
 * expiry date. "Once" is a conditional UPDATE of `reminded_for` to the expiry date in the transaction that
 * notifies (as the payment-term reminders): a retry, a second app instance or tomorrow's run finds nothing left; a
 * renewed certificate (a new expiry date) is reminded of again when its time comes. Holders no longer active are
 * skipped by notify().
 */
export async function remindExpiringQualifications(
  tx: JobsTx,
  options: { today?: string; days?: number; limit?: number } = {},
): Promise<number> {
  const today = options.today ?? firmToday();
  const until = addDays(today, options.days ?? QUALIFICATION_REMINDER_DAYS);
  const result = (await tx.db.execute(sql`
    WITH due AS (
      SELECT q.id FROM ${qualifications} q
      WHERE q.expires_on BETWEEN ${today}::date AND ${until}::date AND q.reminded_for IS DISTINCT FROM q.expires_on
      ORDER BY q.expires_on, q.id
      ${options.limit ? sql`LIMIT ${options.limit}` : sql``}
      FOR UPDATE OF q SKIP LOCKED
    ), reminded AS (
      UPDATE ${qualifications} q SET reminded_for = q.expires_on
      FROM due WHERE q.id = due.id AND q.reminded_for IS DISTINCT FROM q.expires_on
      RETURNING q.id, q.user_id, q.certificate_no, q.expires_on::text AS expires_on
    )
    SELECT r.*, u.display_name AS holder FROM reminded r JOIN ${users} u ON u.id = r.user_id
    ORDER BY r.expires_on, r.id`)) as unknown as {
    rows: { id: string; user_id: string; certificate_no: string; expires_on: string; holder: string }[];
  };
  const due = result.rows;
  if (due.length === 0) return 0;
  const admins = (
    (await tx.db.execute(
      sql`SELECT u.id FROM ${users} u JOIN ${roles} r ON r.id = u.role_id WHERE r.code = 'admin' AND u.active`,
    )) as unknown as { rows: { id: string }[] }
  ).rows.map((u) => u.id);
  const items: NewNotification[] = [];
  for (const q of due) {
    const days = Math.round((Date.parse(q.expires_on) - Date.parse(today)) / 86_400_000);
    for (const userId of new Set([q.user_id, ...admins]))
      items.push({
        userId,
        kind: 'qualification-expiring',
        params: { holder: q.holder, certificateNo: q.certificate_no, expiresOn: q.expires_on, days },
        entityType: 'person',
        entityId: q.user_id,
      });
  }
  await notify(tx, items);
  return due.length;
}

/** The daily job: every qualification due a reminder, in short transactions of `batch` each. */
export async function remindAllExpiringQualifications(
  jobs: JobsTx,
  options: { batch?: number; today?: string; days?: number } = {},
): Promise<number> {
  const batch = options.batch ?? 200;
  let reminded = 0;
  for (;;) {
    const n = await inTransaction(jobs, (tx) =>
      remindExpiringQualifications(tx, { today: options.today, days: options.days, limit: batch }),
    );
    reminded += n;
    if (n < batch) return reminded;
  }
}
