import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enUS as serverEnUS } from '../../common/i18n/en-US';
import { formatMessage, messageParams } from '../../common/i18n/format';
import { zhCN as serverZhCN } from '../../common/i18n/zh-CN';
import { enUS, FIRST_LOAD_PARTS, messageParts, zhCN } from './messages';

const placeholders = messageParams;
const WEB = path.resolve(import.meta.dirname, '..');

/**
 * The modules of the first load: the entry and the sign-in page with what they import statically (not
 * `import type`, not `import()` — the lazy pages and the shell).
 */
function firstLoadModules(): string[] {
  const found = new Set<string>();
  const visit = (file: string) => {
    if (found.has(file)) return;
    found.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/^import (?!type )[^;]*?from '(\.[^']+)';/gms)) {
      const base = path.resolve(path.dirname(file), specifier);
      const resolved = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`].find(
        (candidate) => /\.tsx?$/.test(candidate) && existsSync(candidate),
      );
      if (resolved) visit(resolved);
    }
  };
  visit(path.join(WEB, 'main.tsx'));
  visit(path.join(WEB, 'features/auth/LoginPage.tsx'));
  return [...found];
}
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
