import dayjs from 'dayjs';
import 'dayjs/locale/en';
import 'dayjs/locale/zh-cn';
import { followLocale, type Locale } from '.';

const DAYJS_LOCALES: Record<Locale, string> = { 'zh-CN': 'zh-cn', 'en-US': 'en' };

/*
 * dayjs in the UI language (month and weekday names, the first day of the week), from the moment the signed-in
 * app's shell loads — before any page shows a date. The sign-in page shows none: its first load does without dayjs.
 */
followLocale((locale) => dayjs.locale(DAYJS_LOCALES[locale]));
