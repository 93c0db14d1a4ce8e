/**
 * The data of bench/reports.ts (issue 16), filled in bulk SQL (INSERT … SELECT generate_series, never row by row
 * through the services) on a dedicated connection with foreign-key triggers off (session_replication_role = replica:
 * every reference is made consistent by construction) — see bench/reports.ts for the shape.
 */
import pg from 'pg';
import type { Db } from '../server/db/client';
import { bootstrapDatabase } from '../server/seed/bootstrap';
import { seedUser } from '../server/seed/seeders';

export const FILL = {
  first: '2024-01-01',
  customers: 100_000,
  leads: 500_000,
  opportunities: 200_000,
  contracts: 50_000,
  standaloneOrders: 10_000,
  engagements: 10_000,
  entries: 2_000_000,
  sellers: 300,
  staff: 300,
  sheetsPerMonth: 2_000,
  commissionYear: '2025',
  password: 'Bench-pass-1',
};

/** Eight departments in a tree: 业务一部 (with 北区, 南区), 业务二部 (with 浦东组), 审计部 (with 一组, 二组). */
export const DEPARTMENTS = [
  '业务一部',
  '业务二部',
  '审计部',
  '业务一部北区',
  '业务一部南区',
  '业务二部浦东组',
  '审计一组',
  '审计二组',
];
const PARENT = [null, null, null, 0, 0, 1, 2, 2];
/** The branch of each department's people. */
const DEPT_BRANCH = [0, 1, 2, 0, 0, 1, 2, 3];
const BRANCHES = ['北京', '上海', '广州', '深圳', '杭州'];
const REGIONS = ['华北', '华东', '华南', '西南', '华中', '东北'];
const LINES = [
  ['审计', 'RP-SJ'],
  ['税务咨询', 'RP-SW'],
  ['代理记账', 'RP-DZ'],
  ['工程审价', 'RP-GC'],
];

export async function fill(db: Db, databaseUrl: string, today: string) {
  const started = Date.now();
  const lap = (what: string) => console.log(`${what}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await bootstrapDatabase(db);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const q = (text: string, params: unknown[] = []) => client.query(text, params);
  try {
    await q(`SET session_replication_role = replica`);
    await q(`SET synchronous_commit = off`);
    await q(`SET work_mem = '256MB'`);
    const now = new Date().toISOString();
    const N = FILL;

    // ——— Reference data ———
    await q(
      `INSERT INTO branches (name, code, sort_order, active) SELECT n, 'RP' || i, i, i < 5 FROM unnest($1::text[]) WITH ORDINALITY b(n, i)`,
      [BRANCHES],
    );
    await q(
      `INSERT INTO regions (name, code, sort_order) SELECT n, 'RP' || i, i FROM unnest($1::text[]) WITH ORDINALITY r(n, i)`,
      [REGIONS],
    );
    await q(
      `INSERT INTO business_lines (name, code, sort_order) SELECT n, c, i FROM unnest($1::text[], $2::text[]) WITH ORDINALITY b(n, c, i)`,
      [LINES.map((l) => l[0]), LINES.map((l) => l[1])],
    );
    // 代理记账 and 工程审价 have their own pipelines (some stages named as the default's, some their own).
    await q(
      `INSERT INTO pipeline_stages (business_line_id, name_zh, name_en, position, kind, probability)
       SELECT b.id, s.zh, s.en, s.pos, s.kind, s.p FROM business_lines b
       JOIN (VALUES ('RP-DZ', '初步接洽', 'First contact', 1, 'open', 10), ('RP-DZ', '需求确认', 'Needs confirmed', 2, 'open', 30),
                    ('RP-DZ', '商务报价', 'Quotation', 3, 'open', 60), ('RP-DZ', '签约准备', 'Ready to sign', 4, 'open', 85),
                    ('RP-DZ', '赢单', 'Won', 5, 'won', 100), ('RP-DZ', '输单', 'Lost', 6, 'lost', 0),
                    ('RP-GC', '初步接洽', 'First contact', 1, 'open', 10), ('RP-GC', '现场勘察', 'Site survey', 2, 'open', 35),
                    ('RP-GC', '商务报价', 'Quotation', 3, 'open', 60), ('RP-GC', '商务谈判', 'Negotiation', 4, 'open', 80),
                    ('RP-GC', '赢单', 'Won', 5, 'won', 100), ('RP-GC', '输单', 'Lost', 6, 'lost', 0))
         s(code, zh, en, pos, kind, p) ON s.code = b.code`,
    );
    await q(
      `INSERT INTO departments (name, path, sort_order) SELECT n, '/', i FROM unnest($1::text[]) WITH ORDINALITY d(n, i)
             WHERE i <= 3`,
      [DEPARTMENTS],
    );
    await q(`UPDATE departments SET path = '/' || id || '/' WHERE name = ANY($1)`, [DEPARTMENTS.slice(0, 3)]);
    for (let k = 3; k < DEPARTMENTS.length; k++)
      await q(
        `INSERT INTO departments (name, parent_id, path, sort_order) SELECT $1, p.id, p.path, $3 FROM departments p WHERE p.name = $2`,
        [DEPARTMENTS[k], DEPARTMENTS[PARENT[k]!], k],
      );
    await q(`UPDATE departments SET path = path || id || '/' WHERE name = ANY($1) AND parent_id IS NOT NULL`, [
      DEPARTMENTS,
    ]);
    await q(
      `CREATE TEMP TABLE rp_dept AS SELECT d.k - 1 AS k, x.id, b.id AS branch
             FROM unnest($1::text[], $2::text[]) WITH ORDINALITY d(name, branch, k)
             JOIN departments x ON x.name = d.name JOIN branches b ON b.name = d.branch`,
      [DEPARTMENTS, DEPT_BRANCH.map((i) => BRANCHES[i])],
    );
    await q(`CREATE TEMP TABLE rp_region AS SELECT sort_order - 1 AS k, id FROM regions WHERE code LIKE 'RP%'`);
    await q(`CREATE TEMP TABLE rp_line AS SELECT sort_order - 1 AS k, id FROM business_lines WHERE code LIKE 'RP-%'`);

    // ——— People: a partner, eight managers, 300 salespeople, 300 staff ———
    const [dept0] = (await q(`SELECT id, branch FROM rp_dept WHERE k = 0`)).rows;
    await seedUser(db, {
      username: 'rp-exec',
      displayName: '合伙人',
      password: N.password,
      roleCode: 'executive',
      branchId: dept0.branch,
    });
    const manager = await seedUser(db, {
      username: 'rp-m0',
      displayName: '经理0',
      password: N.password,
      roleCode: 'manager',
      departmentId: dept0.id,
      branchId: dept0.branch,
    });
    await q(
      `INSERT INTO users (username, display_name, password_hash, role_id, department_id, branch_id, region_id, staff_category)
       SELECT 'rp-m' || d.k, '经理' || d.k, 'x', (SELECT id FROM roles WHERE code = 'manager'), d.id, d.branch,
         (SELECT id FROM rp_region WHERE k = d.k % 6), 'management'
       FROM rp_dept d WHERE d.k > 0`,
    );
    await q(
      `UPDATE departments d SET manager_id = u.id FROM users u WHERE u.department_id = d.id AND u.username LIKE 'rp-m%'`,
    );
    void manager;
    for (const [prefix, role, name, count] of [
      ['rp-s', 'salesperson', '销售', N.sellers],
      ['rp-p', 'staff', '员工', N.staff],
    ] as const)
      await q(
        `INSERT INTO users (username, display_name, password_hash, role_id, department_id, branch_id, region_id,
           staff_category, is_practicing_cpa)
         SELECT $1 || g, $3 || lpad(g::text, 3, '0'), 'x', (SELECT id FROM roles WHERE code = $2), d.id,
           CASE WHEN g % 15 = 0 THEN NULL ELSE d.branch END, r.id, 'frontline', $2 = 'staff' AND g % 3 = 0
         FROM generate_series(0, $4 - 1) g JOIN rp_dept d ON d.k = g % 8 JOIN rp_region r ON r.k = (g / 8) % 6`,
        [prefix, role, name, count],
      );
    await q(`CREATE TEMP TABLE rp_sales AS SELECT substr(username, 5)::int AS k, id, department_id AS dept, branch_id AS branch
             FROM users WHERE username LIKE 'rp-s%'`);
    await q(`CREATE TEMP TABLE rp_staff AS SELECT substr(username, 5)::int AS k, id, department_id AS dept
             FROM users WHERE username LIKE 'rp-p%'`);
    await q(`ANALYZE rp_sales; ANALYZE rp_staff`);
    await q(
      `INSERT INTO campaigns (name, type, status, starts_on, ends_on, owner_id, search_text)
       SELECT '市场活动' || g, (ARRAY['seminar', 'exhibition', 'online', 'referral'])[1 + g % 4], 'completed',
         $1::date + g * 35, $1::date + g * 35 + 14, (SELECT id FROM users WHERE username = 'rp-exec'), 'rpcamp' || g
       FROM generate_series(0, 29) g`,
      [N.first],
    );
    await q(`CREATE TEMP TABLE rp_campaign AS SELECT row_number() OVER (ORDER BY search_text) - 1 AS k, id FROM campaigns
             WHERE search_text LIKE 'rpcamp%'`);
    await q(
      `INSERT INTO sales_cycle_targets (business_line_id, target_days) SELECT id, (ARRAY[60, 45, 30, 90])[k + 1] FROM rp_line`,
    );
    lap('reference data and 609 people');

    // ——— 100,000 customers, each a salesperson's ———
    await q(
      `CREATE TEMP TABLE rp_cust AS
       SELECT g AS k, gen_random_uuid() AS id, s.id AS owner, s.branch, CASE WHEN g % 50 = 0 THEN NULL ELSE r.id END AS region,
         $1::timestamptz + (g::float8 / $3) * ($2::timestamptz - $1::timestamptz - interval '1 day') AS created_at
       FROM generate_series(0, $3 - 1) g JOIN rp_sales s ON s.k = g % ${N.sellers} JOIN rp_region r ON r.k = (g / 7) % 6`,
      [N.first, now, N.customers],
    );
    await q(`ALTER TABLE rp_cust ADD PRIMARY KEY (k)`);
    await q(
      `INSERT INTO customers (id, name, status, owner_id, region_id, branch_id, search_text, last_contact_at, created_at, updated_at)
       SELECT id, '客户' || k || '有限公司', 'customer', owner, region, branch, 'rpc' || k,
         $1::timestamptz - (k % 200) * interval '1 day', created_at, created_at FROM rp_cust`,
      [now],
    );
    lap(`${N.customers} customers`);

    // ——— 500,000 leads (a third converted), 200,000 opportunities and their stage history ———
    await q(
      `CREATE TEMP TABLE rp_lead AS
       SELECT g, gen_random_uuid() AS id,
         $1::timestamptz + ((g - 1)::float8 / $3) * ($2::timestamptz - $1::timestamptz - interval '1 day') + (g % 7) * interval '1 hour' AS created_at,
         CASE WHEN g % 20 = 7 AND g % 3 <> 0 THEN NULL ELSE s.id END AS owner,
         CASE WHEN g % 20 = 7 AND g % 3 <> 0 THEN d.id END AS queue,
         CASE WHEN g % 40 = 1 THEN NULL ELSE r.id END AS region,
         (ARRAY['官网', '转介绍', '展会', '电话营销', '广告', '老客户推荐'])[1 + (g / 13) % 6] AS source,
         CASE WHEN g % 5 = 0 THEN cp.id END AS campaign, l.id AS line,
         CASE WHEN g % 3 = 0 THEN c.id END AS customer
       FROM generate_series(1, $3) g
       JOIN rp_sales s ON s.k = (g * 7) % ${N.sellers} JOIN rp_dept d ON d.k = g % 8 JOIN rp_region r ON r.k = (g / 11) % 6
       JOIN rp_campaign cp ON cp.k = (g / 5) % 30 JOIN rp_line l ON l.k = (g / 17) % 4
       JOIN rp_cust c ON c.k = (g * 13) % ${N.customers}`,
      [N.first, now, N.leads],
    );
    await q(`ALTER TABLE rp_lead ADD PRIMARY KEY (g)`);
    const fromLeads = Math.floor(N.leads / 3);
    // Each pipeline's stages: a line with stages of its own uses them, the others the default pipeline.
    await q(
      `CREATE TEMP TABLE rp_pl AS
       SELECT b.id AS line, array_agg(s.id ORDER BY s.position) FILTER (WHERE s.kind = 'open') AS opens,
         array_agg(s.probability ORDER BY s.position) FILTER (WHERE s.kind = 'open') AS probs,
         (array_agg(s.id) FILTER (WHERE s.kind = 'won'))[1] AS won, (array_agg(s.id) FILTER (WHERE s.kind = 'lost'))[1] AS lost
       FROM business_lines b JOIN pipeline_stages s ON s.active AND (s.business_line_id = b.id
         OR (s.business_line_id IS NULL AND NOT EXISTS (SELECT 1 FROM pipeline_stages x WHERE x.business_line_id = b.id)))
       GROUP BY b.id`,
    );
    // Opportunity g ≤ fromLeads comes from lead 3g, a few weeks after it (some in the next month); the others direct.
    // It closes `cycle` days after creation unless that is still ahead (or one in 20 left open); two in five of those
    // closed are won (after at least three stages), the rest lost at the stage reached; one lost in 97 reopened later.
    await q(
      `CREATE TEMP TABLE rp_opp AS
       WITH o AS (
         SELECT o.g, gen_random_uuid() AS id, l.id AS lead, l.campaign,
           coalesce(least(l.created_at + (o.g % 40) * interval '1 day' + interval '2 hours', $2::timestamptz - interval '1 hour'),
             $1::timestamptz + ((o.g - $3 - 1)::float8 / ($4 - $3)) * ($2::timestamptz - $1::timestamptz - interval '1 day')) AS created_at,
           coalesce(l.owner, s.id) AS owner, coalesce(l.line, ln.id) AS line, coalesce(l.customer, c.id) AS customer,
           15 + (o.g * 13) % 150 AS cycle, 1 + (o.g % 7) % 4 AS k0
         FROM generate_series(1, $4) o(g)
         LEFT JOIN rp_lead l ON o.g <= $3 AND l.g = 3 * o.g
         JOIN rp_sales s ON s.k = (o.g * 11) % ${N.sellers} JOIN rp_line ln ON ln.k = (o.g / 17) % 4
         JOIN rp_cust c ON c.k = (o.g * 29) % ${N.customers}
       ), c AS (
         SELECT o.*, o.created_at + o.cycle * interval '1 day' AS closes_at,
           o.created_at + o.cycle * interval '1 day' < $2::timestamptz AND o.g % 20 <> 0 AS closed,
           abs(hashtext('w' || o.g)) % 5 < 2 AS lucky, cardinality(p.opens) AS n
         FROM o JOIN rp_pl p ON p.line = o.line
       ), kk AS (
         SELECT c.*, closed AND lucky AS won,
           closed AND NOT lucky AND g % 97 = 0 AND closes_at + interval '10 days' < $2::timestamptz AS reopened,
           CASE WHEN closed AND lucky THEN least(3 + g % 3, n) ELSE least(k0, n) END AS k
         FROM c
       )
       SELECT kk.*, CASE WHEN won THEN 'won' WHEN closed AND NOT reopened THEN 'lost' ELSE 'open' END AS status,
         (CASE WHEN closed THEN cycle * interval '1 day'
            ELSE least(cycle * interval '1 day', ($2::timestamptz - kk.created_at) * 0.9) END) / kk.k AS step,
         u.dept
       FROM kk JOIN rp_sales u ON u.id = kk.owner`,
      [N.first, now, fromLeads, N.opportunities],
    );
    await q(`ANALYZE rp_opp`);
    await q(
      `INSERT INTO opportunities (id, name, customer_id, business_line_id, stage_id, status, probability, expected_amount,
         expected_close_on, owner_id, department_id, lead_id, campaign_id, lost_reason, closed_at, stage_entered_at,
         search_text, created_at, updated_at, created_by)
       SELECT o.id, '商机' || o.g, o.customer, o.line,
         CASE o.status WHEN 'won' THEN p.won WHEN 'lost' THEN p.lost ELSE p.opens[o.k] END, o.status,
         CASE o.status WHEN 'won' THEN 100 WHEN 'lost' THEN 0 ELSE p.probs[o.k] END,
         CASE WHEN o.g % 25 = 0 THEN NULL ELSE 10000 + ((o.g * 37) % 200) * 1000 END,
         CASE WHEN o.g % 11 = 0 AND o.status = 'open' THEN NULL ELSE (o.closes_at AT TIME ZONE 'Asia/Shanghai')::date END,
         o.owner, o.dept, o.lead, o.campaign,
         CASE WHEN o.status = 'lost' THEN (ARRAY['价格过高', '选择了竞争对手', '需求取消', '预算不足', '时机不成熟', NULL])[1 + (o.g / 3) % 6] END,
         CASE WHEN o.status <> 'open' THEN o.closes_at END,
         CASE WHEN o.status <> 'open' THEN o.closes_at WHEN o.reopened THEN o.closes_at + interval '10 days'
           ELSE o.created_at + (o.k - 1) * o.step END,
         'rpo' || o.g, o.created_at, o.created_at, o.owner
       FROM rp_opp o JOIN rp_pl p ON p.line = o.line`,
    );
    await q(
      `INSERT INTO opportunity_stage_changes (opportunity_id, from_stage_id, to_stage_id, from_status, to_status, at, by_user_id)
       SELECT o.id, CASE WHEN i > 1 THEN p.opens[i - 1] END, p.opens[i], CASE WHEN i > 1 THEN 'open' END, 'open',
         o.created_at + (i - 1) * o.step, o.owner
       FROM rp_opp o JOIN rp_pl p ON p.line = o.line CROSS JOIN LATERAL generate_series(1, o.k) i
       UNION ALL
       SELECT o.id, p.opens[o.k], CASE WHEN o.won THEN p.won ELSE p.lost END, 'open', CASE WHEN o.won THEN 'won' ELSE 'lost' END,
         o.closes_at, o.owner
       FROM rp_opp o JOIN rp_pl p ON p.line = o.line WHERE o.closed
       UNION ALL
       SELECT o.id, p.lost, p.opens[o.k], 'lost', 'open', o.closes_at + interval '10 days', o.owner
       FROM rp_opp o JOIN rp_pl p ON p.line = o.line WHERE o.reopened`,
    );
    // One opportunity in ten has a second salesperson on its team.
    await q(
      `INSERT INTO opportunity_members (opportunity_id, user_id, role)
       SELECT o.id, s.id, 'member' FROM rp_opp o JOIN rp_sales s ON s.k = (o.g * 17 + 5) % ${N.sellers}
       WHERE o.g % 10 = 3 AND s.id <> o.owner`,
    );
    lap(`${N.opportunities} opportunities and their stage changes`);
    await q(
      `INSERT INTO leads (id, company_name, contact_name, campaign_id, business_line_id, region_id, source, status, owner_id,
         queue_department_id, assigned_at, customer_id, opportunity_id, converted_at, search_text, created_at, updated_at)
       SELECT l.id, '线索公司' || l.g, '联系人' || l.g % 1000, l.campaign, l.line, l.region, l.source,
         CASE WHEN o.id IS NOT NULL THEN 'converted' ELSE (ARRAY['new', 'contacting', 'qualified', 'disqualified', 'contacting'])[1 + l.g % 5] END,
         l.owner, l.queue, CASE WHEN l.owner IS NOT NULL THEN l.created_at END, l.customer, o.id, o.created_at,
         'rpl' || l.g, l.created_at, coalesce(o.created_at, l.created_at)
       FROM rp_lead l LEFT JOIN rp_opp o ON o.lead = l.id`,
    );
    lap(`${N.leads} leads`);

    // ——— 50,000 contracts with three terms and an order each; 10,000 orders without a contract ———
    await q(
      `CREATE TEMP TABLE rp_con AS
       WITH c AS (
         SELECT g, gen_random_uuid() AS id, gen_random_uuid() AS order_id, cu.id AS customer, s.id AS owner, s.dept,
           CASE WHEN g % 5 < 3 THEN (SELECT id FROM branches WHERE code = 'RP' || (1 + (g / 5) % 4)) END AS branch,
           l.id AS line, 20000 + ((g * 53) % 281) * 1000 AS amount,
           $1::date + ((g - 1)::bigint * ($2::date - $1::date - 3) / $3)::int AS signed_on
         FROM generate_series(1, $3) g JOIN rp_cust cu ON cu.k = (g * 7) % ${N.customers}
         JOIN rp_sales s ON s.k = (g * 3) % ${N.sellers} JOIN rp_line l ON l.k = g % 4
       )
       SELECT c.*, CASE WHEN g > $3 - 150 THEN 'draft' WHEN g % 40 = 0 THEN 'voided' WHEN g % 50 = 1 THEN 'terminated'
           WHEN signed_on < $2::date - 400 THEN 'completed' WHEN signed_on > $2::date - 20 THEN 'signed' ELSE 'in-progress' END AS status
       FROM c`,
      [N.first, today, N.contracts],
    );
    await q(
      `INSERT INTO contracts (id, title, customer_id, business_line_id, branch_id, owner_id, department_id, amount, status, number,
         start_on, end_on, signed_on, completed_on, created_at, updated_at, created_by)
       SELECT id, '合同' || g, customer, line, branch, owner, dept, amount, status, 'RP-HT-' || lpad(g::text, 6, '0'),
         signed_on, signed_on + 365, CASE WHEN status <> 'draft' THEN signed_on END,
         CASE WHEN status = 'completed' THEN signed_on + 365 END, signed_on - 5, signed_on, owner
       FROM rp_con`,
    );
    // Every third contract has a second salesperson on its team.
    await q(
      `INSERT INTO contract_members (contract_id, user_id)
       SELECT c.id, s.id FROM rp_con c JOIN rp_sales s ON s.k = (c.g * 5 + 1) % ${N.sellers} WHERE c.g % 3 = 0 AND s.id <> c.owner`,
    );
    await q(
      `INSERT INTO orders (id, title, contract_id, customer_id, business_line_id, owner_id, department_id, amount, status, number,
         confirmed_on, completed_on, created_at, updated_at, created_by)
       SELECT order_id, '订单' || g, id, customer, line, owner, dept, amount,
         CASE status WHEN 'voided' THEN 'cancelled' WHEN 'completed' THEN 'completed' ELSE 'confirmed' END,
         'RP-DD-' || lpad(g::text, 6, '0'), least(signed_on + 3, $1::date), CASE WHEN status = 'completed' THEN signed_on + 365 END,
         signed_on, signed_on, owner
       FROM rp_con WHERE status <> 'draft'`,
      [today],
    );
    await q(
      `CREATE TEMP TABLE rp_ord AS
       SELECT g, gen_random_uuid() AS id, cu.id AS customer, s.id AS owner, s.dept, l.id AS line,
         5000 + ((g * 31) % 46) * 1000 AS amount,
         $1::date + ((g - 1)::bigint * ($2::date - $1::date - 1) / $3)::int AS confirmed_on
       FROM generate_series(1, $3) g JOIN rp_cust cu ON cu.k = (g * 17) % ${N.customers}
       JOIN rp_sales s ON s.k = (g * 7) % ${N.sellers} JOIN rp_line l ON l.k = (g / 3) % 4`,
      [N.first, today, N.standaloneOrders],
    );
    await q(
      `INSERT INTO orders (id, title, customer_id, business_line_id, owner_id, department_id, amount, status, number,
         confirmed_on, completed_on, created_at, updated_at, created_by)
       SELECT id, '单项订单' || g, customer, line, owner, dept, amount,
         CASE WHEN g % 60 = 0 THEN 'draft' WHEN confirmed_on < $1::date - 200 THEN 'completed' ELSE 'confirmed' END,
         'RP-DX-' || lpad(g::text, 6, '0'), CASE WHEN g % 60 <> 0 THEN confirmed_on END,
         CASE WHEN g % 60 <> 0 AND confirmed_on < $1::date - 200 THEN confirmed_on + 60 END, confirmed_on, confirmed_on, owner
       FROM rp_ord`,
      [today],
    );
    await q(
      `INSERT INTO payment_terms (contract_id, position, kind, amount, percent, trigger, trigger_days, due_on)
       SELECT c.id, t.pos, t.kind, CASE WHEN t.pos = 3 THEN c.amount - round(c.amount * 0.3, 2) - round(c.amount * 0.4, 2)
           ELSE round(c.amount * t.share, 2) END, t.share * 100, 'days-after-signing', t.days,
         CASE WHEN c.status <> 'draft' THEN c.signed_on + t.days END
       FROM rp_con c CROSS JOIN (VALUES (1, 'down-payment', 0.3, 0), (2, 'progress', 0.4, 90), (3, 'final', 0.3, 180)) t(pos, kind, share, days)`,
    );
    await q(
      `INSERT INTO payment_terms (order_id, position, kind, amount, percent, trigger, trigger_date, due_on)
       SELECT o.id, 1, 'final', o.amount, 100, 'date', o.confirmed_on + 30, o.confirmed_on + 30 FROM rp_ord o WHERE o.g % 60 <> 0`,
    );
    lap(`${N.contracts} contracts, ${N.standaloneOrders} orders without one, their terms`);

    // ——— Receipts, allocated to the terms (a tenth unpaid, a third in two parts, one in 100 reversed, one in 50 overpaid) ———
    await q(
      `CREATE TEMP TABLE rp_rcpt AS
       SELECT gen_random_uuid() AS id, t.id AS term, t.contract_id, t.order_id, s.customer_id AS customer,
         CASE WHEN x.n = 1 THEN t.amount WHEN j = 1 THEN round(t.amount / 2, 2) ELSE t.amount - round(t.amount / 2, 2) END AS part,
         t.due_on + (x.u % 40 - 5) + (j - 1) * 25 AS received_on,
         abs(hashtext(t.id::text || j)) % 100 = 0 AS reversed, abs(hashtext(t.id::text || j)) % 50 = 1 AS over
       FROM payment_terms t
       JOIN LATERAL (SELECT customer_id, status FROM contracts WHERE id = t.contract_id
                     UNION ALL SELECT customer_id, status FROM orders WHERE id = t.order_id) s ON true
       CROSS JOIN LATERAL (SELECT abs(hashtext(t.id::text)) % 100 AS u) u0
       CROSS JOIN LATERAL (SELECT u0.u, CASE WHEN u0.u < 8 THEN 0 WHEN u0.u < 48 THEN 2 ELSE 1 END AS n) x
       CROSS JOIN LATERAL generate_series(1, x.n) j
       WHERE t.due_on IS NOT NULL AND s.status IN ('signed', 'in-progress', 'completed', 'terminated', 'confirmed')
         AND t.due_on + (x.u % 40 - 5) + (j - 1) * 25 <= $1::date`,
      [today],
    );
    await q(
      `INSERT INTO receipts (id, customer_id, contract_id, order_id, received_on, amount, unallocated, payer, status,
         reversed_reason, reversed_at, created_at, updated_at)
       SELECT id, customer, contract_id, order_id, received_on, part + CASE WHEN over THEN 500 ELSE 0 END,
         CASE WHEN over THEN 500 ELSE 0 END, '付款单位', CASE WHEN reversed THEN 'reversed' ELSE 'valid' END,
         CASE WHEN reversed THEN '录入错误' END, CASE WHEN reversed THEN received_on + interval '3 days' END,
         received_on, received_on
       FROM rp_rcpt`,
    );
    await q(
      `INSERT INTO receipt_allocations (receipt_id, term_id, amount, created_at) SELECT id, term, part, received_on FROM rp_rcpt`,
    );
    await q(
      `UPDATE payment_terms t SET received = x.s
       FROM (SELECT term, sum(part) AS s FROM rp_rcpt WHERE NOT reversed GROUP BY term) x WHERE x.term = t.id`,
    );
    // An invoice for each term five days before it falls due (one in 100 voided).
    await q(
      `INSERT INTO invoices (number, kind, customer_id, contract_id, order_id, issued_on, amount, status, created_at, updated_at)
       SELECT 'RP-FP-' || row_number() OVER (), 'ordinary', coalesce(c.customer_id, o.customer_id), t.contract_id, t.order_id,
         t.due_on - 5, t.amount, CASE WHEN abs(hashtext(t.id::text || 'i')) % 100 = 0 THEN 'voided' ELSE 'valid' END,
         t.due_on - 5, t.due_on - 5
       FROM payment_terms t LEFT JOIN contracts c ON c.id = t.contract_id LEFT JOIN orders o ON o.id = t.order_id
       WHERE t.due_on - 5 <= $1::date AND coalesce(c.status, o.status) IN ('signed', 'in-progress', 'completed', 'terminated', 'confirmed')`,
      [today],
    );
    await q(
      `UPDATE payment_terms t SET invoiced = t.amount FROM invoices i
       WHERE i.number LIKE 'RP-FP-%' AND i.status = 'valid' AND coalesce(i.contract_id, i.order_id) = coalesce(t.contract_id, t.order_id)
         AND i.issued_on = t.due_on - 5 AND i.amount = t.amount`,
    );
    lap('receipts, allocations, invoices');

    // ——— Activities: planned (some overdue) and done, of the salespeople ———
    await q(
      `INSERT INTO activities (category, subject, status, due_at, done_at, owner_id, customer_id, created_at, updated_at)
       SELECT (ARRAY['call', 'visit', 'meeting', 'email'])[1 + g % 4], '跟进' || g, CASE WHEN g % 3 = 0 THEN 'planned' ELSE 'done' END,
         $1::timestamptz - (g % 400 - 30) * interval '1 day', CASE WHEN g % 3 <> 0 THEN $1::timestamptz - (g % 400 - 30) * interval '1 day' END,
         s.id, c.id, $1::timestamptz - (g % 400) * interval '1 day', $1::timestamptz - (g % 400) * interval '1 day'
       FROM generate_series(1, 60000) g JOIN rp_sales s ON s.k = g % ${N.sellers} JOIN rp_cust c ON c.k = (g * 3) % ${N.customers}`,
      [now],
    );

    // ——— 10,000 engagements (from contracts' orders), 2,000,000 time entries of 300 staff, their weeks ———
    await q(
      `CREATE TEMP TABLE rp_eng AS
       SELECT row_number() OVER (ORDER BY c.g) - 1 AS k, gen_random_uuid() AS id, c.id AS contract, c.order_id, c.g,
         c.customer, c.line, c.amount, c.owner, c.signed_on, st.id AS lead, st.dept AS lead_dept
       FROM rp_con c JOIN rp_staff st ON st.k = (c.g * 7) % ${N.staff}
       WHERE c.status IN ('in-progress', 'completed', 'signed') AND c.g % 5 = 0`,
    );
    await q(
      `INSERT INTO engagements (id, title, status, customer_id, contract_id, order_id, business_line_id, amount, lead_id,
         department_id, sales_owner_id, starts_on, due_on, closed_on, created_at, updated_at, created_by)
       SELECT id, '项目' || g, CASE WHEN signed_on + 120 < $1::date THEN 'closed' ELSE 'in-progress' END, customer,
         contract, order_id, line, amount, lead, lead_dept, owner, signed_on + 7, signed_on + 97,
         CASE WHEN signed_on + 120 < $1::date THEN signed_on + 90 + (g % 30) END, signed_on, signed_on, lead
       FROM rp_eng`,
      [today],
    );
    await q(`CREATE TEMP TABLE rp_engk AS SELECT k, id FROM rp_eng`);
    await q(`ALTER TABLE rp_engk ADD PRIMARY KEY (k)`);
    const [{ n: workingDays }] = (
      await q(
        `SELECT count(*)::int AS n FROM generate_series($1::date, $2::date, interval '1 day') d WHERE extract(isodow FROM d) < 6`,
        [N.first, today],
      )
    ).rows;
    const engagementCount = Number((await q(`SELECT count(*)::int AS n FROM rp_engk`)).rows[0].n);
    const perDay = Math.max(1, Math.round(N.entries / (N.staff * workingDays)));
    for (let start = N.first; start <= today; start = addDaysText(start, 91)) {
      const end = addDaysText(start, 90) < today ? addDaysText(start, 90) : today;
      // Entry s of person k on day n: ¼–1 h; on engagement (k·31 + week·7 + s) mod E, one in eight internal time.
      await q(
        `WITH days AS (SELECT d::date AS d, (d::date - $1::date) AS n FROM generate_series($2::date, $3::date, interval '1 day') d
                       WHERE extract(isodow FROM d) < 6)
         INSERT INTO time_entries (user_id, work_date, engagement_id, category, hours, billable, created_at, updated_at, created_by, updated_by)
         SELECT st.id, days.d, e.id, CASE WHEN (s + days.n + st.k) % 8 = 0 THEN 'internal' ELSE 'engagement' END,
           (1 + (s + days.n) % 4) * 0.25, (s + days.n + st.k) % 8 <> 0 AND s % 6 <> 0,
           days.d + time '18:00', days.d + time '18:00', st.id, st.id
         FROM rp_staff st CROSS JOIN days CROSS JOIN generate_series(1, ${perDay}) s
         LEFT JOIN rp_engk e ON (s + days.n + st.k) % 8 <> 0 AND e.k = (st.k * 31 + (days.n / 7) * 7 + s) % ${engagementCount}`,
        [N.first, start, end],
      );
      process.stdout.write(`\rtime entries up to ${end}`);
    }
    process.stdout.write('\n');
    // Weeks: approved (one in 40 returned) up to the one before last; last week submitted; this week open.
    await q(
      `INSERT INTO timesheet_weeks (user_id, week_start, status, submitted_at, decided_at, created_at, updated_at)
       SELECT st.id, w::date,
         CASE WHEN w::date >= date_trunc('week', $1::date::timestamp)::date THEN 'open'
              WHEN w::date >= date_trunc('week', $1::date::timestamp)::date - 7 THEN 'submitted'
              WHEN abs(hashtext(st.k || '-' || w::date)) % 40 = 0 THEN 'returned' ELSE 'approved' END,
         w + interval '4 days 18 hours', w + interval '7 days 10 hours', w, w + interval '4 days 18 hours'
       FROM rp_staff st CROSS JOIN generate_series(date_trunc('week', $2::date::timestamp), $1::date::timestamp, interval '1 week') w`,
      [today, N.first],
    );
    lap(`${perDay} entries a person and working day over ${workingDays} days, the weeks`);

    // ——— Commission sheets: 2,000 a month of the commission year, three lines each ———
    await q(
      `INSERT INTO commission_policies (version, name, effective_from, status, rules, adopted_at)
       VALUES (900, 'bench 提成方案', $1::date, 'adopted', '[]'::jsonb, now())`,
      [N.first],
    );
    await q(
      `CREATE TEMP TABLE rp_sheet AS
       SELECT gen_random_uuid() AS id, m, $1 || '-' || lpad(m::text, 2, '0') AS period, c.g, c.id AS contract, c.line,
         c.owner, c.dept, c.amount, st1.id AS worker1, st2.id AS worker2,
         (1000 + (c.g * 7) % 9000)::numeric AS sale, (200 + (c.g * 11) % 3000)::numeric AS work1,
         (100 + (c.g * 3) % 1500)::numeric AS work2
       FROM generate_series(1, 12) m CROSS JOIN generate_series(0, ${N.sheetsPerMonth - 1}) i
       JOIN rp_con c ON c.g = 1 + (m * ${N.sheetsPerMonth} + i * 7) % 45000
       JOIN rp_staff st1 ON st1.k = (c.g * 7) % ${N.staff} JOIN rp_staff st2 ON st2.k = (c.g * 7 + 1) % ${N.staff}`,
      [N.commissionYear],
    );
    await q(
      `INSERT INTO commission_sheets (id, period, contract_id, business_line_id, owner_id, department_id, policy_id, status,
         received_before, received, hours, total, paid_on, created_at, updated_at)
       SELECT s.id, s.period, s.contract, s.line, s.owner, s.dept, (SELECT id FROM commission_policies WHERE version = 900),
         CASE WHEN s.m <= 10 THEN 'paid' WHEN s.m = 11 THEN 'approved' WHEN s.g % 2 = 0 THEN 'in-approval' ELSE 'draft' END,
         0, s.amount * 0.3, 40, s.sale + s.work1 + s.work2,
         CASE WHEN s.m <= 10 THEN (s.period || '-01')::date + interval '1 month 14 days' END,
         (s.period || '-01')::date + interval '1 month 5 days', (s.period || '-01')::date + interval '1 month 5 days'
       FROM rp_sheet s`,
    );
    await q(
      `INSERT INTO commission_lines (sheet_id, user_id, side, role, rule_key, method, computed, amount, explanation, paid_on)
       SELECT s.id, x.u, x.side, x.role, x.rule, x.method, x.amt, x.amt, '{}'::jsonb,
         CASE WHEN s.m <= 10 THEN (s.period || '-01')::date + interval '1 month 14 days' END
       FROM rp_sheet s CROSS JOIN LATERAL (VALUES (s.owner, 'sale', 'sales-owner', 'S1', 'amount', s.sale),
         (s.worker1, 'work', 'project-lead', 'W2', 'hours', s.work1),
         (s.worker2, 'work', 'signing-cpa', 'W3', 'hours', s.work2)) x(u, side, role, rule, method, amt)`,
    );
    lap('commission sheets and lines');
  } finally {
    await client.end();
  }
  // As autovacuum leaves a table that has settled: statistics, and the visibility map (index-only scans).
  const vacuum = new pg.Client({ connectionString: databaseUrl });
  await vacuum.connect();
  await vacuum.query('VACUUM ANALYZE');
  await vacuum.end();
  console.log(`loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function addDaysText(date: string, days: number) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
