import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const DEMO_PASSWORD = 'demo-2026';
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/e2e');

/** Signs in through the login form (in either language) and waits for the app shell. */
export async function login(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel(/^(用户名|Username)$/).fill(username);
  await page.getByLabel(/^(密码|Password)$/).fill(password);
  await page.getByRole('button', { name: /^(登\s*录|Sign in)$/ }).click();
  await page.getByTestId('user-menu').waitFor();
}

/** Signs out through the user menu and waits for the login form. */
export async function logout(page: Page) {
  await page.getByTestId('user-menu').click();
  await clickSettled(page, page.getByRole('menuitem', { name: /退出登录|Sign out/ }));
  await page.getByLabel(/^(用户名|Username)$/).waitFor();
}

const LANGUAGES = { 简体中文: 'zh-CN', English: 'en-US' } as const;

/**
 * Switches the UI language with the switch in the header (a menu) or on the login page (the browser's
 * select), and waits until the page speaks it.
 */
export async function switchLanguage(page: Page, name: keyof typeof LANGUAGES) {
  const control = page.getByTestId('language-switch');
  if (await control.evaluate((element) => element instanceof HTMLSelectElement)) {
    await control.selectOption({ label: name });
  } else {
    await control.click();
    await clickSettled(page, page.getByRole('menuitem', { name }));
  }
  await page.locator(`html[lang="${LANGUAGES[name]}"]`).waitFor();
}

/** The one open antd select / tree-select popup. */
function openPopup(page: Page): Locator {
  return page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last();
}

/** Clicks something in a popup (menu, dropdown) once its opening animation is over: a click during antd's zoom-in can get lost. */
export async function clickSettled(page: Page, target: Locator) {
  await target.waitFor();
  await settle(page);
  await target.click();
}

/** The whole antd select around its combobox input, which shows the chosen value(s). */
function selectOf(field: Locator): Locator {
  return field.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " ant-select ")][1]');
}

/** Clicks an item of the open popup once its opening animation is over, and checks the select took it. */
async function pick(page: Page, field: Locator, item: Locator, text: string) {
  await clickSettled(page, item);
  await selectOf(field).filter({ hasText: text }).waitFor();
}

/** Picks an option of an antd Select by its visible text (typing it first where the select searches: long lists are virtual). */
export async function chooseOption(page: Page, field: Locator, option: string) {
  await field.click();
  if (await field.evaluate((input) => !(input as HTMLInputElement).readOnly)) await field.pressSequentially(option);
  await pick(
    page,
    field,
    openPopup(page).locator('.ant-select-item-option').filter({ hasText: option }).first(),
    option,
  );
}

/** Picks a node of an antd TreeSelect: types to filter the tree, then clicks the node. */
export async function chooseTreeNode(page: Page, field: Locator, node: string) {
  await field.click();
  await field.pressSequentially(node);
  await pick(page, field, openPopup(page).getByRole('treeitem').filter({ hasText: node }).first(), node);
}

/** The data rows of an antd table (not its hidden measuring row). */
export function rows(table: Locator): Locator {
  return table.locator('tbody tr.ant-table-row');
}

/** The data row of an antd table that contains the text. */
export function row(table: Locator, text: string): Locator {
  return rows(table).filter({ hasText: text });
}

/** The sider menu's entry for a page. */
export function menuLink(page: Page, name: string): Locator {
  return page.getByTestId('sider-menu').getByRole('link', { name, exact: true });
}

/** Waits until spinners are gone and antd's transitions have finished (endless ones aside). */
export async function settle(page: Page) {
  await page
    .locator('.ant-spin-spinning')
    .first()
    .waitFor({ state: 'detached', timeout: 5000 })
    .catch(() => {});
  await page
    .waitForFunction(
      () =>
        document
          .getAnimations()
          .every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity),
      undefined,
      { timeout: 5000 },
    )
    .catch(() => {});
}

/**
 * Answers a confirmation (Popconfirm or Modal.confirm) with its button. The popup is clicked
 * only once its opening animation is over: a click while antd's zoom-in runs can get lost.
 */
export async function confirm(page: Page, popup: Locator, button: string | RegExp) {
  await clickSettled(page, popup.getByRole('button', { name: button }).filter({ visible: true }).last());
  await popup
    .filter({ visible: true })
    .first()
    .waitFor({ state: 'hidden' })
    .catch(() => {});
}

/**
 * Saves a screenshot under test-results/e2e/ (gitignored) for a person to look at, once the page has settled. In CI
 * nobody looks at them, so only a failed test's is taken there (`failed`), unless E2E_SCREENSHOTS=1 asks for all.
 */
export async function screenshot(page: Page, name: string, { failed = false } = {}) {
  await settle(page); // (callers may count on the page being settled after it, in CI too)
  if (process.env.CI === 'true' && !failed && process.env.E2E_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fills an antd DatePicker by typing the date and confirming it with Enter. */
export async function fillDate(input: Locator, isoDate: string) {
  await input.click();
  await input.fill(isoDate);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe(isoDate);
}
