/**
 * Fills in a message (server and web share this):
 * - `{name}` takes `params.name` (left as `{name}` when missing);
 * - `{name, plural, one {# customer} other {# customers}}` picks the form the language's plural
 *   rules (Intl.PluralRules) give for the number `params.name` — `=0`, `=1` … match exactly first —
 *   and `#` in it is the number. Chinese has one form (`other`), so its messages need no plurals.
 */
export function formatMessage(locale: string, template: string, params: Record<string, unknown> = {}): string {
  return template
    .replace(PLURAL, (whole, name: string, forms: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      const n = Number(value);
      const options = new Map([...forms.matchAll(FORM)].map((m) => [m[1], m[2]]));
      const form = options.get(`=${n}`) ?? options.get(pluralRules(locale).select(n)) ?? options.get('other') ?? '';
      return form.replace(/#/g, String(value));
    })
    .replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : String(params[name])));
}

/** `{name, plural, <forms>}`; each form is `selector {text}` with no braces inside the text. */
const PLURAL = /\{(\w+),\s*plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}/g;
const FORM = /(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g;

const rules = new Map<string, Intl.PluralRules>();
function pluralRules(locale: string): Intl.PluralRules {
  let found = rules.get(locale);
  if (!found) {
    found = new Intl.PluralRules(locale);
    rules.set(locale, found);
  }
  return found;
}

/** The parameters a message uses, plural ones included (for checking two languages use the same). */
export function messageParams(template: string): string[] {
  const plural = [...template.matchAll(PLURAL)].map((m) => m[1]);
  const simple = [...template.replace(PLURAL, '').matchAll(/(?<!\{)\{(\w+)\}(?!\})/g)].map((m) => m[1]);
  return [...new Set([...plural, ...simple])].sort();
}
