import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { collectFailedRequests, collectPageErrors, launchBrowser, newContext } from './browser';
import { login, screenshot } from './ui';

/**
 * One browser per test file, in which several people sign in, each in a context of their own
 * (two people working at once). Registers the file's hooks: launch, a screenshot of the page in
 * use when a test fails (`people.focus(page)` says which), close.
 */
export function peopleInOneBrowser() {
  let browser: Browser;
  let current: Page | null = null;
  const errorLists: string[][] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && current) await screenshot(current, `FAILED ${task.name}`, { failed: true });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    /** Signs `username` in, in a new context; their page becomes the one in use. */
    async signIn(username: string, timeoutMs = 15_000) {
      const context = await newContext(browser, inject('baseURL'));
      context.setDefaultTimeout(timeoutMs);
      const page = await context.newPage();
      errorLists.push(collectPageErrors(page));
      const failed = collectFailedRequests(page);
      await login(page, username);
      current = page;
      return { page, failed };
    },
    /** The page a failure screenshot should show. */
    focus(page: Page) {
      current = page;
    },
    /** Page errors of everyone's pages. */
    pageErrors: () => errorLists.flat(),
  };
}
