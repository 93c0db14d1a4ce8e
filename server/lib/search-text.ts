import { pinyin } from 'pinyin-pro';

const HAN = /\p{Script=Han}/u;

/** The keys of recent texts: an import repeats titles, departments and common names thousands of times. */
const recentKeys = new Map<string, string[]>();
const RECENT_KEYS = 10_000;

/**
 * Full pinyin and initials of the Chinese characters of a text (`北京华达` → `beijinghuada`, `bjhd`).
 * One conversion gives both: an initial is the first letter of its syllable (what pinyin-pro's
 * `pattern: 'first'` gives, checked over every Han character), or a character pinyin-pro does not
 * know, kept as it is.
 */
export function pinyinKeys(value: string): string[] {
  if (!HAN.test(value)) return [];
  const known = recentKeys.get(value);
  if (known) return known;
  const han = [...value].filter((c) => HAN.test(c));
  const syllables = pinyin(han.join(''), { toneType: 'none', type: 'array' });
  const keys = [syllables.join(''), syllables.map((p, i) => (p === han[i] ? p : p[0])).join('')];
  if (recentKeys.size >= RECENT_KEYS) recentKeys.clear();
  recentKeys.set(value, keys);
  return keys;
}

/**
 * The text a record is searched by: its fields, plus pinyin and initials of the Chinese
 * ones, lower-cased and space-separated. Phone numbers are also stored digits-only, so
 * `13912` finds `139-1234-5678`.
 */
export function searchTextOf(fields: (string | null | undefined)[], phones: string[] = []): string {
  const parts: string[] = [];
  for (const field of fields) {
    if (!field) continue;
    parts.push(field, ...pinyinKeys(field));
  }
  for (const phone of phones) parts.push(phone, phone.replace(/\D/g, ''));
  return parts.join(' ').toLowerCase();
}

/**
 * Pinyin initials of a title as words found by prefix: the initials of its Han characters from each one on
 * (`年报审计承接要点` → `nbsjcjyd bsjcjyd sjcjyd …`), so a search for `sj` or `sjcj` finds it wherever the word stands.
 * Up to the first 40 Han characters.
 */
export function titleInitials(title: string): string {
  const han = [...title].filter((c) => HAN.test(c)).slice(0, 40);
  if (han.length === 0) return '';
  // A character pinyin-pro does not know stays itself in the initials: left out here.
  const initials = pinyinKeys(han.join(''))[1]
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  return [...initials].map((_, i) => initials.slice(i)).join(' ');
}
