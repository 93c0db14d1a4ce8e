import { describe, expect, it } from 'vitest';
import { enUS, messageParts, zhCN } from './messages';

const placeholders = (text: string) => [...text.matchAll(/(?<!\{)\{(\w+)\}(?!\})/g)].map((m) => m[1]).sort();

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
});
