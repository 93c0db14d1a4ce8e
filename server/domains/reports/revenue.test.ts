import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAnswer, ReportDrill } from '../../../common/schemas/reports';
import type { Db } from '../../db/client';
import { searchTextOf } from '../../lib/search-text';
import {
  buildBranch,
  buildBusinessLine,
  buildDepartment,
  buildUser,
  setDepartmentManager,
  signedIn,
} from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { contracts, orders, paymentTerms } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { users } from '../staff/staff.tables';
import { exportedRows } from './test-support';

/**
 * 收入与应收: contracted, invoiced, received and outstanding by month, business line and branch, and the ageing at
 * the period's end. The records are made here as plain data (contracts, terms, receipts, invoices); every expected
 * figure is computed below from that data with plain loops, not with the report's SQL.
 */
let t: TestApp;
let db: Db;
let exec: Client;
let finance: Client;
let manager: Client;
let line: string;
let beijing: string;
let shanghai: string;
let empty: string;

const PERIOD = { from: '2025-01-01', to: '2025-12-31' };

type Term = { id?: string; amount: string; due: string };
type Subject = {
  key: string;
  kind: 'contract' | 'order';
  owner: 'bj' | 'sh';
  contractBranch?: 'sh';
  status: string;
  madeOn: string;
  amount: string;
  terms: Term[];
  id?: string;
};
type Receipt = { subject: string; on: string; amount: string; reversed?: boolean };
type Invoice = { subject: string; on: string; amount: string; voided?: boolean };

const SUBJECTS: Subject[] = [
  // Signed on the first day of the period (a date column: the local date, no zone to shift it).
  {
    key: 'A',
    kind: 'contract',
    owner: 'bj',
    status: 'signed',
    madeOn: '2025-01-01',
    amount: '100000.00',
    terms: [
      { amount: '30000.00', due: '2025-01-31' },
      { amount: '70000.00', due: '2025-06-30' },
    ],
  },
  // Sold by the 北京 seller, signed by 上海: 上海's.
  {
    key: 'B',
    kind: 'contract',
    owner: 'bj',
    contractBranch: 'sh',
    status: 'in-progress',
    madeOn: '2025-03-31',
    amount: '50000.00',
    terms: [{ amount: '50000.00', due: '2025-10-15' }],
  },
  // Signed on the last day of the year before: not contracted in 2025, but its term is outstanding.
  {
    key: 'C',
    kind: 'contract',
    owner: 'bj',
    status: 'signed',
    madeOn: '2024-12-31',
    amount: '12000.00',
    terms: [{ amount: '12000.00', due: '2025-03-01' }],
  },
  // An order without a contract, confirmed on the period's last day, due after it.
  {
    key: 'O',
    kind: 'order',
    owner: 'sh',
    status: 'confirmed',
    madeOn: '2025-12-31',
    amount: '8000.50',
    terms: [{ amount: '8000.50', due: '2026-01-31' }],
  },
  // Voided after signing: contracted never.
  { key: 'V', kind: 'contract', owner: 'bj', status: 'voided', madeOn: '2025-05-05', amount: '999.00', terms: [] },
];
const RECEIPTS: Receipt[] = [
  { subject: 'A', on: '2025-02-10', amount: '30000.00' },
  // Recorded by mistake and reversed: out of July and of every balance.
  { subject: 'A', on: '2025-07-05', amount: '50000.00', reversed: true },
  { subject: 'A', on: '2025-08-01', amount: '20000.00' },
  // The day after the period: not 2025's.
  { subject: 'C', on: '2026-01-01', amount: '2000.00' },
];
const INVOICES: Invoice[] = [
  { subject: 'A', on: '2025-01-15', amount: '30000.00' },
  { subject: 'A', on: '2025-06-30', amount: '70000.00', voided: true },
];

const cents = (text: string) => {
  const [w, f = ''] = text.split('.');
  return BigInt(w) * 100n + BigInt(f.padEnd(2, '0'));
};
const text = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
const lastDay = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};
const daysBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;
const MONTHS = Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`);

/** The expected figures, from the data above: the oldest term first takes a receipt (as `auto` allocates). */
function expected(pick: (s: Subject) => boolean) {
  const subjects = SUBJECTS.filter(pick);
  const bySubject = (key: string) => subjects.find((s) => s.key === key);
  const inPeriod = (d: string, from = PERIOD.from, to = PERIOD.to) => d >= from && d <= to;
  const counts = (s: Subject) =>
    s.kind === 'contract' ? ['signed', 'in-progress', 'completed', 'terminated'].includes(s.status) : true;
  const contracted = (from: string, to: string) =>
    subjects.filter((s) => counts(s) && inPeriod(s.madeOn, from, to)).reduce((n, s) => n + cents(s.amount), 0n);
  const received = (from: string, to: string) =>
    RECEIPTS.filter((r) => bySubject(r.subject) && !r.reversed && inPeriod(r.on, from, to)).reduce(
      (n, r) => n + cents(r.amount),
      0n,
    );
  const invoiced = (from: string, to: string) =>
    INVOICES.filter((i) => bySubject(i.subject) && !i.voided && inPeriod(i.on, from, to)).reduce(
      (n, i) => n + cents(i.amount),
      0n,
    );
  /** Each term's open amount at the end of `at`. */
  const open = (at: string) => {
    const out: { due: string; open: bigint }[] = [];
    for (const s of subjects.filter((x) => x.status !== 'voided' && x.madeOn <= at)) {
      let money = RECEIPTS.filter((r) => r.subject === s.key && !r.reversed && r.on <= at).reduce(
        (n, r) => n + cents(r.amount),
        0n,
      );
      for (const term of [...s.terms].sort((a, b) => (a.due < b.due ? -1 : 1))) {
        const take = money < cents(term.amount) ? money : cents(term.amount);
        money -= take;
        if (cents(term.amount) - take > 0n) out.push({ due: term.due, open: cents(term.amount) - take });
      }
    }
    return out;
  };
  const outstanding = (at: string) =>
    open(at)
      .filter((o) => o.due <= at)
      .reduce((n, o) => n + o.open, 0n);
  const ageing = (at: string) => {
    const buckets: Record<string, bigint> = { 'not-due': 0n, 'd1-30': 0n, 'd31-90': 0n, 'd91-180': 0n, 'over-180': 0n };
    for (const o of open(at)) {
      const late = daysBetween(o.due, at);
      const bucket =
        late <= 0 ? 'not-due' : late <= 30 ? 'd1-30' : late <= 90 ? 'd31-90' : late <= 180 ? 'd91-180' : 'over-180';
      buckets[bucket] += o.open;
    }
    return buckets;
  };
  return { contracted, received, invoiced, outstanding, ageing };
}

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  line = (await buildBusinessLine(db)).id;
  beijing = (await buildBranch(db, uniq('北京'))).id;
  shanghai = (await buildBranch(db, uniq('上海'))).id;
  empty = (await buildBranch(db, uniq('西宁'))).id;
  exec = (await signedIn(t, { roleCode: 'executive' })).client;
  finance = (await signedIn(t, { roleCode: 'finance' })).client;
  const managerDept = (await buildDepartment(db)).id;
  const m = await signedIn(t, { roleCode: 'manager', departmentId: managerDept });
  await setDepartmentManager(db, managerDept, m.user.id);
  manager = m.client;

  const seller = async (branchId: string, departmentId?: string) => {
    const user = await buildUser(db, { departmentId });
    await db.update(users).set({ branchId }).where(eq(users.id, user.id));
    return { id: user.id, departmentId: user.departmentId as string };
  };
  const owners = { bj: await seller(beijing, managerDept), sh: await seller(shanghai) };

  for (const s of SUBJECTS) {
    const owner = owners[s.owner];
    const name = uniq('应收报表客户');
    const [customer] = await db
      .insert(customers)
      .values({ name, ownerId: owner.id, searchText: searchTextOf([name]) })
      .returning();
    const common = {
      title: uniq(s.key),
      customerId: customer.id,
      businessLineId: line,
      ownerId: owner.id,
      departmentId: owner.departmentId,
      amount: s.amount,
      number: uniq(`R-${s.key}`),
    };
    if (s.kind === 'contract') {
      const [c] = await db
        .insert(contracts)
        .values({
          ...common,
          status: s.status as 'signed',
          signedOn: s.madeOn,
          branchId: s.contractBranch === 'sh' ? shanghai : null,
        })
        .returning();
      s.id = c.id;
    } else {
      const [o] = await db
        .insert(orders)
        .values({ ...common, status: s.status as 'confirmed', confirmedOn: s.madeOn })
        .returning();
      s.id = o.id;
    }
    for (const [i, term] of s.terms.entries()) {
      const [row] = await db
        .insert(paymentTerms)
        .values({
          contractId: s.kind === 'contract' ? s.id : null,
          orderId: s.kind === 'order' ? s.id : null,
          position: i + 1,
          kind: i === s.terms.length - 1 ? 'final' : 'progress',
          amount: term.amount,
          trigger: 'date',
          triggerDate: term.due,
          dueOn: term.due,
        })
        .returning();
      term.id = row.id;
    }
  }
  const against = (key: string) => {
    const s = SUBJECTS.find((x) => x.key === key)!;
    return s.kind === 'contract' ? { contractId: s.id } : { orderId: s.id };
  };
  // Receipts and invoices through the API, as finance records them (auto allocation: the oldest due first).
  for (const r of RECEIPTS) {
    const res = await finance.post('/api/v1/receipts', {
      ...against(r.subject),
      receivedOn: r.on,
      amount: r.amount,
      payer: '付款单位',
    });
    expect(res.status).toBe(201);
    if (r.reversed) {
      const rev = await finance.post(`/api/v1/receipts/${res.body.id}/reverse`, { reason: '重复登记' });
      expect(rev.status).toBe(200);
    }
  }
  for (const i of INVOICES) {
    const res = await finance.post('/api/v1/invoices', {
      ...against(i.subject),
      number: uniq('FP'),
      kind: 'ordinary',
      issuedOn: i.on,
      amount: i.amount,
    });
    expect(res.status).toBe(201);
    if (i.voided)
      expect((await finance.post(`/api/v1/invoices/${res.body.id}/void`, { reason: '开错' })).status).toBe(200);
  }
});
afterAll(() => t.close());

const rowOf = (answer: ReportAnswer, key: string, table = 0) => answer.tables[table].rows.find((r) => r.key === key)!;
const API: Record<string, string> = {
  '/contracts': '/api/v1/contracts',
  '/finance/invoices': '/api/v1/invoices',
  '/finance/receipts': '/api/v1/receipts',
  '/orders': '/api/v1/orders',
};
/** The records a drill opens: the list endpoint of the page with the drill's filters. */
async function follow(client: Client, drill: ReportDrill) {
  const res = await client.get(API[drill.path], { ...drill.query, pageSize: '100' });
  expect(res.status).toBe(200);
  return res.body.items as { amount: string }[];
}
const sumOf = (items: { amount: string }[]) => text(items.reduce((n, i) => n + cents(i.amount), 0n));

describe('revenue and receivables', () => {
  it('gives every month of the period its contracted, invoiced, received and outstanding, a reversed receipt out', async () => {
    const res = await exec.get('/api/v1/reports/revenue', { ...PERIOD, businessLineId: line });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    const e = expected(() => true);
    expect(answer.tables[0].rows.map((r) => r.key)).toEqual(MONTHS);
    for (const month of MONTHS) {
      const from = `${month}-01`;
      const to = lastDay(month);
      expect(rowOf(answer, month).cells, month).toEqual({
        month,
        contracted: text(e.contracted(from, to)),
        invoiced: text(e.invoiced(from, to)),
        received: text(e.received(from, to)),
        outstanding: text(e.outstanding(to)),
      });
    }
    // The reversed July receipt is nowhere: July received nothing, and August's balance counts only 20,000 on A.
    expect(rowOf(answer, '2025-07').cells.received).toBe('0.00');
    expect(answer.tables[0].total!.cells).toEqual({
      month: expect.any(String),
      contracted: text(e.contracted(PERIOD.from, PERIOD.to)),
      invoiced: text(e.invoiced(PERIOD.from, PERIOD.to)),
      received: text(e.received(PERIOD.from, PERIOD.to)),
      outstanding: text(e.outstanding(PERIOD.to)),
    });
    expect(answer.tables[0].total!.cells.contracted).toBe('158000.50');

    // The ageing at the period's end, by the receivables domain's buckets.
    const aged = e.ageing(PERIOD.to);
    for (const bucket of Object.keys(aged)) expect(rowOf(answer, bucket, 1).cells.amount).toBe(text(aged[bucket]));
    expect(answer.tables[1].total!.cells.amount).toBe(text(Object.values(aged).reduce((a, b) => a + b, 0n)));
    // Before today: the receivables page ages to today, so no drill there.
    expect(rowOf(answer, 'over-180', 1).drill).toBeUndefined();
  });

  it('drills to the receipts, invoices and contracts behind a figure', async () => {
    const answer = (await exec.get('/api/v1/reports/revenue', { ...PERIOD, businessLineId: line }))
      .body as ReportAnswer;
    const total = answer.tables[0].total!.cells;
    const year = rowOf(answer, '2025-08');
    expect(sumOf(await follow(exec, year.drill!.received))).toBe(year.cells.received);
    // The whole year: a month's drills cover its records; the months add up to the total.
    let received = 0n;
    let invoiced = 0n;
    for (const month of MONTHS) {
      const row = rowOf(answer, month);
      received += cents(sumOf(await follow(exec, row.drill!.received)));
      invoiced += cents(sumOf(await follow(exec, row.drill!.invoiced)));
    }
    expect(text(received)).toBe(total.received);
    expect(text(invoiced)).toBe(total.invoiced);
    const march = rowOf(answer, '2025-03');
    expect(sumOf(await follow(exec, march.drill!.contracted))).toBe(march.cells.contracted);
  });

  it('groups by branch — the contract’s, else the owner’s — a branch without records as zeros', async () => {
    const res = await exec.get('/api/v1/reports/revenue', { ...PERIOD, businessLineId: line, by: 'branch' });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    const bj = expected((s) => s.owner === 'bj' && s.contractBranch !== 'sh');
    const sh = expected((s) => s.owner === 'sh' || s.contractBranch === 'sh');
    for (const [key, e] of [
      [beijing, bj],
      [shanghai, sh],
    ] as const) {
      expect(rowOf(answer, key).cells).toMatchObject({
        contracted: text(e.contracted(PERIOD.from, PERIOD.to)),
        invoiced: text(e.invoiced(PERIOD.from, PERIOD.to)),
        received: text(e.received(PERIOD.from, PERIOD.to)),
        outstanding: text(e.outstanding(PERIOD.to)),
      });
    }
    expect(rowOf(answer, empty).cells).toMatchObject({
      contracted: '0.00',
      invoiced: '0.00',
      received: '0.00',
      outstanding: '0.00',
    });
    // 北京's receipts through the list's branch filter: the reversed one left out by status.
    const bjRow = rowOf(answer, beijing);
    expect(sumOf(await follow(exec, bjRow.drill!.received))).toBe(bjRow.cells.received);
    // 上海's contracts: B (the order without a contract is in the orders list).
    const shRow = rowOf(answer, shanghai);
    expect(sumOf(await follow(exec, shRow.drill!.contracted))).toBe('50000.00');
    expect(answer.tables[0].total!.cells.contracted).toBe(
      text(expected(() => true).contracted(PERIOD.from, PERIOD.to)),
    );
  });

  it('groups by business line', async () => {
    const res = await exec.get('/api/v1/reports/revenue', { ...PERIOD, businessLineId: line, by: 'businessLine' });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    expect(answer.tables[0].rows.map((r) => r.key)).toEqual([line]);
    const e = expected(() => true);
    expect(rowOf(answer, line).cells).toMatchObject({
      received: text(e.received(PERIOD.from, PERIOD.to)),
      outstanding: text(e.outstanding(PERIOD.to)),
    });
  });

  it('shows a manager only his department’s records', async () => {
    const res = await manager.get('/api/v1/reports/revenue', { ...PERIOD, businessLineId: line });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    // The 北京 seller is in his department (A, B, C); the 上海 seller's order is not.
    const e = expected((s) => s.owner === 'bj');
    expect(answer.tables[0].total!.cells).toMatchObject({
      contracted: text(e.contracted(PERIOD.from, PERIOD.to)),
      received: text(e.received(PERIOD.from, PERIOD.to)),
      outstanding: text(e.outstanding(PERIOD.to)),
    });
    const aged = e.ageing(PERIOD.to);
    expect(answer.tables[1].total!.cells.amount).toBe(text(Object.values(aged).reduce((a, b) => a + b, 0n)));
    expect(rowOf(answer, 'not-due', 1).cells.amount).toBe('0.00');
  });

  it('ages to today when the period runs on, and drills to the receivables page then', async () => {
    const res = await exec.get('/api/v1/reports/revenue', { period: 'this-year', businessLineId: line });
    expect(res.status).toBe(200);
    const answer = res.body as ReportAnswer;
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const e = expected(() => true);
    expect(answer.tables[1].title).toContain(today);
    expect(answer.tables[1].total!.cells.amount).toBe(text(Object.values(e.ageing(today)).reduce((a, b) => a + b, 0n)));
    expect(rowOf(answer, 'over-180', 1).drill!.amount).toEqual({
      path: '/finance/receivables',
      query: { businessLineId: line, bucket: 'over-180' },
    });
    const terms = await exec.get('/api/v1/receivables/terms', { businessLineId: line, bucket: 'over-180' });
    expect(text(terms.body.items.reduce((n: bigint, i: { outstanding: string }) => n + cents(i.outstanding), 0n))).toBe(
      rowOf(answer, 'over-180', 1).cells.amount,
    );
    // A month after today has no balance yet.
    const december = rowOf(answer, `${today.slice(0, 4)}-12`);
    if (today.slice(5, 7) !== '12') expect(december.cells.outstanding).toBeNull();
  });

  it('exports exactly the page’s figures as .xlsx', async () => {
    const query = new URLSearchParams({ ...PERIOD, businessLineId: line }).toString();
    const page = (await exec.get(`/api/v1/reports/revenue?${query}`)).body as ReportAnswer;
    const values = await exportedRows(t, exec, 'revenue', query);
    const total = page.tables[0].total!.cells;
    const totalRow = values.find((v) => v[0] === total.month)!;
    expect(totalRow.slice(1, 5)).toEqual([
      Number(total.contracted),
      Number(total.invoiced),
      Number(total.received),
      Number(total.outstanding),
    ]);
  });
});
