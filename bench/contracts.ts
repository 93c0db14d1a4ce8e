/**
 * Contracts and receivables benchmark (issue 13): with 50,000 contracts, 150,000 payment terms and 200,000 receipts,
 * the receivables ageing by department (finance sees all; a manager his department subtree), the ageing by customer
 * (20,000 groups, first page), and the contract list filtered by status and business line — each over HTTP
 * (inject) against the plainest raw SQL of the same answer (hand-written, unprepared, the same reader's visibility
 * rule), run in turns in the same process. The benchmark first checks that both give the same answer. Never a timed
 * assertion: the ratio is printed, a markdown table at the end.
 *
 *   npx tsx bench/contracts.ts                                     # PGlite in a temporary directory
 *   npx tsx bench/contracts.ts --database-url=postgres://…/scratch # PostgreSQL (filled once, then reused)
 *   npx tsx bench/contracts.ts --pglite-dir=.tmp/ct-pglite         # PGlite kept there (filled once, then reused)
 *
 * Options: --contracts=50000 (3 terms each) --receipts=200000 --runs=21; BENCH_EXPLAIN=1 prints the plan of each
 * statement the API sends.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { buildApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/client';
import { migrateDatabase } from '../server/db/migrate';
import { addDays, FIRM_TIME_ZONE, localDate } from '../server/lib/time';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';
import { benchDatabase, cpuClock, interleaved, isSessionExpiryUpdate, type Call, wrapDriver } from './lib';

const { values: opts } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    'pglite-dir': { type: 'string' },
    contracts: { type: 'string', default: '50000' },
    receipts: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '21' },
  },
});
const CONTRACTS = Number(opts.contracts);
const RECEIPTS = Number(opts.receipts);
const RUNS = Number(opts.runs);
const PASSWORD = 'Bench-pass-1';
const LIMIT = 1.5;
const SELLERS = 200;
const DEPARTMENTS = 20;
const CUSTOMERS = 20_000;

const keptDir = opts['database-url'] ? undefined : opts['pglite-dir'];
const { database, dir: tmp } = keptDir
  ? { database: await openDatabase({ dataDir: keptDir }), dir: null }
  : await benchDatabase(opts['database-url']);
const driver = wrapDriver(database);
const { raw, textOf, paramsOf } = driver;

type Row = Record<string, unknown>;

try {
  await migrateDatabase(database);
  const loaded = (await raw(`SELECT 1 FROM users WHERE username = 'ct-finance'`)).rows.length > 0;
  if (loaded) console.log('reusing the benchmark data already in the database');
  else await load();
  const counts = (
    await raw(`SELECT (SELECT count(*) FROM contracts)::int AS contracts, (SELECT count(*) FROM payment_terms)::int AS terms,
      (SELECT count(*) FROM receipts)::int AS receipts, (SELECT count(*) FROM payment_terms WHERE received < amount)::int AS open`)
  ).rows[0];
  const [fixture] = (
    await raw(`SELECT m.id AS manager, d.path, (SELECT id FROM business_lines WHERE code = 'CT3') AS line
      FROM users m JOIN departments d ON d.id = m.department_id WHERE m.username = 'ct-manager'`)
  ).rows as { manager: string; path: string; line: string }[];
  const loadAverage = os.loadavg().map((n) => n.toFixed(1));
  console.log(
    `engine: ${database.engine}; ${counts.contracts} contracts, ${counts.terms} terms (${counts.open} open), ` +
      `${counts.receipts} receipts; load average ${loadAverage.join(' ')}`,
  );

  const app = await buildApp({ database, config: loadConfig({}) });
  const signIn = async (username: string) => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: PASSWORD },
    });
    if (login.statusCode !== 200) throw new Error(`${username}: ${login.body}`);
    return String(login.headers['set-cookie']).split(';')[0];
  };
  const cookies = { finance: await signIn('ct-finance'), manager: await signIn('ct-manager') };
  const getAs = (who: keyof typeof cookies) => async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie: cookies[who] } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.json();
  };
  const contractsRoute = await app.inject({
    method: 'GET',
    url: '/api/v1/contracts?pageSize=1',
    headers: { cookie: cookies.finance },
  });
  const hasContractList = contractsRoute.statusCode === 200;

  const asOf = localDate(new Date(), FIRM_TIME_ZONE);
  const bounds = [asOf, addDays(asOf, -1), addDays(asOf, -30), addDays(asOf, -90), addDays(asOf, -180)];
  /** The ageing of the open terms of receivable contracts (and orders) the reader sees, by `key`, with every group's totals. */
  const ageing = async (key: string, visible: string, params: unknown[], visibleOrder = visible) => {
    const n = params.length;
    const b = (i: number) => `$${n + i + 1}::date`;
    const sums = `coalesce(sum(open), 0)::numeric(16,2)::text AS outstanding,
      coalesce(sum(open) FILTER (WHERE due IS NULL OR due >= ${b(0)}), 0)::numeric(16,2)::text AS not_due,
      coalesce(sum(open) FILTER (WHERE due <= ${b(1)} AND due >= ${b(2)}), 0)::numeric(16,2)::text AS d1_30,
      coalesce(sum(open) FILTER (WHERE due < ${b(2)} AND due >= ${b(3)}), 0)::numeric(16,2)::text AS d31_90,
      coalesce(sum(open) FILTER (WHERE due < ${b(3)} AND due >= ${b(4)}), 0)::numeric(16,2)::text AS d91_180,
      coalesce(sum(open) FILTER (WHERE due < ${b(4)}), 0)::numeric(16,2)::text AS over_180, count(*)::int AS terms`;
    const page = await raw(
      `WITH t AS (
         SELECT ${key.replaceAll('x.', 'c.')} AS key, t.amount - t.received AS open, t.due_on AS due
         FROM payment_terms t JOIN contracts c ON c.id = t.contract_id
         WHERE t.received < t.amount AND c.status IN ('signed', 'in-progress', 'completed') AND ${visible.replaceAll('x.', 'c.')}
         UNION ALL
         SELECT ${key.replaceAll('x.', 'o.')}, t.amount - t.received, t.due_on
         FROM payment_terms t JOIN orders o ON o.id = t.order_id
         WHERE t.received < t.amount AND o.status IN ('confirmed', 'completed') AND ${visibleOrder.replaceAll('x.', 'o.')})
       SELECT key, ${sums}, count(*) OVER ()::int AS groups, sum(sum(open)) OVER ()::numeric(16,2)::text AS total
       FROM t GROUP BY key ORDER BY sum(open) DESC, key LIMIT 20`,
      [...params, ...bounds],
    );
    return page.rows as Row[];
  };
  const namesOf = async (table: string, column: string, rows: Row[]) =>
    (await raw(`SELECT id, ${column} AS name FROM ${table} WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.key)])).rows;
  const financeAgeing = async (by: 'department' | 'customer') => {
    const rows = await ageing(`x.${by}_id`, 'true', []);
    await namesOf(by === 'department' ? 'departments' : 'customers', 'name', rows);
    return rows;
  };
  const managerOrders = `(x.owner_id = $1 OR x.department_id IN (SELECT id FROM departments WHERE path LIKE $2))`;
  const managerVisible = `(x.owner_id = $1 OR x.department_id IN (SELECT id FROM departments WHERE path LIKE $2)
    OR EXISTS (SELECT 1 FROM contract_members m WHERE m.contract_id = x.id AND m.user_id = $1))`;
  const managerAgeing = async () => {
    const rows = await ageing('x.department_id', managerVisible, [fixture.manager, `${fixture.path}%`], managerOrders);
    await namesOf('departments', 'name', rows);
    return rows;
  };
  const sameAgeing = (what: string) => (api: { items: Row[]; totals: Row }, sql: Row[]) => {
    const a = api.items.map((g) => [g.key, g.outstanding, g['d1-30'], g['over-180'], g.terms]);
    const b = sql.map((g) => [g.key, g.outstanding, g.d1_30, g.over_180, g.terms]);
    if (JSON.stringify(a) !== JSON.stringify(b) || api.totals.outstanding !== sql[0]?.total)
      throw new Error(`${what}: the API and the raw SQL disagree:\n${JSON.stringify(a[0])}\n${JSON.stringify(b[0])}`);
  };
  /** The contract list (its first page, newest first) as the lead's list answers it: with names and outstanding. */
  const contractList = async (visible: string, params: unknown[]) => {
    const n = params.length;
    const where = `c.status = 'signed' AND c.business_line_id = $${n + 1} AND ${visible.replaceAll('x.', 'c.')}`;
    const page = await raw(
      `SELECT c.*, k.name AS customer_name, l.name AS business_line_name, u.display_name AS owner_name,
         (SELECT coalesce(sum(t.amount - t.received), 0) FROM payment_terms t WHERE t.contract_id = c.id)::text AS outstanding
       FROM contracts c JOIN customers k ON k.id = c.customer_id JOIN business_lines l ON l.id = c.business_line_id
       JOIN users u ON u.id = c.owner_id WHERE ${where} ORDER BY c.created_at DESC NULLS LAST, c.id LIMIT 20`,
      [...params, fixture.line],
    );
    // As the list pages: a first page that is not full is the whole list, counted without a second statement.
    if (page.rows.length < 20) return { ids: page.rows.map((r) => r.id), total: page.rows.length };
    const total = await raw(`SELECT count(*)::int AS n FROM contracts c WHERE ${where}`, [...params, fixture.line]);
    return { ids: page.rows.map((r) => r.id), total: total.rows[0].n };
  };
  const sameList = async (api: { items: { id: string }[]; total: number }, sql: { ids: unknown[]; total: number }) => {
    if (JSON.stringify(api.items.map((i) => i.id)) !== JSON.stringify(sql.ids) || api.total !== sql.total)
      throw new Error(`contract list: the API and the raw SQL disagree (${api.total} vs ${sql.total})`);
  };

  type Case = {
    name: string;
    who: keyof typeof cookies;
    url: string;
    plain: () => Promise<unknown>;
    same: (api: never, sql: never) => void | Promise<void>;
  };
  const cases: Case[] = [
    {
      name: 'receivables ageing by department (finance: all)',
      who: 'finance',
      url: '/api/v1/receivables?groupBy=department',
      plain: () => financeAgeing('department'),
      same: sameAgeing('by department, finance'),
    },
    {
      name: 'receivables ageing by department (manager: his subtree)',
      who: 'manager',
      url: '/api/v1/receivables?groupBy=department',
      plain: managerAgeing,
      same: sameAgeing('by department, manager'),
    },
    {
      name: 'receivables ageing by customer, first page (finance)',
      who: 'finance',
      url: '/api/v1/receivables?groupBy=customer',
      plain: () => financeAgeing('customer'),
      same: sameAgeing('by customer, finance'),
    },
    ...(hasContractList
      ? [
          {
            name: 'contract list, signed, one business line (finance)',
            who: 'finance' as const,
            url: `/api/v1/contracts?status=signed&businessLineId=${fixture.line}`,
            plain: () => contractList('true', []),
            same: sameList,
          },
          {
            name: 'contract list, signed, one business line (manager)',
            who: 'manager' as const,
            url: `/api/v1/contracts?status=signed&businessLineId=${fixture.line}`,
            plain: () => contractList(managerVisible, [fixture.manager, `${fixture.path}%`]),
            same: sameList,
          },
        ]
      : []),
  ];
  if (!hasContractList)
    console.log(`the contract list is not measured: GET /api/v1/contracts answers ${contractsRoute.statusCode} here`);

  const rows: string[] = [];
  for (const c of cases) {
    const get = getAs(c.who);
    await get(c.url); // a first request writes the session's sliding expiry: not part of the measured ones
    let answer: unknown;
    const sent = (
      await driver.capture(async () => {
        answer = await get(c.url);
      })
    ).filter((call) => !isSessionExpiryUpdate(textOf(call)));
    await c.same(answer as never, (await c.plain()) as never);
    const auth: Call[] = sent.filter((call) => /"sessions"/.test(textOf(call)));
    if (process.env.BENCH_EXPLAIN)
      for (const call of sent) {
        const plan = await raw(`EXPLAIN (ANALYZE, COSTS OFF) ${textOf(call)}`, paramsOf(call));
        console.log(`  ${textOf(call).replace(/\s+/g, ' ').slice(0, 200)}`);
        console.log(plan.rows.map((r) => `    ${Object.values(r)[0]}`).join('\n'));
      }
    const paths = [
      () => get(c.url),
      c.plain,
      async () => {
        for (const call of auth) await driver.replayRaw(call);
        await c.plain();
      },
    ];
    const [api, plain, withAuth] = await interleaved(paths, RUNS, 3);
    const cpu = database.engine === 'pglite' ? await interleaved(paths, RUNS, 1, cpuClock) : null;
    const ratio = api / plain;
    rows.push(
      [
        c.name,
        sent.length - auth.length,
        `${api.toFixed(1)} ms`,
        `${plain.toFixed(1)} ms`,
        `${ratio.toFixed(2)}×${ratio > LIMIT ? ' ⚠' : ''}`,
        `${withAuth.toFixed(1)} ms`,
        `${(api / withAuth).toFixed(2)}×`,
        ...(cpu ? [`${cpu[0].toFixed(1)} / ${cpu[1].toFixed(1)} ms`, `${(cpu[0] / cpu[1]).toFixed(2)}×`] : []),
      ].join(' | '),
    );
    console.log(rows[rows.length - 1]);
  }
  await app.close();
  console.log(
    `\n${database.engine}, ${counts.contracts} contracts, ${counts.terms} terms, ${counts.receipts} receipts; median of ${RUNS}, load average ${loadAverage.join(' ')} → ${os
      .loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}\n`,
  );
  const cpuColumns = database.engine === 'pglite' ? ' CPU: API / raw | CPU ratio |' : '';
  console.log(`| request | statements | API | raw SQL | API ÷ raw | raw + session lookup | API ÷ that |${cpuColumns}`);
  console.log(`|---|---|---|---|---|---|---|${cpuColumns.replace(/[^|]+/g, '---')}`);
  for (const row of rows) console.log(`| ${row} |`);
} finally {
  driver.restore();
  await database.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

/**
 * Staff (a finance user, a manager of a department with four below it, SELLERS salespeople over DEPARTMENTS
 * departments), 8 business lines, 5 branches, CUSTOMERS customers, CONTRACTS contracts in every status (3 terms
 * each: 30 % on signing, 40 % 90 days later, 30 % on completion), and RECEIPTS receipts spread over the receivable
 * terms (one or two each, each 40 % of the term — or 50 % for the first term, which two then settle) — in bulk SQL.
 */
async function load() {
  const db = database.db;
  const started = Date.now();
  await bootstrapDatabase(db);
  await raw(`INSERT INTO departments (name, path) SELECT 'ct-d' || g, '/' FROM generate_series(0, 3) g`);
  await raw(`UPDATE departments SET path = '/' || id || '/' WHERE name LIKE 'ct-d%'`);
  await raw(
    `INSERT INTO departments (name, parent_id, path)
     SELECT 'ct-d' || g, p.id, p.path FROM generate_series(4, ${DEPARTMENTS - 1}) g JOIN departments p ON p.name = 'ct-d' || (g % 4)`,
  );
  await raw(`UPDATE departments SET path = path || id || '/' WHERE name LIKE 'ct-d%' AND parent_id IS NOT NULL`);
  const depts = (await raw(`SELECT id FROM departments WHERE name LIKE 'ct-d%' ORDER BY name`)).rows.map(
    (r) => r.id as string,
  );
  const [{ d0 }] = (await raw(`SELECT id AS d0 FROM departments WHERE name = 'ct-d0'`)).rows as { d0: string }[];
  const user = (username: string, roleCode: string, departmentId: string | null, passwordHash?: string) =>
    seedUser(db, { username, displayName: username, password: PASSWORD, passwordHash, roleCode, departmentId });
  const manager = (await user('ct-manager', 'manager', d0)).id;
  await raw(`UPDATE departments SET manager_id = $1 WHERE id = $2`, [manager, d0]);
  await user('ct-finance', 'finance', null);
  for (let i = 0; i < SELLERS; i++) await user(`ct-s${i}`, 'salesperson', depts[i % DEPARTMENTS], 'x');
  await raw(`INSERT INTO business_lines (name, code) SELECT '业务' || g, 'CT' || g FROM generate_series(0, 7) g`);
  await raw(`INSERT INTO branches (name) SELECT 'ct-分所' || g FROM generate_series(0, 4) g`);
  await raw(
    `INSERT INTO customers (name, status, owner_id, search_text)
     SELECT '应收客户' || g || '有限公司', 'customer', s.id, 'ct' || g
     FROM generate_series(1, ${CUSTOMERS}) g JOIN users s ON s.username = 'ct-s' || (g % ${SELLERS})`,
  );
  console.log(`staff and ${CUSTOMERS} customers in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  // Contracts: g % 20 → 0–7 signed, 8–11 in progress, 12–15 completed, 16 draft, 17 in approval, 18 voided, 19 terminated.
  await raw(
    `WITH c AS (SELECT id, row_number() OVER (ORDER BY name) AS n FROM customers WHERE search_text LIKE 'ct%'),
          l AS (SELECT array_agg(id ORDER BY code) AS ids FROM business_lines WHERE code LIKE 'CT%'),
          b AS (SELECT array_agg(id ORDER BY name) AS ids FROM branches WHERE name LIKE 'ct-%')
     INSERT INTO contracts (title, customer_id, business_line_id, branch_id, owner_id, department_id, amount, status,
       number, signed_on, completed_on, created_at)
     SELECT '服务合同' || g, c.id, l.ids[1 + g % 8], CASE WHEN g % 11 = 0 THEN NULL ELSE b.ids[1 + g % 5] END,
       s.id, s.department_id, 30000 + (g % 97) * 100,
       (ARRAY['signed','signed','signed','signed','signed','signed','signed','signed','in-progress','in-progress',
         'in-progress','in-progress','completed','completed','completed','completed','draft','in-approval','voided',
         'terminated'])[1 + g % 20],
       CASE WHEN g % 20 < 16 OR g % 20 >= 18 THEN 'CT-' || g END,
       CASE WHEN g % 20 < 16 OR g % 20 >= 18 THEN current_date - (g % 500) END,
       CASE WHEN g % 20 BETWEEN 12 AND 15 THEN current_date - (g % 500) + 120 END,
       now() - g * interval '1 minute'
     FROM generate_series(1, ${CONTRACTS}) g
     JOIN c ON c.n = 1 + g % ${CUSTOMERS}
     JOIN users s ON s.username = 'ct-s' || (g % ${SELLERS})
     CROSS JOIN l CROSS JOIN b`,
  );
  await raw(
    `INSERT INTO payment_terms (contract_id, position, kind, amount, percent, trigger, trigger_days, due_on)
     SELECT c.id, p, (ARRAY['down-payment', 'progress', 'final'])[p],
       CASE p WHEN 1 THEN c.amount * 3 / 10 WHEN 2 THEN c.amount * 4 / 10 ELSE c.amount - c.amount * 3 / 10 - c.amount * 4 / 10 END,
       (ARRAY[30, 40, 30])[p], (ARRAY['signing', 'days-after-signing', 'completion'])[p], CASE WHEN p = 2 THEN 90 END,
       CASE p WHEN 1 THEN c.signed_on WHEN 2 THEN c.signed_on + 90 ELSE c.completed_on END
     FROM contracts c CROSS JOIN generate_series(1, 3) p WHERE c.title LIKE '服务合同%'`,
  );
  console.log(`contracts and terms in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  // Receipts: the g-th goes to the (g mod N)-th receivable term; its term id rides in `note` until the allocations exist.
  await raw(
    `WITH rt AS (SELECT t.id, t.amount, t.position, t.contract_id, c.customer_id, row_number() OVER (ORDER BY t.id) AS n
                 FROM payment_terms t JOIN contracts c ON c.id = t.contract_id
                 WHERE c.status IN ('signed', 'in-progress', 'completed')),
          cnt AS (SELECT count(*) AS n FROM rt)
     INSERT INTO receipts (customer_id, contract_id, received_on, amount, unallocated, payer, bank_reference, note, created_at)
     SELECT rt.customer_id, rt.contract_id, current_date - g % 300,
       CASE WHEN rt.position = 1 THEN rt.amount / 2 ELSE round(rt.amount * 0.4, 2) END, 0, '付款单位' || g, 'BR' || g,
       rt.id::text, now() - g * interval '1 minute'
     FROM generate_series(1, ${RECEIPTS}) g CROSS JOIN cnt JOIN rt ON rt.n = 1 + g % cnt.n`,
  );
  await raw(
    `INSERT INTO receipt_allocations (receipt_id, term_id, amount) SELECT id, note::uuid, amount FROM receipts WHERE note IS NOT NULL`,
  );
  await raw(`UPDATE receipts SET note = NULL WHERE note IS NOT NULL`);
  await raw(
    `UPDATE payment_terms t SET received = s.sum
     FROM (SELECT term_id, sum(amount) AS sum FROM receipt_allocations GROUP BY term_id) s WHERE t.id = s.term_id`,
  );
  await raw('ANALYZE');
  console.log(`loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
