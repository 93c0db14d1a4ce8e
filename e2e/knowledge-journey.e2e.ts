import { expect, inject, test } from 'vitest';
import { apiSession } from './support/api';
import { peopleInOneBrowser } from './support/people';
import { chooseOption, clickSettled, settle } from './support/ui';

/**
 * Issue 17's journey on the demo firm (knowledge management 知识管理). Guided selling 销售指引: `manager` writes the
 * playbook of the 审计 stage 方案建议 in the UI — two activities and a checklist; `sales1` moves one of his audit
 * opportunities into that stage and finds the two activities scheduled for him (due in the firm's days) and the
 * checklist and the playbook's article on the opportunity's page, and ticks an item. He loses another opportunity and
 * writes its lesson 复盘 in the dialog that follows; `sales2` searches 审计 and finds that lesson (firm-wide) and the
 * article, the matches highlighted.
 *
 * The demo's 审计 line uses the default pipeline, whose proposal stage is 方案建议 (the issue calls it 方案讨论).
 */
const people = peopleInOneBrowser();
/** Polls wait as long as a locator does (expect.poll's own default is a second: too short on a busy machine). */
const SLOW = { timeout: 15_000 };
const base = () => inject('baseURL');
const STAGE = '方案建议';
const STEPS = [
  { subject: '知识旅程·准备审计服务方案', days: 2 },
  { subject: '知识旅程·安排合伙人拜访', days: 5 },
];
const ITEMS = ['确认审计范围', '了解上年审计机构', '独立性检查'];
const ARTICLE = '年报审计承接要点';
const LOST = '知识旅程·验资及专项审计';
const LESSON = `复盘：${LOST}（输单）`;

/** 18:00 in Shanghai (UTC+8), `days` from the firm's today, as an ISO instant. */
const firmDue = (days: number) => {
  const day = new Date(Date.now() + (8 + 24 * days) * 3600_000).toISOString().slice(0, 10);
  return new Date(`${day}T18:00:00+08:00`).toISOString();
};

let auditLineId: string;
let stageId: string;
let opportunityId: string;

test('manager writes the playbook of 审计 · 方案建议: two activities and a checklist', async () => {
  for (const username of ['manager', 'sales1'])
    await (await apiSession(base(), username)).patch('/api/v1/auth/me', { locale: 'zh-CN' });
  const api = await apiSession(base(), 'manager');
  const lines = await api.get<{ items: { id: string; code: string }[] }>('/api/v1/business-lines?pageSize=100');
  auditLineId = lines.items.find((l) => l.code === 'SJ')!.id;
  const pipeline = await api.get<{ stages: { id: string; nameZh: string }[] }>(
    `/api/v1/pipelines?businessLineId=${auditLineId}`,
  );
  stageId = pipeline.stages.find((s) => s.nameZh === STAGE)!.id;

  const { page } = await people.signIn('manager');
  await page.goto(`/sales/playbooks?line=${auditLineId}`);
  const slot = page.locator(`[data-testid="playbook-slot"][data-slot="${STAGE}"]`);
  await clickSettled(page, slot.getByTestId(`playbook-open-${STAGE}`));
  const form = page.getByTestId('playbook-form');
  await form.waitFor();
  await settle(page);
  // Whatever the stage had (the demo writes one), this journey's playbook replaces it.
  const activityRows = form.getByTestId('playbook-activity-row');
  while ((await activityRows.count()) > 0) await activityRows.first().getByTestId('playbook-activity-remove').click();
  const itemRows = form.getByTestId('playbook-item-row');
  while ((await itemRows.count()) > 0) await itemRows.first().getByTestId('playbook-item-remove').click();

  for (const [i, step] of STEPS.entries()) {
    await form.getByTestId('playbook-add-activity').click();
    const row = activityRows.nth(i);
    await row.getByTestId('playbook-activity-subject').fill(step.subject);
    await chooseOption(
      page,
      row.getByTestId('playbook-activity-category').locator('input'),
      i === 0 ? '提供方案' : '上门拜访',
    );
    await row.locator('.ant-input-number input').fill(String(step.days));
    // Both for the opportunity's owner (the default).
  }
  for (const [i, text] of ITEMS.entries()) {
    await form.getByTestId('playbook-add-item').click();
    await itemRows.nth(i).getByTestId('playbook-item-text').fill(text);
  }
  await clickSettled(page, page.getByTestId('playbook-submit'));
  await expect.poll(() => slot.textContent(), SLOW).toContain('2 项活动 · 3 个检查项');
  await expect.poll(() => slot.textContent(), SLOW).toContain(STEPS[0].subject);

  const saved = await api.get<{ items: { stageId: string; activities: { subject: string }[] }[] }>(
    `/api/v1/playbooks?kind=opportunity&businessLineId=${auditLineId}`,
  );
  expect(saved.items.find((p) => p.stageId === stageId)!.activities.map((a) => a.subject)).toEqual(
    STEPS.map((s) => s.subject),
  );
});

test('sales1 moves an opportunity into 方案建议: the two activities are scheduled for him, the checklist is on the page', async () => {
  const api = await apiSession(base(), 'sales1');
  const { id: customerId } = await api.post<{ id: string }>('/api/v1/customers', {
    name: '知识旅程（咸阳）纺织有限公司',
  });
  const { id: contactId } = await api.post<{ id: string }>('/api/v1/contacts', { customerId, name: '刘会计' });
  const { id } = await api.post<{ id: string }>('/api/v1/opportunities', {
    name: '知识旅程·2026 年度财务报表审计',
    customerId,
    contactId,
    businessLineId: auditLineId,
    expectedAmount: '80000',
  });
  opportunityId = id;

  const { page } = await people.signIn('sales1');
  await page.goto(`/opportunities/${id}`);
  await clickSettled(page, page.locator(`[data-testid="stage-step"][data-stage-id="${stageId}"]`));

  const panel = page.getByTestId('guide-panel');
  const scheduled = panel.getByTestId('guide-activity');
  await expect.poll(() => scheduled.count(), SLOW).toBe(2);
  for (const [i, step] of STEPS.entries()) {
    await expect.poll(() => scheduled.nth(i).textContent(), SLOW).toContain(step.subject);
    await expect.poll(() => scheduled.nth(i).textContent(), SLOW).toContain('李明');
  }
  const items = panel.getByTestId('guide-item');
  await expect.poll(() => items.allTextContents(), SLOW).toEqual(ITEMS);
  // The article the demo's playbook names for this stage, a link into the knowledge base.
  const article = panel.getByRole('link', { name: ARTICLE });
  await article.waitFor();
  expect(await article.getAttribute('href')).toMatch(/^\/knowledge\/[0-9a-f-]{36}$/);

  // His, due on the firm's days (besides those 初步接洽's playbook scheduled when the opportunity was made).
  const planned = await api.get<{ items: { subject: string; ownerId: string; dueAt: string }[] }>(
    `/api/v1/activities?opportunityId=${id}&status=planned`,
  );
  expect(
    planned.items
      .filter((a) => STEPS.some((s) => s.subject === a.subject))
      .map((a) => ({ subject: a.subject, ownerId: a.ownerId, dueAt: a.dueAt }))
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt)),
  ).toEqual(STEPS.map((s) => ({ subject: s.subject, ownerId: api.me.user.id, dueAt: firmDue(s.days) })));

  // He ticks the first item; it stays ticked.
  await items.first().getByRole('checkbox').click();
  await expect.poll(() => items.first().getAttribute('data-done'), SLOW).toBe('true');
  await page.reload();
  await expect.poll(() => page.getByTestId('guide-item').first().getAttribute('data-done'), SLOW).toBe('true');
});

test('sales1 loses another opportunity and writes its lesson 复盘 in the dialog that follows', async () => {
  const api = await apiSession(base(), 'sales1');
  const { id: customerId } = await api.post<{ id: string }>('/api/v1/customers', {
    name: '知识旅程（宝鸡）机床有限公司',
  });
  const { id } = await api.post<{ id: string }>('/api/v1/opportunities', {
    name: LOST,
    customerId,
    businessLineId: auditLineId,
    expectedAmount: '60000',
  });
  const { page } = await people.signIn('sales1');
  await page.goto(`/opportunities/${id}`);
  await clickSettled(page, page.getByTestId('opp-lose'));
  await page.getByTestId('lost-reason').fill('客户选择了报价更低的本地事务所');
  await clickSettled(page, page.getByTestId('lost-submit'));

  const dialog = page.getByTestId('lesson-modal');
  await dialog.getByTestId('lesson-worked').waitFor();
  await dialog.getByTestId('lesson-worked').fill('审计方案讲清了验资与专项审计的衔接，客户财务认可');
  await dialog.getByTestId('lesson-improve').fill('报价前先了解本地事务所的收费，审计工时测算要给出依据');
  await clickSettled(page, dialog.getByTestId('lesson-submit'));
  await page.getByTestId('lesson-link').waitFor();
  await expect.poll(() => page.getByTestId('lesson-modal').count(), SLOW).toBe(0);
  const prompt = await api.get<{ status: string; articleId: string }>(`/api/v1/opportunities/${id}/lesson`);
  expect(prompt.status).toBe('written');

  // On the lesson's page he links the article the playbook recommended (linked to the customer and opportunity).
  await clickSettled(page, page.getByTestId('lesson-link'));
  await page.waitForURL(new RegExp(`/knowledge/${prompt.articleId}$`));
  await expect.poll(() => page.getByTestId('knowledge-link').count(), SLOW).toBe(2);
  await clickSettled(page, page.getByTestId('knowledge-link-add'));
  await chooseOption(page, page.getByTestId('knowledge-link-type').locator('input'), '文章');
  await chooseOption(page, page.getByTestId('knowledge-link-record').locator('input'), ARTICLE);
  await clickSettled(page, page.getByTestId('knowledge-link-submit'));
  await expect.poll(() => page.getByTestId('knowledge-link').count(), SLOW).toBe(3);
  await page.getByTestId('knowledge-links').getByRole('link', { name: ARTICLE }).waitFor();
});

test('sales2 searches 审计 and finds the lesson and the article, the matches highlighted', async () => {
  const { page } = await people.signIn('sales2');
  // The answer box lists the matching articles below the customer cards; its first one opens the article.
  await page.goto('/knowledge');
  const answerBox = page.getByRole('combobox', { name: /^(答案框|Answer box)$/ });
  await answerBox.fill('验资及专项');
  const answer = page.locator('.gd-answer-popup [data-testid="answer-article"]').filter({ hasText: LESSON });
  await answer.waitFor();
  expect(await answer.locator('mark').first().textContent()).toBe('验资及专项');
  await answer.click();
  await page.waitForURL(/\/knowledge\/[0-9a-f-]{36}$/);

  // The knowledge base's search box opens the search page.
  await page.goto('/knowledge');
  const box = page.getByTestId('knowledge-search').locator('input');
  await box.fill('审计');
  await box.press('Enter');
  await page.waitForURL(/\/knowledge\/search\?q=/);
  const hits = page.getByTestId('knowledge-search-hit');
  await hits.first().waitFor();
  for (const title of [LESSON, ARTICLE]) {
    const hit = hits.filter({ hasText: title });
    await expect.poll(() => hit.count(), SLOW).toBe(1);
    expect(await hit.locator('mark').first().textContent()).toBe('审计');
  }
  expect(people.pageErrors()).toEqual([]);
});

test('on a 390 px phone: the playbook editor and the guide fit the screen', async () => {
  const noSidewaysScroll = async (page: import('playwright-core').Page, what: string) => {
    await page.waitForLoadState('networkidle');
    await settle(page);
    const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
    expect(width, `${what} is ${width} px wide`).toBeLessThanOrEqual(390);
  };
  const manager = (await people.signIn('manager')).page;
  await manager.setViewportSize({ width: 390, height: 844 });
  await manager.goto(`/sales/playbooks?line=${auditLineId}`);
  const slot = manager.locator(`[data-testid="playbook-slot"][data-slot="${STAGE}"]`);
  await slot.waitFor();
  await noSidewaysScroll(manager, 'the playbooks page');
  await clickSettled(manager, slot.getByTestId(`playbook-open-${STAGE}`));
  const form = manager.getByTestId('playbook-form');
  await form.getByTestId('playbook-activity-row').first().waitFor();
  await noSidewaysScroll(manager, 'the playbook editor');
  // Once the drawer has slid in, its rows fit the screen.
  const box = (await form.getByTestId('playbook-activity-subject').first().boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(390);

  const sales1 = (await people.signIn('sales1')).page;
  await sales1.setViewportSize({ width: 390, height: 844 });
  await sales1.goto(`/opportunities/${opportunityId}`);
  await sales1.getByTestId('guide-item').first().waitFor();
  await noSidewaysScroll(sales1, 'the opportunity with its guide');
});
