import type { AssignmentStrategy } from '../../../common/schemas/leads';

/**
 * The pure heart of lead assignment (property-tested): which rule matches a lead, and which
 * of its members gets it. The service feeds these from the database under a row lock.
 */
export type RuleCriteria = {
  id: string;
  businessLineId: string | null;
  regionId: string | null;
  source: string | null;
  active: boolean;
};
export type LeadCriteria = { businessLineId: string | null; regionId: string | null; source: string | null };

/** The first active rule (in the given order) whose every set criterion equals the lead's; null criteria match anything. */
export function matchRule<R extends RuleCriteria>(rules: readonly R[], lead: LeadCriteria): R | null {
  const same = (want: string | null, have: string | null) => want === null || want === have;
  const sameSource = (want: string | null, have: string | null) =>
    want === null || (have !== null && want.trim().toLowerCase() === have.trim().toLowerCase());
  return (
    rules.find(
      (r) =>
        r.active &&
        same(r.businessLineId, lead.businessLineId) &&
        same(r.regionId, lead.regionId) &&
        sameSource(r.source, lead.source),
    ) ?? null
  );
}

export type Candidate = { userId: string; position: number; eligible: boolean; openLeads: number };

/**
 * Picks the member who gets the next lead, or null when nobody is eligible (→ the queue).
 * round-robin: the first eligible member after the cursor position, wrapping around.
 * least-open: the eligible members with the fewest open leads; ties go round-robin from the cursor,
 * so equal loads are shared fairly too. Returns the new cursor (the chosen member's position).
 */
export function pickMember(
  strategy: AssignmentStrategy,
  members: readonly Candidate[],
  cursor: number,
): { userId: string; cursor: number } | null {
  let pool = members.filter((m) => m.eligible);
  if (pool.length === 0) return null;
  if (strategy === 'least-open') {
    const least = Math.min(...pool.map((m) => m.openLeads));
    pool = pool.filter((m) => m.openLeads === least);
  }
  const ordered = [...pool].sort((a, b) => a.position - b.position);
  const next = ordered.find((m) => m.position > cursor) ?? ordered[0];
  return { userId: next.userId, cursor: next.position };
}
