import { describe, expect, it } from 'vitest';
import { worthSearching } from './search';

describe('worthSearching', () => {
  it('answers a Chinese character at once, and letters or digits from the third on', () => {
    expect(worthSearching('华')).toBe(true);
    expect(worthSearching('华达')).toBe(true);
    expect(worthSearching('b华')).toBe(true);
    expect(worthSearching('𠀋')).toBe(true); // a character of plane 2
    expect(worthSearching('b')).toBe(false);
    expect(worthSearching('bj')).toBe(false);
    expect(worthSearching(' 13 ')).toBe(false);
    expect(worthSearching('bjh')).toBe(true);
    expect(worthSearching('139')).toBe(true);
    expect(worthSearching('')).toBe(false);
  });
});
