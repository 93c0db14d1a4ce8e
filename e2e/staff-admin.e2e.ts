import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { collectFailedRequests, collectPageErrors, launchBrowser, newContext } from './support/browser';
import {
  chooseOption,
  chooseTreeNode,
  confirm,
  login,
  logout,
  menuLink,
  row,
  screenshot,
  switchLanguage,
} from './support/ui';

/**
 * The administrator's flow, in both languages: set up a department and a salesperson in
 * it, then sign in as that salesperson and see only what the role allows.
 */
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
let failedRequests: string[];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await newContext(browser, inject('baseURL'));
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  failedRequests = collectFailedRequests(page);
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await screenshot(page, `FAILED ${task.name}`, { failed: true });
});

afterAll(async () => {
  await browser?.close();
});

const DEPARTMENT = '审计三部';
const USERNAME = 'e2e.sales';
const NAME = '测试业务员';
const PASSWORD = 'Sales2026x';

test('an administrator works in Chinese, then in English', async () => {
  await page.goto('/');
  // Signed out, any page leads to the login form, in Chinese by default.
  await page.waitForURL('**/login');
  await page.getByRole('heading', { name: '工单 Gongdan' }).waitFor();
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await screenshot(page, '01-login-zh');

  await login(page, 'admin');
  await page.getByTestId('greeting').filter({ hasText: '系统管理员' }).waitFor();
  for (const entry of ['今日', '日程', '用户', '部门', '分所', '区域', '业务类型', '角色', '审计日志'])
    await menuLink(page, entry).waitFor();
  await page.getByText('销售人员管理').waitFor();
  await screenshot(page, '02-home-zh');

  await switchLanguage(page, 'English');
  await menuLink(page, 'Audit log').waitFor();
  await page.getByText('Sales staff').waitFor();
  await page.goto('/me');
  await page.getByTestId('profile-summary').getByText('Administrator').waitFor();
  expect(await page.locator('html').getAttribute('lang')).toBe('en-US');
  expect(await page.getByText('审计日志').count()).toBe(0);
  await screenshot(page, '03-home-en');
});

test('the administrator creates a department under an existing one', async () => {
  await menuLink(page, 'Departments').click();
  const table = page.getByTestId('departments-table');
  await row(table, '审计业务部').getByRole('button', { name: 'New sub-department' }).click();
  const dialog = page.getByRole('dialog', { name: 'New department under "审计业务部"' });
  await dialog.getByLabel('Department name').fill(DEPARTMENT);
  await chooseOption(page, dialog.getByLabel('Department head'), '王建国');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await row(table, DEPARTMENT).filter({ hasText: '王建国' }).waitFor();

  // Deleting a department that still has staff is refused with the server's message.
  await row(table, '审计一部').getByRole('button', { name: 'Delete' }).click();
  await confirm(page, page.getByRole('tooltip'), 'OK');
  await page.getByText('This record is still in use').waitFor();
  await row(table, '审计一部').waitFor();
  await screenshot(page, '04-departments-en');
});

test('the administrator creates a salesperson in that department', async () => {
  await menuLink(page, 'Users').click();
  await page.getByRole('button', { name: 'New user' }).click();
  const drawer = page.getByRole('dialog', { name: 'New user' });

  // The client checks what the server would check, before sending.
  await drawer.getByLabel('Username').fill('1 bad');
  await drawer.getByLabel('Initial password').fill('short');
  await drawer.getByTestId('user-form-submit').click();
  await drawer.getByText('lower-case letters, digits, dots, underscores and hyphens').first().waitFor();
  await drawer.getByText('at least 8 characters with both letters and digits').first().waitFor();
  await screenshot(page, '05-user-form-errors-en');

  // A username that exists already: the server's answer lands on the field.
  await drawer.getByLabel('Username').fill('sales1');
  await drawer.getByLabel('Name', { exact: true }).fill(NAME);
  await drawer.getByLabel('Initial password').fill(PASSWORD);
  await chooseOption(page, drawer.getByLabel('Role'), 'Salesperson');
  await chooseTreeNode(page, drawer.getByLabel('Department'), DEPARTMENT);
  await chooseOption(page, drawer.getByLabel('Branch'), '西安');
  await chooseOption(page, drawer.getByLabel('Business lines'), '审计');
  await drawer.getByTestId('user-form-submit').click();
  await drawer.getByText('"sales1" already exists').waitFor();

  await drawer.getByLabel('Username').fill(USERNAME);
  await drawer.getByTestId('user-form-submit').click();
  await drawer.waitFor({ state: 'hidden' });

  await page.getByLabel('Search', { exact: true }).fill(USERNAME);
  await page.getByLabel('Search', { exact: true }).press('Enter');
  const created = row(page.getByTestId('users-table'), USERNAME);
  await created.filter({ hasText: DEPARTMENT }).filter({ hasText: 'Salesperson' }).waitFor();
  await screenshot(page, '06-users-en');

  // The audit log shows who created it.
  await menuLink(page, 'Audit log').click();
  const audit = page.getByTestId('audit-table');
  const entry = row(audit, NAME).filter({ hasText: 'Created' }).first();
  await entry.waitFor();
  await entry.locator('.ant-table-row-expand-icon').click();
  await page.getByTestId('audit-diff').getByText(USERNAME).waitFor();
  await screenshot(page, '07-audit-en');
});

test('the new salesperson sees only what the role allows', async () => {
  await logout(page);
  failedRequests.length = 0; // the administrator's refused delete and duplicate were on purpose
  // The login page keeps the language this browser used last.
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await login(page, USERNAME, PASSWORD);

  // The new user's own language is Chinese (the default of the form).
  await page.getByTestId('greeting').filter({ hasText: NAME }).waitFor();
  await page.getByTestId('today').waitFor();
  await page.goto('/me');
  await page.getByTestId('profile-summary').getByText(DEPARTMENT).waitFor();
  await menuLink(page, '客户').waitFor();
  const sider = page.getByTestId('sider-menu');
  // Not even 用户: a salesperson may read only their own staff record, which 我的资料 shows.
  for (const hidden of ['用户', '部门', '分所', '区域', '业务类型', '角色', '审计日志']) {
    expect(await sider.getByRole('link', { name: hidden, exact: true }).count(), hidden).toBe(0);
  }
  await screenshot(page, '08-salesperson-home-zh');

  // Opening an administrator's page by its address shows the forbidden page.
  await page.goto('/staff/users');
  await page.getByText('无权访问').waitFor();
  await page.goto('/staff/departments');
  await page.getByText('无权访问').waitFor();
  await screenshot(page, '10-salesperson-forbidden-zh');

  // The pages asked the API for nothing this user may not see…
  expect(failedRequests).toEqual([]);
  // …and the API refuses what the UI hides.
  const status = await page.evaluate(async () => (await fetch('/api/v1/audit-logs')).status);
  expect(status).toBe(403);
  const admin = await page.evaluate(async () => (await fetch('/api/v1/users?q=admin')).json());
  expect(admin.items).toEqual([]);

  expect(pageErrors).toEqual([]);
});
