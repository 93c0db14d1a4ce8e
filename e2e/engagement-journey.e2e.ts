import { expect, inject, test } from 'vitest';
import { apiSession, decideApproval, latestApproval, signedAuditOrder } from './support/api';
import { peopleInOneBrowser } from './support/people';
import { chooseOption, clickSettled, confirm, fillDate, settle } from './support/ui';

/**
 * Issue 14's journey on the demo firm: sales1's audit contract is approved and signed (half on signing, half on
 * completion 结项) and its order confirmed; `manager` makes it an engagement from the 审计 template (its phases and
 * work orders) led by 周杰, staffs it — the suggestions for 签字注册会计师 list a practising CPA first — and gives a
 * work order to 吴芳 (assistant, role staff); she sees it on Today, starts it there and finishes it in 我的工单; the
 * phase's progress follows. She logs 6.5 hours on two days of the week in her timesheet from the keyboard and submits
 * the week; the project lead approves it in his inbox and the week is locked. She sends the working papers for
 * review 三级复核: the project manager approves, the department manager returns it to him with a comment, then the
 * three levels approve; the lead issues the report 出具报告 with the two signing CPAs and gets the number
 * 华会审字〔yyyy〕第NNNN号; archiving 归档 closes the engagement, completes the order and the contract, makes the
 * final payment due today and reminds sales1.
 */
const people = peopleInOneBrowser();
/** Polls wait as long as a locator does (expect.poll's own default is a second: too short on a busy machine). */
const SLOW = { timeout: 15_000 };
const base = () => inject('baseURL');
const CUSTOMER = '工单旅程测试（宝鸡）有限公司';
const TITLE = '工单旅程·2026 年度财务报表审计';
const TASK = '了解被审计单位及其环境';

/** A day from today in the firm's zone (Asia/Shanghai, UTC+8), as YYYY-MM-DD. */
const firmDay = (days: number) => new Date(Date.now() + (8 + 24 * days) * 3600_000).toISOString().slice(0, 10);

let contractId: string;
let orderId: string;
let engagementId: string;
/** The practising CPA who signs the report with the lead. */
let secondSigner: string;

test('sales1 wins an audit, the contract is approved and signed (half on signing, half on completion); its order is confirmed', async () => {
  ({ contractId, orderId } = await signedAuditOrder(base(), { customer: CUSTOMER, title: TITLE, amount: '60000' }));
});

test('manager makes the engagement from the order and staffs it: a practising CPA is suggested to sign', async () => {
  const manager = await people.signIn('manager');
  const page = manager.page;
  await page.goto(`/orders/${orderId}`);
  await clickSettled(page, page.getByTestId('engagement-create'));
  // 周杰 (a practising CPA of the practice) leads it as its project manager.
  await chooseOption(page, page.getByTestId('engagement-create-lead').locator('input'), '周杰');
  await clickSettled(page, page.getByTestId('engagement-create-ok'));
  const made = page.getByTestId('order-engagement').filter({ hasText: CUSTOMER });
  await made.waitFor();
  await made.getByRole('link').click();
  await page.waitForURL(/\/engagements\/[0-9a-f-]{36}$/);
  engagementId = page.url().split('/').pop()!;
  // The 审计 template's phases, in order, with its work orders.
  await expect.poll(() => page.getByTestId('engagement-phase').count(), SLOW).toBeGreaterThanOrEqual(5);
  await page.locator(`[data-testid="engagement-task"][data-task="${TASK}"]`).waitFor();

  await settle(page);
  await clickSettled(page, page.getByTestId('engagement-staff'));
  await chooseOption(page, page.getByTestId('staff-suggest-role').locator('input'), '签字注册会计师');
  const first = page.getByTestId('staff-suggestion').first();
  await first.waitFor();
  await expect.poll(() => first.textContent(), SLOW).toContain('执业');
  // The two who will sign the report: the lead, and the best suggested practising CPA besides him.
  const suggestions = page.getByTestId('staff-suggestion').filter({ hasText: '执业' });
  await suggestions.filter({ hasText: '周杰' }).getByTestId('staff-suggestion-add').click();
  const second = suggestions.filter({ hasNotText: '周杰' }).first();
  secondSigner = (await second.getByTestId('staff-suggestion-name').textContent())!.trim();
  await second.getByTestId('staff-suggestion-add').click();
  await chooseOption(page, page.getByTestId('staff-suggest-role').locator('input'), '助理');
  const wufang = page.getByTestId('staff-suggestion').filter({ hasText: '吴芳' });
  await wufang.getByTestId('staff-suggestion-add').click();
  await clickSettled(page, page.getByTestId('staff-save'));
  await page.getByTestId('engagement-member').filter({ hasText: '吴芳' }).waitFor();
  await page.getByTestId('engagement-member').filter({ hasText: secondSigner }).waitFor();

  // The work order goes to 吴芳, from today, due tomorrow.
  await page.locator(`[data-testid="engagement-task"][data-task="${TASK}"]`).getByTestId('task-open').click();
  await chooseOption(page, page.getByTestId('task-assignee-select').locator('input'), '吴芳');
  await fillDate(page.locator('#engagement-task_startsOn'), firmDay(0));
  await fillDate(page.locator('#engagement-task_dueOn'), firmDay(1));
  await clickSettled(page, page.getByTestId('task-save'));
  await page
    .locator(`[data-testid="engagement-task"][data-task="${TASK}"]`)
    .getByTestId('task-assignee')
    .filter({ hasText: '吴芳' })
    .waitFor();
});

test('吴芳 sees her work order on Today, starts it there and finishes it in 我的工单', async () => {
  const wufang = await people.signIn('wufang');
  const page = wufang.page;
  await page.goto('/');
  const item = page.locator(`[data-testid="today-work-order"][data-task="${TASK}"]`).filter({ hasText: CUSTOMER });
  await item.waitFor();
  await clickSettled(page, item.getByTestId('task-start'));
  await item.locator('[data-testid="task-status"][data-status="in-progress"]').waitFor();

  await page.goto('/work-orders');
  const row = page.getByTestId('work-orders-table').locator('tr', { hasText: CUSTOMER }).filter({ hasText: TASK });
  await clickSettled(page, row.getByTestId('task-finish'));
  await row.waitFor({ state: 'detached' });
  expect(wufang.failed).toEqual([]);

  // The lead's page shows the phase under way and the engagement's progress.
  const api = await apiSession(base(), 'manager');
  const engagement = await api.get<{ progress: number; phases: { tasks: { title: string; status: string }[] }[] }>(
    `/api/v1/engagements/${engagementId}`,
  );
  const tasks = engagement.phases.flatMap((p) => p.tasks);
  expect(tasks.find((t) => t.title === TASK)?.status).toBe('done');
  // One of all the template's work orders is done: progress is that share, rounded down.
  expect(engagement.progress).toBe(Math.floor(100 / tasks.length));
});

/** The Monday of this week in the firm's zone, as YYYY-MM-DD. */
function mondayOfThisWeek(): string {
  const today = new Date(`${firmDay(0)}T00:00:00Z`);
  const back = (today.getUTCDay() + 6) % 7;
  return new Date(today.getTime() - back * 24 * 3600_000).toISOString().slice(0, 10);
}

test('吴芳 logs 6.5 hours on two days in her timesheet and submits the week; the project lead approves it', async () => {
  const wufang = await people.signIn('wufang');
  const page = wufang.page;
  await page.goto('/timesheet');
  const grid = page.getByTestId('timesheet-grid');
  await grid.waitFor();
  // Rows are added per engagement (the whole of it, or one of my work orders), found by its customer's name.
  const add = page.getByTestId('timesheet-add-row').locator('input');
  await add.click();
  await add.pressSequentially(CUSTOMER);
  await clickSettled(
    page,
    page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').first(),
  );
  const row = grid.locator('tr', { hasText: CUSTOMER }).first();
  // Monday and Tuesday, typed as one types: the value, then Tab to the next day.
  const monday = row.locator('input[data-cell$="-0"]');
  await monday.click();
  await page.keyboard.type('6.5');
  await page.keyboard.press('Tab');
  await page.keyboard.type('6.5');
  await page.keyboard.press('Tab');
  await expect.poll(() => row.locator('input[data-cell$="-1"]').inputValue(), SLOW).toBe('6.5');
  await page.getByTestId('timesheet-week-total').filter({ hasText: '13' }).waitFor();
  await clickSettled(page, page.getByTestId('timesheet-save'));
  await expect.poll(() => page.getByTestId('timesheet-save').isDisabled(), SLOW).toBe(true);
  await clickSettled(page, page.getByTestId('timesheet-submit'));
  await confirm(page, page.locator('.ant-popconfirm').last(), '提交审批');
  await page.locator('[data-testid="timesheet-status"][data-status="submitted"]').waitFor();

  // The project lead 周杰 decides in his inbox.
  const lead = await people.signIn('zhoujie');
  await lead.page.goto('/approvals');
  const week = mondayOfThisWeek();
  const pending = lead.page.getByTestId('approvals-table').locator('tr', { hasText: '吴芳' }).filter({ hasText: week });
  await pending.getByTestId('approval-open').click();
  const drawer = lead.page.getByTestId('approval-detail');
  await clickSettled(lead.page, drawer.getByTestId('approval-approve'));
  await drawer.getByTestId('approval-status').filter({ hasText: '已通过' }).waitFor();

  const sheet = await (
    await apiSession(base(), 'wufang')
  ).get<{ status: string; dayTotals: string[]; total: string }>(`/api/v1/timesheets/${week}`);
  expect(sheet.status).toBe('approved');
  expect(sheet.dayTotals.slice(0, 2).map(Number)).toEqual([6.5, 6.5]);
  expect(Number(sheet.total)).toBe(13);
  await page.reload();
  await page.getByTestId('timesheet-locked').waitFor();
});

test('the review passes its three levels, the department manager returning it once to the project manager', async () => {
  // 吴芳, on the team, sends the working papers for review from the engagement's page.
  const wufang = await people.signIn('wufang');
  await wufang.page.goto(`/engagements/${engagementId}`);
  await settle(wufang.page);
  await clickSettled(wufang.page, wufang.page.getByTestId('engagement-review'));
  await clickSettled(wufang.page, wufang.page.getByTestId('engagement-review-confirm'));
  await wufang.page.getByTestId('engagement-review-state').waitFor();

  // Level 1, 项目经理复核: the lead 周杰.
  const zhoujie = await apiSession(base(), 'zhoujie');
  await decideApproval(zhoujie, 'engagement-review', engagementId, { action: 'approve', comment: '底稿已复核' });

  // Level 2, 部门经理复核: manager returns it to the project manager's level with a comment, in his inbox.
  const manager = await people.signIn('manager');
  await manager.page.goto('/approvals');
  const waiting = manager.page.getByTestId('approvals-table').locator('tr', { hasText: CUSTOMER });
  await waiting.getByTestId('approval-open').click();
  const drawer = manager.page.getByTestId('approval-detail');
  await drawer.getByTestId('approval-comment-input').fill('应收账款函证回函不全，请补充替代程序');
  await drawer.getByTestId('approval-return').click();
  const popup = manager.page.getByRole('tooltip');
  const target = popup.getByTestId('approval-return-targets').getByRole('radio', { name: /项目经理复核/ });
  await target.check(); // clicks and then verifies the choice took
  await confirm(manager.page, popup, /退\s*回/);
  await manager.page.locator('.ant-message').getByText('已退回').waitFor();
  let latest = await latestApproval(zhoujie, 'engagement-review', engagementId);
  expect(latest).toMatchObject({ status: 'running', currentStep: 1 });

  // 周杰 approves again; manager approves; a partner approves the last level.
  await decideApproval(zhoujie, 'engagement-review', engagementId, { action: 'approve', comment: '已补充替代程序' });
  await decideApproval(await apiSession(base(), 'manager'), 'engagement-review', engagementId, { action: 'approve' });
  const partner = await people.signIn('exec');
  await partner.page.goto('/approvals');
  await partner.page
    .getByTestId('approvals-table')
    .locator('tr', { hasText: CUSTOMER })
    .getByTestId('approval-open')
    .click();
  const last = partner.page.getByTestId('approval-detail');
  await clickSettled(partner.page, last.getByTestId('approval-approve'));
  await last.getByTestId('approval-status').filter({ hasText: '已通过' }).waitFor();
  latest = await latestApproval(zhoujie, 'engagement-review', engagementId);
  expect(latest.status).toBe('approved');
  expect(partner.failed).toEqual([]);
});

test('the report gets its number with the two signing CPAs; archiving closes the engagement and makes the final payment due', async () => {
  const lead = await people.signIn('zhoujie');
  const page = lead.page;
  await page.goto(`/engagements/${engagementId}`);
  await page.locator('[data-testid="engagement-review-state"]').filter({ hasText: '复核' }).waitFor();
  await settle(page);
  await clickSettled(page, page.getByTestId('engagement-report'));
  const dialog = page.getByTestId('report-dialog');
  // The two staffed signing CPAs are chosen already.
  const signers = dialog.getByTestId('report-signers');
  await signers.getByText('周杰', { exact: false }).first().waitFor();
  await signers.getByText(secondSigner, { exact: false }).first().waitFor();
  await clickSettled(page, page.getByTestId('report-submit'));
  const number = dialog.getByTestId('report-number');
  const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
  await number.filter({ hasText: new RegExp(`^华会审字〔${year}〕第\\d{4}号$`) }).waitFor();
  const reportNumber = (await number.textContent())!.trim();
  await clickSettled(page, page.getByTestId('report-close'));
  await page.getByTestId('engagement-report-number').filter({ hasText: reportNumber }).waitFor();

  // The final payment waits for completion until the engagement is archived.
  const sales1 = await apiSession(base(), 'sales1');
  type Terms = { status: string; terms: { kind: string; dueOn: string | null }[] };
  const before = await sales1.get<Terms>(`/api/v1/contracts/${contractId}`);
  expect(before.terms.find((t) => t.kind === 'final')?.dueOn).toBeNull();

  await settle(page);
  await clickSettled(page, page.getByTestId('engagement-archive'));
  await clickSettled(page, page.getByTestId('engagement-archive-confirm'));
  await page.getByTestId('engagement-title').waitFor();
  await expect
    .poll(async () => (await sales1.get<{ status: string }>(`/api/v1/engagements/${engagementId}`)).status, SLOW)
    .toBe('closed');
  expect(lead.failed).toEqual([]);

  // The order and the contract are completed; the final half is due today; sales1 is reminded of it.
  const after = await sales1.get<Terms>(`/api/v1/contracts/${contractId}`);
  expect(after.status).toBe('completed');
  expect(after.terms.find((t) => t.kind === 'final')?.dueOn).toBe(firmDay(0));
  const seller = await people.signIn('sales1');
  await seller.page.goto('/');
  await seller.page.getByTestId('notification-bell').click();
  const list = seller.page.getByTestId('notification-list');
  await list.getByTestId('notification-item').filter({ hasText: CUSTOMER }).first().waitFor();
  const kinds = (
    await sales1.get<{ items: { kind: string; entityId: string | null }[] }>('/api/v1/notifications')
  ).items.map((n) => [n.kind, n.entityId]);
  expect(kinds).toContainEqual(['payment-due', contractId]);
  expect(kinds).toContainEqual(['engagement-closed', engagementId]);
  expect(people.pageErrors()).toEqual([]);
});
