import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { collectPageErrors, launchBrowser } from './support/browser';
import { DEMO_PASSWORD, screenshot, switchLanguage } from './support/ui';

/**
 * The sign-in page (a form of its own, without antd's Form): the fields' messages in both languages, the
 * server's answers (a wrong password, an account made to wait, no network), the keyboard, the labels, the way
 * back to the page asked for, and a phone's width.
 */
let browser: Browser;
const contexts: BrowserContext[] = [];
let current: Page | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && current) await screenshot(current, `FAILED ${task.name}`, { failed: true });
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

async function newPage(width = 1440) {
  const context = await browser.newContext({
    baseURL: inject('baseURL'),
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width, height: width < 768 ? 844 : 900 },
    isMobile: width < 768,
    hasTouch: width < 768,
  });
  context.setDefaultTimeout(20_000);
  contexts.push(context);
  const page = await context.newPage();
  current = page;
  return { page, errors: collectPageErrors(page) };
}

/** The messages shown under the fields. */
const fieldMessages = (page: Page) =>
  page.locator('form [role="alert"]').evaluateAll((nodes) => nodes.map((node) => node.textContent));

test('the fields say what is missing in the language shown; Enter signs in and goes back to the page asked for', async () => {
  const { page, errors } = await newPage();
  await page.goto('/customers');
  await page.waitForURL('**/login');
  const username = page.getByLabel('用户名');
  await username.waitFor();
  expect(await page.getByRole('heading', { level: 1, name: '工单 Gongdan' }).isVisible()).toBe(true);
  expect(await username.evaluate((input) => input === document.activeElement)).toBe(true);

  // Enter in an empty form: both messages, the first field keeps the focus and is marked invalid.
  await username.press('Enter');
  expect(await fieldMessages(page)).toEqual(['请输入用户名', '请输入密码']);
  expect(await username.getAttribute('aria-invalid')).toBe('true');
  expect(await username.getAttribute('aria-describedby')).toBe('login-username-error');
  expect(await username.evaluate((input) => input === document.activeElement)).toBe(true);
  await screenshot(page, '95-sign-in-empty');

  // The messages follow the language; spaces are no username; typing one clears its message.
  await switchLanguage(page, 'English');
  expect(await fieldMessages(page)).toEqual(['Enter your username', 'Enter your password']);
  await page.getByLabel('Username').fill('   ');
  expect(await fieldMessages(page)).toEqual(['Enter your username', 'Enter your password']);
  await page.getByLabel('Username').fill('sales1');
  await page.getByLabel('Password').fill('not-the-password1');
  expect(await fieldMessages(page)).toEqual([]);
  expect(await page.getByLabel('Username').getAttribute('aria-invalid')).toBeNull();

  // The server's answer, in the language of the page.
  await page.getByLabel('Password').press('Enter');
  await page.getByTestId('login-error').filter({ hasText: 'Wrong username or password' }).waitFor();
  // Back in the password, to type it again.
  expect(await page.getByLabel('Password').evaluate((input) => input === document.activeElement)).toBe(true);
  expect(await page.getByRole('combobox', { name: 'Language' }).inputValue()).toBe('en-US');

  // Back to Chinese (sales1's saved language: other files sign in as sales1), then in with the keyboard.
  await switchLanguage(page, '简体中文');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByLabel('密码').press('Enter');
  await page.getByTestId('customer-filters').waitFor();
  expect(new URL(page.url()).pathname).toBe('/customers');
  expect(errors).toEqual([]);
});

test('an account made to wait is told how long, and a lost connection is told as such', async () => {
  const { page, errors } = await newPage();
  await page.goto('/login');
  await page.getByLabel('用户名').fill('nobody-sign-in-e2e');
  await page.getByLabel('密码').fill('not-the-password1');
  // Wrong passwords until the server makes the account wait (after five, each try must wait, doubling).
  for (let tries = 0; ; tries++) {
    expect(tries).toBeLessThan(15);
    await page.locator('button[type="submit"]:not(.ant-btn-loading)').waitFor();
    const answer = page.waitForResponse('**/api/v1/auth/login');
    // Enter in the password field: under load, a click on the button could wait on the error alert's animation.
    await page.getByLabel('密码').press('Enter');
    if ((await answer).status() === 429) break;
  }
  await page
    .getByTestId('login-error')
    .filter({ hasText: /^登录失败次数过多，请 .+后再试$/ })
    .waitFor();
  await screenshot(page, '95-sign-in-throttled');

  await page.route('**/api/v1/auth/login', (route) => route.abort());
  await page.locator('button[type="submit"]:not(.ant-btn-loading)').waitFor();
  await page.getByLabel('密码').press('Enter');
  await page.getByTestId('login-error').filter({ hasText: '无法连接服务器，请检查网络后重试' }).waitFor();
  // Refused calls and the aborted one are the browser's console errors, not the page's.
  expect(errors.filter((error) => !/Failed to load resource/.test(error))).toEqual([]);
});

test('on a phone the page fits the screen and the language is chosen from the phone’s own list', async () => {
  const { page, errors } = await newPage(390);
  await page.goto('/login');
  await page.getByLabel('用户名').waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const field = await page.getByLabel('用户名').boundingBox();
  expect(field!.x).toBeGreaterThanOrEqual(16);
  expect(field!.x + field!.width).toBeLessThanOrEqual(390 - 16);
  const language = page.getByRole('combobox', { name: '语言' });
  expect(await language.evaluate((select) => select.tagName)).toBe('SELECT');
  await language.selectOption('en-US');
  await page.getByLabel('Username').waitFor();
  expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
  await screenshot(page, '95-sign-in-phone-en');
  expect(errors).toEqual([]);
});
