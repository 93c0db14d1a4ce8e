import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './ids';

describe('timeOrderedId', () => {
  it('makes distinct version-7 UUIDs that sort in the order they were made and carry the time', () => {
    const before = Date.now();
    const ids = Array.from({ length: 20_000 }, () => timeOrderedId()); // more than 4,096 in a millisecond, likely
    const after = Date.now();
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(msOf(ids[0])).toBeGreaterThanOrEqual(before);
    // (ids borrow the next millisecond only when 4,096 are made in one)
    expect(msOf(ids.at(-1)!)).toBeLessThanOrEqual(after + Math.ceil(ids.length / 4096));
  });
});
