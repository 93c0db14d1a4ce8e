import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { peopleInOneBrowser } from './support/people';
import { chooseOption, clickSettled, screenshot, settle, switchLanguage } from './support/ui';

/**
 * Issue 10 item 14, what a user notices: the tab title names the page and the record, `/` and
 * Ctrl+K reach the answer box, a skip link leads past the menu, the team calendar says whose each
 * event is, labels use the language's colon, and the "lead created" notice leaves the actions of
 * the page it opens uncovered.
 */
const people = peopleInOneBrowser();

const HUADA = '西安华达建设工程有限公司';
/** The tab's title, once the page has set it. */
const title = (page: Page, expected: string) => expect.poll(() => page.title(), { timeout: 15_000 }).toBe(expected);

async function openCustomer(page: Page, name: string) {
  await page.goto('/customers');
  const search = page.getByPlaceholder(/名称、拼音首字母|Name, pinyin initials/);
  await search.fill(name);
  await search.press('Enter');
  await page.getByTestId('customers-table').getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name }).waitFor();
}

/** Whether the element at the middle of the locator's box is the locator's element (or inside it), i.e. nothing covers it. */
async function uncovered(target: Locator): Promise<boolean> {
  return target.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return top !== null && element.contains(top);
  });
}

test('the tab title names the page and the record, in either language', async () => {
  const { page, failed } = await people.signIn('jiangtao');
  await title(page, '今日 — 工单');
  await page.goto('/customers');
  await page.getByTestId('customers-table').waitFor();
  await title(page, '客户 — 工单');
  await openCustomer(page, HUADA);
  await title(page, `客户 · ${HUADA} — 工单`);
  await page.goto('/opportunities?mode=list&q=IPO');
  await title(page, '销售机会 — 工单');
  const opportunity = page.getByTestId('opportunities-table').getByRole('link', { name: /IPO/ }).first();
  const name = (await opportunity.textContent())!.trim();
  await opportunity.click();
  await title(page, `销售机会 · ${name} — 工单`);
  await page.goto('/no/such/page');
  await title(page, '页面不存在 — 工单');
  expect(failed).toEqual([]);

  const { page: english } = await people.signIn('partner2');
  await switchLanguage(english, 'English');
  await openCustomer(english, HUADA);
  await title(english, `Customers · ${HUADA} — Gongdan`);
  await english.goto('/calendar');
  await title(english, 'Calendar — Gongdan');
  await switchLanguage(english, '简体中文');
  expect(people.pageErrors()).toEqual([]);
});

test('“/” and Ctrl+K focus the answer box, except while typing in a field', async () => {
  const { page } = await people.signIn('jiangtao');
  const box = page.getByRole('combobox', { name: '答案框' });
  await page.goto('/customers');
  await page.getByTestId('customers-table').waitFor();
  const focused = () => box.evaluate((input) => input === document.activeElement);
  expect(await focused()).toBe(false);
  await page.keyboard.press('/');
  await expect.poll(focused).toBe(true);
  expect(await box.inputValue()).toBe(''); // the "/" is not typed into it

  // Typing "/" in another field types it there.
  const search = page.getByPlaceholder('名称、拼音首字母、电话、邮箱或信用代码');
  await search.click();
  await page.keyboard.type('a/b');
  expect(await search.inputValue()).toBe('a/b');
  expect(await focused()).toBe(false);

  // Ctrl+K from the page.
  await page.getByRole('heading', { name: '客户' }).click();
  await page.keyboard.press('Control+k');
  await expect.poll(focused).toBe(true);
  await page.keyboard.type('华达');
  await page.locator('.gd-answer-popup').getByText(HUADA).first().waitFor();
  await page.keyboard.press('Escape');
  expect(people.pageErrors()).toEqual([]);
});

test('a skip link, shown when focused, leads the keyboard past the menu to the content', async () => {
  const { page } = await people.signIn('jiangtao');
  await page.goto('/customers');
  await page.getByTestId('customers-table').waitFor();
  const skip = page.getByTestId('skip-link');
  // Out of sight until the keyboard reaches it: the first stop of Tab.
  expect((await skip.boundingBox())!.y).toBeLessThan(0);
  await page.keyboard.press('Tab');
  await expect.poll(() => skip.evaluate((a) => a === document.activeElement)).toBe(true);
  await expect.poll(async () => (await skip.boundingBox())!.y).toBeGreaterThanOrEqual(0);
  expect(await skip.textContent()).toBe('跳到主要内容');
  await expect.poll(() => uncovered(skip)).toBe(true);
  await screenshot(page, 'polish-skip-link-zh');
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
  // The next Tab goes into the page, not the menu.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.getElementById('main')!.contains(document.activeElement))).toBe(true);
  expect(page.url()).not.toContain('#main');
});

test('the team calendar says whose each event is', async () => {
  const { page } = await people.signIn('manager');
  await page.goto('/calendar?scope=team');
  const events = page.getByTestId('calendar-event');
  await events.first().waitFor();
  const owners = page.getByTestId('calendar-event-owner');
  await owners.filter({ hasText: '李明' }).first().waitFor();
  expect(await owners.count()).toBe(await events.count());
  await screenshot(page, 'polish-calendar-team-zh');
  // My own calendar needs no names.
  await page.goto('/calendar');
  await page.getByTestId('calendar').waitFor();
  await settle(page);
  expect(await owners.count()).toBe(0);
  expect(people.pageErrors()).toEqual([]);
});

test('labels end in the language’s colon: “：” in Chinese, “:” in English', async () => {
  const { page } = await people.signIn('jiangtao');
  await openCustomer(page, HUADA);
  const label = page.locator('.ant-descriptions-item-label').first();
  const after = () => label.evaluate((element) => getComputedStyle(element, '::after').content);
  expect(await after()).toBe('"："');
  // The owner line was already written with "：" — the two now agree.
  await page
    .getByText(/^负责人：/)
    .first()
    .waitFor();
  const { page: english } = await people.signIn('partner2');
  await switchLanguage(english, 'English');
  await openCustomer(english, HUADA);
  expect(
    await english
      .locator('.ant-descriptions-item-label')
      .first()
      .evaluate((element) => getComputedStyle(element, '::after').content),
  ).toBe('":"');
  await switchLanguage(english, '简体中文');
});

test('the “lead created” notice does not cover the actions of the lead page it opens', async () => {
  const { page, failed } = await people.signIn('linna');
  const company = `汉中天汉文旅发展有限公司 ${Date.now().toString(36).slice(-5).toUpperCase()}`;
  await page.goto('/leads');
  await page.getByTestId('lead-create').click();
  const drawer = page.getByRole('dialog', { name: '新建线索' });
  await settle(page);
  await drawer.locator('#lead_companyName').fill(company);
  await chooseOption(page, drawer.getByTestId('lead-owner-select').locator('input'), '我自己');
  await clickSettled(page, drawer.getByTestId('lead-form-submit'));
  const outcome = page.getByTestId('lead-created-outcome');
  await outcome.waitFor();
  // Away from the page's own actions (top right) …
  await expect.poll(() => uncovered(page.getByTestId('lead-create'))).toBe(true);
  await clickSettled(page, outcome.getByText('查看线索'));
  await page.getByTestId('lead-name').filter({ hasText: company }).waitFor();
  // … and gone once its link opened the lead: the lead's actions are free to click.
  await outcome.waitFor({ state: 'detached' });
  const actions = page.locator('[data-testid^="lead-move-"], [data-testid="lead-assign"]');
  await actions.first().waitFor();
  for (const action of await actions.all()) expect(await uncovered(action)).toBe(true);
  expect(failed).toEqual([]);
  expect(people.pageErrors()).toEqual([]);
});
