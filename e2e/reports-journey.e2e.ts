import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { beforeAll, expect, inject, test } from 'vitest';
import type { ReportAnswer } from '../common/schemas/reports';
import { apiSession } from './support/api';
import { peopleInOneBrowser } from './support/people';
import { chooseOption, menuLink, rows, settle } from './support/ui';

/**
 * Issue 16's journey on the demo firm (its sales history of last year and this year): `exec` signs in to the firm's
 * start page, opens funnel loss from it, reads the stage where most are lost, clicks that bar and lands on the lost
 * opportunities of that stage; opens the branch comparison for last year (北京 vs 上海) and downloads the .xlsx, whose
 * totals equal the page's; `manager` sees only his department's figures in the same reports.
 */
const people = peopleInOneBrowser();
const base = () => inject('baseURL');

/** A money figure as the page writes it (¥1,234.50) as a number. */
const amount = (text: string) => Number(text.replace(/[¥,\s]/g, ''));

/** The report table's total row, cell by cell. */
async function totalRow(page: Page): Promise<string[]> {
  return page.getByTestId('report-table-total').locator('td').allInnerTexts();
}

async function lastYear(page: Page) {
  await settle(page);
  await chooseOption(page, page.getByLabel('期间'), '去年');
  // Last year in the firm's zone (UTC+8).
  const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear() - 1;
  await page
    .getByTestId('report-filters')
    .filter({ hasText: `${year}-01-01` })
    .waitFor();
  await settle(page);
}

/** The journey reads the pages in Chinese: another file may have left these people in English (their own setting). */
beforeAll(async () => {
  for (const username of ['exec', 'manager'])
    await (await apiSession(base(), username)).patch('/api/v1/auth/me', { locale: 'zh-CN' });
});

test('a partner goes from the start page to where sales are lost, and from the bar to the lost opportunities', async () => {
  const { page } = await people.signIn('exec');
  await page.getByTestId('dash-firm').waitFor();
  const card = page.getByTestId('dash-suggested-funnel-loss');
  await card.getByTestId('report-headline').waitFor();
  await card.getByTestId('dash-open-report').click();
  await page.waitForURL(/\/reports\/funnel-loss/);
  await lastYear(page);

  // The stage is named in words above the chart, and its lost figure is the table's largest.
  const headline = await page.getByTestId('report-headline').innerText();
  const [, stage, count] = /「(.+?)」[：:]\s*(\d+)/.exec(headline) ?? [];
  expect(stage, headline).toBeTruthy();
  const stageRow = rows(page.getByTestId('report-table')).filter({ hasText: stage }).first();
  const lostCells = await rows(page.getByTestId('report-table')).locator('td:nth-child(4)').allInnerTexts();
  expect(Math.max(...lostCells.map(Number))).toBe(Number(count));
  expect(await stageRow.locator('td:nth-child(4)').innerText()).toBe(count);

  // The lost series is red; its longest bar is that stage's. Clicking it opens the list of those opportunities.
  const bars = page.getByTestId('report-chart').locator('path[fill="#cf1322"]');
  const widestBar = async () => {
    let widest = { index: -1, width: 0 };
    for (const [index, bar] of (await bars.all()).entries()) {
      const box = await bar.boundingBox();
      if (box && box.height > 12 && box.width > widest.width) widest = { index, width: Math.round(box.width) };
    }
    return widest;
  };
  // The bars grow in as the chart animates: wait until the widest stands still.
  let widest = await widestBar();
  await expect
    .poll(
      async () => {
        const now = await widestBar();
        const settled = now.index >= 0 && now.index === widest.index && now.width === widest.width;
        widest = now;
        return settled;
      },
      { timeout: 15_000, interval: 300 },
    )
    .toBe(true);
  await bars.nth(widest.index).click();
  await page.waitForURL(/\/opportunities\?.*lostAtStageId=/);
  const url = new URL(page.url());
  expect(url.searchParams.get('status')).toBe('lost');
  await page.getByText(`流失于：${stage}`).waitFor();
  const table = page.getByTestId('opportunities-table');
  await table.locator('tbody tr.ant-table-row').first().waitFor();
  await expect.poll(() => rows(table).count(), { timeout: 15_000 }).toBe(Number(count));
  await page.screenshot({ path: 'test-results/e2e/reports-lost-opportunities.png' });
});

test('the branch comparison of last year downloads as .xlsx with the page’s totals', async () => {
  const { page } = await people.signIn('exec');
  await menuLink(page, '分所业绩对比').click();
  await page.getByTestId('report-table').waitFor();
  await lastYear(page);
  const table = page.getByTestId('report-table');
  const beijing = await rows(table).filter({ hasText: '北京' }).locator('td').allInnerTexts();
  const shanghai = await rows(table).filter({ hasText: '上海' }).locator('td').allInnerTexts();
  // Both branches sold last year, and differently.
  expect(amount(beijing[2])).toBeGreaterThan(0);
  expect(amount(shanghai[2])).toBeGreaterThan(0);
  expect(amount(beijing[2])).not.toBe(amount(shanghai[2]));
  const total = await totalRow(page);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-export').click()]);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile((await download.path())!);
  const sheet = book.worksheets[0];
  const values: unknown[][] = [];
  sheet.eachRow((r) => values.push((r.values as unknown[]).slice(1)));
  const last = values.at(-1)!;
  expect(last[0]).toBe(total[0]);
  expect(last[1]).toBe(Number(total[1].replace(/,/g, '')));
  expect(last[2]).toBe(amount(total[2]));
  expect(last[4]).toBe(amount(total[4]));
  const bjRow = values.find((v) => v[0] === '北京')!;
  expect(bjRow[2]).toBe(amount(beijing[2]));
  await page.screenshot({ path: 'test-results/e2e/reports-branch-comparison.png' });
});

test('a manager sees only his department’s figures in the same reports', async () => {
  const exec = await apiSession(base(), 'exec');
  const managerApi = await apiSession(base(), 'manager');
  const me = await managerApi.get<{ user: { departmentId: string } }>('/api/v1/auth/me');
  const department = me.user.departmentId;
  const firm = await exec.get<ReportAnswer>('/api/v1/reports/branch-comparison?period=last-year');
  const his = await exec.get<ReportAnswer>(
    `/api/v1/reports/branch-comparison?period=last-year&departmentId=${department}`,
  );
  const firmFunnel = await exec.get<ReportAnswer>('/api/v1/reports/funnel-loss?period=last-year');
  const hisFunnel = await exec.get<ReportAnswer>(
    `/api/v1/reports/funnel-loss?period=last-year&departmentId=${department}`,
  );

  const { page } = await people.signIn('manager');
  await menuLink(page, '分所业绩对比').click();
  await page.getByTestId('report-table').waitFor();
  await lastYear(page);
  const total = await totalRow(page);
  // His figures are the firm's for his department, and a part of the firm's.
  expect(amount(total[2])).toBe(Number(his.tables[0].total!.cells.amount));
  expect(amount(total[2])).toBeLessThan(Number(firm.tables[0].total!.cells.amount));

  // The same report opened by its address with its filters (as a pin or a link keeps them).
  await page.goto('/reports/funnel-loss?period=last-year');
  await page.getByTestId('report-filters').filter({ hasText: '-01-01' }).waitFor();
  await page.getByTestId('report-table-total').waitFor();
  const funnel = await totalRow(page);
  expect(Number(funnel[1])).toBe(hisFunnel.tables[0].total!.cells.entered);
  expect(Number(funnel[1])).toBeLessThan(Number(firmFunnel.tables[0].total!.cells.entered));
  expect(people.pageErrors()).toEqual([]);
});
