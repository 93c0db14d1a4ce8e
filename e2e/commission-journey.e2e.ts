import ExcelJS from 'exceljs';
import { expect, inject, test } from 'vitest';
import {
  apiSession,
  decideApproval,
  decideWaiting,
  latestApproval,
  signedAuditOrder,
  type Session,
} from './support/api';
import { chooseOption, clickSettled, fillDate, settle } from './support/ui';
import { peopleInOneBrowser } from './support/people';

/**
 * Issue 15's journey on the demo firm (its 2026 commission policy and five-step flow): an engagement of sales1's
 * signed audit contract, led by 周杰 with 吴芳 as assistant, has a receipt of ¥30,000.00 and 吴芳's approved hours;
 * sales1 starts the month's sheet 分配表 and sends it; it passes ② 会计处理 (finance), ③ 项目负责人分配处理 (周杰),
 * ④ 财务核对 (finance) — which returns it once to the project lead — and ⑤ 佣金发放 (finance); 吴芳 sees her line with
 * its formula; the payout .xlsx opens and its total equals the sheet's.
 */
const people = peopleInOneBrowser();
const base = () => inject('baseURL');
const CUSTOMER = '佣金旅程测试（咸阳）有限公司';
const TITLE = '佣金旅程·2026 年度财务报表审计';

/** A day from today in the firm's zone (Asia/Shanghai, UTC+8), as YYYY-MM-DD. */
const firmDay = (days: number) => new Date(Date.now() + (8 + 24 * days) * 3600_000).toISOString().slice(0, 10);
/** The Monday of the week before last (吴芳's hours there touch no other journey's week). */
function mondayBeforeLast(): string {
  const today = new Date(`${firmDay(0)}T00:00:00Z`);
  const back = ((today.getUTCDay() + 6) % 7) + 14;
  return new Date(today.getTime() - back * 24 * 3600_000).toISOString().slice(0, 10);
}

async function userId(session: Session, username: string): Promise<string> {
  const found = await session.get<{ id: string; username: string }[]>(`/api/v1/users/directory?q=${username}`);
  return found.find((u) => u.username === username)!.id;
}

let contractId: string;
let engagementId: string;

test('an engagement of a signed audit contract gets a receipt and 吴芳’s approved hours', async () => {
  const signed = await signedAuditOrder(base(), { customer: CUSTOMER, title: TITLE, amount: '60000' });
  contractId = signed.contractId;
  const manager = await apiSession(base(), 'manager');
  const zhoujie = await userId(manager, 'zhoujie');
  const wufang = await userId(manager, 'wufang');
  const made = await manager.post<{ items: { id: string }[] }>('/api/v1/engagements', {
    orderId: signed.orderId,
    leadId: zhoujie,
  });
  engagementId = made.items[0].id;
  await manager.put(`/api/v1/engagements/${engagementId}/members`, {
    members: [
      { userId: zhoujie, roles: ['manager'] },
      { userId: wufang, roles: ['assistant'] },
    ],
  });

  // 吴芳 logs 6.5 + 6.5 hours in the week before last and submits it; 周杰 approves it.
  const week = mondayBeforeLast();
  const tuesday = new Date(new Date(`${week}T00:00:00Z`).getTime() + 24 * 3600_000).toISOString().slice(0, 10);
  const assistant = await apiSession(base(), 'wufang');
  await assistant.put(`/api/v1/timesheets/${week}`, {
    rows: [{ engagementId, category: 'engagement', hours: { [week]: '6.5', [tuesday]: '6.5' } }],
  });
  await assistant.post(`/api/v1/timesheets/${week}/submit`, {});
  await decideWaiting(await apiSession(base(), 'zhoujie'), 'timesheet', await weekId(assistant, week), {
    action: 'approve',
  });
  expect((await assistant.get<{ status: string }>(`/api/v1/timesheets/${week}`)).status).toBe('approved');

  // finance records ¥30,000.00 received today: the down payment's half.
  const finance = await apiSession(base(), 'finance');
  await finance.post('/api/v1/receipts', {
    contractId,
    receivedOn: firmDay(0),
    amount: '30000',
    payer: CUSTOMER,
    bankReference: 'COMMISSION-JOURNEY-1',
  });
});

/** The id of a person's week (the timesheet approval's subject). */
async function weekId(session: Session, week: string): Promise<string> {
  return (await session.get<{ id: string }>(`/api/v1/timesheets/${week}`)).id;
}

let sheetId: string;

test('sales1 starts the month’s sheet, whose total is the policy’s, and sends it', async () => {
  const seller = await people.signIn('sales1');
  const page = seller.page;
  await page.goto('/commissions/sheets');
  await clickSettled(page, page.getByTestId('sheet-create'));
  await chooseOption(page, page.getByTestId('sheet-contract').locator('input'), CUSTOMER);
  await fillDate(page.locator('#commission-sheet_period'), firmDay(0).slice(0, 7));
  await clickSettled(page, page.getByTestId('sheet-create-save'));
  await page.waitForURL(/\/commissions\/sheets\/[0-9a-f-]{36}$/);
  sheetId = page.url().split('/').pop()!;
  // 业务承接人 S1: ¥30,000.00 × 3% = ¥900.00; the 审计 pool W1: 10% = ¥3,000.00, all 吴芳's (13 of 13 hours).
  await page.getByTestId('sheet-total').filter({ hasText: '3,900.00' }).waitFor();
  await settle(page);
  await clickSettled(page, page.getByTestId('sheet-submit'));
  await clickSettled(page, page.getByTestId('sheet-submit-confirm'));
  await page.getByTestId('sheet-status').filter({ hasText: '审批中' }).waitFor();
  expect(seller.failed).toEqual([]);
});

test('the sheet passes ② 会计处理, ③ the project lead, ④ 财务核对 returning it once, then ⑤ 佣金发放', async () => {
  const finance = await apiSession(base(), 'finance');
  const zhoujie = await apiSession(base(), 'zhoujie');
  await decideApproval(finance, 'commission-sheet', sheetId, { action: 'approve', comment: '到款与工时已核对' });

  // ③ 周杰, on the sheet page: he holds the step; he approves in his inbox.
  const lead = await people.signIn('zhoujie');
  await lead.page.goto(`/commissions/sheets/${sheetId}`);
  await lead.page.locator('[data-testid="sheet-held"][data-step="3"]').waitFor();
  await decideApproval(zhoujie, 'commission-sheet', sheetId, { action: 'approve', comment: '组内分配无异议' });

  // ④ finance returns it to the project lead's step with a comment; he approves again; ④ and ⑤ pass.
  await decideApproval(finance, 'commission-sheet', sheetId, {
    action: 'return',
    returnTo: 2,
    comment: '请确认助理工时是否全部计入',
  });
  expect((await latestApproval(zhoujie, 'commission-sheet', sheetId)).currentStep).toBe(2);
  await decideApproval(zhoujie, 'commission-sheet', sheetId, { action: 'approve', comment: '已确认' });
  await decideApproval(finance, 'commission-sheet', sheetId, { action: 'approve' });

  const accountant = await people.signIn('finance');
  const page = accountant.page;
  await page.goto('/approvals');
  await page.getByTestId('approvals-table').locator('tr', { hasText: CUSTOMER }).getByTestId('approval-open').click();
  const drawer = page.getByTestId('approval-detail');
  await drawer.getByTestId('approval-comment-input').fill('已随 12 月工资发放');
  await clickSettled(page, drawer.getByTestId('approval-approve'));
  await drawer.getByTestId('approval-status').filter({ hasText: '已通过' }).waitFor();
  const sheet = await finance.get<{ status: string; paidOn: string; total: string }>(
    `/api/v1/commission-sheets/${sheetId}`,
  );
  expect(sheet).toMatchObject({ status: 'paid', paidOn: firmDay(0), total: '3900.00' });
  expect(accountant.failed).toEqual([]);
});

test('吴芳 sees her line with its formula; the payout .xlsx totals what the sheet does', async () => {
  const assistant = await people.signIn('wufang');
  await assistant.page.goto(`/commissions/sheets/${sheetId}`);
  await assistant.page.getByTestId('sheet-own-lines').waitFor();
  const explanation = assistant.page.getByTestId('line-explanation');
  await explanation
    .locator('[data-testid="formula-step"][data-kind="pool"]')
    .filter({ hasText: '30,000.00' })
    .waitFor();
  expect(await explanation.locator('[data-testid="formula-step"][data-kind="pool"]').textContent()).toContain(
    '3,000.00',
  );
  await explanation.locator('[data-testid="formula-step"][data-kind="share"]').filter({ hasText: '13' }).waitFor();
  expect(await assistant.page.getByTestId('line-person').count()).toBe(1);

  const accountant = await people.signIn('finance');
  const page = accountant.page;
  await page.goto(`/commissions/sheets/${sheetId}`);
  await settle(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sheet-payout').click()]);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile((await download.path())!);
  // The lines' amounts (the fifth column, below the three heading rows), added up in fen here, make the total row's
  // figure and the sheet's total.
  const sheet = book.worksheets[0];
  const rows: { first: unknown; amount: unknown }[] = [];
  sheet.eachRow((row, n) => {
    if (n > 3) rows.push({ first: row.getCell(1).value, amount: row.getCell(5).value });
  });
  const totalRow = rows.pop()!;
  expect(totalRow.first).toBe('合计');
  const fen = rows.reduce((sum, r) => sum + Math.round(Number(r.amount) * 100), 0);
  // sales1 ¥900.00, 吴芳 ¥3,000.00, and 周杰 ¥0.00 (no hours of his own on it).
  expect(rows).toHaveLength(3);
  expect(fen).toBe(390_000);
  expect(Math.round(Number(totalRow.amount) * 100)).toBe(390_000);
  expect(people.pageErrors()).toEqual([]);
});
