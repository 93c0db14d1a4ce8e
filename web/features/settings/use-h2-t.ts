import { useMemo } from 'react';
import { format, translateIn, useLocale, type Locale, type WebMessageKey } from '../../i18n';
import { enUS, zhCN, type H2MessageKey } from './messages-h2';

const catalogs: Record<Locale, Record<H2MessageKey, string>> = { 'zh-CN': zhCN, 'en-US': enUS };

export type H2Translate = (key: WebMessageKey | H2MessageKey, params?: Record<string, string | number>) => string;

/**
 * useT() with the strings of messages-h2.ts looked up first — a stop-gap until they are merged into
 * the web catalogues, after which every useH2T() becomes useT().
 */
export function useH2T(): H2Translate {
  const { locale } = useLocale();
  return useMemo(() => {
    const t = translateIn(locale);
    const own = catalogs[locale] as Record<string, string>;
    return (key, params) => (Object.hasOwn(own, key) ? format(own[key], params) : t(key as WebMessageKey, params));
  }, [locale]);
}
