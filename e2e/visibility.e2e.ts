import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { collectFailedRequests, collectPageErrors, launchBrowser, newContext } from './support/browser';
import { login, menuLink, row, rows, screenshot } from './support/ui';

/** Record-level visibility of staff as the demo firm's people see it. */
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function freshPage() {
  const context = await newContext(browser, inject('baseURL'));
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page, errors: collectPageErrors(page), failed: collectFailedRequests(page) };
}

test("a wrong password gets the server's message in the language of the login page", async () => {
  const { context, page } = await freshPage();
  await page.goto('/login');
  await page.getByLabel('用户名').fill('sales1');
  await page.getByLabel('密码').fill('not-the-password1');
  await page.getByRole('button', { name: /^登\s*录$/ }).click();
  await page.getByTestId('login-error').filter({ hasText: '用户名或密码错误' }).waitFor();
  await context.close();
});

test('a salesperson, who may read only their own staff record, gets no users page (their profile is under 我的资料)', async () => {
  const { context, page, errors, failed } = await freshPage();
  await login(page, 'sales1');
  await page.getByTestId('sider-menu').getByRole('link').first().waitFor();
  expect(await menuLink(page, '用户').count()).toBe(0);
  expect(await page.getByTestId('sider-menu').getByText('销售人员管理').count()).toBe(0);
  await page.goto('/staff/users');
  await page.getByText('无权访问').waitFor();
  await page.goto('/me');
  await page.getByTestId('profile-summary').getByText('sales1').waitFor();
  expect(errors).toEqual([]);
  expect(failed).toEqual([]);
  await context.close();
});

test('a manager sees the staff of their department, not of another', async () => {
  const { context, page, errors, failed } = await freshPage();
  await login(page, 'manager');
  await menuLink(page, '用户').click();
  const table = page.getByTestId('users-table');
  await page.getByText('本部门及下级部门的人员').waitFor();
  for (const colleague of ['王建国', '李明', '周杰', '吴芳', '郑强']) await row(table, colleague).waitFor();
  expect(await rows(table).count()).toBe(5);
  expect(await row(table, '张丽').count()).toBe(0); // sales2, 税务部
  // No staff administration for a manager.
  expect(await page.getByTestId('sider-menu').getByRole('link', { name: '角色' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: '新建用户' }).count()).toBe(0);
  await screenshot(page, '11-manager-users-zh');
  expect(errors).toEqual([]);
  expect(failed).toEqual([]);
  await context.close();
});
