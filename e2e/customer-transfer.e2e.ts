import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { collectFailedRequests, collectPageErrors, launchBrowser, newContext } from './support/browser';
import { chooseOption, login, menuLink, row, screenshot } from './support/ui';

/** Export what one may see, and import a file with a check run first (as `zhengqiang`, whom no other file uses). */
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  context = await newContext(browser, inject('baseURL'));
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
});
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && page) await screenshot(page, `FAILED ${task.name}`, { failed: true });
});
afterAll(async () => {
  await browser?.close();
});

test('a salesperson exports their customers and imports new ones after checking the file', async () => {
  const pageErrors = collectPageErrors(page);
  const failed = collectFailedRequests(page);
  await login(page, 'zhengqiang');
  await menuLink(page, '客户').click();
  const table = page.getByTestId('customers-table');
  await row(table, '兰州黄河化工有限公司').waitFor();

  // The export holds own customers and the pool, never another salesperson's.
  await page.getByRole('button', { name: '导出' }).hover();
  const href = await page.getByTestId('export-csv').getAttribute('href');
  const { head, csv } = await page.evaluate(async (url) => {
    const bytes = new Uint8Array(await (await fetch(url!)).arrayBuffer());
    return { head: [...bytes.slice(0, 3)], csv: new TextDecoder().decode(bytes) };
  }, href);
  // UTF-8 with a byte-order mark, so Excel opens the Chinese correctly.
  expect(head).toEqual([0xef, 0xbb, 0xbf]);
  expect(csv).toContain('兰州黄河化工有限公司');
  expect(csv).toContain('郑州中原粮油有限公司');
  expect(csv).not.toContain('上海浦江国际贸易有限公司');

  // Import: one good customer, one bad row, a column the export does not name. The check writes nothing and lists the bad row.
  const file =
    '\ufeff客户名称,状态,联系人,联系人部门,手机\n青海昆仑矿业有限公司,潜在客户,马会计,应付账款,0971-6123456\n坏数据公司,神秘状态,李四,,13900001111\n';
  await page.getByTestId('import-open').click();
  const dialog = page.getByRole('dialog', { name: '导入客户与联系人' });
  await dialog
    .locator('input[type=file]')
    .setInputFiles({ name: '新客户.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  // The mapping step: every column with its first values and the field it was matched to; 手机 is mapped by hand.
  const mapping = dialog.getByTestId('import-mapping');
  await row(mapping, '联系人部门').getByText('应付账款').waitFor();
  expect(await row(mapping, '客户名称').locator('.ant-select').textContent()).toContain('客户名称');
  expect(await row(mapping, '手机').locator('.ant-select').textContent()).toContain('不导入');
  // Two columns for one field cannot be sent.
  await chooseOption(page, row(mapping, '手机').getByRole('combobox'), '联系人部门');
  await dialog
    .getByTestId('import-mapping-problems')
    .getByText('“联系人部门”和“手机”两列都导入为“联系人部门”')
    .waitFor();
  expect(await dialog.getByTestId('import-check').isDisabled()).toBe(true);
  await chooseOption(page, row(mapping, '手机').getByRole('combobox'), '联系人电话');
  await dialog.getByTestId('import-mapping-problems').waitFor({ state: 'detached' });
  await screenshot(page, '39-import-mapping-zh');
  await dialog.getByTestId('import-check').click();
  const report = dialog.getByTestId('import-report');
  await report.getByText('检查结果').waitFor();
  await report.getByRole('row').filter({ hasText: '状态' }).filter({ hasText: '3' }).waitFor();
  await screenshot(page, '40-import-check-zh');
  // All or nothing by default: the real run refuses, then the good customer goes in on request.
  await dialog.getByTestId('import-run').click();
  await report.getByText('未导入任何数据').waitFor();
  await dialog.getByText('有错误时仍导入正确的客户').click();
  await dialog.getByTestId('import-run').click();
  await report.getByText('已导入').waitFor();
  await dialog.getByRole('button', { name: /取\s*消/ }).click();
  await row(table, '青海昆仑矿业有限公司').waitFor();
  expect(await table.getByText('坏数据公司').count()).toBe(0);
  // The renamed column went where it was mapped.
  const phones = await page.evaluate(async () => {
    const found = await (await fetch(`/api/v1/customers?q=${encodeURIComponent('青海昆仑矿业')}`)).json();
    return (await (await fetch(`/api/v1/contacts?customerId=${found.items[0].id}`)).json()).items.map(
      (c: { phones: string[] }) => c.phones,
    );
  });
  expect(phones).toEqual([['0971-6123456']]);
  expect(pageErrors).toEqual([]);
  expect(failed.filter((f) => !f.startsWith('422 POST /api/v1/customers/import'))).toEqual([]);
});
