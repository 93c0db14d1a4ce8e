import { ConfigProvider } from 'antd';
import type { Locale as AntLocale } from 'antd/es/locale';
import antEnUS from 'antd/es/locale/en_US';
import antZhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/en';
import 'dayjs/locale/zh-cn';
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import zhCN from 'virtual:web-messages/zh-CN';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '../../common/i18n/locales';
import { formatMessage } from '../../common/i18n/format';
import { setRequestLocale } from '../api/client';
import { BRAND_BLUE } from '../components/theme';
import type { WebMessageKey } from './messages';

export type { Locale, WebMessageKey };
export { LOCALES };

type Catalog = Record<WebMessageKey, string>;
/**
 * The UI strings of one language each (built by vite.config.ts from messages.ts): the default language
 * comes with the first load, another is loaded when chosen — nobody downloads both dictionaries.
 */
const catalogs: Partial<Record<Locale, Catalog>> = { 'zh-CN': zhCN };
const catalogLoaders: Record<Locale, () => Promise<Catalog>> = {
  'zh-CN': async () => zhCN,
  'en-US': () => import('virtual:web-messages/en-US').then((m) => m.default),
};

/** Loads a language's strings (once); a failed load leaves the default language's in use. */
export async function loadCatalog(locale: Locale): Promise<void> {
  if (catalogs[locale]) return;
  try {
    catalogs[locale] = await catalogLoaders[locale]();
  } catch {
    // translateIn falls back to the default language: readable, and the next switch tries again
  }
}
const antLocales: Record<Locale, AntLocale> = { 'zh-CN': antZhCN, 'en-US': antEnUS };
const dayjsLocales: Record<Locale, string> = { 'zh-CN': 'zh-cn', 'en-US': 'en' };
/** Each language is offered under its own name, whatever the current UI language. */
export const LANGUAGE_NAMES: Record<Locale, string> = { 'zh-CN': '简体中文', 'en-US': 'English' };

const STORAGE_KEY = 'gongdan.locale';

function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

/** The language the app starts in: the one chosen last on this browser, else the default. */
export function initialLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // storage may be unavailable (private mode); fall back to the default
  }
  return DEFAULT_LOCALE;
}

/** Applies a language everywhere outside React: API requests, dayjs, the document. */
function applyLocale(locale: Locale) {
  setRequestLocale(locale);
  dayjs.locale(dayjsLocales[locale]);
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // not remembered, still applied
  }
}

type LocaleState = { locale: Locale; setLocale: (locale: Locale) => void };
const LocaleContext = createContext<LocaleState | null>(null);

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => {
    const value = initialLocale();
    applyLocale(value);
    return value;
  });
  // Switching waits for the language's strings; of quick successive choices the last one wins.
  const wanted = useRef<Locale | null>(null);
  const setLocale = useCallback((next: Locale) => {
    wanted.current = next;
    void loadCatalog(next).then(() => {
      if (wanted.current !== next) return;
      applyLocale(next);
      setLocaleState(next);
    });
  }, []);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  return (
    <LocaleContext.Provider value={value}>
      <ConfigProvider locale={antLocales[locale]} theme={{ token: { colorPrimary: BRAND_BLUE, borderRadius: 6 } }}>
        {children}
      </ConfigProvider>
    </LocaleContext.Provider>
  );
}

export function useLocale(): LocaleState {
  const state = useContext(LocaleContext);
  if (!state) throw new Error('useLocale outside LocaleProvider');
  return state;
}

export type Translate = (key: WebMessageKey, params?: Record<string, string | number>) => string;

/** The translation function of a given language (e.g. the one just switched to, before React re-renders). */
export function translateIn(locale: Locale): Translate {
  const catalog = catalogs[locale] ?? zhCN;
  return (key, params) => formatMessage(locale, catalog[key] ?? key, params);
}

/** The translation function for the current UI language. */
export function useT(): Translate {
  const { locale } = useLocale();
  return useMemo(() => translateIn(locale), [locale]);
}
