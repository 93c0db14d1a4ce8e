import { enUS } from './en-US';
import { formatMessage } from './format';
import { DEFAULT_LOCALE, type Locale } from './locales';
import { zhCN, type MessageKey } from './zh-CN';

export { DEFAULT_LOCALE, LOCALES, type Locale } from './locales';
export type { MessageKey };

const catalogs: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, 'en-US': enUS };

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

/** Formats a message, replacing `{name}` with params.name (and plural forms: see formatMessage). Unknown keys are returned as-is. */
export function translate(locale: Locale, key: MessageKey, params: Record<string, unknown> = {}): string {
  const template = catalogs[locale][key] ?? catalogs[DEFAULT_LOCALE][key] ?? key;
  return formatMessage(locale, template, params);
}

/** Picks the best supported locale from an Accept-Language header. */
export function negotiateLocale(header: string | undefined): Locale {
  if (!header) return DEFAULT_LOCALE;
  const wanted = header
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=');
      return { tag: tag.toLowerCase(), q: q ? Number(q) : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of wanted) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en-US';
  }
  return DEFAULT_LOCALE;
}
