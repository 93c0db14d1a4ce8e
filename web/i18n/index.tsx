import { ConfigProvider } from 'antd';
import type { Locale as AntLocale } from 'antd/es/locale';
import antEnUS from 'antd/es/locale/en_US';
import antZhCN from 'antd/es/locale/zh_CN';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import zhCNFirstLoad from 'virtual:web-messages/first-load/zh-CN';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '../../common/i18n/locales';
import { formatMessage } from '../../common/i18n/format';
import { setRequestLocale } from '../api/client';
import { usePrefersReducedMotion } from '../components/responsive';
import { BRAND_BLUE } from '../components/theme';
import type { StringsPart as Part, WebMessageKey } from './messages';

export type { Locale, WebMessageKey };
export { LOCALES };

type Catalog = Partial<Record<WebMessageKey, string>>;
/**
 * The UI strings of one language each, in three parts (built by vite.config.ts from messages.ts and shell-keys.ts): the first
 * load's (the sign-in page, the loading and error screens), the signed-in shell's and start page's, loaded when the
 * shell starts, and the other pages', loaded with the first of them. The default language's first part comes with the
 * entry; everything else is loaded when needed — nobody downloads both dictionaries, nor the app's strings to sign in,
 * nor every module's to see Today.
 */
const partLoaders: Record<Locale, Record<Part, () => Promise<Catalog>>> = {
  'zh-CN': {
    'first-load': async () => zhCNFirstLoad,
    app: () => import('virtual:web-messages/app/zh-CN').then((m) => m.default),
    pages: () => import('virtual:web-messages/pages/zh-CN').then((m) => m.default),
  },
  'en-US': {
    'first-load': () => import('virtual:web-messages/first-load/en-US').then((m) => m.default),
    app: () => import('virtual:web-messages/app/en-US').then((m) => m.default),
    pages: () => import('virtual:web-messages/pages/en-US').then((m) => m.default),
  },
};
const loadedParts: Record<Locale, Set<Part>> = { 'zh-CN': new Set(['first-load']), 'en-US': new Set() };
/** Each language's strings loaded so far, both parts in one dictionary. */
const catalogs: Record<Locale, Catalog> = { 'zh-CN': { ...zhCNFirstLoad }, 'en-US': {} };
/** The parts the app shows: the first load's, and the app's once the signed-in app has started. */
let neededParts: Part[] = ['first-load'];

async function loadPart(locale: Locale, part: Part) {
  if (loadedParts[locale].has(part)) return;
  Object.assign(catalogs[locale], await partLoaders[locale][part]());
  loadedParts[locale].add(part);
}

/** Whether a language can be shown: every part the app needs is there. */
const complete = (locale: Locale) => neededParts.every((part) => loadedParts[locale].has(part));

/** Loads a language's strings (once); a failed load leaves the default language's in use. */
export async function loadCatalog(locale: Locale): Promise<void> {
  try {
    await Promise.all(neededParts.map((part) => loadPart(locale, part)));
  } catch {
    // translateIn falls back to the default language: readable, and the next switch tries again
  }
}

/**
 * A part in the language shown, or, when it cannot be loaded, in the default language (as loadCatalog falls back);
 * rejects, as a chunk that cannot be loaded does, when even that cannot.
 */
async function loadShownPart(part: Part) {
  const locale = shownLocale;
  try {
    await loadPart(locale, part);
  } catch (error) {
    if (locale === DEFAULT_LOCALE) throw error;
    await loadPart(DEFAULT_LOCALE, part);
  }
}

/** The signed-in app's strings, loaded with the app's code; from then on every language switch loads them too. */
export async function loadAppCatalog(): Promise<void> {
  if (!neededParts.includes('app')) neededParts = [...neededParts, 'app'];
  await loadShownPart('app');
}

/**
 * The other pages' strings, loaded with the first page that is not the start page (web/app/pages.tsx); from then on
 * every language switch loads them too. Counted as needed only once they are here: the shell, already on screen,
 * keeps its words meanwhile.
 */
export async function loadPagesCatalog(): Promise<void> {
  if (neededParts.includes('pages')) return;
  await loadShownPart('pages');
  if (!neededParts.includes('pages')) neededParts = [...neededParts, 'pages'];
}

const antLocales: Record<Locale, AntLocale> = { 'zh-CN': antZhCN, 'en-US': antEnUS };
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

/** The language shown (applied), from the start: what the signed-in app's strings are loaded in. */
let shownLocale = initialLocale();
/** What follows the language outside React and outside the first load (dayjs: web/i18n/dayjs.ts). */
const localeFollowers = new Set<(locale: Locale) => void>();

/** Calls `follow` with the language shown now and whenever it changes. */
export function followLocale(follow: (locale: Locale) => void) {
  localeFollowers.add(follow);
  follow(shownLocale);
}

/** Applies a language everywhere outside React: API requests, the document, the followers. */
function applyLocale(locale: Locale) {
  shownLocale = locale;
  setRequestLocale(locale);
  for (const follow of localeFollowers) follow(locale);
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // not remembered, still applied
  }
}

type LocaleState = {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  /** Counts the strings' arrivals after a miss (missingString), so that the readers draw again. */
  strings: number;
};
const LocaleContext = createContext<LocaleState | null>(null);

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => {
    applyLocale(shownLocale);
    return shownLocale;
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
  // Strings that arrived for what is on screen (missingString): the context changes, its readers draw again.
  const [strings, setStrings] = useState(0);
  useEffect(() => {
    const redraw = () => setStrings((count) => count + 1);
    redrawers.add(redraw);
    return () => void redrawers.delete(redraw);
  }, []);
  const value = useMemo(() => ({ locale, setLocale, strings }), [locale, setLocale, strings]);
  const motion = !usePrefersReducedMotion();
  const theme = useMemo(() => ({ token: { colorPrimary: BRAND_BLUE, borderRadius: 6, motion } }), [motion]);
  return (
    <LocaleContext.Provider value={value}>
      <ConfigProvider locale={antLocales[locale]} theme={theme}>
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

/**
 * A string the signed-in app shows that is not in the parts loaded: the shell's and start page's part holds the keys
 * found in their source (shell-keys.ts); one put together where that does not see it loads the other pages' part, and
 * the app is drawn again with it (LocaleProvider).
 */
function missingString() {
  if (!neededParts.includes('app') || neededParts.includes('pages') || pagesAsked) return;
  pagesAsked = true;
  loadPagesCatalog().then(
    () => {
      for (const redraw of redrawers) redraw();
    },
    () => {
      pagesAsked = false; // the next missing string tries again
    },
  );
}
let pagesAsked = false;
const redrawers = new Set<() => void>();

/** The translation function of a given language (e.g. the one just switched to, before React re-renders). */
export function translateIn(locale: Locale): Translate {
  const catalog = catalogs[complete(locale) ? locale : DEFAULT_LOCALE];
  return (key, params) => {
    const text = catalog[key];
    if (text === undefined) missingString();
    return formatMessage(locale, text ?? key, params);
  };
}

/** The translation function for the current UI language. */
export function useT(): Translate {
  const { locale, strings } = useLocale();
  // After strings arrived for a miss, the catalog chosen may differ (complete()): chosen again.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => translateIn(locale), [locale, strings]);
}
