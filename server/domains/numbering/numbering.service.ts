import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type {
  NumberedKind,
  NumberSeries,
  NumberSeriesCreate,
  NumberSeriesUpdate,
} from '../../../common/schemas/numbering';
import type { NumberRegister as NumberRegisterSchema } from '../../../common/schemas/numbering';
import type { MessageKey } from '../../../common/i18n';
import { inTransaction, type Ctx } from '../../context';
import { insertMany } from '../../db/bulk';
import type { Db } from '../../db/client';
import { AppError, invalidInput, isUniqueViolation, notFound } from '../../errors';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { recordAudit } from '../audit/audit.service';
import { businessLines, users } from '../staff/staff.tables';
import { issuedNumbers, numberCounters, numberSeries } from './numbering.tables';
import { formatNumber, parsePattern, periodOf, type ParsedPattern, type PatternProblem } from './pattern';

/**
 * Numbers given by the system (contracts when signed, orders when confirmed): unique and gapless per series
 * and period, also with many people on several app instances. The number is taken in the transaction that
 * uses it — the counter row stays locked until that transaction ends, and a rollback takes the number back —
 * and written to the append-only register `issued_numbers`.
 */

/** A numbered kind's side: where each of its records stands, for the register (e.g. a voided contract). */
export type NumberedKindHandler = {
  kind: NumberedKind;
  describe(db: Db, ids: string[]): Promise<Map<string, { status: string; title: string }>>;
};
const kinds = new Map<NumberedKind, NumberedKindHandler>();
export function registerNumberedKind(handler: NumberedKindHandler): void {
  kinds.set(handler.kind, handler);
}

const PROBLEM_KEYS: Record<PatternProblem, MessageKey> = {
  'unknown-token': 'validation.numberPatternToken',
  'no-seq': 'validation.numberPatternNoSeq',
  'two-seq': 'validation.numberPatternTwoSeq',
  'seq-width': 'validation.numberPatternSeqWidth',
  unbalanced: 'validation.numberPatternBraces',
};

function parsedOrRefused(ctx: Ctx, pattern: string): ParsedPattern {
  const parsed = parsePattern(pattern);
  if ('problem' in parsed)
    throw invalidInput(ctx.actor.locale, [
      { path: 'pattern', key: PROBLEM_KEYS[parsed.problem], params: { token: parsed.token ?? '' } },
    ]);
  return parsed;
}

const today = (at = new Date()) => localDate(at, FIRM_TIME_ZONE);

function toSeries(row: typeof numberSeries.$inferSelect, businessLineName: string | null, lastSeq: number) {
  const parsed = parsePattern(row.pattern) as ParsedPattern;
  return {
    id: row.id,
    kind: row.kind,
    businessLineId: row.businessLineId,
    businessLineName,
    name: row.name,
    pattern: row.pattern,
    nextPreview: formatNumber(parsed, today(), lastSeq + 1),
    active: row.active,
    updatedAt: row.updatedAt.toISOString(),
  } satisfies NumberSeries;
}

/** Every series, with what its next number would be today. */
export async function listSeries(db: Db): Promise<NumberSeries[]> {
  const rows = await db
    .select({ s: numberSeries, line: businessLines.name })
    .from(numberSeries)
    .leftJoin(businessLines, eq(businessLines.id, numberSeries.businessLineId))
    .orderBy(asc(numberSeries.kind), sql`${businessLines.sortOrder} NULLS FIRST`, asc(businessLines.name));
  const counters = await db.select().from(numberCounters);
  const year = today().slice(0, 4);
  return rows.map(({ s, line }) => {
    const parsed = parsePattern(s.pattern) as ParsedPattern;
    const period = parsed.yearly ? year : 'all';
    const last = counters.find((c) => c.seriesId === s.id && c.period === period)?.lastValue ?? 0;
    return toSeries(s, line, last);
  });
}

async function getSeries(db: Db, id: string): Promise<NumberSeries> {
  const found = (await listSeries(db)).find((s) => s.id === id);
  if (!found) throw notFound();
  return found;
}

async function refuseSamePattern(ctx: Ctx, pattern: string, exceptId?: string) {
  const [same] = await ctx.db
    .select({ id: numberSeries.id })
    .from(numberSeries)
    .where(eq(numberSeries.pattern, pattern));
  if (same && same.id !== exceptId)
    throw invalidInput(ctx.actor.locale, [{ path: 'pattern', key: 'validation.numberPatternTaken' }]);
}

export async function createSeries(ctx: Ctx, input: z.output<typeof NumberSeriesCreate>): Promise<NumberSeries> {
  parsedOrRefused(ctx, input.pattern);
  await refuseSamePattern(ctx, input.pattern);
  const id = await inTransaction(ctx, async (tx) => {
    try {
      const [row] = await tx.db
        .insert(numberSeries)
        .values({ ...input, createdBy: ctx.actor.id })
        .returning();
      await recordAudit(tx, { action: 'create', entityType: 'number-series', entityId: row.id, after: row });
      return row.id;
    } catch (error) {
      if (isUniqueViolation(error))
        throw invalidInput(ctx.actor.locale, [{ path: 'businessLineId', key: 'validation.numberSeriesExists' }]);
      throw error;
    }
  });
  return getSeries(ctx.db, id);
}

/**
 * A new pattern applies to the numbers given from now on; the sequence goes on where it was (numbers already
 * given keep their text).
 */
export async function updateSeries(
  ctx: Ctx,
  id: string,
  input: z.output<typeof NumberSeriesUpdate>,
): Promise<NumberSeries> {
  if (input.pattern !== undefined) {
    parsedOrRefused(ctx, input.pattern);
    await refuseSamePattern(ctx, input.pattern, id);
  }
  await inTransaction(ctx, async (tx) => {
    const [before] = await tx.db.select().from(numberSeries).where(eq(numberSeries.id, id)).for('update');
    if (!before) throw notFound();
    const [after] = await tx.db
      .update(numberSeries)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(numberSeries.id, id))
      .returning();
    await recordAudit(tx, { action: 'update', entityType: 'number-series', entityId: id, before, after });
  });
  return getSeries(ctx.db, id);
}

/** The active series a record of this kind and business line is numbered from: the line's own, else the default. */
async function seriesFor(db: Db, kind: NumberedKind, businessLineId: string | null) {
  const rows = await db
    .select()
    .from(numberSeries)
    .where(
      and(
        eq(numberSeries.kind, kind),
        eq(numberSeries.active, true),
        businessLineId
          ? sql`(${numberSeries.businessLineId} = ${businessLineId} OR ${numberSeries.businessLineId} IS NULL)`
          : isNull(numberSeries.businessLineId),
      ),
    );
  return rows.find((r) => r.businessLineId !== null) ?? rows[0] ?? null;
}

export type IssuedNumber = { seriesId: string; period: string; seq: number; number: string };

/**
 * Gives the next number of the series for `kind` and `businessLineId` to the subject, inside the caller's
 * transaction (which must be the one that records the number on the subject). NUMBER_SERIES_MISSING when no
 * active series applies; NUMBER_TAKEN when the number exists already (another series wrote the same text).
 */
export async function issueNumber(
  tx: Ctx,
  kind: NumberedKind,
  businessLineId: string | null,
  subjectId: string,
  at = new Date(),
): Promise<IssuedNumber> {
  const series = await seriesFor(tx.db, kind, businessLineId);
  if (!series) throw new AppError('NUMBER_SERIES_MISSING', { kindKey: `numbering.kind.${kind}` });
  const parsed = parsePattern(series.pattern) as ParsedPattern;
  const on = today(at);
  const period = periodOf(parsed, on);
  const [counter] = await tx.db
    .insert(numberCounters)
    .values({ seriesId: series.id, period, lastValue: 1 })
    .onConflictDoUpdate({
      target: [numberCounters.seriesId, numberCounters.period],
      set: { lastValue: sql`${numberCounters.lastValue} + 1` },
    })
    .returning({ lastValue: numberCounters.lastValue });
  const seq = counter.lastValue;
  const number = formatNumber(parsed, on, seq);
  try {
    // A savepoint, so that the unique violation below is reported as such and not as an aborted transaction.
    await tx.db.transaction(async (sp) => {
      await sp
        .insert(issuedNumbers)
        .values({ seriesId: series.id, period, seq, number, subjectKind: kind, subjectId, issuedBy: tx.actor.id });
    });
  } catch (error) {
    if (isUniqueViolation(error, 'issued_numbers_number_key')) throw new AppError('NUMBER_TAKEN', { number });
    throw error;
  }
  return { seriesId: series.id, period, seq, number };
}

/**
 * What issueNumber does, for many subjects of one kind at once (history being loaded: the demo firm's past contracts
 * and orders), in a few statements: each subject gets the next number of its series in the period of its own `at`,
 * in the order given (give them in date order), the counters move on by as many, and the register gets every number.
 * Inside the caller's transaction, which must record the numbers on the subjects. Returns the numbers by subject.
 */
export async function issueNumbers(
  tx: Ctx,
  kind: NumberedKind,
  subjects: { businessLineId: string | null; subjectId: string; at: Date; issuedBy?: string }[],
): Promise<Map<string, IssuedNumber>> {
  const seriesOf = new Map<string | null, Awaited<ReturnType<typeof seriesFor>>>();
  const groups = new Map<
    string,
    {
      series: typeof numberSeries.$inferSelect;
      parsed: ParsedPattern;
      period: string;
      items: typeof subjects;
      on: string[];
    }
  >();
  for (const subject of subjects) {
    if (!seriesOf.has(subject.businessLineId))
      seriesOf.set(subject.businessLineId, await seriesFor(tx.db, kind, subject.businessLineId));
    const series = seriesOf.get(subject.businessLineId);
    if (!series) throw new AppError('NUMBER_SERIES_MISSING', { kindKey: `numbering.kind.${kind}` });
    const parsed = parsePattern(series.pattern) as ParsedPattern;
    const on = today(subject.at);
    const period = periodOf(parsed, on);
    const key = `${series.id}|${period}`;
    if (!groups.has(key)) groups.set(key, { series, parsed, period, items: [], on: [] });
    groups.get(key)!.items.push(subject);
    groups.get(key)!.on.push(on);
  }
  const issued = new Map<string, IssuedNumber>();
  const register: (typeof issuedNumbers.$inferInsert)[] = [];
  for (const { series, parsed, period, items, on } of groups.values()) {
    const [counter] = await tx.db
      .insert(numberCounters)
      .values({ seriesId: series.id, period, lastValue: items.length })
      .onConflictDoUpdate({
        target: [numberCounters.seriesId, numberCounters.period],
        set: { lastValue: sql`${numberCounters.lastValue} + ${items.length}` },
      })
      .returning({ lastValue: numberCounters.lastValue });
    const first = counter.lastValue - items.length + 1;
    items.forEach((subject, i) => {
      const seq = first + i;
      const number = formatNumber(parsed, on[i], seq);
      issued.set(subject.subjectId, { seriesId: series.id, period, seq, number });
      register.push({
        seriesId: series.id,
        period,
        seq,
        number,
        subjectKind: kind,
        subjectId: subject.subjectId,
        issuedBy: subject.issuedBy ?? tx.actor.id,
      });
    });
  }
  try {
    await tx.db.transaction(async (sp) => {
      await insertMany(sp as unknown as Db, issuedNumbers, register);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'issued_numbers_number_key')) throw new AppError('NUMBER_TAKEN', { number: '' });
    throw error;
  }
  return issued;
}

/** A series' register for a period: every number given, in order, where its record stands, and the gaps. */
export async function numberRegister(
  db: Db,
  seriesId: string,
  period?: string,
): Promise<z.infer<typeof NumberRegisterSchema>> {
  const [series] = await db.select().from(numberSeries).where(eq(numberSeries.id, seriesId));
  if (!series) throw notFound();
  const parsed = parsePattern(series.pattern) as ParsedPattern;
  const wanted = period ?? (parsed.yearly ? today().slice(0, 4) : 'all');
  const rows = await db
    .select({ n: issuedNumbers, issuedByName: users.displayName })
    .from(issuedNumbers)
    .leftJoin(users, eq(users.id, issuedNumbers.issuedBy))
    .where(and(eq(issuedNumbers.seriesId, seriesId), eq(issuedNumbers.period, wanted)))
    .orderBy(asc(issuedNumbers.seq));
  const [counter] = await db
    .select({ lastValue: numberCounters.lastValue })
    .from(numberCounters)
    .where(and(eq(numberCounters.seriesId, seriesId), eq(numberCounters.period, wanted)));
  const lastSeq = counter?.lastValue ?? 0;
  const gapRows = (await db.execute(sql`
      SELECT s AS seq FROM generate_series(1, ${lastSeq}::int) AS s
      WHERE NOT EXISTS (SELECT 1 FROM ${issuedNumbers}
                        WHERE ${issuedNumbers.seriesId} = ${seriesId} AND ${issuedNumbers.period} = ${wanted}
                          AND ${issuedNumbers.seq} = s)
      ORDER BY s`)) as unknown as { rows: { seq: number }[] };
  const gaps = gapRows.rows.map((r) => Number(r.seq));
  const described = new Map<string, { status: string; title: string }>();
  for (const kind of new Set(rows.map((r) => r.n.subjectKind))) {
    const handler = kinds.get(kind);
    if (!handler) continue;
    const ids = rows.filter((r) => r.n.subjectKind === kind).map((r) => r.n.subjectId);
    for (const [id, d] of await handler.describe(db, ids)) described.set(id, d);
  }
  return {
    seriesId,
    period: wanted,
    lastSeq,
    gaps,
    items: rows.map(({ n, issuedByName }) => ({
      seq: n.seq,
      number: n.number,
      subjectKind: n.subjectKind,
      subjectId: n.subjectId,
      status: described.get(n.subjectId)?.status ?? 'unknown',
      title: described.get(n.subjectId)?.title ?? '',
      issuedAt: n.issuedAt.toISOString(),
      issuedByName,
    })),
  };
}
