import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { buildContract } from '../receivables/fixtures';
import { commissionLines, commissionPolicies, commissionSheets } from './commissions.tables';

/**
 * The payout lists 佣金发放表 as .xlsx: parsed back, their totals equal the sheets' totals worked out here in fen.
 * Sheets are rows naming a draft version, paid in a month of long ago picked at random for this run (PG tests share
 * one database: no other test's months, no adoption blocked).
 */
let t: TestApp;
let finance: Client;
beforeAll(async () => {
  t = await createTestApp();
  finance = (await signedIn(t, { roleCode: 'finance' })).client;
});
afterAll(() => t.close());

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** A month of 1900–1979 for this run: periods and the payout month. */
const year = 1900 + Math.floor(Math.random() * 80);
const paidMonth = `${year}-06`;

async function workbookOf(client: Client, url: string) {
  const raw = await t.app.inject({ method: 'GET', url, headers: { cookie: client.cookie! } });
  expect(raw.statusCode, raw.body).toBe(200);
  expect(raw.headers['content-type']).toBe(XLSX);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(raw.rawPayload as unknown as ArrayBuffer);
  return { workbook, disposition: String(raw.headers['content-disposition']) };
}
const rowsOf = (sheet: ExcelJS.Worksheet) =>
  (sheet.getSheetValues().filter(Boolean) as unknown[][]).map((r) => r.slice(1));
/** Yuan as fen, from the text the test chose. */
const fen = (yuan: string) => BigInt(yuan.replace('.', ''));

type LineSpec = { userId: string; role: 'sales-owner' | 'assistant' | 'project-lead'; amount: string };

/** A paid sheet (as rows) of a new contract owned by `ownerId`, with the given lines. */
async function paidSheet(ownerId: string, period: string, paidOn: string, lines: LineSpec[]) {
  const db = t.database.db;
  const line = await buildBusinessLine(db, { name: uniq('审计') });
  const contract = await buildContract(db, [{ amount: '100000', due: -10 }], {
    ownerId,
    businessLineId: line.id,
  });
  const [policy] = await db
    .insert(commissionPolicies)
    .values({
      version: 700_000 + Math.floor(Math.random() * 99_999),
      name: uniq('旧政策'),
      effectiveFrom: '1900-01-01',
      // A draft: what the sheet names, never in force for another test's month.
      status: 'draft',
      rules: [],
    })
    .returning();
  const total = lines.reduce((sum, l) => sum + fen(l.amount), 0n);
  const [sheet] = await db
    .insert(commissionSheets)
    .values({
      period,
      contractId: contract.id,
      businessLineId: line.id,
      ownerId,
      departmentId: contract.departmentId,
      policyId: policy.id,
      receivedBefore: '0',
      received: '100000',
      hours: '0',
      total: `${total / 100n}.${String(total % 100n).padStart(2, '0')}`,
      status: 'paid',
      paidOn,
    })
    .returning();
  await db.insert(commissionLines).values(
    lines.map((l, i) => ({
      sheetId: sheet.id,
      userId: l.userId,
      side: l.role === 'sales-owner' ? ('sale' as const) : ('work' as const),
      role: l.role,
      ruleKey: `R${i}`,
      method: 'amount' as const,
      computed: l.amount,
      amount: l.amount,
      explanation: {
        policyId: policy.id,
        policyVersion: policy.version,
        ruleKey: `R${i}`,
        ruleName: `规则${i}`,
        steps: [],
        receiptIds: [],
        timeEntryIds: [],
      },
      paidOn,
    })),
  );
  return { sheet, contract };
}

describe('the payout lists 佣金发放表 (.xlsx)', () => {
  it('lists one sheet’s lines with a total equal to the sheet’s, for those who see the whole sheet', async () => {
    const practice = await buildDepartment(t.database.db, { name: uniq('审计一部') });
    const owner = await signedIn(t, { roleCode: 'salesperson', departmentId: practice.id, displayName: uniq('李明') });
    const aide = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('吴芳') });
    const lead = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('周杰') });
    const lines: LineSpec[] = [
      { userId: owner.user.id, role: 'sales-owner', amount: '3000.10' },
      { userId: aide.user.id, role: 'assistant', amount: '1234.57' },
      { userId: lead.user.id, role: 'project-lead', amount: '0.33' },
    ];
    const { sheet } = await paidSheet(owner.user.id, `${year}-05`, `${paidMonth}-15`, lines);
    // 3000.10 + 1234.57 + 0.33 = 4235.00
    const expected = 300010n + 123457n + 33n;

    const { workbook, disposition } = await workbookOf(finance, `/api/v1/commission-sheets/${sheet.id}/payout.xlsx`);
    expect(disposition).toContain(encodeURIComponent('佣金发放表-'));
    const rows = rowsOf(workbook.worksheets[0]);
    expect(rows[2]).toEqual(['姓名', '部门', '角色', '规则', '金额', '发放日期']);
    const body = rows.slice(3, -1);
    expect(body).toHaveLength(3);
    const ownerRow = body.find((r) => r[0] === owner.user.displayName)!;
    expect(ownerRow.slice(1, 6)).toEqual([practice.name, '业务承接人', 'R0 规则0', 3000.1, `${paidMonth}-15`]);
    const total = rows.at(-1)!;
    expect(total[0]).toBe('合计');
    expect(Math.round(Number(total[4]) * 100)).toBe(Number(expected));
    // The lines' amounts add up to the total to the fen.
    expect(body.reduce((sum, r) => sum + BigInt(Math.round(Number(r[4]) * 100)), 0n)).toBe(expected);

    // The owner sees the whole sheet; the assistant only her own lines: refused; a stranger: not found.
    expect((await owner.client.request('GET', `/api/v1/commission-sheets/${sheet.id}/payout.xlsx`)).status).toBe(200);
    expect((await aide.client.request('GET', `/api/v1/commission-sheets/${sheet.id}/payout.xlsx`)).status).toBe(403);
    const stranger = await signedIn(t, { roleCode: 'staff' });
    expect((await stranger.client.get(`/api/v1/commission-sheets/${sheet.id}/payout.xlsx`)).status).toBe(404);
  });

  it('lists every line paid in a month per person, with subtotals and a grand total, for finance', async () => {
    const practice = await buildDepartment(t.database.db, { name: uniq('审计二部') });
    const a = await signedIn(t, { roleCode: 'salesperson', departmentId: practice.id, displayName: uniq('甲') });
    const b = await signedIn(t, { roleCode: 'staff', departmentId: practice.id, displayName: uniq('乙') });
    await paidSheet(a.user.id, `${year}-04`, `${paidMonth}-02`, [
      { userId: a.user.id, role: 'sales-owner', amount: '100.01' },
      { userId: b.user.id, role: 'assistant', amount: '50.50' },
    ]);
    await paidSheet(a.user.id, `${year}-05`, `${paidMonth}-30`, [
      { userId: a.user.id, role: 'sales-owner', amount: '0.99' },
    ]);
    // Paid the month after: not in this list.
    await paidSheet(a.user.id, `${year}-05`, `${year}-07-01`, [
      { userId: b.user.id, role: 'assistant', amount: '999.00' },
    ]);
    const { workbook } = await workbookOf(finance, `/api/v1/commission-payouts.xlsx?period=${paidMonth}`);
    const [summary, detail] = workbook.worksheets;
    const summaryRows = rowsOf(summary);
    const mine = (name: string) => summaryRows.find((r) => r[0] === name)!;
    // 甲: 100.01 + 0.99 = 101.00 over 2 lines; 乙: 50.50 over 1.
    expect(mine(a.user.displayName).slice(1)).toEqual([practice.name, 2, 101]);
    expect(mine(b.user.displayName).slice(1)).toEqual([practice.name, 1, 50.5]);
    const grand = summaryRows.at(-1)!;
    expect(grand[0]).toBe('合计');
    // The grand total is the sum of every person's (others' too, in a shared database): checked in fen.
    const people = summaryRows.slice(2, -1);
    expect(BigInt(Math.round(Number(grand[3]) * 100))).toBe(
      people.reduce((sum, r) => sum + BigInt(Math.round(Number(r[3]) * 100)), 0n),
    );
    const detailRows = rowsOf(detail);
    const subtotal = detailRows.find((r) => r[0] === a.user.displayName && r[1] === '小计')!;
    expect(subtotal[7]).toBe(101);
    expect(detailRows.filter((r) => r[0] === b.user.displayName && r[1] !== '小计').map((r) => r[7])).toEqual([50.5]);

    // Only for those who keep the policy (finance, admin); a bad month is a validation error.
    expect((await a.client.get(`/api/v1/commission-payouts.xlsx?period=${paidMonth}`)).status).toBe(403);
    expect((await finance.get('/api/v1/commission-payouts.xlsx?period=2026-13')).status).toBe(400);
  });
});
