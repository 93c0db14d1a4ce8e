import { pinyin } from 'pinyin-pro';
import { describe, expect, it } from 'vitest';
import { pinyinKeys, searchTextOf } from './search-text';

describe('pinyinKeys', () => {
  it('gives the full pinyin and the initials pinyin-pro gives, from one conversion, the same when asked again', () => {
    // Words read differently in context (重庆, 银行 / 行长), characters pinyin-pro does not know (㐀, 𠀀, kept as they are), mixed text.
    for (const text of ['北京华达建设', '重庆银行行长', '长城', '㐀华𠀀达', '李明 Li Ming 139', '一不说一说']) {
      const han = [...text].filter((c) => /\p{Script=Han}/u.test(c)).join('');
      const expected = [
        pinyin(han, { toneType: 'none', type: 'array' }).join(''),
        pinyin(han, { pattern: 'first', toneType: 'none', type: 'array' }).join(''),
      ];
      expect(pinyinKeys(text), text).toEqual(expected);
      expect(pinyinKeys(text), text).toEqual(expected);
    }
    expect(pinyinKeys('北京华达')).toEqual(['beijinghuada', 'bjhd']);
    expect(pinyinKeys('ACME 2026')).toEqual([]);
  });

  it('searchTextOf: fields with their pinyin and initials, phones also digits-only, lower-cased', () => {
    expect(searchTextOf(['华达', null, 'Info@HD.cn'], ['029-8888 1234'])).toBe(
      '华达 huada hd info@hd.cn 029-8888 1234 02988881234',
    );
  });
});
