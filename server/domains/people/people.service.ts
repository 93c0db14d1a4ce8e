import { and, asc, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../common/schemas/common';
import {
  DEFAULT_CPE_REQUIREMENTS,
  QUALIFICATION_KINDS,
  QUALIFICATION_REMINDER_DAYS,
  type CpeEntry,
  type CpeEntryInput,
  type CpeRequirement,
  type CpeShortfallQuery,
  type CpeShortfallRow,
  type CpeYear,
  type PersonProfile,
  type PersonProfileInput,
  type PersonRecord,
  type Qualification,
  type QualificationInput,
  type QualificationKind,
  type QualificationState,
} from '../../../common/schemas/people';
import { DEFAULT_WEEKLY_CAPACITY } from '../../../common/schemas/workload';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, invalidInput, notFound, type InputIssue } from '../../errors';
import { outer, pageCountedAlong, totalAlong } from '../../lib/listing';
import { addDays, FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { can, departmentSubtree } from '../../policy';
import { recordAudit } from '../audit/audit.service';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import { visibleUsers } from '../staff/staff.policy';
import { departments, users } from '../staff/staff.tables';
import { cpeEntries, cpeRequirements, personProfiles, qualifications } from './people.tables';

/**
 * People records 人员档案 (issue 14 item 6). Who sees a record is who sees the staff record (staff:read: oneself,
 * a manager their department subtree, administrators, partners and finance everyone); out of scope is 404. The
 * profile and qualifications are kept by those who manage staff (staff:manage); CPE entries by the person
 * themselves and by those who manage staff.
 *
 * Practising 执业: users.is_practicing_cpa stays the one truth (the signing rule and the staff form read and write
 * it); a CPA qualification shows it and, when saved with `practising`, writes it in the same transaction.
 *
 * CPE: a year's required hours are the most any qualification the person holds during the year requires
 * (DEFAULT_CPE_REQUIREMENTS overridden by cpe_requirements rows); the hours are the entries taken in the year.
 */

const hoursFrom = (hundredths: bigint) => fromHundredths(hundredths).replace(/\.?0+$/, '');
export const firmToday = () => localDate(new Date(), FIRM_TIME_ZONE);
const currentYear = () => Number(firmToday().slice(0, 4));

export function stateOf(expiresOn: string | null, today: string): QualificationState {
  if (expiresOn === null) return 'valid';
  if (expiresOn < today) return 'expired';
  if (expiresOn <= addDays(today, QUALIFICATION_REMINDER_DAYS)) return 'expiring';
  return 'valid';
}

/** The person if the reader may see their staff record; 404 otherwise. */
async function visiblePerson(ctx: Ctx, userId: string) {
  const [person] = await ctx.db
    .select({
      id: users.id,
      name: users.displayName,
      departmentName: departments.name,
      isPracticingCpa: users.isPracticingCpa,
    })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(and(eq(users.id, userId), visibleUsers(ctx.actor)));
  if (!person) throw notFound();
  return person;
}

const mayManage = (ctx: Ctx) => can(ctx.actor, 'staff:manage');
const mayEditCpe = (ctx: Ctx, userId: string) => ctx.actor.id === userId || mayManage(ctx);

/** Hours required a year per qualification kind (hundredths), the administrators' settings over the defaults. */
export async function requirementsOf(db: Db): Promise<Map<QualificationKind, bigint>> {
  const map = new Map<QualificationKind, bigint>();
  for (const [kind, hours] of Object.entries(DEFAULT_CPE_REQUIREMENTS))
    map.set(kind as QualificationKind, toHundredths(hours));
  for (const row of await db.select().from(cpeRequirements)) map.set(row.kind, toHundredths(row.hours));
  return map;
}

export async function getCpeRequirements(ctx: Ctx): Promise<{ items: CpeRequirement[] }> {
  const map = await requirementsOf(ctx.db);
  return { items: QUALIFICATION_KINDS.map((kind) => ({ kind, hours: hoursFrom(map.get(kind) ?? 0n) })) };
}

export async function setCpeRequirements(
  ctx: Ctx,
  input: { items: { kind: QualificationKind; hours: string }[] },
): Promise<{ items: CpeRequirement[] }> {
  const before = await getCpeRequirements(ctx);
  await inTransaction(ctx, async (tx) => {
    for (const item of input.items) {
      await tx.db
        .insert(cpeRequirements)
        .values({ kind: item.kind, hours: item.hours, updatedBy: tx.actor.id })
        .onConflictDoUpdate({
          target: cpeRequirements.kind,
          set: { hours: item.hours, updatedBy: tx.actor.id, updatedAt: new Date() },
        });
    }
    await recordAudit(tx, {
      action: 'update',
      entityType: 'cpe-requirements',
      entityId: tx.actor.id,
      before: { items: before.items },
      after: { items: input.items },
    });
  });
  return getCpeRequirements(ctx);
}

function presentQualification(
  row: typeof qualifications.$inferSelect,
  isPracticingCpa: boolean,
  today: string,
): Qualification {
  return {
    id: row.id,
    userId: row.userId,
    kind: row.kind,
    name: row.name,
    certificateNo: row.certificateNo,
    issuedOn: row.issuedOn,
    expiresOn: row.expiresOn,
    practising: row.kind === 'cpa' ? isPracticingCpa : null,
    state: stateOf(row.expiresOn, today),
  };
}

const presentEntry = (row: typeof cpeEntries.$inferSelect): CpeEntry => ({
  id: row.id,
  userId: row.userId,
  takenOn: row.takenOn,
  course: row.course,
  hours: hoursFrom(toHundredths(row.hours)),
  kind: row.kind,
});

/** The most any qualification held during the year requires (hundredths). */
function requiredOf(
  held: { kind: QualificationKind; expiresOn: string | null }[],
  year: number,
  map: Map<QualificationKind, bigint>,
) {
  let required = 0n;
  for (const q of held) {
    if (q.expiresOn !== null && q.expiresOn < `${year}-01-01`) continue;
    const hours = map.get(q.kind) ?? 0n;
    if (hours > required) required = hours;
  }
  return required;
}

export async function getPerson(ctx: Ctx, userId: string, year = currentYear()): Promise<PersonRecord> {
  const person = await visiblePerson(ctx, userId);
  const today = firmToday();
  const [[profile], held, entries, map] = await Promise.all([
    ctx.db.select().from(personProfiles).where(eq(personProfiles.userId, userId)),
    ctx.db
      .select()
      .from(qualifications)
      .where(eq(qualifications.userId, userId))
      .orderBy(sql`${qualifications.expiresOn} ASC NULLS LAST`, asc(qualifications.createdAt), asc(qualifications.id)),
    ctx.db
      .select()
      .from(cpeEntries)
      .where(
        and(
          eq(cpeEntries.userId, userId),
          gte(cpeEntries.takenOn, `${year}-01-01`),
          lte(cpeEntries.takenOn, `${year}-12-31`),
        ),
      )
      .orderBy(desc(cpeEntries.takenOn), desc(cpeEntries.createdAt)),
    requirementsOf(ctx.db),
  ]);
  const hours = entries.reduce((sum, e) => sum + toHundredths(e.hours), 0n);
  const required = requiredOf(held, year, map);
  const cpe: CpeYear = {
    year,
    hours: hoursFrom(hours),
    required: hoursFrom(required),
    short: hoursFrom(required > hours ? required - hours : 0n),
    entries: entries.map(presentEntry),
  };
  return {
    profile: presentProfile(person, profile),
    qualifications: held.map((q) => presentQualification(q, person.isPracticingCpa, today)),
    cpe,
    canManage: mayManage(ctx),
    canEditCpe: mayEditCpe(ctx, userId),
  };
}

function presentProfile(
  person: { id: string; name: string; departmentName: string | null; isPracticingCpa: boolean },
  profile: typeof personProfiles.$inferSelect | undefined,
): PersonProfile {
  return {
    userId: person.id,
    name: person.name,
    departmentName: person.departmentName,
    titleLevel: profile?.titleLevel ?? 'none',
    titleName: profile?.titleName ?? null,
    degree: profile?.degree ?? null,
    school: profile?.school ?? null,
    major: profile?.major ?? null,
    weeklyCapacity: hoursFrom(toHundredths(profile?.weeklyCapacity ?? DEFAULT_WEEKLY_CAPACITY)),
    practising: person.isPracticingCpa,
  };
}

export async function saveProfile(ctx: Ctx, userId: string, input: PersonProfileInput): Promise<PersonRecord> {
  await visiblePerson(ctx, userId);
  const values = {
    titleLevel: input.titleLevel,
    titleName: input.titleName ?? null,
    degree: input.degree ?? null,
    school: input.school ?? null,
    major: input.major ?? null,
    weeklyCapacity: input.weeklyCapacity ?? DEFAULT_WEEKLY_CAPACITY,
  };
  await inTransaction(ctx, async (tx) => {
    const [before] = await tx.db.select().from(personProfiles).where(eq(personProfiles.userId, userId)).for('update');
    const [saved] = await tx.db
      .insert(personProfiles)
      .values({ userId, createdBy: tx.actor.id, ...values })
      .onConflictDoUpdate({ target: personProfiles.userId, set: { ...values, updatedAt: new Date() } })
      .returning({ id: personProfiles.id });
    await recordAudit(tx, {
      action: before ? 'update' : 'create',
      entityType: 'person-profile',
      entityId: saved.id,
      before: before ? { userId, ...pick(before) } : null,
      after: { userId, ...values },
    });
  });
  return getPerson(ctx, userId);
}

const pick = (p: typeof personProfiles.$inferSelect) => ({
  titleLevel: p.titleLevel,
  titleName: p.titleName,
  degree: p.degree,
  school: p.school,
  major: p.major,
  weeklyCapacity: p.weeklyCapacity,
});

/** Field errors of a qualification: a name for `other`, practising only for a CPA, expiry not before issue. */
function checkQualification(ctx: Ctx, input: QualificationInput) {
  const issues: InputIssue[] = [];
  if (input.kind === 'other' && !input.name) issues.push({ path: 'name', key: 'validation.required' });
  if (input.practising !== undefined && input.kind !== 'cpa')
    issues.push({ path: 'practising', key: 'validation.practisingCpaOnly' });
  if (input.issuedOn && input.issuedOn > firmToday())
    issues.push({ path: 'issuedOn', key: 'validation.issuedInFuture' });
  if (input.issuedOn && input.expiresOn && input.expiresOn < input.issuedOn)
    issues.push({ path: 'expiresOn', key: 'validation.expiryBeforeIssue' });
  if (issues.length) throw invalidInput(ctx.actor.locale, issues);
}

const qualificationValues = (input: QualificationInput) => ({
  kind: input.kind,
  name: input.kind === 'other' ? (input.name ?? null) : null,
  certificateNo: input.certificateNo.trim(),
  issuedOn: input.issuedOn ?? null,
  expiresOn: input.expiresOn ?? null,
});

/** Writes the staff record's practising flag (the one truth) when a CPA qualification says so. */
async function setPractising(tx: Ctx, userId: string, practising: boolean | undefined) {
  if (practising === undefined) return;
  const [before] = await tx.db
    .select({ practising: users.isPracticingCpa })
    .from(users)
    .where(eq(users.id, userId))
    .for('update');
  if (before.practising === practising) return;
  await tx.db.update(users).set({ isPracticingCpa: practising, updatedAt: new Date() }).where(eq(users.id, userId));
  await recordAudit(tx, {
    action: 'update',
    entityType: 'user',
    entityId: userId,
    before: { isPracticingCpa: before.practising },
    after: { isPracticingCpa: practising },
  });
}

export async function createQualification(ctx: Ctx, userId: string, input: QualificationInput): Promise<Qualification> {
  await visiblePerson(ctx, userId);
  checkQualification(ctx, input);
  const id = await inTransaction(ctx, async (tx) => {
    const values = qualificationValues(input);
    const [row] = await tx.db
      .insert(qualifications)
      .values({ userId, createdBy: tx.actor.id, ...values })
      .returning({ id: qualifications.id });
    await setPractising(tx, userId, input.kind === 'cpa' ? input.practising : undefined);
    await recordAudit(tx, {
      action: 'create',
      entityType: 'qualification',
      entityId: row.id,
      after: { userId, ...values },
    });
    return row.id;
  });
  return getQualification(ctx, id);
}

/** A qualification whose holder the reader may see; 404 otherwise. */
async function visibleQualification(ctx: Ctx, id: string) {
  const [row] = await ctx.db
    .select({ qualification: qualifications, isPracticingCpa: users.isPracticingCpa })
    .from(qualifications)
    .innerJoin(users, eq(users.id, qualifications.userId))
    .where(and(eq(qualifications.id, id), visibleUsers(ctx.actor)));
  if (!row) throw notFound();
  return row;
}

async function getQualification(ctx: Ctx, id: string): Promise<Qualification> {
  const row = await visibleQualification(ctx, id);
  return presentQualification(row.qualification, row.isPracticingCpa, firmToday());
}

export async function updateQualification(ctx: Ctx, id: string, input: QualificationInput): Promise<Qualification> {
  const { qualification: found } = await visibleQualification(ctx, id);
  checkQualification(ctx, input);
  await inTransaction(ctx, async (tx) => {
    const [before] = await tx.db.select().from(qualifications).where(eq(qualifications.id, id)).for('update');
    if (!before) throw notFound();
    const values = qualificationValues(input);
    await tx.db
      .update(qualifications)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(qualifications.id, id));
    await setPractising(tx, found.userId, input.kind === 'cpa' ? input.practising : undefined);
    await recordAudit(tx, {
      action: 'update',
      entityType: 'qualification',
      entityId: id,
      before: {
        userId: before.userId,
        ...qualificationValues({ ...before, issuedOn: before.issuedOn, name: before.name }),
      },
      after: { userId: before.userId, ...values },
    });
  });
  return getQualification(ctx, id);
}

export async function deleteQualification(ctx: Ctx, id: string): Promise<void> {
  await visibleQualification(ctx, id);
  await inTransaction(ctx, async (tx) => {
    const [before] = await tx.db.delete(qualifications).where(eq(qualifications.id, id)).returning();
    if (!before) throw notFound();
    await recordAudit(tx, {
      action: 'delete',
      entityType: 'qualification',
      entityId: id,
      before: {
        userId: before.userId,
        kind: before.kind,
        certificateNo: before.certificateNo,
        expiresOn: before.expiresOn,
      },
    });
  });
}

export async function addCpeEntry(ctx: Ctx, userId: string, input: CpeEntryInput): Promise<CpeEntry> {
  await visiblePerson(ctx, userId);
  if (!mayEditCpe(ctx, userId)) throw new AppError('FORBIDDEN');
  if (input.takenOn > firmToday())
    throw invalidInput(ctx.actor.locale, [{ path: 'takenOn', key: 'validation.cpeInFuture' }]);
  return inTransaction(ctx, async (tx) => {
    const values = { userId, takenOn: input.takenOn, course: input.course, hours: input.hours, kind: input.kind };
    const [row] = await tx.db
      .insert(cpeEntries)
      .values({ ...values, createdBy: tx.actor.id })
      .returning();
    await recordAudit(tx, { action: 'create', entityType: 'cpe-entry', entityId: row.id, after: values });
    return presentEntry(row);
  });
}

export async function deleteCpeEntry(ctx: Ctx, id: string): Promise<void> {
  const [entry] = await ctx.db
    .select({ userId: cpeEntries.userId })
    .from(cpeEntries)
    .innerJoin(users, eq(users.id, cpeEntries.userId))
    .where(and(eq(cpeEntries.id, id), visibleUsers(ctx.actor)));
  if (!entry) throw notFound();
  if (!mayEditCpe(ctx, entry.userId)) throw new AppError('FORBIDDEN');
  await inTransaction(ctx, async (tx) => {
    const [before] = await tx.db.delete(cpeEntries).where(eq(cpeEntries.id, id)).returning();
    if (!before) throw notFound();
    await recordAudit(tx, {
      action: 'delete',
      entityType: 'cpe-entry',
      entityId: id,
      before: { userId: before.userId, takenOn: before.takenOn, course: before.course, hours: before.hours },
    });
  });
}

/**
 * The hours a person needs in the year, as SQL over `users` (numeric): the most any qualification they hold during
 * the year requires.
 */
export function requiredSql(year: number, map: Map<QualificationKind, bigint>): SQL {
  const parts = [...map.entries()]
    .filter(([, hours]) => hours > 0n)
    .map(
      ([kind, hours]) =>
        sql`CASE WHEN EXISTS (SELECT 1 FROM ${qualifications} q WHERE q.user_id = ${outer(users.id)} AND q.kind = ${kind}
          AND (q.expires_on IS NULL OR q.expires_on >= ${`${year}-01-01`}::date)) THEN ${fromHundredths(hours)}::numeric ELSE 0 END`,
    );
  return sql`GREATEST(0::numeric${parts.length ? sql`, ` : sql``}${sql.join(parts, sql`, `)})`;
}

/** 继续教育: the people the reader may see (active) who are short of CPE hours in the year, most missing first. */
export async function cpeShortfall(ctx: Ctx, query: CpeShortfallQuery): Promise<Page<CpeShortfallRow>> {
  const year = query.year ?? currentYear();
  const map = await requirementsOf(ctx.db);
  const conditions: SQL[] = [visibleUsers(ctx.actor), eq(users.active, true)];
  if (query.departmentId) {
    const [department] = await ctx.db
      .select({ path: departments.path })
      .from(departments)
      .where(eq(departments.id, query.departmentId));
    if (!department) conditions.push(sql`false`);
    else conditions.push(inArray(users.departmentId, departmentSubtree(department.path)));
  }
  if (query.q) conditions.push(sql`${users.displayName} ILIKE ${`%${query.q.replace(/[\\%_]/g, '\\$&')}%`}`);
  const taken = sql`coalesce((SELECT sum(e.hours) FROM ${cpeEntries} e WHERE e.user_id = ${outer(users.id)}
    AND e.taken_on BETWEEN ${`${year}-01-01`}::date AND ${`${year}-12-31`}::date), 0)`;
  const inner = ctx.db
    .select({
      userId: sql<string>`${users.id}`.as('user_id'),
      name: sql<string>`${users.displayName}`.as('name'),
      departmentName: sql<string | null>`${departments.name}`.as('department_name'),
      required: sql<string>`${requiredSql(year, map)}`.as('required'),
      hours: sql<string>`${taken}`.as('hours'),
    })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(and(...conditions))
    .as('p');
  const short = sql<string>`(${inner.required} - ${inner.hours})`;
  const order =
    query.sort === 'name'
      ? [asc(inner.name)]
      : query.sort === '-name'
        ? [desc(inner.name)]
        : query.sort === 'short'
          ? [asc(short), asc(inner.name)]
          : [desc(short), asc(inner.name)];
  const isShort = sql`${inner.required} > ${inner.hours}`;
  const { rows, total } = await pageCountedAlong(
    query,
    ctx.db
      .select({
        userId: inner.userId,
        name: inner.name,
        departmentName: inner.departmentName,
        required: sql<string>`${inner.required}::text`,
        hours: sql<string>`${inner.hours}::text`,
        short: sql<string>`${short}::text`,
        total: totalAlong(),
      })
      .from(inner)
      .where(isShort)
      .orderBy(...order, asc(inner.userId))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    () =>
      ctx.db
        .select({ total: sql<number>`count(*)`.mapWith(Number) })
        .from(inner)
        .where(isShort),
  );
  const tidy = (v: string) => hoursFrom(toHundredths(v));
  return {
    items: rows.map((r) => ({
      userId: r.userId,
      name: r.name,
      departmentName: r.departmentName,
      required: tidy(r.required),
      hours: tidy(r.hours),
      short: tidy(r.short),
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

/**
 * Staffing (engagements): SQL over `users` — the person holds a valid (not expired on `today`) qualification of
 * the kind; for a CPA also practising (the staff record's flag).
 */
export function holdsValidQualification(kind: QualificationKind, today: string): SQL<boolean> {
  const valid = sql`EXISTS (SELECT 1 FROM ${qualifications} q WHERE q.user_id = ${outer(users.id)} AND q.kind = ${kind}
    AND (q.expires_on IS NULL OR q.expires_on >= ${today}::date))`;
  return kind === 'cpa' ? sql<boolean>`(${outer(users.isPracticingCpa)} AND ${valid})` : sql<boolean>`${valid}`;
}

/** Of the kinds asked for, those the person validly holds (holdsValidQualification), as a text array. */
export function validQualificationsOf<K extends QualificationKind>(kinds: K[], today: string): SQL<K[]> {
  if (kinds.length === 0) return sql<K[]>`ARRAY[]::text[]`;
  const cells = kinds.map((kind) => sql`CASE WHEN ${holdsValidQualification(kind, today)} THEN ${kind}::text END`);
  return sql<K[]>`array_remove(ARRAY[${sql.join(cells, sql`, `)}], NULL)`;
}

/** Each person's weekly capacity in hours (40 without a profile), as SQL text over `users`. */
export const weeklyCapacityOf = sql<string>`coalesce((SELECT p.weekly_capacity::text FROM ${personProfiles} p
  WHERE p.user_id = ${outer(users.id)}), ${DEFAULT_WEEKLY_CAPACITY}::text)`;
