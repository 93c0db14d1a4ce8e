import { describe, expect, it } from 'vitest';
import { translate } from '.';
import { enUS } from './en-US';
import { formatMessage, messageParams } from './format';
import { zhCN } from './zh-CN';

/** English plural nouns that must not follow the number 1 ("1 customers"). */
const PLURAL_AFTER_ONE =
  /\b1 (?:more |open |data )?(?:customers|days|tasks|opportunities|contacts|rows|reminders|errors|items|characters|activities|minutes|hours|leads)\b/;

describe('messages with numbers', () => {
  it('fills in plain parameters and leaves missing ones visible', () => {
    expect(formatMessage('en-US', 'Hello {name}, {missing}', { name: '李明' })).toBe('Hello 李明, {missing}');
  });

  it('picks the English plural form by Intl.PluralRules, # being the number', () => {
    const template = '{count, plural, =0 {no customers} one {# customer} other {# customers}} to call';
    expect(formatMessage('en-US', template, { count: 0 })).toBe('no customers to call');
    expect(formatMessage('en-US', template, { count: 1 })).toBe('1 customer to call');
    expect(formatMessage('en-US', template, { count: 2 })).toBe('2 customers to call');
    expect(formatMessage('en-US', template, { count: 1000 })).toBe('1000 customers to call');
    // Chinese has one form: "other".
    expect(formatMessage('zh-CN', '{count, plural, other {# 位客户}}', { count: 1 })).toBe('1 位客户');
  });

  it('says "1 minute", "1 error", "1 item" in the server’s English messages, and the same numbers in Chinese', () => {
    expect(translate('en-US', 'error.IMPORT_HAS_ERRORS', { count: 1 })).toBe(
      'The file has 1 error; nothing was imported',
    );
    expect(translate('en-US', 'error.IMPORT_HAS_ERRORS', { count: 3 })).toBe(
      'The file has 3 errors; nothing was imported',
    );
    expect(translate('en-US', 'validation.tooLong', { maximum: 1 })).toBe('At most 1 character');
    expect(translate('zh-CN', 'error.IMPORT_HAS_ERRORS', { count: 1 })).toContain('1');
    const problems: string[] = [];
    for (const [key, template] of Object.entries(enUS)) {
      const text = formatMessage('en-US', template, Object.fromEntries(messageParams(template).map((p) => [p, 1])));
      if (PLURAL_AFTER_ONE.test(text)) problems.push(`${key}: ${text}`);
    }
    expect(problems).toEqual([]);
  });

  it('uses the same parameters in both languages', () => {
    const problems = Object.keys(zhCN)
      .filter(
        (key) =>
          messageParams(zhCN[key as keyof typeof zhCN]).join() !== messageParams(enUS[key as keyof typeof enUS]).join(),
      )
      .map((key) => key);
    expect(problems).toEqual([]);
  });
});
