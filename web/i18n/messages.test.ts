import { describe, expect, it } from 'vitest';
import { enUS as serverEnUS } from '../../common/i18n/en-US';
import { formatMessage, messageParams } from '../../common/i18n/format';
import { zhCN as serverZhCN } from '../../common/i18n/zh-CN';
import { enUS, messageParts, zhCN } from './messages';

const placeholders = messageParams;
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
    // A header written as code keeps its ASCII colon.
    const code = /Authorization: Bearer/g;
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
