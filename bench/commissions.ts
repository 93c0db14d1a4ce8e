/**
 * Commissions benchmark (issue 15): a 150-person firm with 5,000 contracts, 50,000 receipts and 500,000 approved time
 * entries in the year. Measures (1) drafting every sheet 分配表 of a month at once, as finance, through the month's
 * entry point (`POST /api/v1/commission-sheets/month`, the job `commission.month` worked by this process, its progress
 * polled); (2) the what-if 模拟 of a draft policy version over the whole
 * year, through the API and the job's worker (`commission.what-if`), polling its progress as the page does; (3) the
 * plainest SQL aggregation of the same inputs (receipts per contract-month × the rule's percentage, tiered on what
 * the contract received before; hours per person × the rate; the pools split by hours to the fen by largest
 * remainder), the baseline of both. Before any figure is printed, the service's totals (per contract, per person,
 * in all) are checked against the baseline's, to the fen. Never a timed assertion: the ratios are printed, with the
 * issue's bounds (10 s for the month, 60 s for the year), a markdown table at the end.
 *
 *   npx tsx bench/commissions.ts                                      # PGlite in a temporary directory
 *   npx tsx bench/commissions.ts --database-url=postgres://…/scratch  # PostgreSQL (filled once, then reused)
 *   npx tsx bench/commissions.ts --pglite-dir=.tmp/cm-pglite          # PGlite kept there (filled once, then reused)
 *
 * Options: --contracts=5000 --receipts=50000 --entries=500000 --runs=3 (drafting passes) --whatif-runs=1
 * --skip-whatif. The plans quoted in docs/benchmarks/commissions-2026-12-06.md were taken with psql on the scratch database.
 *
 * The shape (the year: the twelve months before this one; the month measured: the last of them): 140 staff in seven
 * departments (a tenth management, a fifth back office, a third practising CPAs) and 10 salespeople; four business
 * lines (审计, 验资, 代理记账, 工程审价) and the demo policy's rules over them (server/seed/demo-commission-rules.ts:
 * tiered and flat by amount, consultants, by hours at several rates, a pool by hours, a pool by shares), adopted from
 * the year's first day. Contracts are signed evenly over the year's first 300 days, ¥20,000–300,000, three terms
 * (30/40/30 %), a salesperson the owner and every third one a second salesperson as 顾问; one confirmed order and one
 * engagement each, led by a staff member with two more of the department on the team. Each contract's receipts come
 * every six days from the third day after signing, each allocated to one term (every 17th overpaid, the excess left
 * unallocated); its engagement's team logs its time entries over the 60 days after it starts; every person-week of
 * the year is approved but one in 25 (submitted). The months before the measured one are counted already (paid
 * sheets with what they counted, as drafting them would have recorded), so the month's drafting gathers that month.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/client';
import { migrateDatabase } from '../server/db/migrate';
import { startWorkers } from '../server/jobs/workers';
import { addDays, FIRM_TIME_ZONE, localDate } from '../server/lib/time';
import { demoCommissionRules } from '../server/seed/demo-commission-rules';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';
import { benchDatabase, cpuClock, medianOf, wrapDriver } from './lib';

const { values: opts } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    'pglite-dir': { type: 'string' },
    contracts: { type: 'string', default: '5000' },
    receipts: { type: 'string', default: '50000' },
    entries: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '3' },
    'whatif-runs': { type: 'string', default: '1' },
    'skip-whatif': { type: 'boolean', default: false },
  },
});
const CONTRACTS = Number(opts.contracts);
const RECEIPTS = Number(opts.receipts);
const ENTRIES = Number(opts.entries);
const RUNS = Number(opts.runs);
const WHATIF_RUNS = Number(opts['whatif-runs']);
const PASSWORD = 'Bench-pass-1';
/** The issue's bounds on PostgreSQL. */
const MONTH_BUDGET_S = 10;
const YEAR_BUDGET_S = 60;
const DEPARTMENTS = 7;
const STAFF = 140;
const SELLERS = 10;
const CUSTOMERS = 2000;
const LINES = { SJ: '审计', YZ: '验资', DZ: '代理记账', GC: '工程审价' } as const;
type LineCode = keyof typeof LINES;

const keptDir = opts['database-url'] ? undefined : opts['pglite-dir'];
const { database, dir: tmp } = keptDir
  ? { database: await openDatabase({ dataDir: keptDir }), dir: null }
  : await benchDatabase(opts['database-url']);
const driver = wrapDriver(database);
const { raw } = driver;

const today = localDate(new Date(), FIRM_TIME_ZONE);
const monthOf = (date: string) => date.slice(0, 7);
const shiftMonth = (period: string, by: number) => {
  const [y, m] = period.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
};
const lastDayOf = (period: string) => addDays(`${shiftMonth(period, 1)}-01`, -1);
/**
 * The year: the twelve months before this one. The month measured is its ninth: contracts are signed over the
 * year's first 300 days and active for two months after, so from the third month to the tenth every month is as
 * busy (about 1,500 contracts with receipts or hours); the ninth is one of them, with the year's later months after it.
 */
const YEAR_TO = shiftMonth(monthOf(today), -1);
const YEAR_FROM = shiftMonth(YEAR_TO, -11);
const MONTH = shiftMonth(YEAR_FROM, 8);
const FIRST = `${YEAR_FROM}-01`;

/**
 * The policy's numbers: the demo policy's (in force) and the draft's (the what-if). The rules are the demo policy's
 * shape with these numbers; the baseline SQL is written from the same numbers.
 */
type Numbers = {
  s1: [upTo: string, below: string, above: string];
  s2: string;
  s3: string;
  s4: string;
  s5: string;
  w1: string;
  w2: string;
  w3: string;
  w4: string;
  w5: string;
  w6: string;
  w7: string;
};
const CURRENT: Numbers = {
  s1: ['100000', '3', '5'],
  s2: '6',
  s3: '8',
  s4: '12',
  s5: '2',
  w1: '10',
  w2: '150',
  w3: '30',
  w4: '8',
  w5: '40',
  w6: '80',
  w7: '120',
};
const PROPOSED: Numbers = {
  s1: ['150000', '3', '4.5'],
  s2: '5',
  s3: '8',
  s4: '10',
  s5: '2.5',
  w1: '12',
  w2: '150',
  w3: '35',
  w4: '8',
  w5: '45',
  w6: '80',
  w7: '130',
};
function rulesOf(n: Numbers, line: (code: string) => string) {
  return demoCommissionRules(line).map((rule) => {
    switch (rule.key) {
      case 'S1':
        return {
          ...rule,
          tiers: [
            { upTo: n.s1[0], percent: n.s1[1] },
            { upTo: null, percent: n.s1[2] },
          ],
        };
      case 'S2':
      case 'S3':
      case 'S4':
      case 'S5':
        return { ...rule, tiers: [{ upTo: null, percent: n[rule.key.toLowerCase() as 's2'] }] };
      case 'W1':
      case 'W4':
        return { ...rule, percent: n[rule.key.toLowerCase() as 'w1'] };
      default:
        return { ...rule, hourlyRate: n[rule.key.toLowerCase() as 'w2'] };
    }
  });
}

/** Fen of a numeric text ("1234.5", "-0.07"). */
const fen = (text: unknown) => {
  const s = String(text ?? '0');
  const negative = s.startsWith('-');
  const [whole, fraction = ''] = (negative ? s.slice(1) : s).split('.');
  const v = BigInt(whole || '0') * 100n + BigInt((fraction + '00').slice(0, 2));
  return negative ? -v : v;
};
const yuan = (f: bigint) => {
  const negative = f < 0n;
  const a = negative ? -f : f;
  return `${negative ? '-' : ''}${(a / 100n).toLocaleString('en-US')}.${String(a % 100n).padStart(2, '0')}`;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const loadNow = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

try {
  await migrateDatabase(database);
  const loaded = (await raw(`SELECT 1 FROM users WHERE username = 'cm-finance'`)).rows.length > 0;
  if (loaded) console.log('reusing the benchmark data already in the database');
  else await load();
  const [counts] = (
    await raw(`SELECT (SELECT count(*) FROM contracts)::int AS contracts, (SELECT count(*) FROM receipts)::int AS receipts,
      (SELECT count(*) FROM time_entries)::int AS entries, (SELECT count(*) FROM users WHERE username LIKE 'cm-%')::int AS people,
      (SELECT count(*) FROM commission_sheets)::int AS sheets, (SELECT count(*) FROM commission_sources)::int AS sources`)
  ).rows as Record<string, number>[];
  const codes = Object.fromEntries(
    (await raw(`SELECT code, id FROM business_lines WHERE code LIKE 'CM-%'`)).rows.map((r) => [
      String(r.code).slice(3),
      r.id as string,
    ]),
  ) as Record<LineCode, string>;
  console.log(
    `engine: ${database.engine}; ${counts.contracts} contracts, ${counts.receipts} receipts, ${counts.entries} time entries, ` +
      `${counts.people} people; ${counts.sheets} sheets counted before ${MONTH} (${counts.sources} sources); load average ${loadNow()}`,
  );

  const config = { ...loadConfig({}), jobPollSeconds: 0.5 };
  const app = await buildApp({ database, config });
  await startWorkers(app, config, ['commission.what-if', 'commission.month']);
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'cm-finance', password: PASSWORD },
  });
  if (login.statusCode !== 200) throw new Error(login.body);
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const csrf = (login.json() as { csrfToken: string }).csrfToken;
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const headers = method === 'GET' ? { cookie } : { cookie, 'x-csrf-token': csrf };
    const res = await app.inject({ method, url, payload: payload as never, headers });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.body ? res.json() : null;
  };

  // ——— The subjects of the month: every contract with valid receipts or approved hours in it ———
  const { first: mFirst, last: mLast } = { first: `${MONTH}-01`, last: lastDayOf(MONTH) };
  const subjects = (
    await raw(
      `SELECT DISTINCT contract_id FROM (
         SELECT r.contract_id FROM receipts r
         WHERE r.contract_id IS NOT NULL AND r.status = 'valid' AND r.amount > r.unallocated AND r.received_on BETWEEN $1 AND $2
         UNION ALL
         SELECT e.contract_id FROM time_entries t JOIN engagements e ON e.id = t.engagement_id AND e.status <> 'cancelled'
         JOIN timesheet_weeks w ON w.user_id = t.user_id AND w.status = 'approved' AND w.week_start = date_trunc('week', t.work_date)::date
         WHERE t.work_date BETWEEN $1 AND $2 AND e.contract_id IS NOT NULL) x ORDER BY 1`,
      [mFirst, mLast],
    )
  ).rows.map((r) => r.contract_id as string);
  // A database filled before drafting counted every approved entry (only those a line used): count the others now,
  // as drafting would have — on the sheet of their contract and month, made (paid, empty) where there is none.
  const staleOf = async () =>
    (
      await raw(
        `SELECT count(DISTINCT e.contract_id)::int AS contracts, count(*)::int AS entries
       FROM time_entries t JOIN engagements e ON e.id = t.engagement_id
       JOIN timesheet_weeks w ON w.user_id = t.user_id AND w.status = 'approved' AND w.week_start = date_trunc('week', t.work_date)::date
       WHERE t.work_date < $1 AND NOT EXISTS (SELECT 1 FROM commission_sources c WHERE c.kind = 'time-entry' AND c.source_id = t.id)`,
        [mFirst],
      )
    ).rows[0] as { contracts: number; entries: number };
  const stale = await staleOf();
  if (stale.entries) {
    const u0 = performance.now();
    await raw(
      `CREATE TEMP TABLE cm_stale AS
       SELECT e.contract_id AS contract, to_char(t.work_date, 'YYYY-MM') AS period, t.id, t.hours
       FROM time_entries t JOIN engagements e ON e.id = t.engagement_id
       JOIN timesheet_weeks w ON w.user_id = t.user_id AND w.status = 'approved' AND w.week_start = date_trunc('week', t.work_date)::date
       WHERE t.work_date < $1 AND e.contract_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM commission_sources c WHERE c.kind = 'time-entry' AND c.source_id = t.id)`,
      [mFirst],
    );
    await raw(
      `INSERT INTO commission_sheets (period, contract_id, business_line_id, owner_id, department_id, policy_id, status,
         received_before, received, hours, total, paid_on, created_at)
       SELECT x.period, c.id, c.business_line_id, c.owner_id, c.department_id,
         (SELECT id FROM commission_policies WHERE effective_from = $1 AND status = 'adopted'), 'paid', 0, 0, 0, 0,
         (x.period || '-01')::date + interval '1 month 14 days', (x.period || '-01')::date + interval '1 month 5 days'
       FROM (SELECT DISTINCT contract, period FROM cm_stale) x JOIN contracts c ON c.id = x.contract
       WHERE NOT EXISTS (SELECT 1 FROM commission_sheets s WHERE s.contract_id = x.contract AND s.period = x.period AND s.status <> 'cancelled')`,
      [FIRST],
    );
    await raw(
      `INSERT INTO commission_sources (sheet_id, kind, source_id, amount)
       SELECT s.id, 'time-entry', x.id, x.hours FROM cm_stale x
       JOIN commission_sheets s ON s.contract_id = x.contract AND s.period = x.period AND s.status <> 'cancelled'`,
    );
    await raw(`DROP TABLE cm_stale`);
    await raw('VACUUM ANALYZE commission_sheets');
    await raw('VACUUM ANALYZE commission_sources');
    console.log(
      `counted the ${stale.entries} approved entries before ${MONTH} on ${stale.contracts} contracts that no line used ` +
        `(as drafting now records them) in ${(performance.now() - u0).toFixed(0)} ms; left: ${(await staleOf()).entries}`,
    );
  }
  console.log(`${MONTH}: ${subjects.length} contracts with receipts or approved hours`);

  const clearMonth = async () => {
    await raw(
      `DELETE FROM audit_logs WHERE entity_type = 'commission-sheet' AND entity_id IN (SELECT id FROM commission_sheets WHERE period = $1)`,
      [MONTH],
    );
    await raw(`DELETE FROM commission_sheets WHERE period = $1`, [MONTH]);
    await raw(`VACUUM ANALYZE commission_sheets`);
    await raw(`VACUUM ANALYZE commission_lines`);
    await raw(`VACUUM ANALYZE commission_sources`);
  };
  await clearMonth();

  // ——— The baseline: the same inputs aggregated in plain SQL ———
  const baselineMonth = () => baseline(CURRENT, MONTH, MONTH);
  const b0 = performance.now();
  const monthLines = await baselineMonth();
  console.log(`baseline for ${MONTH}: ${monthLines.length} lines in ${(performance.now() - b0).toFixed(0)} ms`);

  // ——— (1) Drafting every sheet of the month at once, as finance: the month's job, its progress polled ———
  type Pass = {
    wall: number;
    cpu: number;
    job: number;
    drafted: number;
    skipped: number;
    ticks: number;
    polls: number;
  };
  const passes: Pass[] = [];
  let serviceLines = 0;
  for (let run = 0; run < RUNS; run++) {
    const cpu0 = cpuClock();
    const start = performance.now();
    const { id } = (await call('POST', '/api/v1/commission-sheets/month', { period: MONTH })) as { id: string };
    const seen = new Set<number>();
    let polls = 0;
    let answer: { status: string; done: number; total: number; result?: { drafted: number; skipped: number } };
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await call('GET', `/api/v1/commission-sheet-months/${id}`);
      polls++;
      if (answer.status === 'running' && answer.total) seen.add(answer.done);
      if (answer.status !== 'running') break;
    }
    const wall = performance.now() - start;
    if (answer.status !== 'done' || !answer.result) throw new Error(`the month's drafting ${answer.status}`);
    const [job] = (
      await raw(
        `SELECT extract(epoch FROM completed_on - started_on) * 1000 AS ms FROM pgboss.job WHERE id = $1::uuid`,
        [id],
      )
    ).rows as { ms: string }[];
    const pass = {
      wall,
      cpu: cpuClock() - cpu0,
      job: Number(job.ms),
      drafted: answer.result.drafted,
      skipped: answer.result.skipped,
      ticks: seen.size,
      polls,
    };
    passes.push(pass);
    if (run === 0) {
      const drafted = await serviceMonth();
      serviceLines = drafted.length;
      verifyMonth(drafted, monthLines);
    }
    console.log(
      `drafting pass ${run + 1}: ${pass.drafted} sheets drafted, ${pass.skipped} skipped, in ${seconds(pass.wall)} ` +
        `(the job ${seconds(pass.job)}; ${pass.ticks} progress values in ${polls} polls; Node CPU ${seconds(pass.cpu)}); load ${loadNow()}`,
    );
    await clearMonth();
  }

  const baseMonthTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await baselineMonth();
    baseMonthTimes.push(performance.now() - t);
  }
  const baseMonth = medianOf(baseMonthTimes);

  // ——— (2) The what-if of a draft version over the year, through the API and the job's worker ———
  const whatIfs: { wall: number; job: number; ticks: number; subjects: number; polls: number }[] = [];
  let baseYear = 0;
  if (!opts['skip-whatif']) {
    const draft = (await call('POST', '/api/v1/commission-policies', {
      name: 'bench 草案',
      effectiveFrom: `${shiftMonth(monthOf(today), 1)}-01`,
      rules: rulesOf(PROPOSED, (code) => codes[code as LineCode]),
    })) as { id: string };
    const yearCurrent = await baseline(CURRENT, YEAR_FROM, YEAR_TO);
    const yearProposed = await baseline(PROPOSED, YEAR_FROM, YEAR_TO);
    for (let run = 0; run < WHATIF_RUNS; run++) {
      const start = performance.now();
      const { id } = (await call('POST', `/api/v1/commission-policies/${draft.id}/what-if`, {
        from: YEAR_FROM,
        to: YEAR_TO,
      })) as { id: string };
      const seen = new Set<number>();
      let polls = 0;
      let answer: {
        status: string;
        done: number;
        total: number;
        result?: { subjects: number; totals: { current: string; proposed: string }; byPerson: unknown[] };
      };
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        answer = await call('GET', `/api/v1/commission-what-ifs/${id}`);
        polls++;
        if (answer.status === 'running' && answer.total) seen.add(answer.done);
        if (answer.status !== 'running') break;
        if (process.stdout.isTTY) process.stdout.write(`\rwhat-if: ${answer.done}/${answer.total}`);
      }
      const wall = performance.now() - start;
      if (process.stdout.isTTY) process.stdout.write('\n');
      if (answer.status !== 'done' || !answer.result) throw new Error(`the what-if ${answer.status}`);
      const [job] = (
        await raw(
          `SELECT extract(epoch FROM completed_on - started_on) * 1000 AS ms FROM pgboss.job WHERE id = $1::uuid`,
          [id],
        )
      ).rows as { ms: string }[];
      const sum = (lines: Line[]) => lines.reduce((s, l) => s + l.fen, 0n);
      const expected = [sum(yearCurrent), sum(yearProposed)];
      const got = [fen(answer.result.totals.current), fen(answer.result.totals.proposed)];
      const subjectMonths = new Set(yearCurrent.map((l) => `${l.contractId}|${l.period}`)).size;
      const same = expected[0] === got[0] && expected[1] === got[1] && subjectMonths === answer.result.subjects;
      console.log(
        `what-if ${run + 1}: ${answer.result.subjects} contract-months in ${seconds(wall)} (the job ${seconds(Number(job.ms))}), ` +
          `${seen.size} progress values seen in ${polls} polls a second; current ¥${yuan(got[0])}, proposed ¥${yuan(got[1])} — ` +
          `${same ? 'the same as the baseline' : `BASELINE DIFFERS: ¥${yuan(expected[0])} / ¥${yuan(expected[1])}, ${subjectMonths} contract-months`}; load ${loadNow()}`,
      );
      whatIfs.push({ wall, job: Number(job.ms), ticks: seen.size, subjects: answer.result.subjects, polls });
    }
    await call('DELETE', `/api/v1/commission-policies/${draft.id}`);
    const baseYearTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await Promise.all([baseline(CURRENT, YEAR_FROM, YEAR_TO), baseline(PROPOSED, YEAR_FROM, YEAR_TO)]);
      baseYearTimes.push(performance.now() - t);
    }
    baseYear = medianOf(baseYearTimes);
  }
  await app.close();

  // ——— The table ———
  const wall = medianOf(passes.map((p) => p.wall));
  console.log(
    `\n${database.engine}, ${counts.contracts} contracts, ${counts.receipts} receipts, ${counts.entries} time entries, ` +
      `${counts.people} people; month ${MONTH}, year ${YEAR_FROM} … ${YEAR_TO}; load average now ${loadNow()}\n`,
  );
  console.log(`| step | work | service | plain SQL | service ÷ SQL | bound |`);
  console.log(`|---|---|---|---|---|---|`);
  console.log(
    `| (1) draft every sheet of ${MONTH} at once (${RUNS === 1 ? 'one pass' : `median of ${RUNS} passes`}) | ` +
      `${passes[0]?.drafted} sheets (${subjects.length} contracts with receipts or hours), ${serviceLines} lines (the SQL's ${monthLines.length}) | ` +
      `${seconds(wall)} (job ${seconds(medianOf(passes.map((p) => p.job)))}; Node CPU ${seconds(medianOf(passes.map((p) => p.cpu)))}) | ` +
      `${baseMonth.toFixed(0)} ms | ${(wall / baseMonth).toFixed(0)}× | ${wall / 1000 < MONTH_BUDGET_S ? 'under' : 'over'} ${MONTH_BUDGET_S} s |`,
  );
  for (const w of whatIfs)
    console.log(
      `| (2) what-if, draft version over ${YEAR_FROM} … ${YEAR_TO} | ${w.subjects} contract-months, both versions | ` +
        `${seconds(w.wall)} (job ${seconds(w.job)}; ${w.ticks} progress values in ${w.polls} polls) | ${baseYear.toFixed(0)} ms (both versions) | ` +
        `${(w.job / baseYear).toFixed(0)}× | ${w.wall / 1000 < YEAR_BUDGET_S ? 'under' : 'over'} ${YEAR_BUDGET_S} s |`,
    );
} finally {
  driver.restore();
  await database.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

type Line = { contractId: string; period: string; userId: string; fen: bigint };

/** The month's sheets as the service drafted them: their lines. */
async function serviceMonth(): Promise<Line[]> {
  const rows = (
    await raw(
      `SELECT s.contract_id, s.period, l.user_id, l.amount::text AS amount
       FROM commission_sheets s JOIN commission_lines l ON l.sheet_id = s.id WHERE s.period = $1 AND s.status <> 'cancelled'`,
      [MONTH],
    )
  ).rows;
  return rows.map((r) => ({
    contractId: r.contract_id as string,
    period: r.period as string,
    userId: r.user_id as string,
    fen: fen(r.amount),
  }));
}

/** The service's totals against the baseline's: per contract, per person, in all — to the fen. */
function verifyMonth(service: Line[], expected: Line[]) {
  const by = (lines: Line[], key: (l: Line) => string) => {
    const m = new Map<string, bigint>();
    for (const l of lines) m.set(key(l), (m.get(key(l)) ?? 0n) + l.fen);
    for (const [k, v] of m) if (v === 0n) m.delete(k);
    return m;
  };
  const differ = (name: string, a: Map<string, bigint>, b: Map<string, bigint>) => {
    const keys = new Set([...a.keys(), ...b.keys()]);
    const wrong = [...keys].filter((k) => (a.get(k) ?? 0n) !== (b.get(k) ?? 0n));
    if (wrong.length)
      console.log(
        `BASELINE DIFFERS by ${name} on ${wrong.length} of ${keys.size}, e.g. ${wrong
          .slice(0, 3)
          .map((k) => `${k}: service ${yuan(a.get(k) ?? 0n)} vs SQL ${yuan(b.get(k) ?? 0n)}`)
          .join('; ')}`,
      );
    return wrong.length === 0;
  };
  const total = (lines: Line[]) => lines.reduce((s, l) => s + l.fen, 0n);
  const ok = [
    differ(
      'contract',
      by(service, (l) => l.contractId),
      by(expected, (l) => l.contractId),
    ),
    differ(
      'person',
      by(service, (l) => l.userId),
      by(expected, (l) => l.userId),
    ),
    differ(
      'contract and person',
      by(service, (l) => `${l.contractId}|${l.userId}`),
      by(expected, (l) => `${l.contractId}|${l.userId}`),
    ),
    total(service) === total(expected),
  ].every(Boolean);
  console.log(
    `${MONTH}: the service drafted ¥${yuan(total(service))} over ${service.length} lines, the baseline ¥${yuan(total(expected))} — ` +
      `${ok ? 'the same to the fen per contract, per person and in all' : 'NOT THE SAME (see above)'}`,
  );
}

/**
 * The plainest SQL of the month's commissions from the same inputs, one statement: the valid receipts' allocated
 * parts per contract and month (and what the contract received before the month, for the tiers), the approved hours
 * per contract, month and person, the team's roles; then each line — the owner's percentage (tiered on the running
 * total), the consultants', the hours × the rate, the pool split by hours (largest remainder, people in name order).
 * The rules' choice is written out for the demo policy's shape (which rule each line and category meets).
 */
async function baseline(n: Numbers, from: string, to: string): Promise<Line[]> {
  const pct = (p: string) => `(${p}::numeric / 100)`;
  const tier = (x: string) =>
    `(least(${x}, ${n.s1[0]}) * ${pct(n.s1[1])} + greatest(${x} - ${n.s1[0]}, 0) * ${pct(n.s1[2])})`;
  const { rows } = await raw(
    `WITH
     rc AS (SELECT r.contract_id, to_char(r.received_on, 'YYYY-MM') AS period, sum(r.amount - r.unallocated) AS received
            FROM receipts r WHERE r.contract_id IS NOT NULL AND r.status = 'valid' AND r.amount > r.unallocated
              AND r.received_on BETWEEN $1::date AND $2::date GROUP BY 1, 2),
     hrs AS (SELECT e.contract_id, to_char(t.work_date, 'YYYY-MM') AS period, t.user_id, sum(t.hours) AS hours
             FROM time_entries t JOIN engagements e ON e.id = t.engagement_id AND e.status <> 'cancelled'
             JOIN timesheet_weeks w ON w.user_id = t.user_id AND w.status = 'approved'
               AND w.week_start = date_trunc('week', t.work_date)::date AND w.week_start BETWEEN $1::date - 6 AND $2::date
             WHERE t.work_date BETWEEN $1::date AND $2::date AND e.contract_id IS NOT NULL GROUP BY 1, 2, 3),
     subj AS (SELECT contract_id, period FROM rc UNION SELECT contract_id, period FROM hrs),
     s AS (SELECT x.contract_id, x.period, c.owner_id, substr(bl.code, 4) AS line, coalesce(rc.received, 0) AS received,
             (SELECT coalesce(sum(r.amount - r.unallocated), 0) FROM receipts r
              WHERE r.contract_id = x.contract_id AND r.status = 'valid' AND r.received_on < (x.period || '-01')::date) AS before
           FROM subj x JOIN contracts c ON c.id = x.contract_id JOIN business_lines bl ON bl.id = c.business_line_id
           LEFT JOIN rc ON rc.contract_id = x.contract_id AND rc.period = x.period),
     team AS (SELECT e.contract_id, m.user_id, bool_or(m.role = 'signing-cpa') AS signing, bool_or(m.role = 'bookkeeper') AS bookkeeper
              FROM engagements e CROSS JOIN LATERAL (
                SELECT e.lead_id AS user_id, 'project-lead' AS role
                UNION ALL SELECT em.user_id, unnest(em.roles) FROM engagement_members em WHERE em.engagement_id = e.id) m
              WHERE e.status <> 'cancelled' AND e.contract_id IN (SELECT contract_id FROM subj) GROUP BY 1, 2),
     work AS (SELECT s.contract_id, s.period, s.received, t.user_id, u.display_name, coalesce(h.hours, 0) AS hours,
                CASE s.line
                  WHEN 'SJ' THEN CASE WHEN t.signing AND u.is_practicing_cpa THEN 'W2' WHEN u.staff_category = 'backoffice' THEN 'W3' ELSE 'W1' END
                  WHEN 'YZ' THEN 'W4'
                  WHEN 'DZ' THEN CASE WHEN t.bookkeeper THEN 'W5' END
                  WHEN 'GC' THEN CASE WHEN u.is_practicing_cpa THEN 'W7' ELSE 'W6' END END AS rule
              FROM s JOIN team t ON t.contract_id = s.contract_id JOIN users u ON u.id = t.user_id
              LEFT JOIN hrs h ON h.contract_id = s.contract_id AND h.period = s.period AND h.user_id = t.user_id),
     pm AS (SELECT w.contract_id, w.period, w.user_id, (w.hours * 100)::bigint AS wt,
              (round(w.received * ${pct(n.w1)}, 2) * 100)::bigint AS pool,
              sum((w.hours * 100)::bigint) OVER (PARTITION BY w.contract_id, w.period)::bigint AS tot,
              row_number() OVER (PARTITION BY w.contract_id, w.period ORDER BY w.display_name, w.user_id) AS idx
            FROM work w WHERE w.rule = 'W1'),
     pf AS (SELECT *, CASE WHEN tot > 0 THEN pool * wt / tot ELSE 0 END AS fl,
              CASE WHEN tot > 0 THEN pool * wt % tot ELSE 0 END AS rem FROM pm),
     pr AS (SELECT *, pool - sum(fl) OVER (PARTITION BY contract_id, period) AS rest,
              row_number() OVER (PARTITION BY contract_id, period ORDER BY rem DESC, idx) AS rk FROM pf)
     SELECT contract_id, period, owner_id AS user_id,
       round(CASE line WHEN 'YZ' THEN received * ${pct(n.s2)} WHEN 'DZ' THEN received * ${pct(n.s3)}
             ELSE ${tier('(before + received)')} - ${tier('before')} END, 2)::text AS amount
     FROM s
     UNION ALL
     SELECT s.contract_id, s.period, m.user_id, round(s.received * CASE s.line WHEN 'DZ' THEN ${pct(n.s4)} ELSE ${pct(n.s5)} END, 2)::text
     FROM s JOIN contract_members m ON m.contract_id = s.contract_id AND m.user_id <> s.owner_id
     UNION ALL
     SELECT contract_id, period, user_id, round(hours * CASE rule WHEN 'W2' THEN ${n.w2} WHEN 'W3' THEN ${n.w3} WHEN 'W5' THEN ${n.w5}
       WHEN 'W6' THEN ${n.w6} ELSE ${n.w7} END, 2)::text
     FROM work WHERE rule IN ('W2', 'W3', 'W5', 'W6', 'W7')
     UNION ALL
     SELECT contract_id, period, user_id, ((fl + CASE WHEN tot > 0 AND rk <= rest THEN 1 ELSE 0 END)::numeric / 100)::text
     FROM pr`,
    [`${from}-01`, lastDayOf(to)],
  );
  return rows.map((r) => ({
    contractId: r.contract_id as string,
    period: r.period as string,
    userId: r.user_id as string,
    fen: fen(r.amount),
  }));
}

/**
 * The firm, the policy, the contracts with terms, teams and engagements, the receipts and their allocations, the
 * time entries and the approved weeks, and the months before the measured one counted — in bulk SQL
 * (INSERT … SELECT generate_series), never row by row through the services.
 */
async function load() {
  const db = database.db;
  const started = Date.now();
  const lap = (what: string) => console.log(`${what}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await bootstrapDatabase(db);
  await raw(
    `INSERT INTO departments (name, path) SELECT 'cm-d' || g, '/' FROM generate_series(0, ${DEPARTMENTS - 1}) g`,
  );
  await raw(`UPDATE departments SET path = '/' || id || '/' WHERE name LIKE 'cm-d%'`);
  const depts = (await raw(`SELECT id FROM departments WHERE name LIKE 'cm-d%' ORDER BY name`)).rows.map(
    (r) => r.id as string,
  );
  await seedUser(db, { username: 'cm-finance', displayName: '财务', password: PASSWORD, roleCode: 'finance' });
  for (let i = 0; i < SELLERS; i++)
    await seedUser(db, {
      username: `cm-s${i}`,
      displayName: `销售${String(i).padStart(2, '0')}`,
      password: PASSWORD,
      passwordHash: 'x',
      roleCode: 'salesperson',
      departmentId: depts[i % DEPARTMENTS],
    });
  // Staff: a tenth management, a fifth back office, the rest front line; a third practising CPAs.
  for (let i = 0; i < STAFF; i++)
    await seedUser(db, {
      username: `cm-p${i}`,
      displayName: `员工${String(i).padStart(3, '0')}`,
      password: PASSWORD,
      passwordHash: 'x',
      roleCode: 'staff',
      departmentId: depts[i % DEPARTMENTS],
      staffCategory: i % 10 === 0 ? 'management' : i % 10 >= 8 ? 'backoffice' : 'frontline',
      isPracticingCpa: i % 3 === 0,
    });
  await raw(
    `INSERT INTO business_lines (name, code) VALUES ${Object.entries(LINES)
      .map(([code, name]) => `('${name}', 'CM-${code}')`)
      .join(', ')}`,
  );
  const codes = Object.fromEntries(
    (await raw(`SELECT code, id FROM business_lines WHERE code LIKE 'CM-%'`)).rows.map((r) => [
      String(r.code).slice(3),
      r.id as string,
    ]),
  ) as Record<LineCode, string>;
  await raw(
    `INSERT INTO customers (name, status, owner_id, search_text)
     SELECT '佣金客户' || g || '有限公司', 'customer', s.id, 'cm' || g
     FROM generate_series(1, ${CUSTOMERS}) g JOIN users s ON s.username = 'cm-s' || (g % ${SELLERS})`,
  );
  await raw(
    `INSERT INTO commission_policies (version, name, effective_from, status, rules, adopted_at)
     SELECT coalesce(max(version), 0) + 1, '佣金政策（基准）', $1::date, 'adopted', $2::jsonb, now() FROM commission_policies`,
    [FIRST, JSON.stringify(rulesOf(CURRENT, (code) => codes[code as LineCode]))],
  );
  lap('people, customers and the policy');

  // Contract g: signed on day (g-1)·300/N of the year, line g mod 4, owner cm-s(g mod 10), 顾问 every third one;
  // its engagement led by the (g/7 mod n)-th staff member of department g mod 7, the next two on the team.
  const perContract = Math.max(1, Math.round(RECEIPTS / CONTRACTS));
  const entriesPer = Math.max(3, Math.round(ENTRIES / CONTRACTS));
  await raw(`CREATE TABLE IF NOT EXISTS cm_plan (g int PRIMARY KEY, customer uuid, line uuid, code text, seller uuid,
    consultant uuid, lead uuid, m1 uuid, m2 uuid, signed date, amount numeric)`);
  await raw(`TRUNCATE cm_plan`);
  await raw(
    `WITH s AS (SELECT u.id, u.department_id, row_number() OVER (PARTITION BY u.department_id ORDER BY u.username) - 1 AS i,
                  count(*) OVER (PARTITION BY u.department_id) AS n FROM users u WHERE u.username LIKE 'cm-p%'),
          d AS (SELECT id, row_number() OVER (ORDER BY name) - 1 AS k FROM departments WHERE name LIKE 'cm-d%'),
          c AS (SELECT id, row_number() OVER (ORDER BY search_text) AS n FROM customers WHERE search_text LIKE 'cm%'),
          l AS (SELECT array_agg(id ORDER BY code) AS ids, array_agg(substr(code, 4) ORDER BY code) AS codes
                FROM business_lines WHERE code LIKE 'CM-%')
     INSERT INTO cm_plan
     SELECT g, c.id, l.ids[1 + g % 4], l.codes[1 + g % 4], se.id, CASE WHEN g % 3 = 0 THEN co.id END, s0.id, s1.id, s2.id,
       $1::date + (g - 1) * 300 / ${CONTRACTS}, (20 + (g * 7919) % 281) * 1000
     FROM generate_series(1, ${CONTRACTS}) g
     JOIN d ON d.k = g % ${DEPARTMENTS}
     JOIN s s0 ON s0.department_id = d.id AND s0.i = (g / ${DEPARTMENTS}) % s0.n
     JOIN s s1 ON s1.department_id = d.id AND s1.i = (g / ${DEPARTMENTS} + 1) % s1.n
     JOIN s s2 ON s2.department_id = d.id AND s2.i = (g / ${DEPARTMENTS} + 2) % s2.n
     JOIN users se ON se.username = 'cm-s' || (g % ${SELLERS})
     JOIN users co ON co.username = 'cm-s' || ((g + 1) % ${SELLERS})
     JOIN c ON c.n = 1 + g % ${CUSTOMERS} CROSS JOIN l`,
    [FIRST],
  );
  await raw(
    `INSERT INTO contracts (title, customer_id, business_line_id, owner_id, department_id, amount, status, number,
       signed_on, start_on, completed_on, created_at)
     SELECT '佣金合同' || lpad(g::text, 5, '0'), customer, line, seller, (SELECT department_id FROM users WHERE id = seller), amount,
       CASE WHEN signed + 75 < $1::date THEN 'completed' ELSE 'in-progress' END, 'CM-' || g, signed, signed + 2,
       CASE WHEN signed + 75 < $1::date THEN signed + 75 END, signed - 5
     FROM cm_plan`,
    [today],
  );
  await raw(`ALTER TABLE cm_plan ADD COLUMN IF NOT EXISTS contract uuid`);
  await raw(`UPDATE cm_plan p SET contract = c.id FROM contracts c WHERE c.number = 'CM-' || p.g`);
  await raw(
    `INSERT INTO contract_members (contract_id, user_id)
     SELECT contract, seller FROM cm_plan UNION ALL SELECT contract, consultant FROM cm_plan WHERE consultant IS NOT NULL`,
  );
  await raw(
    `INSERT INTO payment_terms (contract_id, position, kind, amount, percent, trigger, trigger_days, due_on)
     SELECT p.contract, t, (ARRAY['down-payment', 'progress', 'final'])[t], p.amount * (ARRAY[3, 4, 3])[t] / 10,
       (ARRAY[30, 40, 30])[t], (ARRAY['signing', 'days-after-signing', 'completion'])[t], CASE WHEN t = 2 THEN 20 END,
       p.signed + (ARRAY[0, 20, 75])[t]
     FROM cm_plan p CROSS JOIN generate_series(1, 3) t`,
  );
  await raw(
    `INSERT INTO orders (title, contract_id, customer_id, business_line_id, owner_id, department_id, amount, status, number,
       confirmed_on, created_at)
     SELECT '佣金订单' || g, contract, customer, line, seller, (SELECT department_id FROM users WHERE id = seller), amount,
       'confirmed', 'CMO-' || g, signed, signed
     FROM cm_plan`,
  );
  await raw(
    `INSERT INTO engagements (title, status, customer_id, contract_id, order_id, business_line_id, amount, lead_id, department_id,
       sales_owner_id, starts_on, due_on, closed_on, created_at, created_by)
     SELECT '佣金项目' || lpad(p.g::text, 5, '0'), CASE WHEN p.signed + 75 < $1::date THEN 'closed' ELSE 'in-progress' END,
       p.customer, p.contract, o.id, p.line, p.amount, p.lead, (SELECT department_id FROM users WHERE id = p.lead), p.seller,
       p.signed + 2, p.signed + 62, CASE WHEN p.signed + 75 < $1::date THEN p.signed + 70 END, p.signed, p.lead
     FROM cm_plan p JOIN orders o ON o.number = 'CMO-' || p.g`,
    [today],
  );
  await raw(
    `INSERT INTO engagement_members (engagement_id, user_id, roles)
     SELECT e.id, m.user_id, m.roles FROM cm_plan p JOIN engagements e ON e.contract_id = p.contract
     CROSS JOIN LATERAL (VALUES (p.lead, ARRAY['manager']), (p.m1, ARRAY['signing-cpa']),
       (p.m2, ARRAY[CASE p.code WHEN 'DZ' THEN 'bookkeeper' WHEN 'GC' THEN 'cost-engineer' ELSE 'assistant' END])) m(user_id, roles)`,
  );
  lap(`${CONTRACTS} contracts with terms, orders, engagements and teams`);

  // Receipts: the k-th of a contract on day 3 + 6(k-1) after signing, its share of the amount, allocated to one term
  // (the first 30 % to the first, the next 40 % to the second, the rest to the third); every 17th overpaid by ¥500,
  // left unallocated.
  await raw(
    `INSERT INTO receipts (customer_id, contract_id, received_on, amount, unallocated, payer, bank_reference, note, created_at)
     SELECT p.customer, p.contract, p.signed + 3 + 6 * (k - 1),
       a.part + CASE WHEN (p.g * ${perContract} + k) % 17 = 0 THEN 500 ELSE 0 END,
       CASE WHEN (p.g * ${perContract} + k) % 17 = 0 THEN 500 ELSE 0 END, '付款单位' || p.g, 'CM' || p.g || '-' || k,
       t.id::text, p.signed + 3 + 6 * (k - 1)
     FROM cm_plan p CROSS JOIN generate_series(1, ${perContract}) k
     CROSS JOIN LATERAL (SELECT CASE WHEN k < ${perContract} THEN round(p.amount / ${perContract}, 2)
                          ELSE p.amount - round(p.amount / ${perContract}, 2) * (${perContract} - 1) END AS part) a
     JOIN payment_terms t ON t.contract_id = p.contract
       AND t.position = CASE WHEN (k - 1) * 10 < 3 * ${perContract} THEN 1 WHEN (k - 1) * 10 < 7 * ${perContract} THEN 2 ELSE 3 END`,
  );
  await raw(
    `INSERT INTO receipt_allocations (receipt_id, term_id, amount)
     SELECT id, note::uuid, amount - unallocated FROM receipts WHERE note IS NOT NULL AND contract_id IS NOT NULL`,
  );
  await raw(`UPDATE receipts SET note = NULL WHERE note IS NOT NULL AND contract_id IS NOT NULL`);
  await raw(
    `UPDATE payment_terms t SET received = s.sum
     FROM (SELECT term_id, sum(amount) AS sum FROM receipt_allocations GROUP BY term_id) s WHERE t.id = s.term_id`,
  );
  lap(`${CONTRACTS * perContract} receipts allocated`);

  // Time entries: the engagement's s-th on day 60·s/(n+1) of it, by lead, signing CPA and third member in turn,
  // ¼ to 1½ h. In chunks of contracts (PGlite keeps a statement's rows in memory).
  for (let from = 1; from <= CONTRACTS; from += 1000)
    await raw(
      `INSERT INTO time_entries (user_id, work_date, engagement_id, category, hours, billable, created_at, updated_at,
         created_by, updated_by)
       SELECT u, d, e.id, 'engagement', (1 + (s * 7 + p.g) % 6) * 0.25, true, d + time '18:00', d + time '18:00', u, u
       FROM cm_plan p JOIN engagements e ON e.contract_id = p.contract CROSS JOIN generate_series(1, ${entriesPer}) s
       CROSS JOIN LATERAL (SELECT (ARRAY[p.lead, p.m1, p.m2])[1 + s % 3] AS u, e.starts_on + 60 * s / ${entriesPer + 1} AS d) x
       WHERE p.g BETWEEN $1 AND $2`,
      [from, from + 999],
    );
  // Every person-week of the year approved but one in 25 (submitted, so not counted).
  await raw(
    `INSERT INTO timesheet_weeks (user_id, week_start, status, submitted_at, decided_at, created_at, updated_at)
     SELECT u.id, w::date, CASE WHEN abs(hashtext(u.username || w::date)) % 25 = 0 THEN 'submitted' ELSE 'approved' END,
       w + interval '4 days 18 hours', CASE WHEN abs(hashtext(u.username || w::date)) % 25 <> 0 THEN w + interval '7 days' END,
       w, w + interval '4 days 18 hours'
     FROM users u CROSS JOIN generate_series(date_trunc('week', $1::date::timestamp), $2::date::timestamp, interval '1 week') w
     WHERE u.username LIKE 'cm-p%'`,
    [FIRST, lastDayOf(YEAR_TO)],
  );
  lap(`${CONTRACTS * entriesPer} time entries, the weeks`);

  // The months before the measured one, counted: a paid sheet per contract and month with what drafting would have
  // recorded — every valid receipt, and every approved entry (drafting counts them all, those no line uses too).
  const [{ policy }] = (await raw(`SELECT id AS policy FROM commission_policies WHERE effective_from = $1`, [FIRST]))
    .rows as { policy: string }[];
  await raw(
    `CREATE TABLE IF NOT EXISTS cm_counted (contract uuid, period text, kind text, source uuid, amount numeric)`,
  );
  await raw(`TRUNCATE cm_counted`);
  await raw(
    `INSERT INTO cm_counted
     SELECT r.contract_id, to_char(r.received_on, 'YYYY-MM'), 'receipt', r.id, r.amount - r.unallocated
     FROM receipts r WHERE r.contract_id IS NOT NULL AND r.status = 'valid' AND r.amount > r.unallocated AND r.received_on < $1::date`,
    [`${MONTH}-01`],
  );
  await raw(
    `INSERT INTO cm_counted
     SELECT p.contract, to_char(t.work_date, 'YYYY-MM'), 'time-entry', t.id, t.hours
     FROM cm_plan p JOIN engagements e ON e.contract_id = p.contract JOIN time_entries t ON t.engagement_id = e.id
     JOIN timesheet_weeks w ON w.user_id = t.user_id AND w.status = 'approved' AND w.week_start = date_trunc('week', t.work_date)::date
     WHERE t.work_date < $1::date`,
    [`${MONTH}-01`],
  );
  await raw(
    `INSERT INTO commission_sheets (period, contract_id, business_line_id, owner_id, department_id, policy_id, status,
       received_before, received, hours, total, paid_on, created_at)
     SELECT x.period, c.id, c.business_line_id, c.owner_id, c.department_id, $1, 'paid', 0,
       coalesce(sum(x.amount) FILTER (WHERE x.kind = 'receipt'), 0), coalesce(sum(x.amount) FILTER (WHERE x.kind = 'time-entry'), 0), 0,
       (x.period || '-01')::date + interval '1 month 14 days', (x.period || '-01')::date + interval '1 month 5 days'
     FROM cm_counted x JOIN contracts c ON c.id = x.contract GROUP BY x.period, c.id`,
    [policy],
  );
  await raw(
    `INSERT INTO commission_sources (sheet_id, kind, source_id, amount)
     SELECT s.id, x.kind, x.source, x.amount FROM cm_counted x JOIN commission_sheets s ON s.contract_id = x.contract AND s.period = x.period`,
  );
  await raw(`DROP TABLE cm_counted`);
  await raw(`DROP TABLE cm_plan`);
  lap(`the months before ${MONTH} counted`);
  await raw('VACUUM ANALYZE');
  console.log(`loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
