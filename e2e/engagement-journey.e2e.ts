import { expect, inject, test } from 'vitest';
import { apiSession, wonAuditOpportunity } from './support/api';
import { peopleInOneBrowser } from './support/people';
import { chooseOption, clickSettled, confirm, fillDate, settle } from './support/ui';

/**
 * Issue 14's journey on the demo firm, as far as it is built: sales1's audit order is confirmed; `manager` makes it
 * an engagement from the 审计 template (its phases and work orders), staffs it — the suggestions for 签字注册会计师
 * list a practising CPA first — and gives a work order to 吴芳 (assistant, role staff); she sees it on Today, starts
 * it there and finishes it in 我的工单; the phase's progress follows. She logs 6.5 hours on two days of the week in
 * her timesheet from the keyboard and submits the week; the project lead approves it in his inbox and the week is
 * locked.
 */
const people = peopleInOneBrowser();
const base = () => inject('baseURL');
const CUSTOMER = '工单旅程测试（宝鸡）有限公司';
const TITLE = '工单旅程·2026 年度财务报表审计';
const TASK = '了解被审计单位及其环境';

/** A day from today in the firm's zone (Asia/Shanghai, UTC+8), as YYYY-MM-DD. */
const firmDay = (days: number) => new Date(Date.now() + (8 + 24 * days) * 3600_000).toISOString().slice(0, 10);

let orderId: string;
let engagementId: string;

test('sales1 wins an audit and confirms its order', async () => {
  const sales1 = await apiSession(base(), 'sales1');
  const opportunity = await wonAuditOpportunity(sales1, { customer: CUSTOMER, title: TITLE, amount: '60000' });
  const order = await sales1.post<{ id: string }>('/api/v1/orders', {
    opportunityId: opportunity.id,
    terms: [{ kind: 'final', percent: '100', trigger: 'completion' }],
  });
  orderId = order.id;
  const confirmed = await sales1.post<{ status: string }>(`/api/v1/orders/${orderId}/confirm`, {});
  expect(confirmed.status).toBe('confirmed');
});

test('manager makes the engagement from the order and staffs it: a practising CPA is suggested to sign', async () => {
  const manager = await people.signIn('manager');
  const page = manager.page;
  await page.goto(`/orders/${orderId}`);
  await clickSettled(page, page.getByTestId('engagement-create'));
  await clickSettled(page, page.getByTestId('engagement-create-ok'));
  const made = page.getByTestId('order-engagement').filter({ hasText: CUSTOMER });
  await made.waitFor();
  await made.getByRole('link').click();
  await page.waitForURL(/\/engagements\/[0-9a-f-]{36}$/);
  engagementId = page.url().split('/').pop()!;
  // The 审计 template's phases, in order, with its work orders.
  await expect.poll(() => page.getByTestId('engagement-phase').count()).toBeGreaterThanOrEqual(5);
  await page.locator(`[data-testid="engagement-task"][data-task="${TASK}"]`).waitFor();

  await settle(page);
  await clickSettled(page, page.getByTestId('engagement-staff'));
  await chooseOption(page, page.getByTestId('staff-suggest-role').locator('input'), '签字注册会计师');
  const first = page.getByTestId('staff-suggestion').first();
  await first.waitFor();
  await expect.poll(() => first.textContent()).toContain('执业');
  await first.getByTestId('staff-suggestion-add').click();
  await chooseOption(page, page.getByTestId('staff-suggest-role').locator('input'), '助理');
  const wufang = page.getByTestId('staff-suggestion').filter({ hasText: '吴芳' });
  await wufang.getByTestId('staff-suggestion-add').click();
  await clickSettled(page, page.getByTestId('staff-save'));
  await page.getByTestId('engagement-member').filter({ hasText: '吴芳' }).waitFor();
  await page.getByTestId('engagement-member').filter({ hasText: '执业' }).nth(1).waitFor();

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
  await expect.poll(() => row.locator('input[data-cell$="-1"]').inputValue()).toBe('6.5');
  await page.getByTestId('timesheet-week-total').filter({ hasText: '13' }).waitFor();
  await clickSettled(page, page.getByTestId('timesheet-save'));
  await expect.poll(() => page.getByTestId('timesheet-save').isDisabled()).toBe(true);
  await clickSettled(page, page.getByTestId('timesheet-submit'));
  await confirm(page, page.locator('.ant-popconfirm').last(), '提交审批');
  await page.locator('[data-testid="timesheet-status"][data-status="submitted"]').waitFor();

  // The lead (manager, who made the engagement) decides in his inbox.
  const manager = await people.signIn('manager');
  await manager.page.goto('/approvals');
  const week = mondayOfThisWeek();
  const pending = manager.page
    .getByTestId('approvals-table')
    .locator('tr', { hasText: '吴芳' })
    .filter({ hasText: week });
  await pending.getByTestId('approval-open').click();
  const drawer = manager.page.getByTestId('approval-detail');
  await clickSettled(manager.page, drawer.getByTestId('approval-approve'));
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
