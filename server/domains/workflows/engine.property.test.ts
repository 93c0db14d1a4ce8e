import { asc, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, buildOpportunity, buildUser } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { workflowAssignments, workflowInstances, workflowTransitions } from './workflows.tables';

/**
 * The engine against a model of it, through the HTTP API: random flows (1–5 steps, any/all, assignees
 * among a few people, "return to" earlier steps) and random actions by random people, including people
 * who may not act. After every action the instance is what the model says; at the end of a run its
 * history is numbered without gaps, no assignment decided twice, and the quote shows the instance's status.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/**
 * The people of every run: the quote's owner and their department's manager, three colleagues of another
 * department (who see nothing of the owner's), the flows' fallback (an executive, who sees everything), and a
 * stranger. Only the owner, the manager and the executive see the quote, and may submit it.
 */
const PEOPLE = ['seller', 'manager', 'p1', 'p2', 'p3', 'fallback', 'stranger'] as const;
type Person = (typeof PEOPLE)[number];
const SEE_THE_QUOTE = new Set<Person>(['seller', 'manager', 'fallback']);

/** Who a step names, as the flow's definition gives it. */
const ASSIGNEES = ['manager', 'p1', 'p2', 'p3', 'seller', 'colleagues', 'owners-department', 'role-manager'] as const;
type AssigneeChoice = (typeof ASSIGNEES)[number];
/** The people each choice names before the submitter is left out. */
const NAMED: Record<AssigneeChoice, Person[]> = {
  manager: ['manager'],
  p1: ['p1'],
  p2: ['p2'],
  p3: ['p3'],
  seller: ['seller'],
  colleagues: ['p1', 'p2', 'p3'],
  'owners-department': ['seller', 'manager'],
  'role-manager': ['manager'],
};

type StepDef = { assignee: AssigneeChoice; mode: 'any' | 'all'; returnTo: number[] };

const flowArb = fc
  .array(
    fc.record({
      assignee: fc.constantFrom(...ASSIGNEES),
      mode: fc.constantFrom('any' as const, 'all' as const),
      back: fc.array(fc.nat({ max: 4 }), { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((steps): StepDef[] =>
    steps.map(({ assignee, mode, back }, i) => ({
      assignee,
      mode,
      returnTo: [...new Set(back.filter((b) => b < i).map((b) => b + 1))].sort(),
    })),
  );

/** Who acts: one of the current step's open holders (for withdraw and submit: the submitter), or anyone. */
const whoArb = fc.record({ holder: fc.boolean(), n: fc.nat() });
/** The round a decision names: none, the one the decider sees, or the one before (a second click, a slower colleague). */
const roundArb = fc.constantFrom('none' as const, 'current' as const, 'stale' as const);
const actionArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('approve' as const), who: whoArb, round: roundArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), who: whoArb, round: roundArb }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('return' as const), who: whoArb, round: roundArb, target: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), who: whoArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delegate' as const), who: whoArb, to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resubmit' as const), who: whoArb }) },
);

// ---------- the model ----------

type Status = 'running' | 'returned' | 'approved' | 'rejected' | 'withdrawn';
type Assignment = {
  round: number;
  step: number;
  user: Person;
  reason: 'resolved' | 'fallback' | 'delegated';
  forUser: Person | null;
  open: boolean;
  decision: 'approve' | 'reject' | 'return' | null;
};
type Model = {
  id: string;
  submitter: Person;
  status: Status;
  step: number | null;
  round: number;
  assignments: Assignment[];
  /** `${action}:${step}` per transition. */
  history: string[];
};

function startStep(m: Model, flow: StepDef[], position: number) {
  m.round += 1;
  m.status = 'running';
  m.step = position;
  const others = NAMED[flow[position - 1].assignee].filter((p) => p !== m.submitter);
  const people = others.length ? others : (['fallback'] as Person[]);
  for (const user of people)
    m.assignments.push({
      round: m.round,
      step: position,
      user,
      reason: others.length ? 'resolved' : 'fallback',
      forUser: null,
      open: true,
      decision: null,
    });
  m.history.push(`step:${position}`);
}

function closeOpen(m: Model) {
  for (const a of m.assignments) a.open = false;
}

function settle(m: Model, status: Status, entry: string) {
  closeOpen(m);
  m.status = status;
  m.step = null;
  m.history.push(entry);
}

const maySee = (m: Model, p: Person) =>
  p === m.submitter || SEE_THE_QUOTE.has(p) || m.assignments.some((a) => a.user === p);

/**
 * The actor's open assignment on the current round, or the answer: 409 when the step is not running, or the
 * actor's decision was taken (by them, or by someone quicker on a step they held); 403 when it was never
 * theirs, or they handed it on.
 */
function myAssignment(m: Model, p: Person): Assignment | number {
  if (m.status !== 'running') return 409;
  const mine = m.assignments.filter((a) => a.round === m.round && a.user === p);
  const open = mine.find((a) => a.open);
  if (open) return open;
  if (mine.length === 0) return m.assignments.some((a) => a.user === p) ? 409 : 403;
  return mine.some((a) => a.decision) ? 409 : 403;
}

const openHolders = (m: Model) => m.assignments.filter((a) => a.open && a.round === m.round).map((a) => a.user);

// ---------- the run ----------

type World = { clients: Record<Person, Client>; ids: Record<Person, string>; colleaguesId: string };

async function world(): Promise<World> {
  const db = t.database.db;
  const owners = await buildDepartment(db);
  const colleagues = await buildDepartment(db);
  const spec: Record<Person, { roleCode: string; departmentId: string | null }> = {
    seller: { roleCode: 'salesperson', departmentId: owners.id },
    manager: { roleCode: 'manager', departmentId: owners.id },
    p1: { roleCode: 'salesperson', departmentId: colleagues.id },
    p2: { roleCode: 'salesperson', departmentId: colleagues.id },
    p3: { roleCode: 'salesperson', departmentId: colleagues.id },
    fallback: { roleCode: 'executive', departmentId: null },
    stranger: { roleCode: 'salesperson', departmentId: (await buildDepartment(db)).id },
  };
  const clients = {} as Record<Person, Client>;
  const ids = {} as Record<Person, string>;
  for (const p of PEOPLE) {
    const user = await buildUser(db, spec[p]);
    ids[p] = user.id;
    clients[p] = await t.login(user.username);
  }
  return { clients, ids, colleaguesId: colleagues.id };
}

function stepBody(w: World, s: StepDef, i: number) {
  const assignee =
    s.assignee === 'colleagues'
      ? { kind: 'department', departmentId: w.colleaguesId }
      : s.assignee === 'owners-department'
        ? { kind: 'department', departmentId: w.clients.seller.me!.user.departmentId }
        : s.assignee === 'role-manager'
          ? { kind: 'role-in-department', roleCode: 'manager' }
          : { kind: 'user', userId: w.ids[s.assignee] };
  return { nameZh: `第${i + 1}步`, nameEn: `Step ${i + 1}`, mode: s.mode, assignee, returnTo: s.returnTo };
}

describe('the workflow engine (property)', () => {
  it('random flows and random actions by random people: the engine does what its model does, and its records add up', async () => {
    const w = await world();
    const admin = await t.login((await buildUser(t.database.db, { roleCode: 'admin', departmentId: null })).username);
    const personOf = new Map(PEOPLE.map((p) => [w.ids[p], p]));
    // The seed is printed first: a run that hangs (once past the test's timeout on PGlite, 2026-12-07) reports no
    // counterexample, and PROP_SEED replays it.
    const seed = Number(process.env.PROP_SEED) || Math.floor(Math.random() * 2 ** 31);
    console.info(`engine property: seed ${seed} (PROP_SEED=${seed} replays this run)`);
    await fc.assert(
      fc.asyncProperty(flowArb, fc.array(actionArb, { maxLength: 15 }), async (flow, actions) => {
        const db = t.database.db;
        // A line of this run's own, so its flow never applies to any other quote.
        const line = await buildBusinessLine(db);
        const created = await admin.post('/api/v1/workflows', {
          subjectKind: 'quote',
          nameZh: '随机流程',
          nameEn: 'Random flow',
          conditions: [{ field: 'businessLineId', op: 'eq', value: line.id }],
          steps: flow.map((s, i) => stepBody(w, s, i)),
          fallbackUserId: w.ids.fallback,
        });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const opportunity = await buildOpportunity(t, { ownerId: w.ids.seller, businessLineId: line.id });
        const quotes = `/api/v1/opportunities/${opportunity.id}/quotes`;
        const made = await w.clients.seller.post(quotes, {
          items: [{ description: '年报审计', quantity: '1', unitPrice: '6000', listUnitPrice: '10000' }],
        });
        expect(made.status, JSON.stringify(made.body)).toBe(201);
        const submitUrl = `${quotes}/${made.body.id}/submit`;

        const models: Model[] = [];
        /** Submits as `p`: what the API answers, and the model's expectation applied. */
        const submit = async (p: Person): Promise<number> => {
          const latest = models.at(-1);
          const open = latest && (latest.status === 'running' || latest.status === 'returned') ? latest : null;
          // An approved or rejected quote is settled (a new version asks again): 409 like one still running.
          const settled = latest?.status === 'approved' || latest?.status === 'rejected';
          const expected = !SEE_THE_QUOTE.has(p)
            ? 404
            : settled || open?.status === 'running'
              ? 409
              : open && open.submitter !== p
                ? 403
                : 200;
          const res = await w.clients[p].post(submitUrl);
          expect(res.status, `${p} submits: ${JSON.stringify(res.body)}`).toBe(expected);
          if (expected !== 200) return res.status;
          let model = open;
          if (!model) {
            model = {
              id: res.body.approval.instanceId,
              submitter: p,
              status: 'running',
              step: null,
              round: 0,
              assignments: [],
              history: [],
            };
            models.push(model);
          }
          expect(res.body.approval.instanceId).toBe(model.id);
          model.history.push('submit:null');
          startStep(model, flow, 1);
          return res.status;
        };
        await submit('seller');

        for (const action of actions) {
          const m = models.at(-1)!;
          const holders = action.kind === 'withdraw' || action.kind === 'resubmit' ? [m.submitter] : openHolders(m);
          const actor: Person =
            action.who.holder && holders.length
              ? holders[action.who.n % holders.length]
              : PEOPLE[action.who.n % PEOPLE.length];
          const url = `/api/v1/workflow-instances/${m.id}`;
          let expected: number;
          let res;
          if (action.kind === 'resubmit') {
            await submit(actor);
            continue;
          } else if (action.kind === 'withdraw') {
            expected = !maySee(m, actor)
              ? 404
              : actor !== m.submitter
                ? 403
                : m.status !== 'running' && m.status !== 'returned'
                  ? 409
                  : 200;
            res = await w.clients[actor].post(`${url}/withdraw`, {});
            if (expected === 200) settle(m, 'withdrawn', `withdraw:${m.step}`);
          } else if (action.kind === 'delegate') {
            // To anyone but the actor and the submitter (the API refuses those with 400, which is not tested here).
            const candidates = PEOPLE.filter((p) => p !== actor && p !== m.submitter);
            const to = candidates[action.to % candidates.length];
            const mine = maySee(m, actor) ? myAssignment(m, actor) : 404;
            // Not to someone who already decided this step: 400, nothing changes.
            const decidedIt = m.assignments.some((a) => a.round === m.round && a.user === to && a.decision);
            expected = typeof mine === 'number' ? mine : decidedIt ? 400 : 200;
            res = await w.clients[actor].post(`${url}/delegate`, { userId: w.ids[to] });
            if (typeof mine !== 'number' && !decidedIt) {
              mine.open = false;
              if (!openHolders(m).includes(to))
                m.assignments.push({
                  round: m.round,
                  step: m.step!,
                  user: to,
                  reason: 'delegated',
                  forUser: mine.forUser ?? actor,
                  open: true,
                  decision: null,
                });
              m.history.push(`delegate:${m.step}`);
            }
          } else {
            const step = m.step ? flow[m.step - 1] : null;
            // A target the step allows: the submitter (0) or one of its earlier steps.
            const targets = [0, ...(step?.returnTo ?? [])];
            const target = targets[('target' in action ? action.target : 0) % targets.length];
            const round =
              action.round === 'current' ? m.round : action.round === 'stale' && m.round > 1 ? m.round - 1 : undefined;
            const mine = maySee(m, actor) ? myAssignment(m, actor) : 404;
            // Named an earlier round: the step the decider saw has moved on.
            expected = typeof mine === 'number' ? mine : round !== undefined && round !== m.round ? 409 : 200;
            res = await w.clients[actor].post(`${url}/decide`, {
              action: action.kind,
              ...(action.kind === 'return' ? { returnTo: target } : {}),
              ...(round === undefined ? {} : { round }),
            });
            if (typeof mine !== 'number' && expected === 200) {
              const position = m.step!;
              mine.open = false;
              mine.decision = action.kind;
              const entry = `${action.kind}:${position}`;
              if (action.kind === 'reject') settle(m, 'rejected', entry);
              else if (action.kind === 'return' && target === 0) settle(m, 'returned', entry);
              else if (action.kind === 'return') {
                closeOpen(m);
                m.history.push(entry);
                startStep(m, flow, target);
              } else if (step!.mode === 'all' && openHolders(m).length > 0) m.history.push(entry);
              else if (position === flow.length) settle(m, 'approved', entry);
              else {
                closeOpen(m);
                m.history.push(entry);
                startStep(m, flow, position + 1);
              }
            }
          }
          expect([200, 400, 403, 404, 409]).toContain(res.status);
          expect(res.status, `${actor} ${JSON.stringify(action)}: ${JSON.stringify(res.body)}`).toBe(expected);
          if (res.status === 200) expect(res.body.status).toBe(m.status);

          // The instance as its submitter sees it: the model's status, step and history.
          const seen = await w.clients[m.submitter].get(url);
          expect(seen.status).toBe(200);
          expect(seen.body.status).toBe(m.status);
          expect(seen.body.currentStep).toBe(m.step);
          expect(seen.body.round).toBe(m.round);
          const current = seen.body.steps.filter((s: { state: string }) => s.state === 'current');
          expect(current.map((s: { position: number }) => s.position)).toEqual(m.status === 'running' ? [m.step] : []);
          expect(
            seen.body.transitions.map((tr: { action: string; step: number | null }) => `${tr.action}:${tr.step}`),
          ).toEqual(m.history);
          if (m.status === 'running') {
            const held = (seen.body.steps[m.step! - 1].assignees as { userId: string; decision: string | null }[])
              .map((a) => `${personOf.get(a.userId)}:${a.decision}`)
              .sort();
            expect(held).toEqual(
              m.assignments
                .filter((a) => a.round === m.round)
                .map((a) => `${a.user}:${a.decision}`)
                .sort(),
            );
            expect(openHolders(m).length).toBeGreaterThan(0);
          }
        }

        for (const m of models) {
          // The history is numbered 1..n without gaps, n as the instance counts it.
          const [row] = await db.select().from(workflowInstances).where(eq(workflowInstances.id, m.id));
          const seqs = (
            await db
              .select({ seq: workflowTransitions.seq })
              .from(workflowTransitions)
              .where(eq(workflowTransitions.instanceId, m.id))
              .orderBy(asc(workflowTransitions.seq))
          ).map((r) => r.seq);
          expect(seqs).toEqual(seqs.map((_, i) => i + 1));
          expect(seqs.length).toBe(row.transitions);
          expect(row.round).toBe(m.round);
          // Every assignment as the model has it; none decided twice (one decision per person and round, and
          // on an "any" step one per round).
          const rows = await db.select().from(workflowAssignments).where(eq(workflowAssignments.instanceId, m.id));
          const key = (
            a: Pick<Assignment, 'round' | 'step' | 'open' | 'decision'> & {
              user: string;
              reason: string;
              forUser: string | null;
            },
          ) => [a.round, a.step, a.user, a.reason, a.forUser, a.open, a.decision].join(':');
          expect(
            rows
              .map((r) =>
                key({ ...r, user: personOf.get(r.userId)!, forUser: r.forUserId && personOf.get(r.forUserId)! }),
              )
              .sort(),
          ).toEqual(m.assignments.map(key).sort());
          const decided = rows.filter((r) => r.decision);
          for (const round of new Set(decided.map((r) => r.round))) {
            const inRound = decided.filter((r) => r.round === round);
            expect(new Set(inRound.map((r) => r.userId)).size).toBe(inRound.length);
            if (flow[inRound[0].step - 1].mode === 'any') expect(inRound).toHaveLength(1);
          }
          expect(decided).toHaveLength(m.history.filter((h) => /^(approve|reject|return):/.test(h)).length);
        }
        // The quote shows its newest approval's status.
        const latest = models.at(-1)!;
        const quote = (await w.clients.seller.get(quotes)).body.find((q: { id: string }) => q.id === made.body.id);
        expect(quote.approval).toEqual({ required: true, status: latest.status, instanceId: latest.id });
      }),
      // PROP_RUNS=400 for a longer search than CI's. Shrinking stops at 60 s, so that a failure is reported
      // with its counterexample so far rather than as the test's timeout (as on 2026-12-07). A run with no
      // failure by then counts as passed, having searched less.
      {
        seed,
        numRuns: Number(process.env.PROP_RUNS) || 25,
        plugins: process.env.PROP_RUNS ? [] : [fc.interruptAfterTimeLimit(60_000)],
        // Found on 2026-12-07 (seed 1122315877): one holder approves an "all" step, the other hands it to them.
        examples: [
          [
            [{ assignee: 'colleagues', mode: 'all', returnTo: [] }],
            [
              { kind: 'approve', who: { holder: true, n: 0 }, round: 'none' },
              { kind: 'delegate', who: { holder: true, n: 0 }, to: 63845441 },
              { kind: 'return', who: { holder: true, n: 1609531805 }, round: 'none', target: 1120632477 },
            ],
          ],
        ],
      },
    );
  });
});
