import { expect, inject, test } from 'vitest';
import type { Page as ListPage } from '../common/schemas/common';
import type { BusinessLine } from '../common/schemas/staff';
import { apiSession } from './support/api';
import { peopleInOneBrowser } from './support/people';
import { clickSettled, confirm, settle } from './support/ui';

/**
 * Issue 12's journey on the demo firm's own flows: sales1 quotes 20% below the list fees; the quote cannot be
 * sent until `manager` approves it from his inbox (its badge counting it), after returning it once with a
 * comment that sales1 reads; then `exec` approves an independence exception and the opportunity can be won.
 * Both show their whole approval history on the opportunity's page.
 */
const people = peopleInOneBrowser();
const base = () => inject('baseURL');
const button = (text: string) => new RegExp(`^${[...text].join('\\s*')}$`);

let opportunityId: string;
let quoteId: string;

/** Shows the newest quote's details (its approval history among them), unless they are shown already. */
async function expandNewestQuote(page: import('playwright-core').Page) {
  const collapsed = page.getByTestId('quotes-card').locator('.ant-table-row-expand-icon-collapsed').first();
  if (await collapsed.count()) await collapsed.click();
}

async function badge(page: import('playwright-core').Page): Promise<number> {
  const count = page.getByTestId('sider-menu').getByTestId('approval-count');
  await count.waitFor({ state: 'attached' });
  return Number(await count.getAttribute('data-count'));
}

/** Opens this journey's approval in the reader's 待我审批 and returns its drawer. */
async function openWaiting(page: import('playwright-core').Page, text: string) {
  await page.goto('/approvals');
  const row = page.getByTestId('approvals-table').locator('tr', { hasText: text });
  await row.getByTestId('approval-open').click();
  return page.getByTestId('approval-detail');
}

test('a quote 20% below list is refused until approved; the manager returns it once with a comment', async () => {
  const sales1 = await apiSession(base(), 'sales1');
  const lines = await sales1.get<ListPage<BusinessLine>>('/api/v1/business-lines?pageSize=100');
  const audit = lines.items.find((l) => l.code === 'AUDIT') ?? lines.items[0];
  const customer = await sales1.post<{ id: string }>('/api/v1/customers', { name: '审批旅程测试有限公司' });
  const opportunity = await sales1.post<{ id: string }>('/api/v1/opportunities', {
    name: '审批旅程·年度财务报表审计',
    customerId: customer.id,
    businessLineId: audit.id,
    expectedAmount: '80000',
  });
  opportunityId = opportunity.id;
  const quote = await sales1.post<{ id: string; discountPercent: string }>(
    `/api/v1/opportunities/${opportunityId}/quotes`,
    { items: [{ description: '年度财务报表审计', quantity: '1', unitPrice: '80000', listUnitPrice: '100000' }] },
  );
  quoteId = quote.id;
  expect(quote.discountPercent).toBe('20.00');
  const refused = await sales1.attempt('PATCH', `/api/v1/opportunities/${opportunityId}/quotes/${quoteId}`, {
    status: 'sent',
  });
  expect([refused.status, refused.body.error?.code]).toEqual([409, 'QUOTE_APPROVAL_REQUIRED']);

  const manager = await people.signIn('manager');
  const before = await badge(manager.page);

  const seller = await people.signIn('sales1');
  await seller.page.goto(`/opportunities/${opportunityId}`);
  const card = seller.page.getByTestId('quotes-card');
  await card.getByTestId('quote-approval').filter({ hasText: '需审批' }).waitFor();
  // Sending is not offered before approval; sending it for approval is.
  expect(await card.getByTestId('quote-sent').count()).toBe(0);
  await card.getByTestId('quote-submit-approval').click();
  await card.getByTestId('quote-approval').filter({ hasText: '审批中' }).waitFor();

  await manager.page.bringToFront();
  // The badge counts it live (at least one more: the contract journey running beside this file may add its own).
  await expect.poll(() => badge(manager.page), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 1);
  const drawer = await openWaiting(manager.page, '审批旅程·年度财务报表审计');
  await drawer.getByTestId('approval-comment-input').fill('折扣超过一成，请补充客户背景');
  await drawer.getByTestId('approval-return').click();
  await confirm(manager.page, manager.page.getByRole('tooltip'), button('退回'));
  await manager.page.locator('.ant-message').getByText('已退回').waitFor();
});

test('sales1 reads the comment and sends it again; the manager approves; the quote can then be sent', async () => {
  const seller = await people.signIn('sales1');
  await seller.page.goto(`/opportunities/${opportunityId}`);
  const card = seller.page.getByTestId('quotes-card');
  await card.getByTestId('quote-approval').filter({ hasText: '已退回' }).waitFor();
  // The manager's comment, in the quote's approval history.
  await expandNewestQuote(seller.page);
  await card.getByTestId('quote-approvals').getByText('折扣超过一成，请补充客户背景').waitFor();
  await settle(seller.page);
  await clickSettled(seller.page, card.getByTestId('quote-submit-approval'));
  await card.getByTestId('quote-approval').filter({ hasText: '审批中' }).waitFor();

  const manager = await people.signIn('manager');
  const approve = await openWaiting(manager.page, '审批旅程·年度财务报表审计');
  await approve.getByTestId('approval-comment-input').fill('同意，老客户转介绍');
  await clickSettled(manager.page, approve.getByTestId('approval-approve'));
  await approve.getByTestId('approval-status').filter({ hasText: '已通过' }).waitFor();

  const sales1 = await apiSession(base(), 'sales1');
  const sent = await sales1.attempt('PATCH', `/api/v1/opportunities/${opportunityId}/quotes/${quoteId}`, {
    status: 'sent',
  });
  expect(sent.status).toBe(200);
  // The quote's whole history on the opportunity's page: submitted, returned with the comment, again, approved.
  await seller.page.bringToFront();
  await seller.page.goto(`/opportunities/${opportunityId}`);
  await expandNewestQuote(seller.page);
  const timeline = seller.page.getByTestId('quote-approvals').getByTestId('approval-timeline');
  await timeline.getByText('折扣超过一成，请补充客户背景').waitFor();
  await timeline.getByText('同意，老客户转介绍').waitFor();
  const actions = await timeline
    .getByTestId('approval-transition')
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-action')));
  expect(actions.filter((a) => a === 'submit')).toHaveLength(2);
  expect(actions).toContain('return');
  expect(actions).toContain('approve');
});

test('exec approves an independence exception; then the opportunity can be won', async () => {
  const admin = await apiSession(base(), 'admin');
  const sales1 = await apiSession(base(), 'sales1');
  const opportunity = await sales1.get<{ businessLineId: string; customerId: string }>(
    `/api/v1/opportunities/${opportunityId}`,
  );
  // The customer already has work in a business line that conflicts with this one: a line of this test's own, so
  // that the pair touches no other test's opportunities.
  // Sorted last, so that the board's first line (which other files read) stays the demo's.
  const other = await admin.post<{ id: string }>('/api/v1/business-lines', {
    name: '审批旅程代账',
    code: 'JOURNEYBK',
    sortOrder: 99_999,
  });
  await sales1.post('/api/v1/opportunities', {
    name: '审批旅程·月度代理记账服务',
    customerId: opportunity.customerId,
    businessLineId: other.id,
  });
  const pairs = await admin.get<{ lineA: string; lineB: string }[]>('/api/v1/business-line-conflicts');
  await admin.put('/api/v1/business-line-conflicts', {
    pairs: [
      ...pairs.map((p) => ({ lineA: p.lineA, lineB: p.lineB })),
      { lineA: opportunity.businessLineId, lineB: other.id },
    ],
  });
  // The engagement acceptance checklist of the line, answered (winning asks for it before independence).
  const acceptance = await sales1.get<{ items: { key: string }[] }>(
    `/api/v1/opportunities/${opportunityId}/acceptance`,
  );
  await sales1.put(`/api/v1/opportunities/${opportunityId}/acceptance`, {
    answers: Object.fromEntries(acceptance.items.map((i) => [i.key, { checked: true }])),
  });
  const stages = await sales1.get<{ stages: { id: string; kind: string }[] }>(
    `/api/v1/pipelines?businessLineId=${opportunity.businessLineId}`,
  );
  const won = stages.stages.find((s) => s.kind === 'won')!;
  const blocked = await sales1.attempt('POST', `/api/v1/opportunities/${opportunityId}/move`, { stageId: won.id });
  expect(blocked.body.error?.code).toBe('INDEPENDENCE_CONFLICT');
  await sales1.post(`/api/v1/opportunities/${opportunityId}/independence-override`, {
    reason: '代理记账由分所独立团队承接，与审计团队分离',
  });
  const pending = await sales1.attempt('POST', `/api/v1/opportunities/${opportunityId}/move`, { stageId: won.id });
  expect(pending.body.error?.code).toBe('INDEPENDENCE_APPROVAL_PENDING');

  const exec = await people.signIn('exec');
  const drawer = await openWaiting(exec.page, '审批旅程·年度财务报表审计');
  await drawer.getByTestId('approval-actions').waitFor();
  await settle(exec.page);
  await clickSettled(exec.page, drawer.getByTestId('approval-approve'));
  await expect
    .poll(
      async () =>
        (await sales1.get<{ independenceOverride: unknown }>(`/api/v1/opportunities/${opportunityId}`))
          .independenceOverride,
      {
        timeout: 15_000,
      },
    )
    .not.toBeNull();

  const moved = await sales1.attempt('POST', `/api/v1/opportunities/${opportunityId}/move`, { stageId: won.id });
  expect(moved.status).toBe(200);
  const seller = await people.signIn('sales1');
  await seller.page.goto(`/opportunities/${opportunityId}`);
  const recorded = seller.page.getByTestId('independence-override');
  await recorded.getByText('代理记账由分所独立团队承接，与审计团队分离').waitFor();
  await recorded.getByTestId('approval-timeline').waitFor();
  const actions = await recorded
    .getByTestId('approval-transition')
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-action')));
  expect(actions).toContain('submit');
  expect(actions).toContain('approve');
  expect(people.pageErrors()).toEqual([]);
});
