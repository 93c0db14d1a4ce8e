import { eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { WhatIf, WhatIfInput, WhatIfResult } from '../../../common/schemas/commissions';
import type { Ctx } from '../../context';
import type { Db } from '../../db/client';
import { invalidInput, notFound } from '../../errors';
import type { Jobs } from '../../jobs/engine';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { contracts, orders } from '../contracts/contracts.tables';
import { engagements } from '../engagements/engagements.tables';
import { timeEntries, timesheetWeeks } from '../engagements/timesheets.tables';
import { receipts } from '../receivables/receivables.tables';
import { businessLines, departments, users } from '../staff/staff.tables';
import { commissionPolicies } from './commissions.tables';
import { computeSheet, type Rule } from './compute';
import { asRules, policyInForce } from './policies.service';
import { moneyText } from './drafting';
import { gatherAll, monthBounds, subjectKey, type Subject } from './gather';

/**
 * The what-if 模拟 (commissions:configure): a policy version — a draft, usually — run over past months and compared
 * with what the version in force in each month gives, per person and per business line, with the biggest winners
 * and losers. It is about the policy, not the ledger: every contract (or order without one) with valid receipts or
 * approved hours in a month is computed from those (gather.ts, all of a month's at once, ignoring what sheets counted; pools split
 * by shares have no shares, so stay undistributed on both sides), and nothing is written but the job's own state —
 * a job on the queue `commission.what-if`, its progress (done of total contract-months) in its data, its result as
 * its output.
 */

const QUEUE = 'commission.what-if';
/** At most three years at once. */
const MAX_MONTHS = 36;

/** The months from → to, inclusive (YYYY-MM). */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [y, m] = from.split('-').map(Number);
  for (let period = from; period <= to;) {
    months.push(period);
    m += 1;
    if (m > 12) [y, m] = [y + 1, 1];
    period = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
  }
  return months;
}

/** Starts a what-if of a version over the months asked (none after this one); its job's id. */
export async function startWhatIf(ctx: Ctx, policyId: string, input: z.output<typeof WhatIfInput>) {
  const [policy] = await ctx.db
    .select({ id: commissionPolicies.id })
    .from(commissionPolicies)
    .where(eq(commissionPolicies.id, policyId));
  if (!policy) throw notFound();
  const thisMonth = localDate(new Date(), FIRM_TIME_ZONE).slice(0, 7);
  if (input.from > input.to || input.to > thisMonth || monthsBetween(input.from, input.to).length > MAX_MONTHS)
    throw invalidInput(ctx.actor.locale, [{ path: 'to', key: 'validation.whatIfRange', params: { max: MAX_MONTHS } }]);
  const id = await ctx.jobs.send(ctx.db, QUEUE, { policyId, from: input.from, to: input.to });
  return { id: id! };
}

type Stored = { policyId: string; from: string; to: string; done?: number; total?: number };

/** A what-if's progress, and its result once done (404 for an id that is not one). */
export async function getWhatIf(ctx: Ctx, id: string): Promise<WhatIf> {
  const job = await ctx.jobs.boss.getJobById<Stored>(QUEUE, id);
  if (!job) throw notFound();
  const done = job.data.done ?? 0;
  const total = job.data.total ?? 0;
  if (job.state === 'completed') {
    const result = job.output as WhatIfResult;
    return { id, status: 'done', done: result.subjects, total: result.subjects, result };
  }
  if (job.state === 'failed' || job.state === 'cancelled') return { id, status: 'failed', done, total };
  return { id, status: 'running', done, total };
}

/** The contracts (and orders without one) with valid receipts or approved hours in a month, as drafting reads them. */
async function subjectsOf(db: Db, first: string, last: string): Promise<Subject[]> {
  const { rows } = (await db.execute(sql`
    WITH touched AS (
      SELECT r.contract_id, CASE WHEN r.contract_id IS NULL THEN r.order_id END AS order_id
      FROM ${receipts} r
      WHERE r.status = 'valid' AND r.amount > r.unallocated AND r.received_on BETWEEN ${first}::date AND ${last}::date
      UNION
      SELECT e.contract_id, CASE WHEN e.contract_id IS NULL THEN e.order_id END
      FROM ${timeEntries} t
      JOIN ${engagements} e ON e.id = t.engagement_id AND e.status <> 'cancelled'
      JOIN ${timesheetWeeks} w ON w.user_id = t.user_id AND w.status = 'approved'
        AND w.week_start BETWEEN t.work_date - 6 AND t.work_date
      WHERE t.work_date BETWEEN ${first}::date AND ${last}::date
    )
    SELECT c.id AS contract_id, NULL::uuid AS order_id, c.owner_id, c.department_id, c.business_line_id
    FROM touched x JOIN ${contracts} c ON c.id = x.contract_id
    UNION
    SELECT NULL::uuid, o.id, o.owner_id, o.department_id, o.business_line_id
    FROM touched x JOIN ${orders} o ON o.id = x.order_id AND o.contract_id IS NULL
    ORDER BY 1, 2`)) as unknown as {
    rows: {
      contract_id: string | null;
      order_id: string | null;
      owner_id: string;
      department_id: string | null;
      business_line_id: string;
    }[];
  };
  return rows.map((r) => ({
    contractId: r.contract_id,
    orderId: r.order_id,
    ownerId: r.owner_id,
    departmentId: r.department_id,
    businessLineId: r.business_line_id,
  }));
}

type Sums = { current: bigint; proposed: bigint };
const add = (map: Map<string, Sums>, key: string, side: keyof Sums, fen: bigint) => {
  const entry = map.get(key) ?? { current: 0n, proposed: 0n };
  entry[side] += fen;
  map.set(key, entry);
};
const compared = (s: Sums) => ({
  current: moneyText(s.current),
  proposed: moneyText(s.proposed),
  difference: moneyText(s.proposed - s.current),
});

/**
 * Runs a what-if (the job's work): reports `done` of `total` in the job's data as it goes (every few subjects) and
 * returns the result, kept as the job's output. Reads only.
 */
export async function runWhatIf(
  deps: { db: Db; jobs: Jobs },
  jobId: string,
  data: { policyId: string; from: string; to: string },
): Promise<WhatIfResult> {
  const { db } = deps;
  const [policy] = await db.select().from(commissionPolicies).where(eq(commissionPolicies.id, data.policyId));
  if (!policy) throw new Error('the policy version is gone');
  const proposed = asRules(policy.rules);
  const months = await Promise.all(
    monthsBetween(data.from, data.to).map(async (period) => {
      const { first, last } = monthBounds(period);
      const inForce = await policyInForce(db, first);
      return {
        first,
        last,
        current: inForce ? asRules(inForce.rules) : [],
        subjects: await subjectsOf(db, first, last),
      };
    }),
  );
  const total = months.reduce((n, m) => n + m.subjects.length, 0);
  const report = (done: number) =>
    db.execute(
      sql`UPDATE pgboss.job SET data = data || ${JSON.stringify({ done, total })}::jsonb WHERE name = ${QUEUE} AND id = ${jobId}::uuid`,
    );
  await report(0);

  const byPerson = new Map<string, Sums>();
  const byLine = new Map<string, Sums>();
  const totals: Sums = { current: 0n, proposed: 0n };
  let done = 0;
  for (const month of months) {
    // The month's subjects gathered at once (a few statements), then computed one by one.
    const gathered = await gatherAll(db, month.subjects, month.last, { first: month.first });
    for (const subject of month.subjects) {
      const got = gathered.get(subjectKey(subject))!;
      const run = (rules: Rule[], side: keyof Sums) => {
        if (rules.length === 0) return;
        const sheet = computeSheet({
          businessLineId: subject.businessLineId,
          rules,
          people: got.people,
          receivedBefore: got.receivedBefore,
          received: got.received,
          worked: got.worked,
        });
        for (const line of sheet.lines) {
          add(byPerson, line.userId, side, line.fen);
          add(byLine, subject.businessLineId, side, line.fen);
          totals[side] += line.fen;
        }
      };
      run(month.current, 'current');
      run(proposed, 'proposed');
      done += 1;
      if (done % 100 === 0) await report(done);
    }
    await report(done);
  }
  await report(done);

  const [people, lines] = await Promise.all([
    byPerson.size
      ? db
          .select({ id: users.id, name: users.displayName, departmentName: departments.name })
          .from(users)
          .leftJoin(departments, eq(departments.id, users.departmentId))
          .where(inArray(users.id, [...byPerson.keys()]))
      : [],
    byLine.size
      ? db
          .select({ id: businessLines.id, name: businessLines.name })
          .from(businessLines)
          .where(inArray(businessLines.id, [...byLine.keys()]))
      : [],
  ]);
  const personRows = people.map((p) => ({ p, s: byPerson.get(p.id)! }));
  const presentPerson = ({ p, s }: (typeof personRows)[number]) => ({
    userId: p.id,
    name: p.name,
    departmentName: p.departmentName,
    ...compared(s),
  });
  const byDifference = (a: { s: Sums }, b: { s: Sums }) => {
    const d = b.s.proposed - b.s.current - (a.s.proposed - a.s.current);
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  };
  const sorted = [...personRows].sort((a, b) => byDifference(a, b) || a.p.name.localeCompare(b.p.name, 'zh-CN'));
  return {
    policyId: policy.id,
    policyVersion: policy.version,
    from: data.from,
    to: data.to,
    subjects: total,
    totals: compared(totals),
    byPerson: sorted.map(presentPerson),
    byBusinessLine: lines
      .map((l) => ({ businessLineId: l.id, name: l.name, ...compared(byLine.get(l.id)!) }))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
    winners: sorted
      .filter(({ s }) => s.proposed > s.current)
      .slice(0, 5)
      .map(presentPerson),
    losers: sorted
      .filter(({ s }) => s.proposed < s.current)
      .reverse()
      .slice(0, 5)
      .map(presentPerson),
  };
}
