/**
 * Screenshots of every page in both languages, for looking at the UI (not a test).
 *   npm run build:web && node bin/gongdan.js serve --demo   (another terminal; PORT=3200 e.g.)
 *   BASE_URL=http://localhost:3200 npx tsx e2e/screenshots.ts
 * Writes test-results/screenshots/<locale>-<page>.png (OUT=dir elsewhere). Sign-ins change the demo users' language.
 * VIEWPORT=390x844 takes them as a phone sees the app (touch, the menu in a drawer, lists as cards); the default
 * is a 1440 x 900 laptop.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, newContext } from './support/browser';
import { DEMO_PASSWORD, login, settle, switchLanguage } from './support/ui';

const BASE_URL = process.env.BASE_URL ?? 'http://localhost:3200';
const OUT = path.resolve(process.env.OUT ?? 'test-results/screenshots');
const VIEWPORT = process.env.VIEWPORT?.split('x').map(Number) as [number, number] | undefined;
const PASSWORD = process.env.DEMO_PASSWORD ?? DEMO_PASSWORD;
/** ONLY=users,roles takes just those pages (and skips the forms and other accounts). */
const ONLY = process.env.ONLY?.split(',');

/** [name, url, data-testid to wait for where the page loads in steps (the board picks its business line first)] */
const PAGES: [name: string, url: string, ready?: string][] = [
  ['today', '/', 'today'],
  ['approvals', '/approvals', 'approvals-table'],
  ['approvals-mine', '/approvals?box=mine', 'approvals-table'],
  ['approval-flows', '/settings/approval-flows', 'workflows-quote'],
  ['contract-templates', '/settings/contract-templates', 'template-line-SJ'],
  ['calendar', '/calendar', 'calendar'],
  ['activity-categories', '/sales/activity-categories'],
  ['outbox', '/mail-outbox'],
  ['users', '/staff/users'],
  ['departments', '/staff/departments'],
  ['branches', '/staff/branches'],
  ['business-lines', '/staff/business-lines'],
  ['roles', '/staff/roles'],
  ['api-tokens', '/staff/api-tokens'],
  ['leads', '/leads'],
  ['campaigns', '/campaigns'],
  ['opportunities-board', '/opportunities', 'board'],
  ['opportunities-list', '/opportunities?mode=list'],
  ['contracts', '/contracts', 'contracts-table'],
  ['orders', '/orders', 'orders-table'],
  ['number-series', '/settings/number-series', 'series-contract'],
  ['assignment-rules', '/sales/assignment-rules'],
  ['pipelines', '/sales/pipelines'],
  ['pipelines-acceptance', '/sales/pipelines?tab=acceptance'],
  ['pipelines-conflicts', '/sales/pipelines?tab=conflicts'],
  ['receipts', '/finance/receipts', 'receipts-table'],
  ['invoices', '/finance/invoices', 'invoices-table'],
  ['receivables', '/finance/receivables', 'ageing-table'],
  ['commission-policies', '/commissions/policies', 'policies-table'],
  ['commission-sheets', '/commissions/sheets', 'sheets-table'],
  ['commission-mine', '/commissions/mine', 'sheets-table'],
  ['audit', '/audit'],
  ['settings', '/settings'],
  ['settings-tokens', '/settings?tab=tokens'],
  ['settings-password', '/settings?tab=password'],
  ['settings-reminders', '/settings?tab=reminders', 'prefs'],
  ['settings-delegations', '/settings?tab=delegations', 'delegations-table'],
  ['not-found', '/no/such/page'],
];

/** Detail pages: the first row's link in the list page's table. */
const DETAIL_PAGES: [name: string, list: string, table: string][] = [
  ['lead', '/leads', 'leads-table'],
  ['campaign', '/campaigns', 'campaigns-table'],
  ['opportunity', '/opportunities?mode=list', 'opportunities-table'],
  ['contract', '/contracts', 'contracts-table'],
  ['order', '/orders', 'orders-table'],
  ['commission-sheet', '/commissions/sheets', 'sheets-table'],
];

/** A browser context at VIEWPORT (a phone below 768 px: touch, mobile), else the tests' laptop. */
async function context(browser: Browser) {
  if (!VIEWPORT) return newContext(browser, BASE_URL);
  const [width, height] = VIEWPORT;
  return browser.newContext({
    baseURL: BASE_URL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width, height },
    isMobile: width < 768,
    hasTouch: width < 768,
  });
}

/** The rows of a list: table rows, or the cards a phone shows. */
function listRows(page: Page, testId: string) {
  return page.getByTestId(testId).locator('tbody tr.ant-table-row, [data-testid="list-card"]');
}

/** Waits for the page to settle (requests, spinners, antd's motion), then saves it; overlays at viewport size. */
async function shot(page: Page, name: string, fullPage = true) {
  await page.waitForLoadState('networkidle');
  await settle(page);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const browser = await launchBrowser();
  try {
    for (const [locale, language] of [
      ['zh', '简体中文'],
      ['en', 'English'],
    ] as const) {
      const ctx = await context(browser);
      const page = await ctx.newPage();
      const errors = collectPageErrors(page);
      await page.goto('/login');
      await switchLanguage(page, language);
      await shot(page, `${locale}-login`);
      if (ONLY) await login(page, 'admin', PASSWORD);
      else {
        await page.getByRole('button', { name: /^(登\s*录|Sign in)$/ }).click();
        await shot(page, `${locale}-login-empty`);
        await page.getByLabel(/^(用户名|Username)$/).fill('admin');
        await page.getByLabel(/^(密码|Password)$/).fill('wrong-password');
        await page.getByRole('button', { name: /^(登\s*录|Sign in)$/ }).click();
        await page.getByTestId('login-error').waitFor();
        await shot(page, `${locale}-login-error`);
        await login(page, 'admin', PASSWORD);
      }
      await switchLanguage(page, language); // the server's saved language wins at sign-in
      for (const [name, url, ready] of PAGES) {
        if (ONLY && !ONLY.includes(name)) continue;
        await page.goto(url);
        if (ready) await page.getByTestId(ready).waitFor();
        await shot(page, `${locale}-${name}`);
      }
      for (const [name, list, table] of DETAIL_PAGES) {
        if (ONLY && !ONLY.includes(name)) continue;
        await page.goto(list);
        const link = listRows(page, table).first().getByRole('link').first();
        await page.goto((await link.getAttribute('href'))!);
        await shot(page, `${locale}-${name}`);
      }
      if (ONLY) {
        await ctx.close();
        continue;
      }
      // The user form with client-side validation errors.
      await page.goto('/staff/users');
      await page.getByRole('button', { name: locale === 'zh' ? '新建用户' : 'New user' }).click();
      await page.locator('#user_username').fill('1bad name');
      await page.locator('#user_password').fill('short');
      await page.locator('#user_email').fill('not-an-email');
      await page.getByTestId('user-form-submit').click();
      await page.locator('.ant-form-item-explain-error').first().waitFor();
      await shot(page, `${locale}-user-form-errors`, false);
      await page.keyboard.press('Escape');
      // An expanded audit entry.
      await page.goto('/audit');
      await page
        .locator('[data-testid="audit-table"] .ant-table-row-expand-icon')
        .first()
        .click()
        .catch(() => {});
      await shot(page, `${locale}-audit-expanded`);
      // A role with its grants matrix.
      await page.goto('/staff/roles');
      await listRows(page, 'roles-table').nth(2).getByRole('button').first().click();
      await page.getByTestId('grants-matrix').waitFor();
      await shot(page, `${locale}-role-form`, false);
      await page.keyboard.press('Escape');
      // Customers: the settings page (value sheet, pool rule).
      await page.goto('/customers/value-sheet');
      await shot(page, `${locale}-customer-settings`);
      // A salesperson's narrow view.
      await ctx.clearCookies();
      await login(page, 'sales1', PASSWORD);
      await switchLanguage(page, language);
      await shot(page, `${locale}-sales1-home`);
      if (VIEWPORT && VIEWPORT[0] < 768) {
        // The menu in its drawer.
        await page.getByTestId('nav-drawer-open').click();
        await page.getByTestId('nav-drawer').waitFor();
        await shot(page, `${locale}-sales1-menu`, false);
        await page.keyboard.press('Escape');
      }
      // Customers as their owner: the list, a customer page, the merge dialog, the duplicate warning while typing.
      await page.goto('/customers');
      await listRows(page, 'customers-table').first().waitFor();
      await shot(page, `${locale}-customers`);
      // His own customers (the list keeps the previous rows until they come).
      const mine = page.waitForResponse((r) => r.url().includes('/api/v1/customers?') && r.url().includes('view=mine'));
      await page
        .getByTestId('customer-views')
        .getByText(locale === 'zh' ? '我的' : 'Mine', { exact: true })
        .click();
      await mine;
      await settle(page);
      const customerLink = listRows(page, 'customers-table').first().getByRole('link').first();
      const existingName = (await customerLink.textContent())!.trim();
      await page.goto((await customerLink.getAttribute('href'))!);
      await page.getByTestId('customer-opportunities').waitFor();
      await shot(page, `${locale}-customer`);
      await page.getByTestId('customer-merge').click();
      await page.locator('.ant-modal').last().waitFor();
      await shot(page, `${locale}-customer-merge`, false);
      await page.keyboard.press('Escape');
      await page.goto('/customers');
      await page
        .getByRole('button', { name: locale === 'zh' ? '新建客户' : 'New customer' })
        .first()
        .click();
      await page.locator('#customer_name').fill(existingName.replace(/(股份)?有限公司$/, ''));
      await page.getByTestId('duplicate-warning').waitFor();
      await shot(page, `${locale}-customer-duplicate-warning`, false);
      await page.keyboard.press('Escape');
      await page.goto('/staff/users');
      await shot(page, `${locale}-sales1-users`);
      await page.goto('/staff/departments');
      await shot(page, `${locale}-sales1-forbidden`);
      if (errors.length) console.warn(`${locale}: page errors:\n${errors.join('\n')}`);
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots in ${OUT}`);
}

await main();
