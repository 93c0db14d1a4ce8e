import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { collectPageErrors, launchBrowser, newContext } from './support/browser';
import { apiSession, createUser } from './support/api';
import { chooseOption, clickSettled, confirm, login, row, screenshot } from './support/ui';

/**
 * The administrator's other pages, in Chinese: reference data, roles, users' actions, API
 * tokens. Signs in as an administrator of its own, so that the language another file
 * switches for `admin` does not reach this one.
 */
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
const ADMIN_PASSWORD = 'Admin2026x';

beforeAll(async () => {
  browser = await launchBrowser();
  context = await newContext(browser, inject('baseURL'));
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  const admin = await apiSession(inject('baseURL'), 'admin');
  await createUser(admin, 'admin', {
    username: 'e2e.admin',
    displayName: '测试管理员',
    password: ADMIN_PASSWORD,
    locale: 'zh-CN',
  });
  await login(page, 'e2e.admin', ADMIN_PASSWORD);
});
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await screenshot(page, `FAILED ${task.name}`, { failed: true });
});
afterAll(async () => {
  await browser?.close();
});

/** antd puts a space between two Chinese characters on a button: 保 存. */
const button = (text: string) => new RegExp(`^${[...text].join('\\s*')}$`);

test('branches: create, deactivate, and deletion refused while in use', async () => {
  await page.goto('/staff/branches');
  const table = page.getByTestId('branches-table');
  await page.getByRole('button', { name: '新建分所' }).click();
  const dialog = page.getByRole('dialog', { name: '新建分所' });
  await dialog.getByLabel('名称').fill('成都');
  await dialog.getByLabel('代码').fill('CD');
  await dialog.getByRole('button', { name: button('保存') }).click();
  await row(table, '成都').waitFor();

  await row(table, '成都')
    .getByRole('button', { name: button('停用') })
    .click();
  await confirm(page, page.getByRole('tooltip'), button('确定'));
  await row(table, '成都').waitFor({ state: 'detached' });
  await chooseOption(page, page.getByLabel('状态'), '全部');
  await row(table, '成都').filter({ hasText: '已停用' }).waitFor();

  // 西安 has staff: the server refuses and says why.
  await row(table, '西安')
    .getByRole('button', { name: button('删除') })
    .click();
  await confirm(page, page.getByRole('tooltip'), button('确定'));
  await page.getByText('该记录仍被使用，不能删除；可改为停用').waitFor();
  await screenshot(page, '20-branches-zh');

  await row(table, '成都')
    .getByRole('button', { name: button('删除') })
    .click();
  await confirm(page, page.getByRole('tooltip'), button('确定'));
  await row(table, '成都').waitFor({ state: 'detached' });
});

test('roles: a custom role with a grants matrix, deleted again', async () => {
  await page.goto('/staff/roles');
  await page.getByRole('button', { name: '新建角色' }).click();
  const drawer = page.getByRole('dialog', { name: '新建角色' });
  await drawer.getByLabel('角色代码').fill('auditor');
  await drawer.getByLabel('角色名称').fill('内审员');
  await drawer.getByTestId('grant-staff:read').getByText('本部门及下级', { exact: true }).click();
  await drawer.getByTestId('grant-audit:read').click();
  await screenshot(page, '21-role-form-zh');
  await drawer.getByRole('button', { name: button('保存') }).click();
  await drawer.waitFor({ state: 'hidden' });
  const table = page.getByTestId('roles-table');
  await row(table, '内审员')
    .filter({ hasText: '查看人员 · 本部门及下级' })
    .filter({ hasText: '查看审计日志' })
    .waitFor();
  // Built-in roles have no delete action.
  expect(
    await row(table, '业务员')
      .getByRole('button', { name: button('删除') })
      .count(),
  ).toBe(0);
  await row(table, '内审员')
    .getByRole('button', { name: button('删除') })
    .click();
  await confirm(page, page.getByRole('tooltip'), button('确定'));
  await row(table, '内审员').waitFor({ state: 'detached' });
});

test('users: deactivate, and the deactivated user cannot sign in', async () => {
  await page.goto('/staff/users');
  const table = page.getByTestId('users-table');
  await page.getByTestId('user-more-duqiang').click();
  await clickSettled(page, page.getByRole('menuitem', { name: '停用' }));
  await confirm(page, page.getByRole('dialog'), button('停用'));
  await row(table, 'duqiang').waitFor({ state: 'detached' });

  const other = await newContext(browser, inject('baseURL'));
  const otherPage = await other.newPage();
  await otherPage.goto('/login');
  await otherPage.getByLabel('用户名').fill('duqiang');
  await otherPage.getByLabel('密码').fill('demo-2026');
  await otherPage.getByRole('button', { name: button('登录') }).click();
  await otherPage.getByTestId('login-error').filter({ hasText: '该账号已停用' }).waitFor();
  await other.close();
});

test('API tokens: shown once, work as a bearer token, and stop working when revoked', async () => {
  await page.goto('/');
  await page.getByTestId('user-menu').click();
  await clickSettled(page, page.getByRole('menuitem', { name: /个人设置/ }));
  await page.getByRole('tab', { name: 'API 令牌' }).click();
  await page.getByLabel('令牌名称').fill('财务系统对接');
  await page.getByRole('button', { name: '创建令牌' }).click();
  const token = (await page.getByTestId('new-token').innerText()).trim();
  expect(token).toMatch(/^gdt_/);
  await screenshot(page, '22-token-created-zh');
  await page
    .getByRole('dialog')
    .getByRole('button', { name: button('关闭') })
    .filter({ hasText: /关\s*闭/ })
    .click();

  const me = () => fetch(`${inject('baseURL')}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  expect((await me()).status).toBe(200);
  await row(page.getByTestId('tokens-table'), '财务系统对接')
    .getByRole('button', { name: button('吊销') })
    .click();
  await confirm(page, page.getByRole('tooltip'), button('确定'));
  await row(page.getByTestId('tokens-table'), '财务系统对接').waitFor({ state: 'detached' });
  expect((await me()).status).toBe(401);
  expect(pageErrors).toEqual([]);
});

test('API tokens: read-only by default (writes refused), and the administrator sees and revokes anyone’s', async () => {
  await page.goto('/settings?tab=tokens');
  await page.getByLabel('令牌名称').fill('只读对接');
  await page.getByRole('button', { name: '创建令牌' }).click();
  const token = (await page.getByTestId('new-token').innerText()).trim();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: button('关闭') })
    .filter({ hasText: /关\s*闭/ })
    .click();
  await row(page.getByTestId('tokens-table'), '只读对接').filter({ hasText: '只读' }).waitFor();

  const call = (method: string) =>
    fetch(`${inject('baseURL')}/api/v1/auth/me`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : JSON.stringify({ displayName: '被改' }),
    });
  expect((await call('GET')).status).toBe(200);
  const write = await call('PATCH');
  expect(write.status).toBe(403);
  expect(((await write.json()) as { error: { code: string } }).error.code).toBe('API_TOKEN_READ_ONLY');

  // 销售人员管理 › API 令牌: everyone's tokens, with owner, scope and last use.
  await page.goto('/staff/api-tokens');
  const table = page.getByTestId('all-tokens-table');
  const mine = row(table, '只读对接');
  await mine.filter({ hasText: '测试管理员（e2e.admin）' }).filter({ hasText: '只读' }).waitFor();
  await screenshot(page, '23-all-api-tokens-zh');
  await mine.getByRole('button', { name: button('吊销') }).click();
  await confirm(page, page.getByRole('tooltip'), button('确定'));
  await mine.waitFor({ state: 'detached' });
  expect((await call('GET')).status).toBe(401);
  await chooseOption(page, page.getByLabel('状态'), '已吊销');
  await row(table, '只读对接').filter({ hasText: '已吊销' }).waitFor();
  expect(pageErrors).toEqual([]);
});
