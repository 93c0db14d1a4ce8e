import { expect, inject, test } from 'vitest';
import type { Page as ListPage } from '../common/schemas/common';
import type { BusinessLine } from '../common/schemas/staff';
import { apiSession, createUser } from './support/api';
import { peopleInOneBrowser } from './support/people';
import { chooseOption, clickSettled, confirm, DEMO_PASSWORD, settle } from './support/ui';

/**
 * The approvals inbox's basics, on people and a flow of its own (so that the demo's approvals, which other
 * files decide, are not touched): the administrator sets up a flow in the editor, a salesperson sends a
 * quote for approval from its card, the approver finds it in 待我审批 (badge, figures inline), returns it
 * with a comment, and the salesperson reads the comment and withdraws it.
 */
const people = peopleInOneBrowser();
// Only this file's quote is of this exact amount, so only it meets the flow's condition.
const AMOUNT = '123456.78';
let opportunityId: string;

/** antd puts a space between two Chinese characters on a button: 同 意. */
const button = (text: string) => new RegExp(`^${[...text].join('\\s*')}$`);

test('the administrator sets up a flow: a condition on the amount, a named approver', async () => {
  const admin = await apiSession(inject('baseURL'), 'admin');
  for (const [username, displayName, role] of [
    ['e2e.flows', '流程管理员', 'admin'],
    ['e2e.approver', '审批测试人', 'finance'],
    ['e2e.rep', '报价测试人', 'salesperson'],
  ])
    await createUser(admin, role, { username, displayName, password: DEMO_PASSWORD, locale: 'zh-CN' });

  const { page } = await people.signIn('e2e.flows');
  await page.goto('/settings/approval-flows');
  await page.getByTestId('workflow-new-quote').click();
  await page.getByTestId('workflow-name-zh').fill('测试折扣审批');
  await page.getByTestId('workflow-name-en').fill('Test discount approval');
  await page.getByLabel('优先级').fill('0');
  await page.getByTestId('condition-add').click();
  await chooseOption(page, page.getByTestId('condition-field').locator('input'), '报价金额');
  // 等于 exactly (大于或等于, the default for amounts, also contains it).
  await page.getByTestId('condition-op').click();
  await clickSettled(page, page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) [title="等于"]'));
  await page.getByTestId('condition-money').fill(AMOUNT);
  await page.getByTestId('step-name-zh').fill('测试审批');
  await page.getByTestId('step-name-en').fill('Test step');
  await chooseOption(page, page.getByTestId('step-user').locator('input'), 'e2e.approver');
  await chooseOption(page, page.getByTestId('workflow-fallback').locator('input'), 'e2e.approver');
  await page.getByTestId('workflow-save').click();
  const flow = page.getByTestId('workflows-quote').locator('tr', { hasText: '测试折扣审批' });
  await flow.waitFor();
  expect(await flow.innerText()).toContain('报价金额 等于 ¥123,456.78');
  expect(await flow.innerText()).toContain('1. 测试审批 — 审批测试人');

  await flow.getByTestId('workflow-versions-open').click();
  await page.getByTestId('workflow-versions').getByText('第 1 版').waitFor();
});

test('the salesperson sends the quote for approval from its card; the approver returns it with a comment', async () => {
  const rep = await apiSession(inject('baseURL'), 'e2e.rep');
  const customer = await rep.post<{ id: string }>('/api/v1/customers', { name: '审批测试客户有限公司' });
  const lines = await rep.get<ListPage<BusinessLine>>('/api/v1/business-lines?pageSize=100');
  const opportunity = await rep.post<{ id: string }>('/api/v1/opportunities', {
    name: '审批测试商机',
    customerId: customer.id,
    businessLineId: lines.items.find((l) => l.active)!.id,
  });
  opportunityId = opportunity.id;
  await rep.post(`/api/v1/opportunities/${opportunity.id}/quotes`, {
    items: [{ description: '年度审计', quantity: '1', unitPrice: AMOUNT, listUnitPrice: '200000.00' }],
  });

  const sales = await people.signIn('e2e.rep');
  await sales.page.goto(`/opportunities/${opportunityId}`);
  const card = sales.page.getByTestId('quotes-card');
  await card.getByTestId('quote-approval').filter({ hasText: '需审批' }).waitFor();
  await card.getByTestId('quote-submit-approval').click();
  await card.getByTestId('quote-approval').filter({ hasText: '审批中' }).waitFor();

  const { page } = await people.signIn('e2e.approver');
  await page.getByTestId('sider-menu').getByTestId('approval-count').and(page.locator('[data-count="1"]')).waitFor();
  await page.getByTestId('sider-menu').getByRole('link', { name: /审批/ }).first().click();
  const row = page.getByTestId('approvals-table').locator('tr', { hasText: '审批测试商机' });
  // What is being approved, inline and exact: the amount, the list fees, the discount.
  expect(await row.getByTestId('approval-facts').innerText()).toBe(
    '报价金额 ¥123,456.78 · 标准收费 ¥200,000.00 · 折扣率 38.27%',
  );
  await row.getByTestId('approval-open').click();
  const drawer = page.getByTestId('approval-detail');
  await drawer.getByTestId('approval-timeline').getByText('报价测试人 提交审批').waitFor();
  await drawer.getByTestId('approval-comment-input').fill('请说明折扣原因');
  await drawer.getByTestId('approval-return').click();
  await confirm(page, page.getByRole('tooltip'), button('退回'));
  await page.locator('.ant-message').getByText('已退回').waitFor();
  await drawer.getByTestId('approval-timeline').getByText('审批测试人 退回给提交人').waitFor();
  expect(await drawer.getByTestId('approval-actions').count()).toBe(0);
  await page.getByTestId('sider-menu').getByTestId('approval-count').and(page.locator('[data-count="0"]')).waitFor({
    state: 'attached',
  });
  await page.keyboard.press('Escape');
  await row.waitFor({ state: 'detached' });
  await page.getByTestId('approval-boxes').getByRole('tab', { name: '已处理' }).click();
  await row.getByTestId('approval-status').filter({ hasText: '已退回' }).waitFor();
});

test('the salesperson reads the comment on the returned quote and withdraws it', async () => {
  const { page } = await people.signIn('e2e.rep');
  await page.goto('/approvals?box=mine');
  const row = page.getByTestId('approvals-table').locator('tr', { hasText: '审批测试商机' });
  await row.getByTestId('approval-status').filter({ hasText: '已退回' }).waitFor();
  await row.getByTestId('approval-open').click();
  const drawer = page.getByTestId('approval-detail');
  await drawer.getByTestId('approval-returned-hint').waitFor();
  await drawer.getByTestId('approval-comment').filter({ hasText: '请说明折扣原因' }).waitFor();
  await settle(page);
  await clickSettled(page, drawer.getByTestId('approval-withdraw'));
  await confirm(page, page.getByRole('tooltip'), button('撤回'));
  await drawer.getByTestId('approval-status').filter({ hasText: '已撤回' }).waitFor();
  expect(people.pageErrors()).toEqual([]);
});
