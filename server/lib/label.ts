import type { Locale } from '../../common/i18n';

/**
 * A label in both languages, kept beside the code that writes it (the reports' and exports' column headings):
 * say() picks the reader's and fills `{name}` placeholders.
 */
export type Label = { zh: string; en: string };

export function say(label: Label, locale: Locale, params: Record<string, string | number> = {}): string {
  const text = locale === 'en-US' ? label.en : label.zh;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
