import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { peopleInOneBrowser } from './support/people';
import { screenshot, settle, switchLanguage } from './support/ui';

/**
 * Issue 10, item 13, at 1280 × 800 with the menu open: a table too wide for the screen scrolls
 * sideways with a visible hint (a clear shadow on the side that has more, a scroll bar at the
 * bottom of the window), and every column can be brought into view, clear of the fixed ones; the
 * board shows every stage column beside the 赢单 / 输单 zones, never under them, and a card gives
 * the whole opportunity name on hover with the customer on a line of its own.
 */
const people = peopleInOneBrowser();
const VIEWPORT = { width: 1280, height: 800 };

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 && a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1;
const inside = (a: Box, b: Box) => a.x >= b.x - 1 && a.x + a.width <= b.x + b.width + 1;

/** The alpha of the strongest colour in a CSS box-shadow ('none' → 0). */
function shadowAlpha(shadow: string): number {
  const alphas = [...shadow.matchAll(/rgba?\(([^)]+)\)/g)].map((m) => {
    const parts = m[1].split(',').map((p) => Number(p.trim()));
    return parts.length === 4 ? parts[3] : 1;
  });
  return Math.max(0, ...alphas);
}

/**
 * The column `header` of `table`: visible, or brought into view by scrolling the table sideways —
 * then inside the table's box and clear of every fixed column. Where the table does not fit, the
 * hint must show before any scrolling: a clear shadow at the edge with more columns and the scroll
 * bar stuck to the bottom of the window.
 */
async function expectColumnReachable(page: Page, table: Locator, header: string) {
  const scroller = table.locator('.ant-table-content, .ant-table-body').first();
  const th = table.locator('thead th').filter({ hasText: header }).first();
  await th.waitFor();
  await settle(page);
  const { overflow } = await scroller.evaluate((el) => ({ overflow: el.scrollWidth > el.clientWidth + 1 }));
  if (overflow) {
    const hint = await table.evaluate((wrapper) => {
      const container = wrapper.querySelector('.ant-table-container')!;
      const fixedEnd = wrapper.querySelector('.ant-table-cell-fix-end');
      // The shadow is drawn by the fixed column at the end when there is one, else by the table's edge.
      const shadows = [getComputedStyle(fixedEnd ?? container, '::after').boxShadow];
      // Rows running past the bottom of the window: a scroll bar stuck to it. (A table that ends on screen has
      // its own scroll bar — which headless Chromium does not draw, so only the shadow can be checked.)
      const own = wrapper.querySelector('.ant-table-content, .ant-table-body')!.getBoundingClientRect();
      const sticky = wrapper.querySelector('.ant-table-sticky-scroll')?.getBoundingClientRect();
      return {
        shadows,
        scrollBar:
          own.bottom <= window.innerHeight ||
          (sticky !== undefined && sticky.height > 0 && sticky.bottom <= window.innerHeight + 1),
      };
    });
    expect(
      Math.max(...hint.shadows.map(shadowAlpha)),
      `the shadow hinting at more columns of ${header}`,
    ).toBeGreaterThanOrEqual(0.15);
    expect(hint.scrollBar, 'a scroll bar in the window').toBe(true);
  }
  // Scroll the column into view the way a user would (to the end of the table).
  await scroller.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  await settle(page);
  const box = (await th.boundingBox())!;
  const tableBox = (await table.locator('.ant-table-container').boundingBox())!;
  expect(inside(box, tableBox), `${header} lies inside the table`).toBe(true);
  for (const fixed of await table.locator('thead th.ant-table-cell-fix').all()) {
    if ((await fixed.textContent())?.includes(header)) continue;
    expect(overlaps(box, (await fixed.boundingBox())!), `${header} is clear of "${await fixed.textContent()}"`).toBe(
      false,
    );
  }
}

test('the wide lists at 1280 px in Chinese: 创建时间 can be reached, clear of the fixed 操作 column, with a hint', async () => {
  const { page } = await people.signIn('manager', 20_000);
  await page.setViewportSize(VIEWPORT);
  await page.goto('/customers');
  const customers = page.getByTestId('customers-table');
  // The manager may claim from the pool: the list has the fixed 操作 column.
  await customers.locator('thead th').filter({ hasText: '操作' }).waitFor();
  await screenshot(page, '70-wide-customers-zh');
  await expectColumnReachable(page, customers, '创建时间');
  await page.goto('/leads');
  await expectColumnReachable(page, page.getByTestId('leads-table'), '创建时间');
});

test('the wide lists at 1280 px in English: Created can be reached, with a hint', async () => {
  // 孙丽 (sunli, manager of 审计二部): no other test signs in as her, so her language can change.
  const { page } = await people.signIn('sunli', 20_000);
  await switchLanguage(page, 'English');
  await page.setViewportSize(VIEWPORT);
  await page.goto('/leads');
  const leads = page.getByTestId('leads-table');
  await expectColumnReachable(page, leads, 'Created');
  await screenshot(page, '71-wide-leads-en');
  await page.goto('/customers');
  const customers = page.getByTestId('customers-table');
  // A manager may claim from the pool: wait for the Actions column, which comes with the rows and widens the table.
  await customers.locator('thead th').filter({ hasText: 'Actions' }).waitFor();
  await expectColumnReachable(page, customers, 'Created');
});

test('the board at 1280 px: every stage column visible or reachable, none under 赢单 / 输单; full names on hover', async () => {
  const { page } = await people.signIn('sales1', 20_000);
  await page.setViewportSize(VIEWPORT);
  await page.goto('/opportunities');
  const board = page.getByTestId('board');
  await board.getByTestId('board-card').first().waitFor();
  await settle(page);
  await screenshot(page, '72-board-1280');
  const columns = page.locator('[data-testid="board-column"][data-stage-kind="open"]');
  const zones = page.locator('[data-testid="board-column"]:not([data-stage-kind="open"])');
  expect(await zones.count()).toBe(2);
  const count = await columns.count();
  expect(count).toBeGreaterThanOrEqual(5);
  const last = columns.nth(count - 1);
  expect(await last.textContent()).toContain('商务谈判');
  // Wherever the columns are scrolled, no zone covers a column.
  for (const scroll of ['start', 'end'] as const) {
    await board.evaluate((el, to) => el.scrollTo({ left: to === 'end' ? el.scrollWidth : 0 }), scroll);
    await settle(page);
    for (const zone of await zones.all())
      for (const column of await columns.all())
        expect(overlaps((await column.boundingBox())!, (await zone.boundingBox())!)).toBe(false);
  }
  // The last column can be seen whole (it is, or scrolling brings it).
  expect(inside((await last.boundingBox())!, (await board.boundingBox())!)).toBe(true);

  // Each card: the whole name on hover (title), the customer on a line of its own under it.
  for (const card of await board.getByTestId('board-card').all()) {
    const name = card.getByRole('link').first();
    const text = (await name.textContent())!.trim();
    expect(await name.getAttribute('title')).toBe(text);
    expect(text.length).toBeGreaterThan(8);
    const customer = card.getByTestId('card-customer');
    const nameBox = (await name.boundingBox())!;
    const customerBox = (await customer.boundingBox())!;
    expect(customerBox.y).toBeGreaterThanOrEqual(nameBox.y + nameBox.height - 1);
    // The name shows on up to two lines: more than the one-line ~8 characters.
    expect(nameBox.height).toBeGreaterThan(30);
  }
});
