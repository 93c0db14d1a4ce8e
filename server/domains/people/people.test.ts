import { randomUUID } from 'node:crypto';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildDepartment, signedIn } from '../../test/factories';
import { createTestApp, secondInstanceDatabase, uniq, until, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { buildOrderWithLines, buildTemplate } from '../engagements/fixtures';
import { notifications } from '../notifications/notifications.tables';
import { day, today } from '../receivables/fixtures';
import { userBusinessLines, users } from '../staff/staff.tables';
import { cpeEntries, qualifications } from './people.tables';
import { remindAllExpiringQualifications } from './qualification-reminders';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workers: ['rule.qualification-reminders'] });
});
afterAll(() => t.close());

const db = () => t.database.db;
type Person = Awaited<ReturnType<typeof signedIn>>;

/** Hours in hundredths and back, computed here on their own. */
const h = (text: string) => Math.round(Number(text) * 100);
const text = (hundredths: number) => String(hundredths / 100);

/** A practice with its manager and two people, an administrator, and a manager and a person elsewhere. */
async function practice() {
  const department = await buildDepartment(db(), { name: uniq('审计二部') });
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
  const cpa = await signedIn(t, { roleCode: 'staff', departmentId: department.id, displayName: uniq('钱注师') });
  const colleague = await signedIn(t, { roleCode: 'staff', departmentId: department.id, displayName: uniq('孙助理') });
  const admin = await signedIn(t, { roleCode: 'admin' });
  const elsewhere = await buildDepartment(db(), { name: uniq('评估部') });
  const otherManager = await signedIn(t, { roleCode: 'manager', departmentId: elsewhere.id });
  const stranger = await signedIn(t, { roleCode: 'staff', departmentId: elsewhere.id });
  return { department, manager, cpa, colleague, admin, otherManager, stranger };
}

const qualificationsOf = async (userId: string) =>
  (await db().select({ n: count() }).from(qualifications).where(eq(qualifications.userId, userId)))[0].n;
const entriesOf = async (userId: string) =>
  (await db().select({ n: count() }).from(cpeEntries).where(eq(cpeEntries.userId, userId)))[0].n;

describe('people records 人员档案', () => {
  it('keeps title, education, capacity and qualifications (administrators), audited; a CPA’s practising flag is the staff record’s', async () => {
    const p = await practice();
    const empty = await p.cpa.client.get(`/api/v1/people/${p.cpa.user.id}`);
    expect(empty.status, JSON.stringify(empty.body)).toBe(200);
    expect(empty.body).toMatchObject({
      profile: { userId: p.cpa.user.id, titleLevel: 'none', degree: null, weeklyCapacity: '40' },
      qualifications: [],
      cpe: { hours: '0', required: '0', short: '0', entries: [] },
      canManage: false,
      canEditCpe: true,
    });

    const profile = await p.admin.client.put(`/api/v1/people/${p.cpa.user.id}/profile`, {
      titleLevel: 'intermediate',
      titleName: '中级会计师',
      degree: 'master',
      school: '西安交通大学',
      major: '会计学',
      weeklyCapacity: '37.5',
    });
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
    expect(profile.body.profile).toMatchObject({
      titleLevel: 'intermediate',
      titleName: '中级会计师',
      degree: 'master',
      school: '西安交通大学',
      major: '会计学',
      weeklyCapacity: '37.5',
    });

    const made = await p.admin.client.post(`/api/v1/people/${p.cpa.user.id}/qualifications`, {
      kind: 'cpa',
      certificateNo: '610100012345',
      issuedOn: '2015-06-30',
      expiresOn: day(10),
      practising: true,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ kind: 'cpa', practising: true, state: 'expiring', expiresOn: day(10) });
    const [flag] = await db().select({ v: users.isPracticingCpa }).from(users).where(eq(users.id, p.cpa.user.id));
    expect(flag.v).toBe(true);
    // The staff record changes it: the qualification shows the same.
    await db().update(users).set({ isPracticingCpa: false }).where(eq(users.id, p.cpa.user.id));
    const read = await p.manager.client.get(`/api/v1/people/${p.cpa.user.id}`);
    expect(read.body.qualifications).toEqual([expect.objectContaining({ id: made.body.id, practising: false })]);
    expect(read.body.profile.practising).toBe(false);

    const other = await p.admin.client.post(`/api/v1/people/${p.cpa.user.id}/qualifications`, {
      kind: 'other',
      name: '法律职业资格',
      certificateNo: 'A2019',
      expiresOn: day(-1),
    });
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    expect(other.body).toMatchObject({ name: '法律职业资格', practising: null, state: 'expired' });
    const renewed = await p.admin.client.put(`/api/v1/qualifications/${other.body.id}`, {
      kind: 'other',
      name: '法律职业资格',
      certificateNo: 'A2019',
      expiresOn: day(400),
    });
    expect(renewed.body).toMatchObject({ state: 'valid', expiresOn: day(400) });
    expect((await p.admin.client.delete(`/api/v1/qualifications/${other.body.id}`)).status).toBe(200);

    const audited = await db()
      .select({ type: auditLogs.entityType, action: auditLogs.action })
      .from(auditLogs)
      .where(inArray(auditLogs.entityId, [profile.body.profile.userId, made.body.id, other.body.id]));
    expect(audited).toEqual(
      expect.arrayContaining([
        { type: 'qualification', action: 'create' },
        { type: 'qualification', action: 'update' },
        { type: 'qualification', action: 'delete' },
        { type: 'user', action: 'update' },
      ]),
    );
    const [profileAudit] = await db()
      .select({ action: auditLogs.action, after: auditLogs.after })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'person-profile'), sql`${auditLogs.after} ->> 'userId' = ${p.cpa.user.id}`));
    expect(profileAudit).toMatchObject({
      action: 'create',
      after: { weeklyCapacity: '37.5', titleLevel: 'intermediate' },
    });
  });

  it('refuses bad input with a localised error and writes nothing', async () => {
    const p = await practice();
    const url = `/api/v1/people/${p.cpa.user.id}/qualifications`;
    const base = { kind: 'valuer-x', certificateNo: 'X1' };
    const cases: [object, string][] = [
      [{ ...base, kind: 'pilot' }, 'body.kind'],
      [{ kind: 'cpa', certificateNo: 'X1', issuedOn: '2024-02-30' }, 'body.issuedOn'],
      [{ kind: 'cpa', certificateNo: 'X1', expiresOn: '2024-13-01' }, 'body.expiresOn'],
      [{ kind: 'cpa', certificateNo: '' }, 'body.certificateNo'],
      [{ kind: 'cpa', certificateNo: 'X1', issuedOn: '2024-05-02', expiresOn: '2024-05-01' }, 'expiresOn'],
      [{ kind: 'other', certificateNo: 'X1' }, 'name'],
      [{ kind: 'cost-engineer', certificateNo: 'X1', practising: true }, 'practising'],
      [{ kind: 'cpa', certificateNo: 'X1', issuedOn: day(1) }, 'issuedOn'],
    ];
    for (const [body, path] of cases) {
      const res = await p.admin.client.post(url, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([path]);
    }
    const before = await p.admin.client.post(url, {
      kind: 'cpa',
      certificateNo: 'X1',
      issuedOn: '2024-05-02',
      expiresOn: '2024-05-01',
    });
    expect(before.body.error.details.issues[0].message).toBe('有效期至不能早于发证日期');
    // In the reader's language.
    expect((await p.admin.client.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
    const english = await p.admin.client.post(url, {
      kind: 'cpa',
      certificateNo: 'X1',
      issuedOn: '2024-05-02',
      expiresOn: '2024-05-01',
    });
    expect(english.body.error.code).toBe('VALIDATION_FAILED');
    expect(english.body.error.details.issues[0].message).toBe('The expiry date cannot be before the issue date');
    expect(await qualificationsOf(p.cpa.user.id)).toBe(0);

    const cpe = `/api/v1/people/${p.cpa.user.id}/cpe-entries`;
    const entry = { takenOn: today(), course: '新收入准则', hours: '8', kind: 'online' };
    for (const [body, path] of [
      [{ ...entry, hours: '-2' }, 'body.hours'],
      [{ ...entry, hours: '0' }, 'body.hours'],
      [{ ...entry, hours: '24.25' }, 'body.hours'],
      [{ ...entry, hours: '25' }, 'body.hours'],
      [{ ...entry, hours: '1.3' }, 'body.hours'],
      [{ ...entry, kind: 'seminar' }, 'body.kind'],
      [{ ...entry, takenOn: '2026-02-29' }, 'body.takenOn'],
      [{ ...entry, takenOn: day(1) }, 'takenOn'],
    ] as const) {
      const res = await p.cpa.client.post(cpe, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([path]);
    }
    const tooMany = await p.cpa.client.post(cpe, { ...entry, hours: '24.5' });
    expect(tooMany.body.error.details.issues[0].message).toBe(
      '每条继续教育学时须大于 0 且不超过 24 小时，以 0.25 小时为单位',
    );
    expect(await entriesOf(p.cpa.user.id)).toBe(0);
    // 24 hours is the most.
    expect((await p.cpa.client.post(cpe, { ...entry, hours: '24' })).status).toBe(201);

    const capacity = await p.admin.client.put(`/api/v1/people/${p.cpa.user.id}/profile`, {
      titleLevel: 'senior',
      weeklyCapacity: '0',
    });
    expect(capacity.status).toBe(400);
    expect(capacity.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['body.weeklyCapacity']);
    const level = await p.admin.client.put(`/api/v1/people/${p.cpa.user.id}/profile`, { titleLevel: 'chief' });
    expect(level.status).toBe(400);
  });

  it('shows a record to the person, their department’s manager and administrators; a stranger gets 404 as for no one', async () => {
    const p = await practice();
    const mine = `/api/v1/people/${p.cpa.user.id}`;
    for (const reader of [p.cpa, p.manager, p.admin]) expect((await reader.client.get(mine)).status).toBe(200);
    for (const reader of [p.stranger, p.otherManager, p.colleague]) {
      const hidden = await reader.client.get(mine);
      const nobody = await reader.client.get(`/api/v1/people/${randomUUID()}`);
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual(nobody.body);
    }

    // CPE: the person adds their own; the manager reads it but may not add; a stranger cannot even see it.
    const entry = { takenOn: today(), course: '审计准则更新', hours: '6.5', kind: 'classroom' };
    const added = await p.cpa.client.post(`${mine}/cpe-entries`, entry);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect((await p.manager.client.post(`${mine}/cpe-entries`, entry)).body.error.code).toBe('FORBIDDEN');
    expect((await p.stranger.client.post(`${mine}/cpe-entries`, entry)).status).toBe(404);
    expect((await p.stranger.client.delete(`/api/v1/cpe-entries/${added.body.id}`)).status).toBe(404);
    expect((await p.colleague.client.delete(`/api/v1/cpe-entries/${added.body.id}`)).status).toBe(404);
    expect((await p.manager.client.get(mine)).body.cpe.entries).toEqual([added.body]);
    // Qualifications and titles are the administrators’: 403 before anything else.
    expect((await p.cpa.client.put(`${mine}/profile`, { titleLevel: 'senior' })).status).toBe(403);
    expect((await p.manager.client.post(`${mine}/qualifications`, { kind: 'cpa', certificateNo: '1' })).status).toBe(
      403,
    );
    // The shortfall list is for managers and up.
    expect((await p.cpa.client.get('/api/v1/cpe/shortfall')).status).toBe(403);
    expect((await p.cpa.client.delete(`/api/v1/cpe-entries/${added.body.id}`)).status).toBe(200);
    const audited = await db()
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'cpe-entry'), eq(auditLogs.entityId, added.body.id)));
    expect(audited.map((a) => a.action).sort()).toEqual(['create', 'delete']);
  });
});

describe('continuing education 继续教育', () => {
  it('counts the year’s hours against the most any held qualification requires, and lists who is short', async () => {
    const p = await practice();
    const year = Number(today().slice(0, 4));
    const set = await p.admin.client.put('/api/v1/cpe/requirements', {
      items: [
        { kind: 'cpa', hours: '40' },
        { kind: 'tax-agent', hours: '24' },
        { kind: 'cost-engineer', hours: '50' },
      ],
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.items).toEqual(expect.arrayContaining([{ kind: 'tax-agent', hours: '24' }]));
    const department = await buildDepartment(db(), { name: uniq('继续教育部'), parentId: p.department.id });
    const person = (name: string) =>
      signedIn(t, { roleCode: 'staff', departmentId: department.id, displayName: uniq(name) });
    const [short, done, lapsed, taxOnly, none] = await Promise.all(
      ['甲', '乙', '丙', '丁', '戊'].map((n) => person(n)),
    );
    const hold = (who: Person, kind: 'cpa' | 'tax-agent' | 'cost-engineer', expiresOn: string | null = null) =>
      db()
        .insert(qualifications)
        .values({ userId: who.user.id, kind, certificateNo: uniq('C'), expiresOn });
    await hold(short, 'cpa');
    await hold(done, 'cpa', day(200));
    await hold(lapsed, 'cpa', `${year - 1}-12-31`);
    await hold(lapsed, 'cost-engineer', `${year - 1}-06-30`);
    await hold(taxOnly, 'tax-agent');
    const log = async (who: Person, takenOn: string, hours: string) => {
      const res = await p.admin.client.post(`/api/v1/people/${who.user.id}/cpe-entries`, {
        takenOn,
        course: '课程',
        hours,
        kind: 'online',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    };
    const jan1 = `${year}-01-01`;
    await log(short, jan1, '10');
    await log(short, jan1, '12.5');
    await log(short, `${year - 1}-12-31`, '24');
    for (const _ of [1, 2, 3, 4, 5]) await log(done, jan1, '8');
    await log(taxOnly, jan1, '20.25');
    await log(none, jan1, '1');

    const shortHours = h('40') - h('10') - h('12.5');
    const record = await short.client.get(`/api/v1/people/${short.user.id}`);
    expect(record.body.cpe).toMatchObject({
      year,
      hours: text(h('10') + h('12.5')),
      required: '40',
      short: text(shortHours),
    });
    expect(record.body.cpe.entries).toHaveLength(2);
    const lastYear = await short.client.get(`/api/v1/people/${short.user.id}`, { year: year - 1 });
    expect(lastYear.body.cpe).toMatchObject({ year: year - 1, hours: '24', required: '40', short: '16' });
    expect((await lapsed.client.get(`/api/v1/people/${lapsed.user.id}`)).body.cpe.required).toBe('0');
    expect((await lapsed.client.get(`/api/v1/people/${lapsed.user.id}`, { year: year - 1 })).body.cpe.required).toBe(
      '50',
    );

    const list = await p.manager.client.get('/api/v1/cpe/shortfall', { departmentId: department.id });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const taxShort = h('24') - h('20.25');
    expect(list.body).toMatchObject({ total: 2, page: 1 });
    expect(list.body.items).toEqual([
      {
        userId: short.user.id,
        name: short.user.displayName,
        departmentName: department.name,
        required: '40',
        hours: '22.5',
        short: text(shortHours),
      },
      {
        userId: taxOnly.user.id,
        name: taxOnly.user.displayName,
        departmentName: department.name,
        required: '24',
        hours: '20.25',
        short: text(taxShort),
      },
    ]);
    // Paged: the total stays right past the last page.
    const paged = await p.manager.client.get('/api/v1/cpe/shortfall', { departmentId: department.id, pageSize: 1 });
    expect(paged.body).toMatchObject({ total: 2, items: [expect.objectContaining({ userId: short.user.id })] });
    const past = await p.manager.client.get('/api/v1/cpe/shortfall', { departmentId: department.id, page: 3 });
    expect(past.body).toMatchObject({ total: 2, items: [] });
    // Last year every holder was short (甲 had 24 of 40 hours; the others none), the lapsed one included (held then).
    const before = await p.manager.client.get('/api/v1/cpe/shortfall', { departmentId: department.id, year: year - 1 });
    expect(before.body.items.map((r: { userId: string }) => r.userId).sort()).toEqual(
      [short.user.id, lapsed.user.id, done.user.id, taxOnly.user.id].sort(),
    );
    // Another department's manager sees none of them.
    const outside = await p.otherManager.client.get('/api/v1/cpe/shortfall', { departmentId: department.id });
    expect(outside.body.items).toEqual([]);
    expect((await p.manager.client.get('/api/v1/cpe/shortfall', { sort: 'bogus' })).status).toBe(400);
  });
});

describe('expiry reminders 证书到期提醒', () => {
  it('tell the holder and the administrators once per qualification and expiry date — whatever the runs and instances', async () => {
    const p = await practice();
    const add = (expiresOn: string | null) =>
      db()
        .insert(qualifications)
        .values({ userId: p.cpa.user.id, kind: 'cpa', certificateNo: uniq('E'), expiresOn })
        .returning()
        .then((r) => r[0]);
    const soon = await add(day(10));
    const edge = await add(day(30));
    const later = await add(day(31));
    const gone = await add(day(-1));
    const never = await add(null);
    const second = await secondInstanceDatabase(t.database);
    try {
      await Promise.all([
        remindAllExpiringQualifications({ db: db(), jobs: t.app.jobs }, { batch: 1 }),
        remindAllExpiringQualifications({ db: second.database.db, jobs: t.app.jobs }, { batch: 1 }),
      ]);
    } finally {
      await second.close();
    }
    await remindAllExpiringQualifications({ db: db(), jobs: t.app.jobs });
    const told = async (userId: string) =>
      (
        await db()
          .select({ params: notifications.params })
          .from(notifications)
          .where(
            and(
              eq(notifications.userId, userId),
              eq(notifications.kind, 'qualification-expiring'),
              eq(notifications.entityId, p.cpa.user.id),
            ),
          )
      )
        .map((n) => n.params as { certificateNo: string; days: number })
        .sort((a, b) => a.days - b.days);
    for (const userId of [p.cpa.user.id, p.admin.user.id]) {
      expect(await told(userId)).toEqual([
        expect.objectContaining({ certificateNo: soon.certificateNo, days: 10, expiresOn: day(10) }),
        expect.objectContaining({ certificateNo: edge.certificateNo, days: 30, expiresOn: day(30) }),
      ]);
    }
    expect(await told(p.manager.user.id)).toEqual([]);
    const stored = await db()
      .select({ id: qualifications.id, remindedFor: qualifications.remindedFor })
      .from(qualifications)
      .where(inArray(qualifications.id, [soon.id, edge.id, later.id, gone.id, never.id]));
    const remindedFor = Object.fromEntries(stored.map((s) => [s.id, s.remindedFor]));
    expect(remindedFor).toEqual({
      [soon.id]: day(10),
      [edge.id]: day(30),
      [later.id]: null,
      [gone.id]: null,
      [never.id]: null,
    });
    const bell = await p.cpa.client.get('/api/v1/notifications');
    expect(bell.body.items.map((n: { message: string }) => n.message)).toContain(
      `${p.cpa.user.displayName} 的证书（编号 ${soon.certificateNo}）将于 ${day(10)} 到期，还有 10 天，请及时办理续期`,
    );

    // Renewed to a new date within the window: reminded again, once.
    const renewed = await p.admin.client.put(`/api/v1/qualifications/${soon.id}`, {
      kind: 'cpa',
      certificateNo: soon.certificateNo,
      expiresOn: day(20),
    });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
    await remindAllExpiringQualifications({ db: db(), jobs: t.app.jobs });
    await remindAllExpiringQualifications({ db: db(), jobs: t.app.jobs });
    expect((await told(p.cpa.user.id)).map((n) => n.days)).toEqual([10, 20, 30]);
  });
});

describe('the daily job', () => {
  it('runs the expiry reminders through the queue', async () => {
    const holder = await signedIn(t, { roleCode: 'staff' });
    await db()
      .insert(qualifications)
      .values({ userId: holder.user.id, kind: 'cost-engineer', certificateNo: uniq('Q'), expiresOn: day(5) });
    await t.app.jobs.send(db(), 'rule.qualification-reminders', {});
    await until(
      async () =>
        (
          await db()
            .select({ n: count() })
            .from(notifications)
            .where(and(eq(notifications.userId, holder.user.id), eq(notifications.kind, 'qualification-expiring')))
        )[0].n === 1,
      20_000,
      'the daily job',
    );
  });
});

describe('staffing by qualification', () => {
  it('puts a practising CPA with a valid certificate before one whose certificate expired, and names the qualification', async () => {
    const department = await buildDepartment(db(), { name: uniq('审计三部') });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    const lead = await signedIn(t, { roleCode: 'staff', departmentId: department.id });
    const line = await buildBusinessLine(db(), { name: uniq('审计') });
    await buildTemplate(db(), line.id);
    const order = await buildOrderWithLines(
      db(),
      [{ businessLineId: line.id, description: '年报审计', amount: '9000' }],
      {
        ownerId: manager.user.id,
      },
    );
    const made = await manager.client.post('/api/v1/engagements', { orderId: order.id, leadId: lead.user.id });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const engagement = made.body.items[0];
    // Both practising and on the line; 甲 (sorted first by name) holds an expired certificate, 乙 a valid one.
    const expired = await signedIn(t, { roleCode: 'staff', displayName: uniq('甲过期') });
    const valid = await signedIn(t, { roleCode: 'staff', displayName: uniq('乙有效') });
    const appraiser = await signedIn(t, { roleCode: 'staff', displayName: uniq('丙评估') });
    await db()
      .update(users)
      .set({ isPracticingCpa: true })
      .where(inArray(users.id, [expired.user.id, valid.user.id]));
    await db()
      .insert(userBusinessLines)
      .values([expired, valid, appraiser].map((p) => ({ userId: p.user.id, businessLineId: line.id })));
    await db()
      .insert(qualifications)
      .values([
        { userId: expired.user.id, kind: 'cpa', certificateNo: uniq('X'), expiresOn: day(-1) },
        { userId: valid.user.id, kind: 'cpa', certificateNo: uniq('V'), expiresOn: day(0) },
        { userId: appraiser.user.id, kind: 'asset-appraiser', certificateNo: uniq('A') },
      ]);

    const suggest = async (query: Record<string, string>) => {
      const res = await manager.client.get(`/api/v1/engagements/${engagement.id}/staffing`, query);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items as { userId: string; qualified: boolean; qualifications: string[] }[];
    };
    const signing = await suggest({ role: 'signing-cpa' });
    const at = (id: string) => signing.findIndex((s) => s.userId === id);
    expect(signing[at(valid.user.id)]).toMatchObject({ qualified: true, qualifications: ['cpa'] });
    // Qualified and on the line: nobody else is both.
    expect(signing[0].userId).toBe(valid.user.id);
    if (at(expired.user.id) >= 0) {
      expect(at(expired.user.id)).toBeGreaterThan(at(valid.user.id));
      expect(signing[at(expired.user.id)]).toMatchObject({ qualified: false, qualifications: [] });
    }
    // The appraiser's role asks for an asset appraiser.
    const appraisers = await suggest({ role: 'appraiser' });
    expect(appraisers.find((s) => s.userId === appraiser.user.id)).toMatchObject({
      qualified: true,
      qualifications: ['asset-appraiser'],
    });
    // An assistant needs nothing: no qualification is named.
    expect((await suggest({ role: 'assistant' })).every((s) => s.qualified && s.qualifications.length === 0)).toBe(
      true,
    );
  });

  it('a phase needing a cost engineer 造价工程师 puts the valid certificate holder first, an expired one after', async () => {
    const department = await buildDepartment(db(), { name: uniq('工程造价部') });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: department.id });
    const line = await buildBusinessLine(db(), { name: uniq('工程审价') });
    await buildTemplate(db(), line.id, {
      phases: [
        {
          name: '审核',
          kind: 'work',
          durationDays: 10,
          roles: ['cost-engineer', 'assistant'],
          qualification: 'cost-engineer',
          tasks: [{ title: '工程量复核', role: 'assistant', plannedHours: '8' }],
        },
      ],
    });
    const order = await buildOrderWithLines(
      db(),
      [{ businessLineId: line.id, description: '结算审价', amount: '6000' }],
      {
        ownerId: manager.user.id,
      },
    );
    const made = await manager.client.post('/api/v1/engagements', { orderId: order.id, leadId: manager.user.id });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const engagement = made.body.items[0];
    const valid = await signedIn(t, { roleCode: 'staff', displayName: uniq('乙造价') });
    const lapsed = await signedIn(t, { roleCode: 'staff', displayName: uniq('甲造价') });
    await db()
      .insert(userBusinessLines)
      .values([valid, lapsed].map((p) => ({ userId: p.user.id, businessLineId: line.id })));
    await db()
      .insert(qualifications)
      .values([
        { userId: valid.user.id, kind: 'cost-engineer', certificateNo: uniq('G'), expiresOn: day(90) },
        { userId: lapsed.user.id, kind: 'cost-engineer', certificateNo: uniq('G'), expiresOn: day(-30) },
      ]);
    const res = await manager.client.get(`/api/v1/engagements/${engagement.id}/staffing`, {
      role: 'assistant',
      phaseId: engagement.phases[0].id,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const items = res.body.items as { userId: string; qualified: boolean; qualifications: string[] }[];
    // The only qualified person on the line: first.
    expect(items[0]).toMatchObject({ userId: valid.user.id, qualified: true, qualifications: ['cost-engineer'] });
    const at = items.findIndex((i) => i.userId === lapsed.user.id);
    if (at >= 0) expect(items[at]).toMatchObject({ qualified: false, qualifications: [] });
  });
});
