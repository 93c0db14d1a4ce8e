import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileJson, JsonText, responseSerializer } from './serialize';

const zodJson = (schema: z.ZodType, value: unknown) => JSON.stringify(z.encode(schema, value as never));

describe('the compiled response serializer', () => {
  const Card = z.object({
    id: z.string(),
    amount: z.string().nullable(),
    tags: z.array(z.object({ name: z.string() })),
    note: z.string().optional(),
    when: z.iso.datetime().nullable(),
  });
  const Answer = z.object({
    cards: z.array(Card),
    meta: z.looseObject({ total: z.number() }),
    scores: z.record(z.string(), z.object({ n: z.number() })),
    either: z.union([z.object({ kind: z.literal('a'), a: z.number() }), z.object({ kind: z.literal('b') })]),
    state: z.enum(['open', 'done']).default('open'),
  });
  const value = {
    cards: [
      {
        id: '1',
        amount: '12.30',
        tags: [{ name: '审计', secret: 'x' }],
        when: null,
        passwordHash: 'never written',
      },
      { id: '2', amount: null, tags: [], note: '备注 "quoted"\n', when: '2026-12-05T10:00:00.000Z' },
    ],
    meta: { total: 2, extra: ['kept by a loose object'] },
    scores: { a: { n: 1, hidden: true } },
    either: { kind: 'a', a: 1, hidden: true },
    state: 'done',
    internal: 'dropped',
  };

  it('writes exactly what Zod writes: declared fields only, so no column leaks', () => {
    const written = compileJson(Answer)(value);
    expect(written).toBe(zodJson(Answer, value));
    expect(written).not.toContain('never written');
    expect(written).not.toContain('secret');
    expect(written).not.toContain('hidden');
    expect(written).not.toContain('dropped');
  });

  it('checks every response against its schema when asked (the tests), and not otherwise', () => {
    const compile = (check: boolean) =>
      responseSerializer({ check })({ schema: Card, method: 'GET', url: '/x', httpStatus: '200' });
    const wrong = { id: 1, tags: [], amount: null, when: null };
    expect(() => compile(true)(wrong)).toThrow(/doesn't match the schema/);
    expect(compile(false)(wrong)).toBe('{"id":1,"amount":null,"tags":[],"when":null}');
  });

  it('sends JSON text written elsewhere (the database) as it is, and checks it like any answer when asked', () => {
    const compile = (check: boolean) =>
      responseSerializer({ check })({ schema: Card, method: 'GET', url: '/x', httpStatus: '200' });
    const text = '{"id" : "1", "amount" : null, "tags" : [{"name" : "审计"}], "when" : null}';
    expect(compile(false)(new JsonText(text))).toBe(text);
    expect(compile(true)(new JsonText(text))).toBe(text);
    const undeclared = '{"id" : "1", "amount" : null, "tags" : [], "when" : null, "passwordHash" : "x"}';
    const reordered = '{"amount" : null, "id" : "1", "tags" : [], "when" : null}';
    const invalid = '{"id" : 1, "amount" : null, "tags" : [], "when" : null}';
    expect(() => compile(true)(new JsonText(undeclared))).toThrow(/Zod writes/);
    expect(() => compile(true)(new JsonText(reordered))).toThrow(/Zod writes/);
    expect(() => compile(true)(new JsonText(invalid))).toThrow(/doesn't match the schema/);
  });
});
