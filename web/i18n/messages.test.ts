import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enUS as serverEnUS } from '../../common/i18n/en-US';
import { formatMessage, messageParams } from '../../common/i18n/format';
import { zhCN as serverZhCN } from '../../common/i18n/zh-CN';
import { enUS, FIRST_LOAD_PARTS, messageParts, zhCN } from './messages';
import { keysNamedIn, reachableModules, startModules } from './shell-keys';

const placeholders = messageParams;
const WEB = path.resolve(import.meta.dirname, '..');

/**
 * The modules of the first load: the entry and the sign-in page with what they import statically (not
 * `import type`, not `import()` — the lazy pages and the shell).
 */
const firstLoadModules = () => reachableModules(WEB, ['main.tsx', 'features/auth/LoginPage.tsx'], () => false);
/** English plural nouns that must not follow the number 1 ("1 customers"). */
const PLURAL_AFTER_ONE =
  /\b1 (?:more |open |data )?(?:customers|days|tasks|opportunities|contacts|rows|reminders|errors|items|characters|activities|minutes|hours|leads)\b/;

describe('the UI dictionary merged from the feature folders', () => {
  it('takes every key from exactly one feature, so no feature silently overrides another', () => {
    const owners = new Map<string, string[]>();
    for (const [feature, part] of Object.entries(messageParts)) {
      for (const key of Object.keys(part.zhCN)) owners.set(key, [...(owners.get(key) ?? []), feature]);
    }
    const twice = [...owners].filter(([, features]) => features.length > 1);
    expect(twice).toEqual([]);
  });

  it('has every string of the sign-in page and the loading and error screens in the first load, without the rest', () => {
    const firstLoad = new Set(FIRST_LOAD_PARTS.flatMap((part) => Object.keys(messageParts[part].zhCN)));
    const modules = firstLoadModules();
    expect(modules.map((file) => path.relative(WEB, file))).toContain('app/RouteError.tsx');
    const missing: string[] = [];
    // (A page's labelKey in the route registry, which the entry holds, is shown by the signed-in shell.)
    for (const file of modules)
      for (const [, key] of readFileSync(file, 'utf8').matchAll(/(?<!labelKey: )'([a-z][\w-]*\.[\w.-]+)'/g))
        if (key in zhCN && !firstLoad.has(key)) missing.push(`${path.relative(WEB, file)}: ${key}`);
    expect(missing).toEqual([]);
    // Most strings wait for the signed-in app.
    expect(firstLoad.size).toBeLessThan(Object.keys(zhCN).length / 5);
  });

  it("sends with the signed-in shell the strings it and the start page use, and leaves the other pages' for later", () => {
    const files = startModules(WEB);
    const shell = keysNamedIn(files, Object.keys(zhCN));
    const modules = files.map((file) => path.relative(WEB, file));
    // Today and its cards, the dashboard, the shell's answer box — and a dialog Today opens by import().
    for (const module of [
      'features/today/TodayPage.tsx',
      'features/customers/AnswerBox.tsx',
      'features/cross-sell/DismissModal.tsx',
    ])
      expect(modules).toContain(module);
    // …but not the other pages the route registry loads.
    expect(modules).not.toContain('features/contracts/ContractsPage.tsx');
    // A literal key, a key begun in a template literal (the status tag), a menu label, the reports' labels by kind.
    for (const key of ['today.tasks', 'crossSell.status.dismissed', 'contract.nav', 'report.nav.lead-conversion'])
      expect(shell, key).toContain(key);
    // The contract pages' words wait for them: most strings are not the shell's.
    expect(shell).not.toContain('contract.pageHint');
    expect(shell.size).toBeLessThan(Object.keys(zhCN).length / 4);
  });

  it('has both languages for every key, never empty, with the same {placeholders}', () => {
    const problems: string[] = [];
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      const zh = zhCN[key];
      const en = enUS[key];
      if (!zh?.trim() || !en?.trim()) problems.push(`${key}: empty`);
      else if (placeholders(zh).join() !== placeholders(en).join())
        problems.push(`${key}: {${placeholders(zh)}} vs {${placeholders(en)}}`);
    }
    expect(problems).toEqual([]);
  });

  it('says "1 customer to call", not "1 customers" (English plural forms)', () => {
    const problems: string[] = [];
    for (const [key, template] of Object.entries(enUS)) {
      const text = formatMessage('en-US', template, Object.fromEntries(placeholders(template).map((p) => [p, 1])));
      if (PLURAL_AFTER_ONE.test(text)) problems.push(`${key}: ${text}`);
    }
    expect(problems).toEqual([]);
    expect(formatMessage('en-US', enUS['today.summary'], { date: 'Dec 5', tasks: 1, calls: 1, reminders: 2 })).toBe(
      'Dec 5 · 1 task · 1 customer to call · 2 reminders',
    );
  });

  it('writes colons the language’s way: full-width “：” in Chinese, “: ” in English (server messages too)', () => {
    const problems: string[] = [];
    // A header or a number-pattern token written as code keeps its ASCII colon.
    const code = /Authorization: Bearer|\{seq:\w+\}/g;
    for (const [key, text] of Object.entries({ ...zhCN, ...serverZhCN }))
      if (text.replace(code, '').includes(':')) problems.push(`zh-CN ${key}: ${text}`);
    for (const [key, text] of Object.entries({ ...enUS, ...serverEnUS }))
      if (text.includes('：') || /:(?![ \d]|$)/.test(text.replace(code, ''))) problems.push(`en-US ${key}: ${text}`);
    expect(problems).toEqual([]);
    expect(formatMessage('zh-CN', zhCN['common.labelValue'], { label: '标签', value: '年审客户' })).toBe(
      '标签：年审客户',
    );
    expect(formatMessage('en-US', enUS['common.labelValue'], { label: 'Tags', value: 'annual' })).toBe('Tags: annual');
  });
});
