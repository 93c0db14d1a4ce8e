import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { peopleInOneBrowser } from './support/people';
import { rows, screenshot } from './support/ui';

/**
 * A list or card whose request fails says so and offers a retry — it never shows its empty state
 * ("还没有客户 / 新建客户"), which would make a failed request look like an empty database. The
 * browser answers the list's API with 500 until the test lets requests through again; then the
 * retry button brings the rows.
 */
const people = peopleInOneBrowser();

/** GETs of `path` (exactly, query string aside) answer 500 until the returned function is called. */
async function breakApi(page: Page, path: string | RegExp) {
  let broken = true;
  const matches = (url: URL) => (typeof path === 'string' ? url.pathname === path : path.test(url.pathname));
  await page.route(matches, (route) =>
    broken && route.request().method() === 'GET'
      ? route.fulfill({
          status: 500,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: '服务器内部错误（测试）' } }),
        })
      : route.fallback(),
  );
  return async () => {
    if (!broken) return;
    broken = false;
    await page.unroute(matches);
  };
}

type Case = {
  name: string;
  url: string;
  api: string | RegExp;
  /** Where the list or card is. */
  container: (page: Page) => Locator;
  /** What shows once it loaded. */
  loaded: (container: Locator) => Locator;
  /** The empty state's words, which must not show while the request fails. */
  emptyText?: string;
};

const tableRows = (container: Locator) => rows(container).first();
/** Rows, or the empty state of a list that is empty in the demo firm (the audit log, the outbox). */
const rowsOrEmpty = (container: Locator) => container.locator('tbody tr.ant-table-row, .ant-empty');

/** Opens the page with its API failing: the error with a retry, no empty state; then the retry shows the rows. */
async function failThenRetry(page: Page, c: Case) {
  people.focus(page);
  const heal = await breakApi(page, c.api);
  try {
    await page.goto(c.url);
    const container = c.container(page);
    // (A page may show it on more than one card of the same request.)
    const error = container.getByTestId('load-error').first();
    await error.waitFor();
    expect(await error.textContent()).toContain('服务器内部错误（测试）');
    const retry = container.getByTestId('load-retry').first();
    expect(await retry.isVisible()).toBe(true);
    if (c.emptyText) expect(await container.getByText(c.emptyText).count()).toBe(0);
    expect(await c.loaded(container).count()).toBe(0);
    await screenshot(page, `80-load-error-${c.name}`);
    await heal();
    await retry.click();
    await c.loaded(container).first().waitFor();
    expect(await container.getByTestId('load-error').count()).toBe(0);
  } finally {
    await heal(); // a failed check must not leave the API broken for the next one
  }
}

const byTestId = (id: string) => (p: Page) => p.getByTestId(id);

const SALES_LISTS: Case[] = [
  {
    name: 'customers',
    url: '/customers',
    api: '/api/v1/customers',
    container: byTestId('customers-table'),
    loaded: tableRows,
    emptyText: '还没有客户',
  },
  {
    name: 'leads',
    url: '/leads',
    api: '/api/v1/leads',
    container: byTestId('leads-table'),
    loaded: tableRows,
    emptyText: '还没有线索',
  },
  {
    name: 'campaigns',
    url: '/campaigns',
    api: '/api/v1/campaigns',
    container: byTestId('campaigns-table'),
    loaded: tableRows,
    emptyText: '还没有市场活动',
  },
  {
    name: 'opportunities-list',
    url: '/opportunities?mode=list',
    api: '/api/v1/opportunities',
    container: byTestId('opportunities-table'),
    loaded: tableRows,
    emptyText: '还没有商机',
  },
  {
    name: 'opportunities-board',
    url: '/opportunities',
    api: '/api/v1/opportunities/board',
    container: (p) => p.locator('.ant-layout-content'),
    loaded: (c) => c.getByTestId('board-column'),
  },
  {
    name: 'today',
    url: '/',
    api: '/api/v1/today',
    container: (p) => p.locator('.ant-layout-content'),
    loaded: (c) => c.getByTestId('today-tasks'),
  },
  {
    name: 'calendar',
    url: '/calendar',
    api: '/api/v1/calendar',
    container: byTestId('calendar'),
    loaded: (c) => c.getByTestId('calendar-hint'),
  },
];

const ADMIN_LISTS: Case[] = [
  { name: 'users', url: '/staff/users', api: '/api/v1/users', container: byTestId('users-table'), loaded: tableRows },
  {
    name: 'departments',
    url: '/staff/departments',
    api: '/api/v1/departments',
    container: byTestId('departments-table'),
    loaded: tableRows,
    emptyText: '还没有部门',
  },
  {
    name: 'branches',
    url: '/staff/branches',
    api: '/api/v1/branches',
    container: byTestId('branches-table'),
    loaded: tableRows,
  },
  { name: 'roles', url: '/staff/roles', api: '/api/v1/roles', container: byTestId('roles-table'), loaded: tableRows },
  {
    name: 'audit',
    url: '/audit',
    api: '/api/v1/audit-logs',
    container: byTestId('audit-table'),
    loaded: rowsOrEmpty,
    emptyText: '还没有审计日志',
  },
  {
    name: 'outbox',
    url: '/mail-outbox',
    api: '/api/v1/mail-outbox',
    container: byTestId('outbox-table'),
    loaded: rowsOrEmpty,
    emptyText: '发件箱是空的',
  },
  {
    name: 'activity-categories',
    url: '/sales/activity-categories',
    api: '/api/v1/activity-categories',
    container: byTestId('categories-table'),
    loaded: tableRows,
  },
  {
    // Not loaded, the pool rule must not look like "never" — and be saved as such.
    name: 'customer-settings',
    url: '/customers/value-sheet',
    api: '/api/v1/customer-settings',
    container: (p) => p.locator('.ant-layout-content'),
    loaded: (c) => c.getByTestId('pool-days'),
  },
  {
    name: 'contracts',
    url: '/contracts',
    api: '/api/v1/contracts',
    container: byTestId('contracts-table'),
    loaded: tableRows,
    emptyText: '还没有合同',
  },
  {
    name: 'orders',
    url: '/orders',
    api: '/api/v1/orders',
    container: byTestId('orders-table'),
    loaded: tableRows,
    emptyText: '还没有订单',
  },
  {
    name: 'backups',
    url: '/backups',
    api: '/api/v1/operations/backups',
    container: (p) => p.locator('.ant-layout-content'),
    loaded: (c) => c.getByTestId('backups-table'),
    emptyText: '还没有备份记录',
  },
  {
    name: 'assignment-rules',
    url: '/sales/assignment-rules',
    api: '/api/v1/assignment-rules',
    container: byTestId('rules-table'),
    loaded: tableRows,
  },
];

describe('李明 (sales1): a failed list or card shows an error with a retry, never its empty state', () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await people.signIn('sales1', 20_000));
  });

  for (const c of SALES_LISTS) test(c.name, () => failThenRetry(page, c));

  test('a card of the customer page', async () => {
    people.focus(page);
    await page.goto('/customers');
    const link = rows(page.getByTestId('customers-table')).first().getByRole('link').first();
    const customerUrl = (await link.getAttribute('href'))!;
    await failThenRetry(page, {
      name: 'customer-opportunities',
      url: customerUrl,
      api: '/api/v1/opportunities',
      container: byTestId('customer-opportunities'),
      loaded: (c) => c.locator('.ant-list-item, .ant-empty'),
      emptyText: '暂无销售机会',
    });
  });

  test('the notifications under the bell', async () => {
    people.focus(page);
    const heal = await breakApi(page, '/api/v1/notifications');
    try {
      await page.goto('/customers');
      await page.getByTestId('notification-bell').click();
      const list = page.getByTestId('notification-list');
      await list.getByTestId('load-error').waitFor();
      expect(await list.getByText('没有通知').count()).toBe(0);
      await heal();
      await list.getByTestId('load-retry').click();
      await list.getByTestId('notification-item').first().waitFor();
    } finally {
      await heal();
    }
  });
});

describe('the administrator: a failed list shows an error with a retry, never its empty state', () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await people.signIn('admin', 20_000));
  });

  for (const c of ADMIN_LISTS) test(c.name, () => failThenRetry(page, c));
});
