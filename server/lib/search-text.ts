import { pinyin } from 'pinyin-pro';

const HAN = /\p{Script=Han}/u;

/** Full pinyin and initials of the Chinese characters of a text (`北京华达` → `beijinghuada`, `bjhd`). */
export function pinyinKeys(value: string): string[] {
  if (!HAN.test(value)) return [];
  const han = [...value].filter((c) => HAN.test(c)).join('');
  return [
    pinyin(han, { toneType: 'none', type: 'array' }).join(''),
    pinyin(han, { pattern: 'first', toneType: 'none', type: 'array' }).join(''),
  ];
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
