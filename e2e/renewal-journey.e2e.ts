import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import type { Renewal } from '../common/schemas/renewals';
import type { CrossSellSuggestion } from '../common/schemas/cross-sell';
import type { TimelinePage } from '../common/schemas/customer-story';
import { apiSession, type Session } from './support/api';
import { collectPageErrors, launchBrowser, newContext } from './support/browser';
import { clickSettled, login, screenshot } from './support/ui';

/**
 * Issue 19's "Done when" on the demo firm (server/seed/demo-renewals.ts raised sales1's renewal of 宝鸡渭河水务's annual
 * audit and computed the cross-sell suggestions): `sales1` sees the renewal on Today, opens it and sends the renewal
 * quote pre-filled from last year; on 陕西秦岭机械制造's page he accepts the suggested 税务咨询 and the opportunity shows
 * where it came from; the customer's timeline then shows the new opportunity, the receipt and the signed contract,
 * newest first.
 */
const SLOW = { timeout: 15_000 };
const base = () => inject('baseURL');

let browser: Browser;
let page: Page;
let errors: string[];
let api: Session;
let renewal: Renewal;
let suggestion: CrossSellSuggestion;

beforeAll(async () => {
  api = await apiSession(base(), 'sales1');
  await api.patch('/api/v1/auth/me', { locale: 'zh-CN' });
  const renewals = await api.get<{ items: Renewal[] }>('/api/v1/renewals?state=raised&pageSize=100');
  renewal = renewals.items.find((r) => r.customerName.startsWith('宝鸡渭河水务'))!;
  const suggestions = await api.get<{ items: CrossSellSuggestion[] }>('/api/v1/cross-sell?view=mine&status=open');
  suggestion = suggestions.items.find((s) => s.customerName.startsWith('陕西秦岭机械制造'))!;
  browser = await launchBrowser();
  const context = await newContext(browser, base());
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  errors = collectPageErrors(page);
  await login(page, 'sales1');
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && !page.isClosed())
    await screenshot(page, `FAILED ${task.name}`, { failed: true });
});

afterAll(async () => {
  await browser?.close();
});

test('the demo raised a renewal for sales1 with a quote, and suggested a service to one of his customers', () => {
  expect(renewal, 'sales1 has the demo renewal of 宝鸡渭河水务').toBeTruthy();
  expect(renewal.quoteId).toBeTruthy();
  expect(suggestion, 'sales1 has the demo suggestion for 陕西秦岭机械制造').toBeTruthy();
});

test('sales1 sees the renewal on Today, opens it and sends the pre-filled renewal quote', async () => {
  await page.goto('/');
  const card = page.getByTestId('today-renewals');
  const row = card.getByTestId('today-renewal').filter({ hasText: renewal.customerName });
  await expect.poll(() => row.count(), SLOW).toBe(1);
  await clickSettled(page, row.getByTestId('today-renewal-open'));
  await page.waitForURL(`**/opportunities/${renewal.opportunityId}`);
  const panel = page.getByTestId('renewal-panel');
  // Last period's amount, as the previous contract had it, and the quote made from its lines.
  await expect
    .poll(() => panel.getByTestId('renewal-previous-amount').textContent(), SLOW)
    .toContain(Number(renewal.previousAmount).toLocaleString('zh-CN', { minimumFractionDigits: 2 }));
  const quote = panel.getByTestId('renewal-quote');
  await expect.poll(() => quote.textContent(), SLOW).toContain('草稿');
  await clickSettled(page, quote.getByTestId('renewal-quote-send'));
  await expect.poll(() => quote.textContent(), SLOW).toContain('已发送');
  const quotes = await api.get<{ id: string; status: string; total: string }[]>(
    `/api/v1/opportunities/${renewal.opportunityId}/quotes`,
  );
  const sent = quotes.find((q) => q.id === renewal.quoteId)!;
  expect(sent.status).toBe('sent');
  expect(Number(sent.total)).toBe(Number(renewal.previousAmount));
});

test('sales1 accepts a cross-sell suggestion on the customer page; the opportunity shows its source', async () => {
  await page.goto(`/customers/${suggestion.customerId}`);
  const card = page.getByTestId('customer-cross-sell');
  const item = card.getByTestId('cross-sell-item').filter({ hasText: suggestion.businessLineName });
  await expect.poll(() => item.first().textContent(), SLOW).toContain(suggestion.evidenceText);
  await clickSettled(page, item.first().getByTestId('cross-sell-accept'));
  await clickSettled(page, page.getByTestId('cross-sell-accept-ok'));
  await page.waitForURL(/\/opportunities\/[0-9a-f-]{36}$/);
  const opportunityId = page.url().split('/').pop()!;
  await expect.poll(() => page.getByTestId('opp-origin').textContent(), SLOW).toContain('交叉销售');
  const opportunity = await api.get<{ origin: { kind: string; id: string } | null; customerId: string }>(
    `/api/v1/opportunities/${opportunityId}`,
  );
  expect(opportunity.origin).toEqual({ kind: 'cross-sell', id: suggestion.id });
  expect(opportunity.customerId).toBe(suggestion.customerId);

  // The customer's timeline: the new opportunity, then (older) the receipt, then the signed contract.
  await page.goto(`/customers/${suggestion.customerId}`);
  const timeline = page.getByTestId('customer-timeline');
  await expect.poll(() => timeline.getByTestId('timeline-item').count(), SLOW).toBeGreaterThan(3);
  const story = await api.get<TimelinePage>(`/api/v1/customers/${suggestion.customerId}/timeline?pageSize=100`);
  const at = (predicate: (title: string, kind: string) => boolean) =>
    story.items.findIndex((i) => predicate(i.title, i.kind));
  const created = at((title, kind) => kind === 'opportunity' && title.includes(suggestion.businessLineName));
  const receipt = at((title, kind) => kind === 'receipt' && title.startsWith('到款'));
  const signed = at((title, kind) => kind === 'contract' && title.startsWith('签订合同'));
  expect(created, 'the new opportunity is on the timeline').toBeGreaterThanOrEqual(0);
  expect(receipt).toBeGreaterThan(created);
  expect(signed).toBeGreaterThan(receipt);
  // And the page shows them in that order.
  const titles = await timeline.getByTestId('timeline-item').allTextContents();
  const shown = (text: string) => titles.findIndex((t) => t.includes(text));
  expect(shown(story.items[created].title)).toBeGreaterThanOrEqual(0);
  expect(shown(story.items[receipt].title)).toBeGreaterThan(shown(story.items[created].title));
  expect(shown(story.items[signed].title)).toBeGreaterThan(shown(story.items[receipt].title));
  await screenshot(page, 'customer timeline after accepting a suggestion');
  expect(errors).toEqual([]);
});

test('the manager dismisses a suggestion of his team as "later": the dialog asks why, and 忽略 is gone', async () => {
  const manager = await apiSession(base(), 'manager');
  const open = await manager.get<{ items: CrossSellSuggestion[] }>(
    '/api/v1/cross-sell?view=team&status=open&pageSize=100',
  );
  const other = open.items.find((s) => s.id !== suggestion.id);
  expect(other, "the demo suggests services to customers of the manager's team").toBeTruthy();
  const context = await newContext(browser, base());
  context.setDefaultTimeout(15_000);
  const managerPage = await context.newPage();
  const managerErrors = collectPageErrors(managerPage);
  await login(managerPage, 'manager');
  await managerPage.goto(`/customers/${other!.customerId}`);
  const item = managerPage
    .getByTestId('customer-cross-sell')
    .getByTestId('cross-sell-item')
    .filter({ hasText: other!.businessLineName });
  await expect.poll(() => item.getByTestId('cross-sell-dismiss').count(), SLOW).toBe(1);
  // The dialog's code is loaded on the first 忽略 (not with the page).
  await clickSettled(managerPage, item.getByTestId('cross-sell-dismiss'));
  const dialog = managerPage.getByTestId('cross-sell-dismiss-modal');
  await dialog.getByText('为什么忽略？').waitFor();
  await clickSettled(managerPage, dialog.getByTestId('cross-sell-reason-later'));
  await dialog.getByTestId('cross-sell-dismiss-note').fill('明年预算再谈');
  await screenshot(managerPage, 'cross-sell dismiss dialog');
  await clickSettled(managerPage, dialog.getByRole('button', { name: /^忽\s?略$/ }));
  await expect.poll(() => item.getByTestId('cross-sell-dismiss').count(), SLOW).toBe(0);
  const dismissed = await manager.get<{ items: CrossSellSuggestion[] }>(
    '/api/v1/cross-sell?view=team&status=dismissed&pageSize=100',
  );
  const found = dismissed.items.find((s) => s.id === other!.id);
  expect(found?.dismissReason).toBe('later');
  expect(found?.dismissNote).toBe('明年预算再谈');
  expect(managerErrors).toEqual([]);
  await context.close();
});
