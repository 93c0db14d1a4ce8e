import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { peopleInOneBrowser } from './support/people';
import { chooseOption, menuLink, screenshot, settle } from './support/ui';

/**
 * Issue 10 item 10: each role is shown what it can use — no drop zones, buttons, filters, cards or
 * menu entries it would only be refused. The demo firm's people (password demo-2026).
 */
const people = peopleInOneBrowser();

async function openBoard(page: Page) {
  await page.goto('/opportunities');
  await page.getByTestId('board-card').first().waitFor();
  await settle(page);
}

async function profileIntro(page: Page) {
  await page.goto('/me');
  const intro = page.getByTestId('home-intro');
  await intro.waitFor();
  await page.getByTestId('my-modules').getByRole('link').first().waitFor();
  return (await intro.textContent()) ?? '';
}

const modules = async (page: Page) =>
  (await page.getByTestId('my-modules').getByRole('link').allTextContents()).map((s) => s.trim());

test('finance reads the board without drop zones, filters it by owner, and gets no lead card on Today', async () => {
  const { page, failed } = await people.signIn('finance');
  await page.getByTestId('today').waitFor();
  await page.getByTestId('today-calls').waitFor();
  expect(await page.getByTestId('today-leads').count()).toBe(0);
  expect(await page.getByText('新分配的线索').count()).toBe(0);

  await openBoard(page);
  // Read-only: nowhere to drop, nothing to drag, nothing to create.
  expect(await page.getByText('拖到这里赢单').count()).toBe(0);
  expect(await page.getByText('拖到这里输单').count()).toBe(0);
  expect(await page.locator('[data-testid="board-column"][data-stage-kind="won"]').count()).toBe(0);
  expect(await page.getByTestId('board-card').first().getAttribute('draggable')).toBe('false');
  expect(await page.getByTestId('opp-create').count()).toBe(0);
  await page.getByText('各业务类型的商机按销售阶段排列；可按负责人、区域、金额和预计成交日期筛选').waitFor();
  await screenshot(page, 'roles-finance-board-zh');

  // The owner filter works for finance (the directory of colleagues answers them).
  await chooseOption(page, page.getByTestId('filter-owner').locator('input'), '郑强');
  await expect.poll(() => page.getByTestId('board-card').filter({ hasNotText: '郑强' }).count()).toBe(0);
  expect(await page.getByTestId('board-card').count()).toBeGreaterThan(0);

  // The source lead of an opportunity is no link for someone who may not open leads.
  await page.goto('/opportunities?mode=list&q=IPO');
  await page.getByTestId('opportunities-table').getByRole('link', { name: /IPO/ }).first().click();
  await page.getByTestId('opp-details').waitFor();
  expect(await page.getByTestId('opp-details').getByRole('link', { name: '查看线索' }).count()).toBe(0);

  // 我的资料 says what exists, and links what finance may open.
  const intro = await profileIntro(page);
  expect(intro).not.toContain('陆续上线');
  const mine = await modules(page);
  expect(mine).toEqual(expect.arrayContaining(['今日', '日程', '客户', '市场活动', '销售机会', '用户']));
  expect(mine).not.toContain('销售线索');
  expect(failed).toEqual([]);
  expect(people.pageErrors()).toEqual([]);
});

test('a salesperson gets no users page listing only themself; their board takes drops and Today has their new leads', async () => {
  const { page, failed } = await people.signIn('sales1');
  await page.getByTestId('today-leads').waitFor();
  await page.getByTestId('today-lead').first().waitFor();
  expect(await menuLink(page, '用户').count()).toBe(0);
  expect(await page.getByTestId('sider-menu').getByText('销售人员管理').count()).toBe(0);

  await openBoard(page);
  await page.getByText('拖到这里赢单').waitFor();
  expect(await page.getByTestId('board-card').first().getAttribute('draggable')).toBe('true');
  await page.getByTestId('opp-create').waitFor();
  await page.getByTestId('filter-owner').waitFor();

  expect(await profileIntro(page)).not.toContain('陆续上线');
  const mine = await modules(page);
  expect(mine).toEqual(expect.arrayContaining(['今日', '客户', '销售线索', '销售机会']));
  expect(mine).not.toContain('用户');
  await screenshot(page, 'roles-sales1-me-zh');
  expect(failed).toEqual([]);
  expect(people.pageErrors()).toEqual([]);
});

test('a manager and the executive keep the users page, the drop zones and the owner filter', async () => {
  // By address and attribute, not by text: another test file reads as the executive in English.
  for (const username of ['manager', 'exec']) {
    const { page, failed } = await people.signIn(username);
    await page.getByTestId('sider-menu').locator('a[href="/staff/users"]').waitFor();
    await openBoard(page);
    await page.locator('[data-testid="board-column"][data-stage-kind="won"]').waitFor();
    await page.getByTestId('filter-owner').waitFor();
    await profileIntro(page);
    const links = page.getByTestId('my-modules').getByRole('link');
    const targets = await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    expect(targets).toEqual(expect.arrayContaining(['/', '/customers', '/leads', '/opportunities', '/staff/users']));
    expect(failed).toEqual([]);
  }
  expect(people.pageErrors()).toEqual([]);
});

test('engagement staff (项目人员) see no owner filter they could not fill, and their project task on Today', async () => {
  const { page, failed } = await people.signIn('zhoujie');
  const task = page.getByTestId('today-project-task').filter({ hasText: '编制总体审计策略' });
  await task.waitFor();
  await screenshot(page, 'roles-zhoujie-today-zh');
  expect(await menuLink(page, '用户').count()).toBe(0);
  await page.goto('/opportunities');
  await page.getByTestId('opp-filters').waitFor();
  await page.getByTestId('board').waitFor();
  expect(await page.getByTestId('filter-owner').count()).toBe(0);
  expect(await page.getByText('拖到这里赢单').count()).toBe(0);
  // The task is done from Today (it was refused with 403) and leaves the list.
  await page.goto('/');
  await task.getByTestId('today-project-task-done').click();
  await page.locator('.ant-message-notice').filter({ hasText: '已完成' }).waitFor();
  await task.waitFor({ state: 'detached' });
  expect(failed).toEqual([]);
  expect(people.pageErrors()).toEqual([]);
});
