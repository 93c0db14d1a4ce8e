import dayjs from 'dayjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { collectPageErrors, launchBrowser } from './support/browser';
import { clickSettled, login, screenshot, settle } from './support/ui';

/**
 * Issue 10's phone: 李明 on the road with a 390 × 844 touch screen. The menu is a drawer behind
 * the header's button, lists are cards, and nothing on the pages he works with is wider than the
 * screen: he finds a customer with the answer box, logs the call and moves the next contact.
 */
const WIDTH = 390;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({
    baseURL: inject('baseURL'),
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: WIDTH, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
  errors = collectPageErrors(page);
});
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await screenshot(page, `FAILED ${task.name}`, { failed: true });
});
afterAll(async () => {
  await browser?.close();
});

/** The page lays out no wider than the phone: no sideways scrolling of the whole page. */
async function expectNoHorizontalScroll(what: string) {
  await page.waitForLoadState('networkidle');
  await settle(page);
  const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
  expect(width, `${what} is ${width} px wide`).toBeLessThanOrEqual(WIDTH);
}

/** The element is on the screen, whole (a thumb can reach it without scrolling sideways). */
async function expectOnScreen(locator: ReturnType<Page['locator']>, what: string) {
  const box = (await locator.boundingBox())!;
  expect(box, what).not.toBeNull();
  expect(box.x, `${what} starts off screen`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${what} ends off screen`).toBeLessThanOrEqual(WIDTH);
}

test('李明 finds a customer with the answer box, logs a call and moves the next contact — on a phone', async () => {
  await login(page, 'sales1');
  await page.getByTestId('today').waitFor();
  await expectNoHorizontalScroll('Today');
  // The menu is not on the page: it opens as a drawer from the header's button.
  expect(await page.getByTestId('sider-menu').isVisible()).toBe(false);
  await expectOnScreen(page.getByTestId('today-calls'), 'the calls due');
  await screenshot(page, '90-phone-today');

  await page.getByTestId('nav-drawer-open').tap();
  const drawer = page.getByTestId('nav-drawer');
  await clickSettled(page, drawer.getByRole('link', { name: '客户', exact: true }));
  await page.waitForURL('**/customers');
  await drawer.waitFor({ state: 'hidden' });
  // The list is cards, each with the customer's link.
  const list = page.getByTestId('customers-table');
  await list.getByTestId('list-card').first().waitFor();
  expect(await list.getAttribute('data-mode')).toBe('cards');
  await expectNoHorizontalScroll('the customer list');
  await screenshot(page, '91-phone-customers');

  // The answer box: 渭河 finds 宝鸡渭河水务集团有限公司, one of 李明's customers (not the one Today's test calls).
  const box = page.getByRole('combobox', { name: '答案框' });
  await expectOnScreen(box, 'the answer box');
  await box.tap();
  await box.pressSequentially('渭河');
  const card = page.getByTestId('answer-card').filter({ hasText: '宝鸡渭河水务集团有限公司' });
  await card.waitFor();
  await settle(page);
  await expectOnScreen(page.locator('.gd-answer-popup'), 'the answers');
  await expectNoHorizontalScroll('the answer box');
  await screenshot(page, '92-phone-answer-box');
  await card.tap();
  await page.getByTestId('customer-name').filter({ hasText: '宝鸡渭河水务集团有限公司' }).waitFor();
  await expectNoHorizontalScroll('the customer page');
  await screenshot(page, '93-phone-customer');

  // Log the call.
  const log = page.getByTestId('contact-log');
  await expectOnScreen(log.getByRole('button', { name: '登记联系' }), 'the log button');
  await log.getByRole('button', { name: '登记联系' }).tap();
  const dialog = page.getByRole('dialog', { name: '登记联系' });
  await dialog.waitFor();
  await settle(page);
  await expectOnScreen(dialog, 'the log dialog');
  await expectOnScreen(dialog.getByTestId('log-submit'), 'the save button');
  await dialog.locator('#log_summary').fill('路上电话：客户确认下周二进场');
  await expectNoHorizontalScroll('the log dialog');
  await screenshot(page, '94-phone-log');
  await clickSettled(page, dialog.getByTestId('log-submit'));
  await dialog.waitFor({ state: 'hidden' });
  await log.getByTestId('log-entry').filter({ hasText: '路上电话：客户确认下周二进场' }).waitFor();

  // Move the next contact to a day ten days from now.
  const day = dayjs().add(10, 'day');
  await page.getByTestId('customer-next-contact-move').getByRole('button').tap();
  const picker = page.getByTestId('customer-next-contact-move-picker');
  await picker.waitFor();
  await settle(page);
  await expectOnScreen(page.locator('.ant-picker-dropdown:visible').last(), 'the date picker');
  await expectNoHorizontalScroll('the date picker');
  await screenshot(page, '95-phone-next-contact');
  await picker.fill(day.format('YYYY-MM-DD'));
  await picker.press('Enter');
  await page
    .getByTestId('customer-next-contact')
    .filter({ hasText: day.format('YYYY/MM/DD') })
    .waitFor();
  await expectNoHorizontalScroll('the customer page after the call');

  // His lead, opportunity and contract pages fit too.
  for (const [list, name] of [
    ['/leads', 'leads-table'],
    ['/opportunities?mode=list', 'opportunities-table'],
    ['/contracts', 'contracts-table'],
  ] as const) {
    await page.goto(list);
    const first = page.getByTestId(name).getByTestId('list-card').first();
    await first.waitFor();
    await expectNoHorizontalScroll(list);
    await first.getByRole('link').first().tap();
    await page.waitForURL(/\/(leads|opportunities|contracts)\/[0-9a-f-]{36}$/);
    await page.locator('.ant-card').first().waitFor();
    await expectNoHorizontalScroll(page.url());
    await screenshot(page, `96-phone-${name.replace('-table', '')}`);
  }
  expect(errors).toEqual([]);
});
