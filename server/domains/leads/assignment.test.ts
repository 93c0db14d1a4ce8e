import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchRule, pickMember, type Candidate, type RuleCriteria } from './assignment';

const ids = ['a', 'b', 'c'];
const criterion = fc.option(fc.constantFrom(...ids), { nil: null });
const rules = fc.array(
  fc.record({ id: fc.uuid(), businessLineId: criterion, regionId: criterion, source: criterion, active: fc.boolean() }),
  { maxLength: 6 },
);
const lead = fc.record({ businessLineId: criterion, regionId: criterion, source: criterion });
const members = fc
  .uniqueArray(fc.record({ userId: fc.uuid(), position: fc.nat(20), eligible: fc.boolean(), openLeads: fc.nat(5) }), {
    selector: (m) => m.position,
    maxLength: 8,
  })
  .map((ms) => ms.map((m, i) => ({ ...m, userId: `${m.userId}-${i}` })));
const strategy = fc.constantFrom('round-robin' as const, 'least-open' as const);

describe('lead assignment rules (property tests)', () => {
  it('match the first active rule whose every set criterion equals the lead’s, and nothing else', () => {
    fc.assert(
      fc.property(rules, lead, (rs, l) => {
        const fits = (r: RuleCriteria) =>
          r.active &&
          [
            r.businessLineId === null || r.businessLineId === l.businessLineId,
            r.regionId === null || r.regionId === l.regionId,
            r.source === null || r.source === l.source,
          ].every(Boolean);
        const matched = matchRule(rs, l);
        if (matched === null) expect(rs.some(fits)).toBe(false);
        else {
          expect(fits(matched)).toBe(true);
          expect(rs.slice(0, rs.indexOf(matched)).some(fits)).toBe(false);
        }
      }),
    );
  });

  it('give every lead to an eligible member, or to the queue only when nobody is eligible', () => {
    fc.assert(
      fc.property(strategy, members, fc.integer({ min: -1, max: 25 }), (s, ms, cursor) => {
        const picked = pickMember(s, ms, cursor);
        const eligible = ms.filter((m) => m.eligible);
        if (eligible.length === 0) expect(picked).toBeNull();
        else {
          const chosen = eligible.find((m) => m.userId === picked?.userId);
          expect(chosen).toBeDefined();
          expect(picked!.cursor).toBe(chosen!.position);
          if (s === 'least-open') expect(chosen!.openLeads).toBe(Math.min(...eligible.map((m) => m.openLeads)));
        }
      }),
    );
  });

  it('round-robin is fair: over k leads each eligible member gets ⌊k/n⌋ or ⌈k/n⌉, in turn', () => {
    fc.assert(
      fc.property(members, fc.nat(60), fc.integer({ min: -1, max: 25 }), (ms, k, start) => {
        const eligible = ms.filter((m) => m.eligible);
        fc.pre(eligible.length > 0);
        const got = new Map<string, number>();
        let cursor = start;
        for (let i = 0; i < k; i++) {
          const p = pickMember('round-robin', ms, cursor)!;
          got.set(p.userId, (got.get(p.userId) ?? 0) + 1);
          cursor = p.cursor;
        }
        for (const m of eligible) {
          const n = got.get(m.userId) ?? 0;
          expect(n).toBeGreaterThanOrEqual(Math.floor(k / eligible.length));
          expect(n).toBeLessThanOrEqual(Math.ceil(k / eligible.length));
        }
      }),
    );
  });

  it('least-open evens out loads: giving each lead to the least loaded keeps loads within one of each other once balanced', () => {
    fc.assert(
      fc.property(members, fc.nat(40), (ms, k) => {
        const pool: Candidate[] = ms.filter((m) => m.eligible).map((m) => ({ ...m }));
        fc.pre(pool.length > 0);
        let cursor = -1;
        for (let i = 0; i < k; i++) {
          const p = pickMember('least-open', pool, cursor)!;
          pool.find((m) => m.userId === p.userId)!.openLeads++;
          cursor = p.cursor;
        }
        const loads = pool.map((m) => m.openLeads);
        const start = ms.filter((m) => m.eligible).map((m) => m.openLeads);
        // Nobody who started at or below the final minimum was skipped while someone above got a lead.
        expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(
          Math.max(1, Math.max(...start) - Math.min(...start)),
        );
      }),
    );
  });
});
