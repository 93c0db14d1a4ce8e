import { expect, test } from 'vitest';
import { peopleInOneBrowser } from './support/people';
import { clickSettled, screenshot, settle } from './support/ui';

/**
 * Issue 5's acceptance in the browser: 李明 (sales1) starts the day on Today 今日, sees a reminder
 * that went off (the demo's next-contact reminders fire as soon as the server works its queue),
 * and logs the call with a customer due today — the customer leaves the list. Meanwhile the
 * manager of 审计一部 has the app open in a second browser: when 李明 enters a lead no rule
 * takes, it waits in the department's queue and the manager's bell counts it at once, live.
 */
const people = peopleInOneBrowser();

const COMPANY = `延安宝塔山文旅发展有限公司 ${Date.now().toString(36).slice(-5).toUpperCase()}`;

test('李明 sees a due reminder on Today and logs the call; the manager’s bell updates live when a lead arrives', async () => {
  const { page: sales } = await people.signIn('sales1', 20_000);
  await sales.goto('/');
  await sales.getByTestId('today').waitFor();
  // A reminder that went off: the next contact planned for one of his customers.
  await sales.getByTestId('today-reminder').filter({ hasText: '计划联系' }).first().waitFor();
  await screenshot(sales, '60-today-sales1-zh');

  // Log the call with the first customer due for one.
  const call = sales.getByTestId('today-call').first();
  const link = call.getByRole('link').first();
  const customer = (await link.textContent())!.trim();
  const customerPage = (await link.getAttribute('href'))!;
  await call.getByTestId('today-call-log').click();
  const dialog = sales.getByRole('dialog', { name: '登记联系' });
  await settle(sales);
  await dialog.locator('#log_summary').fill('电话确认年报审计进场时间：下周一');
  await clickSettled(sales, dialog.getByTestId('log-submit'));
  await dialog.waitFor({ state: 'hidden' });
  await expect.poll(() => sales.getByTestId('today-call').filter({ hasText: customer }).count()).toBe(0);
  // It is on the customer's contact log (and in the customer's story beside it).
  await sales.goto(customerPage);
  await sales.getByTestId('contact-log').getByText('电话确认年报审计进场时间：下周一').waitFor();

  // The manager, in a second browser.
  const { page: manager } = await people.signIn('manager', 20_000);
  await manager.goto('/');
  const bell = manager.getByTestId('notification-count');
  await bell.waitFor({ state: 'attached' });
  await manager.waitForLoadState('networkidle');
  const before = Number(await bell.getAttribute('data-count'));

  // 李明 enters a lead with no business line: no rule takes it, it waits in 审计一部's queue.
  people.focus(sales);
  await sales.goto('/leads');
  await sales.getByTestId('lead-create').click();
  const drawer = sales.getByRole('dialog', { name: '新建线索' });
  await settle(sales);
  await drawer.locator('#lead_companyName').fill(COMPANY);
  await clickSettled(sales, drawer.getByTestId('lead-form-submit'));
  await sales.getByTestId('lead-created-outcome').waitFor();

  // The manager's bell counts it without a reload, and says what it is. (At least one more: other files running
  // beside this one may send him approvals meanwhile.)
  people.focus(manager);
  await expect
    .poll(async () => Number(await bell.getAttribute('data-count')), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(before + 1);
  await manager.getByTestId('notification-bell').click();
  await manager.getByTestId('notification-item').filter({ hasText: COMPANY }).filter({ hasText: '待分配' }).waitFor();
  await screenshot(manager, '61-bell-manager-zh');
  expect(people.pageErrors()).toEqual([]);
});
