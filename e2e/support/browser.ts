import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (never a downloaded browser), with the flags that make it run headless here. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh browser profile as a user of the firm has it: Chinese, Shanghai time, a laptop screen — and the system's
 * "reduce motion" on, so the app animates nothing: the journeys test what people do, and each animation frame is
 * rendered in software on CI's two cores (Chromium is most of the browser step's CPU).
 */
export function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
    reducedMotion: 'reduce',
  });
}

/** Fails the test on any uncaught page error or console error the app did not expect. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // A refused API call (403/404/409) is logged by Chromium as a failed resource load: expected in negative checks.
    if (/Failed to load resource: the server responded with a status of (4\d\d)/.test(text)) return;
    errors.push(`console: ${text}`);
  });
  return errors;
}

/**
 * API calls the page made that failed (4xx/5xx): a page should not ask for what its user
 * may not see. The signed-out session probe (401 on GET /auth/me) is how the app learns it
 * must show the login page, so it does not count.
 */
export function collectFailedRequests(page: Page): string[] {
  const failed: string[] = [];
  page.on('response', (response) => {
    const call = `${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`;
    if (response.status() >= 400 && call.includes(' /api/') && call !== '401 GET /api/v1/auth/me') failed.push(call);
  });
  return failed;
}
