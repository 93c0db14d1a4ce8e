import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { collectFailedRequests, collectPageErrors, launchBrowser, newContext } from './support/browser';
import {
  chooseOption,
  clickSettled,
  login,
  menuLink,
  row,
  rows,
  screenshot,
  settle,
  switchLanguage,
} from './support/ui';

/**
 * A salesperson's customer: create it with two contacts, log an inbound call, and answer the
 * seed's questions from the answer box. Then a salesperson of another department cannot see
 * it, and an executive reads the pages in English. (Each person signs in with their own
 * browser context; no other file signs in as `sales2` or `exec`, so switching their language is safe.)
 */
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && page) await screenshot(page, `FAILED ${task.name}`, { failed: true });
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(username: string) {
  await context?.close();
  context = await newContext(browser, inject('baseURL'));
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  const failed = collectFailedRequests(page);
  await login(page, username);
  return failed;
}

const CUSTOMER = '苏州星澜纺织有限公司';
const INITIALS = 'szxl';
const PRIMARY = { name: '王芳', phone: '13912345678' };
const PAYABLES = { name: '陈静', department: '应付账款', phone: '0512-66881234' };
const PHONE_FRAGMENT = '6688123';
/** A week from today in the firm's time zone. */
const NEXT_CONTACT = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
  new Date(Date.now() + 7 * 86_400_000),
);
const NEXT_CONTACT_ZH = NEXT_CONTACT.replaceAll('-', '/');
let customerId = '';
const ATTACHMENT = '询价函.pdf';
const LICENCE = '营业执照.png';
const ATTACHMENT_CONTENT = '%PDF-1.4 询价函：请报 2026 年度审计费用';
let attachmentUrl = '';

/** Types into the header's answer box and waits for the card of the customer. */
async function ask(query: string) {
  const box = page.getByRole('combobox', { name: /^(答案框|Answer box)$/ });
  await box.fill('');
  await box.fill(query);
  const card = page.locator('.gd-answer-popup [data-testid="answer-card"]').filter({ hasText: CUSTOMER });
  await card.waitFor();
  return { box, card };
}

async function addContact(fields: { name: string; department: string; phone: string; primary?: boolean }) {
  await clickSettled(page, page.getByTestId('contacts-card').getByRole('button', { name: '添加联系人' }));
  const dialog = page.getByRole('dialog', { name: '添加联系人' });
  await settle(page);
  await dialog.locator('#contact_name').fill(fields.name);
  await dialog.locator('#contact_department').fill(fields.department);
  await dialog.locator('#contact_phones').fill(fields.phone);
  await dialog.locator('#contact_phones').press('Enter');
  await dialog.locator('.ant-select-selection-item').filter({ hasText: fields.phone }).waitFor();
  if (fields.primary) await dialog.locator('#contact_isPrimary').click();
  await clickSettled(page, dialog.getByTestId('contact-submit'));
  await dialog.waitFor({ state: 'hidden' });
  await page.getByTestId(`contact-${fields.name}`).filter({ hasText: fields.phone }).waitFor();
}

test('a salesperson creates a customer with contacts and logs an inbound call', async () => {
  const failed = await signIn('sales1');
  await menuLink(page, '客户').click();
  const table = page.getByTestId('customers-table');
  await page.getByText('支持拼音首字母').waitFor();

  await page.getByRole('button', { name: '新建客户' }).first().click();
  const drawer = page.getByRole('dialog', { name: '新建客户' });
  await drawer.locator('#customer_name').fill(CUSTOMER);
  // The credit code is checked with the server's own rule and message.
  await drawer.locator('#customer_creditCode').fill('91320500ABC');
  await drawer.getByTestId('customer-form-submit').click();
  await drawer.getByText('统一社会信用代码应为 18 位且校验位正确').waitFor();
  await drawer.locator('#customer_creditCode').fill('');
  await drawer.locator('#customer_phone').fill('0512-66880000');
  await drawer.locator('#customer_email').fill('info@xinglan.example.cn');
  await drawer.locator('#customer_industry').fill('纺织');
  await chooseOption(page, drawer.locator('#customer_size'), '中型');
  await drawer.getByTestId('customer-form-submit').click();
  await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
  customerId = page.url().split('/').pop()!;
  await page.getByTestId('customer-name').filter({ hasText: CUSTOMER }).waitFor();
  await page.getByTestId('customer-owner').filter({ hasText: '李明' }).waitFor();

  await addContact({ ...PRIMARY, department: '总经办', primary: true });
  await addContact(PAYABLES);

  // Log an inbound call (the customer rang us) with the next contact date.
  await page.getByRole('button', { name: '登记联系' }).click();
  const dialog = page.getByRole('dialog', { name: '登记联系' });
  await dialog.getByText('客户主动联系').click();
  await chooseOption(page, dialog.locator('#log_contactId'), PAYABLES.name);
  await dialog.locator('#log_summary').fill('客户来电询问年度审计报价，需要月底前给方案');
  await dialog.locator('#log_nextContactOn').click();
  await dialog.locator('#log_nextContactOn').fill(NEXT_CONTACT);
  await dialog.locator('#log_nextContactOn').press('Enter');
  // With the customer's enquiry letter and business licence attached (the form sends one file per request).
  await dialog.locator('input[type=file]').setInputFiles([
    { name: ATTACHMENT, mimeType: 'application/pdf', buffer: Buffer.from(ATTACHMENT_CONTENT) },
    { name: LICENCE, mimeType: 'image/png', buffer: Buffer.from('PNG licence') },
  ]);
  await dialog.getByText(ATTACHMENT).waitFor();
  await dialog.getByText(LICENCE).waitFor();
  await clickSettled(page, dialog.getByTestId('log-submit'));
  await dialog.waitFor({ state: 'hidden' });
  const entry = page.getByTestId('log-entry').first();
  await entry.getByTestId('direction-inbound').filter({ hasText: '客户主动联系' }).waitFor();
  await entry
    .filter({ hasText: '年度审计报价' })
    .filter({ hasText: PAYABLES.name })
    .filter({ hasText: '李明 登记' })
    .waitFor();
  await entry.filter({ hasText: `下次联系：${NEXT_CONTACT_ZH}` }).waitFor();
  const link = entry.getByTestId('log-attachments').getByRole('link', { name: new RegExp(ATTACHMENT) });
  await link.waitFor();
  await entry
    .getByTestId('log-attachments')
    .getByRole('link', { name: new RegExp(LICENCE) })
    .waitFor();
  attachmentUrl = (await link.getAttribute('href'))!;
  // The download is the uploaded file, byte for byte.
  expect(await page.evaluate(async (url) => (await fetch(url)).text(), attachmentUrl)).toBe(ATTACHMENT_CONTENT);
  await page.getByTestId('customer-profile').filter({ hasText: NEXT_CONTACT_ZH }).waitFor();
  await screenshot(page, '30-customer-zh');

  await menuLink(page, '客户').click();
  await page.getByRole('searchbox', { name: '搜索' }).fill(INITIALS);
  await page.getByRole('searchbox', { name: '搜索' }).press('Enter');
  await page.getByText('共 1 条').waitFor();
  await row(table, CUSTOMER).filter({ hasText: '李明' }).filter({ hasText: NEXT_CONTACT_ZH }).waitFor();
  expect(await rows(table).count()).toBe(1);
  await page.getByRole('searchbox', { name: '搜索' }).fill('');
  await page.getByRole('searchbox', { name: '搜索' }).press('Enter');
  await page.getByTestId('customer-views').getByText('我的').click();
  await row(table, CUSTOMER).waitFor();
  await screenshot(page, '31-customers-zh');
  expect(pageErrors).toEqual([]);
  expect(failed).toEqual([]);
});

test('the answer box answers who, which phone, and when, by phone fragment and pinyin initials', async () => {
  const { box, card } = await ask(PHONE_FRAGMENT);
  await card.getByTestId('answer-owner').filter({ hasText: '李明' }).waitFor();
  await card
    .getByTestId('answer-contact')
    .filter({ hasText: PRIMARY.name })
    .filter({ hasText: PRIMARY.phone })
    .waitFor();
  await card
    .getByTestId('answer-payables')
    .filter({ hasText: PAYABLES.name })
    .filter({ hasText: PAYABLES.phone })
    .waitFor();
  // The contact whose phone matched is highlighted.
  await card.getByTestId('answer-payables').locator('[data-matched]').waitFor();
  await card.getByTestId('answer-last').filter({ hasText: '来电/来访' }).filter({ hasText: '李明' }).waitFor();
  await card.getByTestId('answer-next').filter({ hasText: NEXT_CONTACT_ZH }).waitFor();
  await card.getByTestId('answer-email-phone').filter({ hasText: 'info@xinglan.example.cn' }).waitFor();
  await screenshot(page, '32-answer-box-zh');

  // Pinyin initials find it too, and Enter opens the first card's customer.
  await page.goto('/');
  const again = await ask(INITIALS);
  await again.card.getByTestId('answer-owner').filter({ hasText: '李明' }).waitFor();
  await settle(page);
  await again.box.press('Enter');
  await page.waitForURL(`**/customers/${customerId}`);
  await page.getByTestId('customer-name').filter({ hasText: CUSTOMER }).waitFor();
  expect(await box.inputValue()).toBe('');
  expect(pageErrors).toEqual([]);
});

test('a salesperson of another department sees none of it', async () => {
  const failed = await signIn('sales2');
  await menuLink(page, '客户').click();
  const table = page.getByTestId('customers-table');
  await page.getByRole('searchbox', { name: '搜索' }).fill(CUSTOMER);
  await page.getByRole('searchbox', { name: '搜索' }).press('Enter');
  await table.getByText('没有符合条件的客户').waitFor();
  expect(await rows(table).count()).toBe(0);

  const box = page.getByRole('combobox', { name: '答案框' });
  // Two letters would read every customer: the box asks for more before it asks the server.
  await box.fill(INITIALS.slice(0, 2));
  await page.locator('.gd-answer-popup').getByText('请继续输入：一个汉字，或至少 3 个字母或数字').waitFor();
  await box.fill(PHONE_FRAGMENT);
  await page.locator('.gd-answer-popup').getByText('没有找到相关客户').waitFor();
  await box.fill(INITIALS);
  await page.locator('.gd-answer-popup').getByText('没有找到相关客户').waitFor();
  expect(await page.getByTestId('answer-card').count()).toBe(0);

  await page.goto(`/customers/${customerId}`);
  await page.locator('.ant-result-404').getByText('页面不存在', { exact: true }).waitFor();
  expect(await page.getByText(CUSTOMER).count()).toBe(0);
  // Nor can the attachment be downloaded, even with its address.
  expect(await page.evaluate(async (url) => (await fetch(url)).status, attachmentUrl)).toBe(404);
  expect(pageErrors).toEqual([]);
  expect(failed).toEqual([`404 GET /api/v1/customers/${customerId}/overview`, `404 GET ${attachmentUrl}`]);
});

test('an executive reads the customer in English', async () => {
  await signIn('exec');
  await switchLanguage(page, 'English');
  await menuLink(page, 'Customers').click();
  const table = page.getByTestId('customers-table');
  await row(table, CUSTOMER).filter({ hasText: '李明' }).waitFor();
  await page.getByText('Pinyin initials').waitFor();
  await screenshot(page, '33-customers-en');

  const { card } = await ask(INITIALS);
  await card.getByTestId('answer-last').filter({ hasText: 'Inbound' }).waitFor();
  await card.getByTestId('answer-payables').filter({ hasText: PAYABLES.phone }).waitFor();
  await screenshot(page, '34-answer-box-en');

  await page.goto(`/customers/${customerId}`);
  await page.getByTestId('log-entry').getByText('Customer-initiated').waitFor();
  await page.getByTestId('contacts-card').getByText(PAYABLES.phone).waitFor();
  await screenshot(page, '35-customer-en');
  expect(pageErrors).toEqual([]);
});
