/**
 * The data of bench/renewals.ts (issue 19), filled in bulk SQL (INSERT … SELECT generate_series, never row by row
 * through the services) on a dedicated connection with foreign-key triggers off (session_replication_role = replica:
 * every reference is consistent by construction).
 *
 * The shape: five years of business up to `today` (from 2022-01-01). 4 branches, 7 regions, 8 business lines (codes
 * RN-…, 审计 / 代理记账 / 税务咨询 most bought), the independence conflict pair 代理记账 × 审计; 4 departments, 200
 * salespeople (rn-s0 … rn-s199) owning the customers, a partner (rn-exec).
 * - 100,000 customers with a realistic skew: industry (制造业 28 %, 批发和零售业 17 %, 建筑业 11 % … 12 in all), size
 *   (micro 38 %, small 34 %, medium 20 %, large 8 %), region (华东 30 % … 东北 4 %, 1 in 50 none); 1 in 10 a prospect
 *   (never bought), 1 in 40 of the rest former 流失.
 * - 300,000 contracts signed evenly over the five years, spread over the customers with a power law (a few buy
 *   dozens of times, most two to four times); the business line drawn by the customer's industry group and size (a
 *   construction customer buys 工程预结算审价 and 招投标代理, a micro one 代理记账 …); ¥6,000–300,000, one or two lines
 *   (every third two); one year long; 1 in 40 voided, 1 in 50 terminated, the last 100 drafts, completed once ended.
 *   Recurring: those signed in the last year in 审计 (annual), 代理记账 (two in three monthly, else annual) and 税务咨询
 *   (quarterly or annual) still running — their end dates spread over the coming year.
 * - An order for each contract not a draft (its lines: the contract's line, every 7th a second line of 税务咨询 or
 *   代理记账), and 30,000 orders without a contract (the 代理记账 ones of the last 45 days recurring monthly).
 * - A won opportunity for each contract (a month before it was signed) and a lost one of another line for every
 *   third (400,000 in all), with the stage change that closed it.
 * - Payment terms for the contracts of the last two years (50 % on signing, 50 % 180 days later) and the orders
 *   without a contract; each term due by today paid by one receipt around its due date (9 in 10), allocated.
 * - Active customer services: every 5th customer an annual 审计 (due 30 April next for 7 in 10, else spread over the
 *   coming year), every 8th (not an audit one) a 代理记账 — monthly (1 in 5, due in the coming month) or annual (due
 *   over the coming year).
 * - Renewal rules: 审计 60 days, 代理记账 30 days (the others the default).
 * - The story customer 故事客户 (rn-story, owner rn-s0) with ~500 timeline items over the five years: 150 contact
 *   logs, 100 activities, 30 opportunities with 80 stage changes, 20 quotes, 25 contracts with their orders, 50 terms,
 *   45 receipts and 25 invoices.
 */
import pg from 'pg';
import type { Db } from '../server/db/client';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';

export const DATA = {
  first: '2022-01-01',
  customers: 100_000,
  contracts: 300_000,
  standaloneOrders: 30_000,
  sellers: 200,
  password: 'Bench-pass-1',
  story: '故事客户有限公司',
};

const BRANCHES = ['北京', '上海', '西安', '深圳'];
/** [name, weight %] */
const REGIONS: [string, number][] = [
  ['华东', 30],
  ['华北', 20],
  ['华南', 17],
  ['西北', 10],
  ['华中', 10],
  ['西南', 9],
  ['东北', 4],
];
const INDUSTRIES: [string, number][] = [
  ['制造业', 28],
  ['批发和零售业', 17],
  ['建筑业', 11],
  ['信息技术', 9],
  ['房地产业', 6],
  ['交通运输', 5],
  ['住宿和餐饮业', 5],
  ['金融业', 3],
  ['教育', 3],
  ['医疗卫生', 3],
  ['农林牧渔', 4],
  ['其他服务业', 6],
];
/** Construction and real estate buy the engineering lines; the others the accounting ones. */
const BUILDING = new Set(['建筑业', '房地产业']);
const SIZES: [string, number][] = [
  ['micro', 38],
  ['small', 34],
  ['medium', 20],
  ['large', 8],
];
export const LINES: [string, string][] = [
  ['审计', 'RN-SJ'],
  ['代理记账', 'RN-DZ'],
  ['税务咨询', 'RN-SW'],
  ['验资', 'RN-YZ'],
  ['资产评估', 'RN-PG'],
  ['工程预结算审价', 'RN-GC'],
  ['招投标代理', 'RN-ZB'],
  ['工程咨询', 'RN-ZX'],
];
/**
 * The line a contract buys, per industry group (0 accounting, 1 building) and size: weights in the order of LINES
 * (审计 代理记账 税务咨询 验资 资产评估 工程审价 招投标 工程咨询), each row 100.
 */
const LINE_WEIGHTS: number[][] = [
  [20, 40, 22, 6, 5, 3, 2, 2], // accounting, micro
  [30, 28, 24, 7, 6, 2, 2, 1], // accounting, small
  [42, 12, 24, 8, 9, 2, 2, 1], // accounting, medium
  [50, 4, 24, 6, 12, 2, 1, 1], // accounting, large
  [14, 20, 10, 4, 4, 24, 16, 8], // building, micro
  [18, 12, 10, 4, 5, 26, 16, 9], // building, small
  [24, 6, 10, 4, 6, 26, 14, 10], // building, medium
  [30, 2, 10, 3, 8, 24, 12, 11], // building, large
];
/** Amount range in thousands per line: [min, steps]. */
const AMOUNTS: [number, number][] = [
  [30, 270],
  [6, 30],
  [10, 70],
  [8, 40],
  [20, 180],
  [20, 200],
  [15, 60],
  [20, 120],
];

/** 100 entries drawn from weights, for `(array)[1 + hash % 100]`. */
const spread = (items: [string, number][]) => items.flatMap(([v, w]) => Array<string>(w).fill(v));

const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;
const arrayLit = (values: string[]) => `ARRAY[${values.map(lit).join(', ')}]`;
/** The line codes of each profile (industry group × size), 100 a row: `(PROFILE_LINES)[profile + 1][1 + hash % 100]`. */
const PROFILE_LINES = `ARRAY[${LINE_WEIGHTS.map((w) => arrayLit(spread(LINES.map((l, i) => [l[1], w[i]])))).join(', ')}]`;
const AMOUNT_MIN = `ARRAY[${AMOUNTS.map((a) => a[0]).join(', ')}]`;
const AMOUNT_STEPS = `ARRAY[${AMOUNTS.map((a) => a[1]).join(', ')}]`;

export async function fill(db: Db, databaseUrl: string, today: string) {
  const started = Date.now();
  const lap = (what: string) => console.log(`  ${what}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await bootstrapDatabase(db);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const q = (text: string, params: unknown[] = []) => client.query(text, params);
  const N = DATA;
  try {
    await q(`SET session_replication_role = replica`);
    await q(`SET synchronous_commit = off`);
    await q(`SET work_mem = '256MB'`);

    // ——— Reference data, people ———
    await q(
      `INSERT INTO branches (name, code, sort_order) SELECT n, 'RN' || i, i FROM unnest($1::text[]) WITH ORDINALITY b(n, i)
       ON CONFLICT (name) DO NOTHING`,
      [BRANCHES],
    );
    await q(
      `INSERT INTO regions (name, code, sort_order) SELECT n, 'RN' || i, i FROM unnest($1::text[]) WITH ORDINALITY r(n, i)
       ON CONFLICT (name) DO NOTHING`,
      [REGIONS.map((r) => r[0])],
    );
    await q(
      `INSERT INTO business_lines (name, code, sort_order) SELECT n, c, i FROM unnest($1::text[], $2::text[]) WITH ORDINALITY b(n, c, i)`,
      [LINES.map((l) => l[0]), LINES.map((l) => l[1])],
    );
    await q(
      `INSERT INTO business_line_conflicts (line_a, line_b)
       SELECT least(a.id, b.id), greatest(a.id, b.id) FROM business_lines a, business_lines b WHERE a.code = 'RN-SJ' AND b.code = 'RN-DZ'`,
    );
    await q(
      `INSERT INTO renewal_rules (business_line_id, lead_days) SELECT id, CASE code WHEN 'RN-SJ' THEN 60 ELSE 30 END
       FROM business_lines WHERE code IN ('RN-SJ', 'RN-DZ')`,
    );
    await q(
      `CREATE TEMP TABLE rn_line AS SELECT sort_order - 1 AS k, id, code FROM business_lines WHERE code LIKE 'RN-%'`,
    );
    await q(
      `CREATE TEMP TABLE rn_region AS SELECT r.id, w.name FROM unnest($1::text[]) w(name) JOIN regions r ON r.name = w.name`,
      [REGIONS.map((r) => r[0])],
    );
    const depts = ['业务一部', '业务二部', '审计部', '税务部'];
    await q(
      `INSERT INTO departments (name, path, sort_order) SELECT n, '/', i FROM unnest($1::text[]) WITH ORDINALITY d(n, i)`,
      [depts],
    );
    await q(`UPDATE departments SET path = '/' || id || '/' WHERE name = ANY($1)`, [depts]);
    await q(
      `CREATE TEMP TABLE rn_dept AS SELECT d.k - 1 AS k, x.id, b.id AS branch FROM unnest($1::text[], $2::text[]) WITH ORDINALITY d(name, branch, k)
       JOIN departments x ON x.name = d.name JOIN branches b ON b.name = d.branch`,
      [depts, BRANCHES],
    );
    const [dept0] = (await q(`SELECT id, branch FROM rn_dept WHERE k = 0`)).rows;
    const exec = await seedUser(db, {
      username: 'rn-exec',
      displayName: '合伙人',
      password: N.password,
      roleCode: 'executive',
      departmentId: dept0.id,
      branchId: dept0.branch,
    });
    const seller0 = await seedUser(db, {
      username: 'rn-s0',
      displayName: '销售000',
      password: N.password,
      roleCode: 'salesperson',
      departmentId: dept0.id,
      branchId: dept0.branch,
    });
    await q(
      `INSERT INTO users (username, display_name, password_hash, role_id, department_id, branch_id, staff_category)
       SELECT 'rn-s' || g, '销售' || lpad(g::text, 3, '0'), $1, (SELECT id FROM roles WHERE code = 'salesperson'), d.id, d.branch, 'frontline'
       FROM generate_series(1, $2 - 1) g JOIN rn_dept d ON d.k = g % 4`,
      [seller0.passwordHash, N.sellers],
    );
    await q(`CREATE TEMP TABLE rn_sales AS SELECT substr(username, 5)::int AS k, id, department_id AS dept, branch_id AS branch
             FROM users WHERE username LIKE 'rn-s%'`);
    await q(`ALTER TABLE rn_sales ADD PRIMARY KEY (k)`);
    void exec;
    lap('reference data and people');

    // ——— 100,000 customers ———
    // Customer k: industry, size and region drawn from its own hashes; 1 in 10 (k % 10 = 9) a prospect.
    await q(
      `CREATE TEMP TABLE rn_cust AS
       SELECT c.k, gen_random_uuid() AS id, s.id AS owner, s.branch, ind, siz,
         CASE WHEN c.k % 50 = 7 THEN NULL ELSE (SELECT id FROM rn_region WHERE name = reg) END AS region,
         (CASE WHEN ind IN (${[...BUILDING].map(lit).join(', ')}) THEN 4 ELSE 0 END) + array_position(ARRAY['micro', 'small', 'medium', 'large'], siz) - 1 AS profile,
         CASE WHEN c.k % 10 = 9 THEN 'prospect' WHEN c.k % 400 = 3 THEN 'former' ELSE 'customer' END AS status,
         $1::timestamptz + (c.k % 1500) * interval '1 day' AS created_at
       FROM (SELECT g AS k,
               (${arrayLit(spread(INDUSTRIES))})[1 + abs(hashtext('i' || g)) % 100] AS ind,
               (${arrayLit(spread(SIZES))})[1 + abs(hashtext('s' || g)) % 100] AS siz,
               (${arrayLit(spread(REGIONS))})[1 + abs(hashtext('r' || g)) % 100] AS reg
             FROM generate_series(0, $2 - 1) g) c
       JOIN rn_sales s ON s.k = c.k % ${N.sellers}`,
      [N.first, N.customers],
    );
    await q(`ALTER TABLE rn_cust ADD PRIMARY KEY (k)`);
    // The story customer: slot 19 (a prospect slot, so the generated contracts never land on it), a customer of rn-s0.
    await q(
      `UPDATE rn_cust SET status = 'customer', owner = $1, ind = '制造业', siz = 'medium', profile = 2 WHERE k = 19`,
      [seller0.id],
    );
    await q(
      `INSERT INTO customers (id, name, status, industry, size, owner_id, region_id, branch_id, search_text, last_contact_at, created_at, updated_at)
       SELECT id, CASE WHEN k = 19 THEN $2 ELSE '客户' || k || '有限公司' END, status, ind, siz, owner, region, branch,
         CASE WHEN k = 19 THEN $2 ELSE '客户' || k || '有限公司' END, $1::timestamptz - (k % 200) * interval '1 day', created_at, created_at
       FROM rn_cust`,
      [today, N.story],
    );
    lap(`${N.customers} customers`);

    // ——— 300,000 contracts ———
    // Contract g: signed evenly over the five years; its customer x drawn by a power law over the 90,000 buying
    // customers (k % 10 <> 9), its line from the customer's profile.
    await q(
      `CREATE TEMP TABLE rn_con AS
       WITH c AS (
         SELECT g, gen_random_uuid() AS id, gen_random_uuid() AS order_id,
           $1::date + ((g - 1)::bigint * ($2::date - $1::date - 1) / $3)::int AS signed_on,
           floor(${N.customers * 0.9} * power(abs(hashtext('c' || g)) % 1000003 / 1000003.0, 1.6))::int AS x
         FROM generate_series(1, $3) g
       )
       SELECT c.g, c.id, c.order_id, gen_random_uuid() AS opp, c.signed_on, cu.id AS customer, cu.k AS ck, l.id AS line, l.k AS lk,
         s.id AS owner, s.dept, s.branch,
         (${AMOUNT_MIN})[l.k + 1] * 1000 + (abs(hashtext('a' || c.g)) % (${AMOUNT_STEPS})[l.k + 1]) * 1000 AS amount,
         CASE WHEN c.g > $3 - 100 THEN 'draft' WHEN c.g % 40 = 0 THEN 'voided' WHEN c.g % 50 = 1 THEN 'terminated'
           WHEN c.signed_on + 364 < $2::date THEN 'completed' WHEN c.signed_on > $2::date - 20 THEN 'signed' ELSE 'in-progress' END AS status
       FROM c JOIN rn_cust cu ON cu.k = (c.x / 9) * 10 + c.x % 9
       JOIN rn_line l ON l.code = (${PROFILE_LINES})[cu.profile + 1][1 + abs(hashtext('l' || c.g)) % 100]
       JOIN rn_sales s ON s.id = cu.owner`,
      [N.first, today, N.contracts],
    );
    await q(`ALTER TABLE rn_con ADD PRIMARY KEY (g)`);
    await q(`ANALYZE rn_con`);
    await q(
      `INSERT INTO contracts (id, title, customer_id, opportunity_id, business_line_id, branch_id, owner_id, department_id, amount, status, number,
         start_on, end_on, signed_on, completed_on, recurring_cycle, created_at, updated_at, created_by)
       SELECT c.id, l.code || '合同' || c.g, c.customer, c.opp, c.line, c.branch, c.owner, c.dept, c.amount, c.status,
         CASE WHEN c.status <> 'draft' THEN 'RN-HT-' || lpad(c.g::text, 6, '0') END,
         c.signed_on, c.signed_on + 364, CASE WHEN c.status <> 'draft' THEN c.signed_on END,
         CASE WHEN c.status = 'completed' THEN c.signed_on + 364 END,
         CASE WHEN c.status IN ('signed', 'in-progress') THEN
           CASE l.code WHEN 'RN-SJ' THEN 'annual' WHEN 'RN-DZ' THEN CASE WHEN c.g % 3 = 0 THEN 'annual' ELSE 'monthly' END
             WHEN 'RN-SW' THEN CASE WHEN c.g % 2 = 0 THEN 'quarterly' ELSE 'annual' END END END,
         c.signed_on - 5, c.signed_on, c.owner
       FROM rn_con c JOIN rn_line l ON l.id = c.line`,
    );
    await q(
      `INSERT INTO contract_lines (contract_id, position, description, amount)
       SELECT c.id, p, CASE WHEN p = 1 THEN bl.name || '服务' ELSE bl.name || '附加服务' END,
         CASE WHEN c.g % 3 <> 0 THEN c.amount WHEN p = 1 THEN round(c.amount * 0.6, 2) ELSE c.amount - round(c.amount * 0.6, 2) END
       FROM rn_con c JOIN business_lines bl ON bl.id = c.line CROSS JOIN generate_series(1, CASE WHEN c.g % 3 = 0 THEN 2 ELSE 1 END) p`,
    );
    await q(
      `INSERT INTO contract_members (contract_id, user_id)
       SELECT c.id, s.id FROM rn_con c JOIN rn_sales s ON s.k = (c.g * 7 + 1) % ${N.sellers} WHERE c.g % 4 = 0 AND s.id <> c.owner`,
    );
    lap(`${N.contracts} contracts, their lines`);

    // ——— Opportunities: the won one of each contract (a month before signing), a lost one for every third ———
    await q(
      `CREATE TEMP TABLE rn_pl AS
       SELECT array_agg(id ORDER BY position) FILTER (WHERE kind = 'open') AS opens,
         (array_agg(id) FILTER (WHERE kind = 'won'))[1] AS won, (array_agg(id) FILTER (WHERE kind = 'lost'))[1] AS lost
       FROM pipeline_stages WHERE business_line_id IS NULL AND active`,
    );
    await q(
      `CREATE TEMP TABLE rn_opp AS
       SELECT c.opp AS id, c.g, c.customer, c.line, c.owner, c.dept, c.amount, 'won' AS status,
         c.signed_on - 30 AS created_on, c.signed_on - 2 AS closed_on FROM rn_con c
       UNION ALL
       SELECT gen_random_uuid(), -c.g, c.customer, l.id, c.owner, c.dept, round(c.amount * 0.8, -3), 'lost',
         c.signed_on - 60, c.signed_on - 10
       FROM rn_con c JOIN rn_line l ON l.k = (c.lk + 2) % 8 WHERE c.g % 3 = 0`,
    );
    await q(
      `INSERT INTO opportunities (id, name, customer_id, business_line_id, stage_id, status, probability, expected_amount,
         expected_close_on, owner_id, department_id, lost_reason, closed_at, stage_entered_at, search_text, created_at, updated_at, created_by)
       SELECT o.id, '商机' || o.g, o.customer, o.line, CASE o.status WHEN 'won' THEN p.won ELSE p.lost END, o.status,
         CASE o.status WHEN 'won' THEN 100 ELSE 0 END, o.amount, o.closed_on, o.owner, o.dept,
         CASE WHEN o.status = 'lost' THEN (ARRAY['价格过高', '选择了竞争对手', '需求取消'])[1 + abs(o.g) % 3] END,
         o.closed_on::timestamptz, o.closed_on::timestamptz, 'rno' || o.g, o.created_on, o.closed_on, o.owner
       FROM rn_opp o, rn_pl p`,
    );
    await q(
      `INSERT INTO opportunity_stage_changes (opportunity_id, from_stage_id, to_stage_id, from_status, to_status, at, by_user_id)
       SELECT o.id, p.opens[3], CASE o.status WHEN 'won' THEN p.won ELSE p.lost END, 'open', o.status, o.closed_on::timestamptz, o.owner
       FROM rn_opp o, rn_pl p`,
    );
    lap('opportunities (won and lost) and their closing');

    // ——— Orders: one per contract not a draft, and 30,000 without a contract ———
    await q(
      `INSERT INTO orders (id, title, contract_id, customer_id, business_line_id, owner_id, department_id, amount, status, number,
         confirmed_on, completed_on, created_at, updated_at, created_by)
       SELECT order_id, '订单' || g, id, customer, line, owner, dept, amount,
         CASE status WHEN 'voided' THEN 'cancelled' WHEN 'completed' THEN 'completed' ELSE 'confirmed' END,
         'RN-DD-' || lpad(g::text, 6, '0'), least(signed_on + 3, $1::date), CASE WHEN status = 'completed' THEN signed_on + 364 END,
         signed_on, signed_on, owner
       FROM rn_con WHERE status <> 'draft'`,
      [today],
    );
    // Every 7th order has a second line: 税务咨询 (or 代理记账 when the first is 税务咨询).
    await q(
      `INSERT INTO order_lines (order_id, position, business_line_id, description, amount)
       SELECT c.order_id, p, CASE WHEN p = 1 THEN c.line WHEN c.lk = 2 THEN (SELECT id FROM rn_line WHERE k = 1) ELSE (SELECT id FROM rn_line WHERE k = 2) END,
         CASE WHEN p = 1 THEN '主要服务' ELSE '附加服务' END,
         CASE WHEN c.g % 7 <> 0 THEN c.amount WHEN p = 1 THEN round(c.amount * 0.8, 2) ELSE c.amount - round(c.amount * 0.8, 2) END
       FROM rn_con c CROSS JOIN generate_series(1, CASE WHEN c.g % 7 = 0 THEN 2 ELSE 1 END) p WHERE c.status <> 'draft'`,
    );
    await q(
      `CREATE TEMP TABLE rn_ord AS
       WITH o AS (
         SELECT g, gen_random_uuid() AS id, $1::date + ((g - 1)::bigint * ($2::date - $1::date - 1) / $3)::int AS confirmed_on,
           floor(${N.customers * 0.9} * power(abs(hashtext('o' || g)) % 1000003 / 1000003.0, 1.3))::int AS x
         FROM generate_series(1, $3) g
       )
       SELECT o.g, o.id, o.confirmed_on, cu.id AS customer, s.id AS owner, s.dept, l.id AS line, l.code,
         (${AMOUNT_MIN})[l.k + 1] * 500 + (abs(hashtext('b' || o.g)) % 20) * 500 AS amount
       FROM o JOIN rn_cust cu ON cu.k = (o.x / 9) * 10 + o.x % 9 JOIN rn_sales s ON s.id = cu.owner
       JOIN rn_line l ON l.code = (${PROFILE_LINES})[cu.profile + 1][1 + abs(hashtext('m' || o.g)) % 100]`,
      [N.first, today, N.standaloneOrders],
    );
    await q(
      `INSERT INTO orders (id, title, customer_id, business_line_id, owner_id, department_id, amount, status, number,
         confirmed_on, completed_on, recurring_cycle, created_at, updated_at, created_by)
       SELECT id, '单项订单' || g, customer, line, owner, dept, amount,
         CASE WHEN confirmed_on < $1::date - 60 THEN 'completed' ELSE 'confirmed' END, 'RN-DX-' || lpad(g::text, 6, '0'),
         confirmed_on, CASE WHEN confirmed_on < $1::date - 60 THEN confirmed_on + 30 END,
         CASE WHEN code = 'RN-DZ' AND confirmed_on >= $1::date - 45 THEN 'monthly' END, confirmed_on, confirmed_on, owner
       FROM rn_ord`,
      [today],
    );
    await q(
      `INSERT INTO order_lines (order_id, position, business_line_id, description, amount)
       SELECT id, 1, line, '单项服务', amount FROM rn_ord`,
    );
    lap('orders and their lines');

    // ——— Terms (contracts of the last two years, orders without one), receipts ———
    await q(
      `INSERT INTO payment_terms (contract_id, position, kind, amount, percent, trigger, trigger_days, due_on)
       SELECT c.id, t.pos, t.kind, CASE WHEN t.pos = 1 THEN round(c.amount * 0.5, 2) ELSE c.amount - round(c.amount * 0.5, 2) END,
         50, 'days-after-signing', t.days, CASE WHEN c.status <> 'draft' THEN c.signed_on + t.days END
       FROM rn_con c CROSS JOIN (VALUES (1, 'down-payment', 0), (2, 'final', 180)) t(pos, kind, days)
       WHERE c.signed_on > $1::date - 730`,
      [today],
    );
    await q(
      `INSERT INTO payment_terms (order_id, position, kind, amount, percent, trigger, trigger_date, due_on)
       SELECT id, 1, 'final', amount, 100, 'date', confirmed_on + 30, confirmed_on + 30 FROM rn_ord`,
    );
    await q(
      `CREATE TEMP TABLE rn_rcpt AS
       SELECT gen_random_uuid() AS id, t.id AS term, t.contract_id, t.order_id, s.customer_id AS customer, t.amount,
         t.due_on + abs(hashtext(t.id::text)) % 30 - 5 AS received_on
       FROM payment_terms t
       JOIN LATERAL (SELECT customer_id, status FROM contracts WHERE id = t.contract_id
                     UNION ALL SELECT customer_id, status FROM orders WHERE id = t.order_id) s ON true
       WHERE t.due_on IS NOT NULL AND s.status IN ('signed', 'in-progress', 'completed', 'confirmed')
         AND abs(hashtext(t.id::text || 'p')) % 10 <> 0 AND t.due_on + abs(hashtext(t.id::text)) % 30 - 5 <= $1::date`,
      [today],
    );
    await q(
      `INSERT INTO receipts (id, customer_id, contract_id, order_id, received_on, amount, unallocated, payer, status, created_at, updated_at)
       SELECT id, customer, contract_id, order_id, received_on, amount, 0, '付款单位', 'valid', received_on, received_on FROM rn_rcpt`,
    );
    await q(
      `INSERT INTO receipt_allocations (receipt_id, term_id, amount, created_at) SELECT id, term, amount, received_on FROM rn_rcpt`,
    );
    await q(`UPDATE payment_terms t SET received = r.amount FROM rn_rcpt r WHERE r.term = t.id`);
    lap('terms, receipts, allocations');

    // ——— Customer services (recurring profile) ———
    await q(
      `INSERT INTO customer_services (customer_id, business_line_id, cycle, next_due_on, notes)
       SELECT c.id, (SELECT id FROM rn_line WHERE code = 'RN-SJ'), 'annual',
         CASE WHEN abs(hashtext('v' || c.k)) % 10 < 7 THEN make_date(extract(year FROM $1::date)::int + 1, 4, 30)
           ELSE $1::date + 1 + abs(hashtext('v' || c.k)) % 365 END, '年度审计'
       FROM rn_cust c WHERE c.k % 5 = 0 AND c.status = 'customer'`,
      [today],
    );
    await q(
      `INSERT INTO customer_services (customer_id, business_line_id, cycle, next_due_on, notes)
       SELECT c.id, (SELECT id FROM rn_line WHERE code = 'RN-DZ'), CASE WHEN c.k % 5 = 1 THEN 'monthly' ELSE 'annual' END,
         $1::date + 1 + abs(hashtext('w' || c.k)) % CASE WHEN c.k % 5 = 1 THEN 30 ELSE 365 END, '代理记账'
       FROM rn_cust c WHERE c.k % 8 = 1 AND c.k % 5 <> 0 AND c.status = 'customer'`,
      [today],
    );
    lap('customer services');
  } finally {
    await client.end();
  }
  await fillStory(databaseUrl, today);
  lap('the story customer');
  const vacuum = new pg.Client({ connectionString: databaseUrl });
  await vacuum.connect();
  await vacuum.query('VACUUM ANALYZE');
  await vacuum.end();
  console.log(`  filled in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * The story customer's ~500 items, spread over the five years (item i of a kind at first + i × span / count, a few
 * hours apart by kind so that no two share a moment): contact logs, activities, opportunities and their stage
 * changes, quotes, contracts, orders, terms, receipts, invoices.
 */
export async function fillStory(databaseUrl: string, today: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const q = (text: string, params: unknown[] = []) => client.query(text, params);
  try {
    await q(`SET session_replication_role = replica`);
    await q(
      `CREATE TEMP TABLE rn_line AS SELECT sort_order - 1 AS k, id, code FROM business_lines WHERE code LIKE 'RN-%'`,
    );
    await storyItems(q, today);
    await q(`ANALYZE`);
  } finally {
    await client.end();
  }
}

async function storyItems(q: (text: string, params?: unknown[]) => Promise<pg.QueryResult>, today: string) {
  const [cu] = (await q(`SELECT id, owner_id AS owner FROM customers WHERE name = $1`, [DATA.story])).rows;
  const owner = cu.owner as string;
  const [dept] = (await q(`SELECT department_id AS id FROM users WHERE id = $1`, [owner])).rows;
  const span = `($2::timestamptz - $1::timestamptz - interval '2 days')`;
  const at = (i: string, n: number, hours: number) =>
    `($1::timestamptz + ${span} * ((${i})::float8 / ${n}) + interval '${hours} hours')`;
  const P = [DATA.first, today, cu.id, owner, dept.id];
  await q(
    `INSERT INTO contact_logs (customer_id, direction, channel, occurred_at, user_id, summary, created_at, updated_at, created_by)
     SELECT $3, CASE WHEN i % 3 = 0 THEN 'inbound' ELSE 'outbound' END, (ARRAY['phone', 'visit', 'email', 'wechat', 'meeting'])[1 + i % 5],
       ${at('i', 150, 1)}, $4, '联系' || i || '：沟通服务需求', ${at('i', 150, 1)}, ${at('i', 150, 1)}, $4
     FROM generate_series(0, 149) i`,
    P.slice(0, 4),
  );
  await q(
    `INSERT INTO activities (category, subject, status, due_at, done_at, owner_id, customer_id, created_at, updated_at, created_by)
     SELECT (ARRAY['call', 'visit', 'meeting', 'email'])[1 + i % 4], '跟进' || i, 'done', ${at('i', 100, 2)}, ${at('i', 100, 2)}, $4, $3,
       ${at('i', 100, 2)} - interval '1 day', ${at('i', 100, 2)}, $4
     FROM generate_series(0, 99) i`,
    P.slice(0, 4),
  );
  await q(
    `CREATE TEMP TABLE rn_story_opp AS
     SELECT i, gen_random_uuid() AS id, ${at('i', 30, 3)} AS created_at, 1 + i % 3 AS k, i < 27 AS closed, i % 2 = 0 AS won,
       (SELECT id FROM rn_line WHERE k = i % 3) AS line
     FROM generate_series(0, 29) i`,
    P.slice(0, 2),
  );
  await q(
    `CREATE TEMP TABLE rn_story_pl AS
     SELECT array_agg(id ORDER BY position) FILTER (WHERE kind = 'open') AS opens,
       (array_agg(id) FILTER (WHERE kind = 'won'))[1] AS won, (array_agg(id) FILTER (WHERE kind = 'lost'))[1] AS lost
     FROM pipeline_stages WHERE business_line_id IS NULL AND active`,
  );
  await q(
    `INSERT INTO opportunities (id, name, customer_id, business_line_id, stage_id, status, probability, expected_amount,
       owner_id, department_id, closed_at, stage_entered_at, search_text, created_at, updated_at, created_by)
     SELECT o.id, '故事商机' || o.i, $1, o.line,
       CASE WHEN NOT o.closed THEN p.opens[o.k] WHEN o.won THEN p.won ELSE p.lost END,
       CASE WHEN NOT o.closed THEN 'open' WHEN o.won THEN 'won' ELSE 'lost' END,
       CASE WHEN NOT o.closed THEN 10 * o.k WHEN o.won THEN 100 ELSE 0 END, 50000 + o.i * 1000, $2, $3,
       CASE WHEN o.closed THEN o.created_at + interval '20 days' END, o.created_at + interval '20 days', '故事商机' || o.i,
       o.created_at, o.created_at, $2
     FROM rn_story_opp o, rn_story_pl p`,
    [cu.id, owner, dept.id],
  );
  // k open stages (5 days apart) and the close: 27 × 1–3 + 27 ≈ 80 changes.
  await q(
    `INSERT INTO opportunity_stage_changes (opportunity_id, from_stage_id, to_stage_id, from_status, to_status, at, by_user_id)
     SELECT o.id, CASE WHEN j > 1 THEN p.opens[j - 1] END, p.opens[j], CASE WHEN j > 1 THEN 'open' END, 'open',
       o.created_at + (j - 1) * interval '5 days', $1::uuid
     FROM rn_story_opp o CROSS JOIN rn_story_pl p CROSS JOIN LATERAL generate_series(1, o.k) j WHERE j > 1 OR o.i % 2 = 0
     UNION ALL
     SELECT o.id, p.opens[o.k], CASE WHEN o.won THEN p.won ELSE p.lost END, 'open', CASE WHEN o.won THEN 'won' ELSE 'lost' END,
       o.created_at + interval '20 days', $1::uuid
     FROM rn_story_opp o CROSS JOIN rn_story_pl p WHERE o.closed`,
    [owner],
  );
  await q(
    `INSERT INTO quotes (opportunity_id, version, status, total, notes, created_at, updated_at, created_by)
     SELECT o.id, 1, CASE WHEN o.won THEN 'accepted' ELSE 'sent' END, 50000 + o.i * 1000, '报价', o.created_at + interval '6 days',
       o.created_at + interval '6 days', $1
     FROM rn_story_opp o WHERE o.i < 20`,
    [owner],
  );
  await q(
    `CREATE TEMP TABLE rn_story_con AS
     SELECT i, gen_random_uuid() AS id, gen_random_uuid() AS order_id, ($1::date + (($2::date - $1::date - 30) * i / 25)) AS signed_on,
       (SELECT id FROM rn_line WHERE k = i % 3) AS line, 40000 + i * 2000 AS amount
     FROM generate_series(0, 24) i`,
    [DATA.first, today],
  );
  await q(
    `INSERT INTO contracts (id, title, customer_id, business_line_id, owner_id, department_id, amount, status, number, start_on, end_on,
       signed_on, completed_on, created_at, updated_at, created_by)
     SELECT id, '故事合同' || i, $1, line, $2, $3, amount, CASE WHEN signed_on + 364 < $4::date THEN 'completed' ELSE 'in-progress' END,
       'RN-GS-' || i, signed_on, signed_on + 364, signed_on, CASE WHEN signed_on + 364 < $4::date THEN signed_on + 364 END,
       signed_on - 3, signed_on, $2
     FROM rn_story_con`,
    [cu.id, owner, dept.id, today],
  );
  await q(
    `INSERT INTO contract_lines (contract_id, position, description, amount) SELECT id, 1, '服务', amount FROM rn_story_con`,
  );
  await q(
    `INSERT INTO orders (id, title, contract_id, customer_id, business_line_id, owner_id, department_id, amount, status, number, confirmed_on,
       created_at, updated_at, created_by)
     SELECT order_id, '故事订单' || i, id, $1, line, $2, $3, amount, 'confirmed', 'RN-GD-' || i, signed_on + 2,
       signed_on + 2, signed_on + 2, $2 FROM rn_story_con`,
    [cu.id, owner, dept.id],
  );
  await q(
    `INSERT INTO order_lines (order_id, position, business_line_id, description, amount) SELECT order_id, 1, line, '服务', amount FROM rn_story_con`,
  );
  await q(
    `INSERT INTO payment_terms (contract_id, position, kind, amount, percent, trigger, trigger_days, due_on)
     SELECT c.id, t.pos, t.kind, c.amount / 2, 50, 'days-after-signing', t.days, c.signed_on + t.days
     FROM rn_story_con c CROSS JOIN (VALUES (1, 'down-payment', 0), (2, 'final', 120)) t(pos, kind, days)`,
  );
  // 45 of the 50 terms paid (the last five not), 25 invoiced (the first term of each).
  await q(
    `CREATE TEMP TABLE rn_story_rcpt AS
     SELECT gen_random_uuid() AS id, t.id AS term, t.contract_id, t.amount, t.due_on + 4 AS received_on
     FROM payment_terms t JOIN rn_story_con c ON c.id = t.contract_id
     WHERE (c.i, t.position) NOT IN (SELECT i, 2 FROM rn_story_con ORDER BY i DESC LIMIT 5)`,
  );
  await q(
    `INSERT INTO receipts (id, customer_id, contract_id, received_on, amount, unallocated, payer, status, created_at, updated_at)
     SELECT id, $1, contract_id, received_on, amount, 0, $2, 'valid', received_on + time '10:00', received_on + time '10:00' FROM rn_story_rcpt`,
    [cu.id, DATA.story],
  );
  await q(
    `INSERT INTO receipt_allocations (receipt_id, term_id, amount, created_at) SELECT id, term, amount, received_on FROM rn_story_rcpt`,
  );
  await q(`UPDATE payment_terms t SET received = r.amount FROM rn_story_rcpt r WHERE r.term = t.id`);
  await q(
    `INSERT INTO invoices (number, kind, customer_id, contract_id, issued_on, amount, status, created_at, updated_at)
     SELECT 'RN-GS-FP-' || c.i, 'ordinary', $1, c.id, c.signed_on + 1, c.amount / 2, 'valid', c.signed_on + 1, c.signed_on + 1
     FROM rn_story_con c`,
    [cu.id],
  );
}
