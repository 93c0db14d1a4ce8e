import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { peopleInOneBrowser } from './support/people';
import { chooseOption, login, logout, screenshot, settle } from './support/ui';

/**
 * Issue 10 item 11: the list of opportunities covers every business line unless one is chosen (李明's
 * 验资 opportunity was hidden and the totals covered 审计 only); the board remembers the line last
 * chosen on it, per user.
 */
const people = peopleInOneBrowser();

const lineSelect = (page: Page) => page.getByTestId('filter-line');
const card = (page: Page, name: string) => page.getByTestId('board-card').filter({ hasText: name });

test('李明’s list shows every line with totals over all of them; his board keeps the line he chose', async () => {
  const { page, failed } = await people.signIn('sales1');
  await page.goto('/opportunities');
  await page.getByTestId('board-card').first().waitFor();

  // To the list: every line, and the totals of every line.
  const totals = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/opportunities/totals');
  await page.getByTestId('opp-mode').getByText('列表').click();
  const answer = await totals;
  expect(new URL(answer.url()).searchParams.has('businessLineId')).toBe(false);
  const { count } = (await answer.json()) as { count: number };
  const table = page.getByTestId('opportunities-table');
  await table.getByRole('link', { name: '宝鸡渭河水务集团 · 增资验资' }).waitFor();
  await table.getByRole('link', { name: '陕西秦岭机械制造 · 2026 年度财务报表审计' }).waitFor();
  await page.getByTestId('opportunities-totals').getByText(`合计 ${count} 个商机`).waitFor();
  expect(count).toBeGreaterThanOrEqual(4);
  await lineSelect(page).getByText('全部业务类型').waitFor();
  expect(page.url()).not.toContain('businessLineId');
  await screenshot(page, 'lines-list-all-zh');

  // On the board he picks 验资; it stays his board's line when he comes back.
  await page.getByTestId('opp-mode').getByText('看板').click();
  await page.getByTestId('board-card').first().waitFor();
  await chooseOption(page, lineSelect(page).locator('input'), '验资');
  await card(page, '宝鸡渭河水务集团 · 增资验资').waitFor();
  await page.goto('/');
  await page.goto('/opportunities');
  await card(page, '宝鸡渭河水务集团 · 增资验资').waitFor();
  await lineSelect(page).getByText('验资').waitFor();
  // The list still opens on every line.
  await page.getByTestId('opp-mode').getByText('列表').click();
  await page.getByTestId('opportunities-table').getByRole('link', { name: /审计/ }).first().waitFor();
  await lineSelect(page).getByText('全部业务类型').waitFor();

  // Remembered for him, not for the next person signing in on this browser.
  await logout(page);
  await login(page, 'zhengqiang');
  await page.goto('/opportunities');
  await page.getByTestId('board-card').first().waitFor();
  await settle(page);
  expect(await lineSelect(page).getByText('验资').count()).toBe(0);
  await logout(page);
  await login(page, 'sales1');
  await page.goto('/opportunities');
  await card(page, '宝鸡渭河水务集团 · 增资验资').waitFor();
  expect(failed).toEqual([]);
  expect(people.pageErrors()).toEqual([]);
});
