import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { apiSession, type Session } from './support/api';
import { collectPageErrors, launchBrowser, newContext } from './support/browser';
import { clickSettled, login, screenshot, settle } from './support/ui';

/**
 * Issue 18's "Done when" (team chat 团队协作) on the demo firm, three people in three browsers: `sales1` posts in his
 * opportunity's conversation with an @mention of `manager` (on the opportunity's team), who sees it arrive live with
 * the badge; `sales2` (not on the team, his scope is his own records) cannot open that conversation; `manager` goes
 * offline, two more messages arrive (one mentions him again), and on his return he sees the "new since" marker and
 * the mention on Today; a search for a Chinese word of the first message finds it and opens it in place.
 *
 * Selectors of the chat page (web/features/chat, chat-web's part) are data-testids agreed for this journey:
 * chat-unread-badge (the menu's unread count, in its data-count attribute), chat-conversation (a row of the conversation list, data-id),
 * chat-message (a message, data-seq; data-mentions-me="true" when it mentions the reader), chat-new-marker (the
 * "new since you last read" line), chat-composer (the text box), chat-mention-option (a person offered after @),
 * chat-send, chat-not-found (a conversation one may not read; the generic load-error is accepted too).
 */
const SLOW = { timeout: 15_000 };
/** A live message must arrive within a second; a busy test machine gets some slack, but no reload is allowed. */
const LIVE = { timeout: 5_000 };
const base = () => inject('baseURL');
const stamp = Date.now().toString(36);
const OPPORTUNITY = `协作旅程·年报审计 ${stamp}`;
/** 独立性 is the Chinese word the search looks for. */
const FIRST = `请评估本项目的独立性，客户下周二前要报价 ${stamp}`;
const SECOND = `报价单已发客户 ${stamp}`;
const THIRD = `客户确认了范围，请安排合伙人 ${stamp}`;

const browsers: Browser[] = [];
const pageErrors: string[][] = [];
let current: Page | null = null;
let sales1Api: Session;
let managerApi: Session;
let managerName: string;
let opportunityId: string;
let conversationId: string;

/** A person in a browser of their own (the three browsers), signed in. */
async function personInOwnBrowser(username: string): Promise<{ context: BrowserContext; page: Page }> {
  const browser = await launchBrowser();
  browsers.push(browser);
  return signIn(browser, username);
}

async function signIn(browser: Browser, username: string) {
  const context = await newContext(browser, base());
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  pageErrors.push(collectPageErrors(page));
  await login(page, username);
  current = page;
  return { context, page };
}

beforeAll(async () => {
  for (const username of ['sales1', 'sales2', 'manager'])
    await (await apiSession(base(), username)).patch('/api/v1/auth/me', { locale: 'zh-CN' });
  sales1Api = await apiSession(base(), 'sales1');
  managerApi = await apiSession(base(), 'manager');
  managerName = managerApi.me.user.displayName;
  const lines = await sales1Api.get<{ items: { id: string; code: string }[] }>('/api/v1/business-lines?pageSize=100');
  const { id: customerId } = await sales1Api.post<{ id: string }>('/api/v1/customers', {
    name: `协作旅程客户 ${stamp}`,
  });
  ({ id: opportunityId } = await sales1Api.post<{ id: string }>('/api/v1/opportunities', {
    name: OPPORTUNITY,
    customerId,
    businessLineId: lines.items.find((l) => l.code === 'SJ')!.id,
    expectedAmount: '120000',
  }));
  // The manager reviews the engagement: on the team, so a member of the record's conversation.
  await sales1Api.put(`/api/v1/opportunities/${opportunityId}/members`, {
    members: [{ userId: managerApi.me.user.id, role: '复核' }],
  });
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && current && !current.isClosed())
    await screenshot(current, `FAILED ${task.name}`, { failed: true });
});

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
});

let manager: { context: BrowserContext; page: Page };
let sales1: { context: BrowserContext; page: Page };

test('sales1 posts in the opportunity’s conversation with @manager, who sees it live with the badge', async () => {
  manager = await personInOwnBrowser('manager');
  await manager.page.goto('/');
  await manager.page.getByTestId('today').waitFor();
  const badge = manager.page.getByTestId('chat-unread-badge');
  const count = async () => Number((await badge.getAttribute('data-count', { timeout: 2000 }).catch(() => null)) ?? 0);
  const badgeBefore = await count();

  sales1 = await personInOwnBrowser('sales1');
  await sales1.page.goto(`/opportunities/${opportunityId}`);
  await clickSettled(sales1.page, sales1.page.getByTestId('record-discussion-open'));
  const drawer = sales1.page.getByTestId('record-discussion');
  await expect.poll(() => drawer.getByText(`讨论：${OPPORTUNITY}`).isVisible(), SLOW).toBe(true);
  const composer = drawer.getByTestId('chat-composer');
  await composer.click();
  await composer.pressSequentially(`@${managerName.slice(0, 1)}`);
  await clickSettled(sales1.page, sales1.page.getByTestId('chat-mention-option').filter({ hasText: managerName }));
  await composer.pressSequentially(` ${FIRST}`);
  await drawer.getByTestId('chat-send').click();
  const mine = drawer.getByTestId('chat-message').filter({ hasText: FIRST });
  await mine.waitFor();
  await expect(mine.textContent()).resolves.toContain(`@${managerName}`);
  conversationId = (
    await sales1Api.put<{ id: string }>(`/api/v1/conversations/record/opportunity/${opportunityId}`, {})
  ).id;
  await expect(drawer.getByTestId('record-discussion-link').getAttribute('href')).resolves.toBe(
    `/chat/${conversationId}`,
  );

  // The manager's menu badge counts it without a reload.
  current = manager.page;
  await expect.poll(count, LIVE).toBeGreaterThan(badgeBefore);
  // …and the conversation shows it, the mention marked for him.
  await manager.page.goto('/chat');
  const row = manager.page.locator(`[data-testid="chat-conversation"][data-id="${conversationId}"]`);
  await expect.poll(() => row.textContent(), SLOW).toContain(OPPORTUNITY);
  await clickSettled(manager.page, row);
  const message = manager.page.getByTestId('chat-message').filter({ hasText: FIRST });
  await message.waitFor();
  await expect(message.getAttribute('data-mentions-me')).resolves.toBe('true');
  await expect(message.getAttribute('data-seq')).resolves.toBe('1');

  // A further message from sales1 arrives while he looks, with no reload.
  const url = manager.page.url();
  await sales1Api.post(`/api/v1/conversations/${conversationId}/messages`, { body: `收到请回复 ${stamp}` });
  await manager.page
    .getByTestId('chat-message')
    .filter({ hasText: `收到请回复 ${stamp}` })
    .waitFor(LIVE);
  expect(manager.page.url()).toBe(url);
});

test('sales2, not on the team, cannot open the conversation', async () => {
  const sales2 = await personInOwnBrowser('sales2');
  const api = await apiSession(base(), 'sales2');
  // (apiSession's get throws with the status: `GET <path>: 404 …`.)
  await expect(api.get(`/api/v1/conversations/${conversationId}`)).rejects.toThrow(/: 404 /);
  // Reading the messages is refused the same way; the record's conversation is not made for him either.
  await expect(api.get(`/api/v1/conversations/${conversationId}/messages`)).rejects.toThrow(/: 404 /);
  expect((await api.attempt('PUT', `/api/v1/conversations/record/opportunity/${opportunityId}`)).status).toBe(404);

  await sales2.page.goto(`/chat/${conversationId}`);
  await sales2.page.locator('[data-testid="chat-not-found"], [data-testid="load-error"]').first().waitFor(SLOW);
  await expect(sales2.page.getByText(FIRST).count()).resolves.toBe(0);
  await sales2.context.close();
});

test('manager goes offline; two messages arrive; on his return: the "new since" marker and the mention on Today', async () => {
  // He read up to the last message (the conversation was open); then he closes the browser window.
  await expect
    .poll(async () => {
      const items = await managerApi.get<{ id: string; unread: number }[]>('/api/v1/conversations');
      return items.find((c) => c.id === conversationId)?.unread;
    }, SLOW)
    .toBe(0);
  await manager.context.close();

  const last = await sales1Api.get<{ items: { seq: number }[] }>(
    `/api/v1/conversations/${conversationId}/messages?limit=1`,
  );
  const readUpTo = last.items.at(-1)!.seq;
  current = sales1.page;
  // sales1 writes the two from his page (the drawer is still open), the second mentioning the manager again.
  const drawer = sales1.page.getByTestId('record-discussion');
  const composer = drawer.getByTestId('chat-composer');
  await composer.click();
  await composer.pressSequentially(SECOND);
  await drawer.getByTestId('chat-send').click();
  await drawer.getByTestId('chat-message').filter({ hasText: SECOND }).waitFor();
  await composer.click();
  await composer.pressSequentially(`@${managerName.slice(0, 1)}`);
  await clickSettled(sales1.page, sales1.page.getByTestId('chat-mention-option').filter({ hasText: managerName }));
  await composer.pressSequentially(` ${THIRD}`);
  await drawer.getByTestId('chat-send').click();
  await drawer.getByTestId('chat-message').filter({ hasText: THIRD }).waitFor();

  // He comes back in a new window of his browser.
  manager = await signIn(browsers[0], 'manager');
  const page = manager.page;
  await page.goto('/');
  const card = page.getByTestId('today-mentions');
  await card.waitFor();
  await expect(card.locator('.ant-card-head-title').textContent()).resolves.toContain('提及我的消息');
  const mention = card.getByTestId('today-mention').filter({ hasText: THIRD });
  await mention.waitFor(SLOW);
  // Already read, the first mention is no longer listed.
  await expect(card.getByTestId('today-mention').filter({ hasText: FIRST }).count()).resolves.toBe(0);
  await expect(mention.textContent()).resolves.toContain(OPPORTUNITY);

  await clickSettled(page, mention.getByRole('link').first());
  await page.waitForURL(new RegExp(`/chat/${conversationId}\\?seq=${readUpTo + 2}`));
  const marker = page.getByTestId('chat-new-marker');
  await marker.waitFor(SLOW);
  // The marker sits right before the first message he has not read (SECOND), after the ones he had.
  const order = await page
    .locator('[data-testid="chat-new-marker"], [data-testid="chat-message"]')
    .evaluateAll((nodes) =>
      nodes.map((n) => (n.getAttribute('data-testid') === 'chat-new-marker' ? 'marker' : n.getAttribute('data-seq'))),
    );
  const at = order.indexOf('marker');
  expect(order[at - 1]).toBe(String(readUpTo));
  expect(order[at + 1]).toBe(String(readUpTo + 1));
  await expect(
    page.locator(`[data-testid="chat-message"][data-seq="${readUpTo + 2}"]`).getAttribute('data-mentions-me'),
  ).resolves.toBe('true');
});

test('a search for a Chinese word of the message finds it and opens it in place', async () => {
  const page = manager.page;
  current = page;
  await page.goto('/chat/search');
  const box = page.getByRole('searchbox', { name: '搜索消息' });
  await box.fill('独立性');
  await box.press('Enter');
  await page.waitForURL(/\/chat\/search\?q=/);
  const hit = page.getByTestId('chat-search-hit').filter({ hasText: OPPORTUNITY });
  await hit.waitFor(SLOW);
  await expect(hit.locator('mark').first().textContent()).resolves.toMatch(/独立|立性/);
  await expect(hit.textContent()).resolves.toContain(OPPORTUNITY);
  await expect(hit.textContent()).resolves.toContain(sales1Api.me.user.displayName);
  await clickSettled(page, hit.getByTestId('chat-search-open'));
  await page.waitForURL(new RegExp(`/chat/${conversationId}\\?seq=1$`));
  await page.locator('[data-testid="chat-message"][data-seq="1"]').filter({ hasText: FIRST }).waitFor(SLOW);
  await settle(page);
  expect(pageErrors.flat()).toEqual([]);
});
