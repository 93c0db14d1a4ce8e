import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditCodeCheckChar } from '../../../common/credit-code';
import { buildBusinessLine, buildDepartment, buildOpportunity, buildUser, signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** A valid, unique unified social credit code. */
function creditCode(): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = '91610000';
  while (body.length < 17) body += alphabet[Math.floor(Math.random() * alphabet.length)];
  return body + creditCodeCheckChar(body);
}

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((c) => c.id);

async function createCustomer(client: Client, overrides: Record<string, unknown> = {}) {
  const res = await client.post('/api/v1/customers', { name: uniq('西安华达建设有限公司'), ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; ownerId: string | null };
}

describe('a salesperson’s customer', () => {
  it('is created with contacts and a contact log, answers the seed’s questions, and is invisible to another department', async () => {
    const { user: sales1, client: s1 } = await signedIn(t);
    const { client: s2 } = await signedIn(t);
    const code = creditCode();
    const customer = await createCustomer(s1, {
      name: '北京华达科技有限公司' + uniq(''),
      creditCode: code.toLowerCase(),
      status: 'customer',
      tags: ['年审'],
    });
    expect(customer.ownerId).toBe(sales1.id);
    const finance = await s1.post('/api/v1/contacts', {
      customerId: customer.id,
      name: '王会计',
      title: '财务经理',
      department: '财务部',
      phones: ['029-8765 4321'],
      emails: ['wang@huada.cn'],
      isPrimary: true,
    });
    expect(finance.status).toBe(201);
    const ap = await s1.post('/api/v1/contacts', {
      customerId: customer.id,
      name: '刘出纳',
      department: '应付账款',
      phones: ['13991234567'],
    });
    expect(ap.status).toBe(201);
    const log = await s1.post('/api/v1/contact-logs', {
      customerId: customer.id,
      contactId: finance.body.id,
      direction: 'inbound',
      channel: 'phone',
      occurredAt: '2026-11-20T10:30:00+08:00',
      summary: '客户来电询问年报审计报价',
      nextContactOn: '2026-12-01',
    });
    expect(log.status).toBe(201);
    expect(log.body).toMatchObject({
      direction: 'inbound',
      userId: sales1.id,
      contactName: '王会计',
      nextContactOn: '2026-12-01',
    });

    const got = await s1.get(`/api/v1/customers/${customer.id}`);
    expect(got.body).toMatchObject({
      creditCode: code,
      status: 'customer',
      lastContactAt: '2026-11-20T02:30:00.000Z',
      nextContactOn: '2026-12-01',
    });

    // Found by pinyin initials, by a phone fragment of a contact, by part of the credit code.
    for (const q of ['bjhd', '1234567', code.slice(4, 12), '华达科技', 'huada']) {
      const found = await s1.get('/api/v1/customers', { q });
      expect(ids(found), q).toContain(customer.id);
      expect(found.body.total, q).toBe(found.body.items.length);
    }
    expect(ids(await s1.get('/api/v1/customers', { dueBy: '2026-12-01' }))).toContain(customer.id);
    expect(ids(await s1.get('/api/v1/customers', { dueBy: '2026-11-30' }))).not.toContain(customer.id);

    // The customer page in one answer: profile, contacts by name, the newest log entries.
    const overview = await s1.get(`/api/v1/customers/${customer.id}/overview`);
    expect(overview.status).toBe(200);
    expect(overview.body.customer).toMatchObject({ id: customer.id, creditCode: code, nextContactOn: '2026-12-01' });
    expect(overview.body.contacts.map((c: { name: string }) => c.name)).toEqual(['刘出纳', '王会计']);
    expect(overview.body.contactLog).toMatchObject({
      total: 1,
      items: [
        {
          id: log.body.id,
          summary: '客户来电询问年报审计报价',
          occurredAt: '2026-11-20T02:30:00.000Z',
          nextContactOn: '2026-12-01',
          contactName: '王会计',
          userName: sales1.displayName,
          direction: 'inbound',
        },
      ],
    });
    // The same entries as the contact-log list answers.
    expect(overview.body.contactLog.items).toEqual(
      (await s1.get('/api/v1/contact-logs', { customerId: customer.id })).body.items,
    );
    expect(overview.body.contacts).toEqual(
      (await s1.get('/api/v1/contacts', { customerId: customer.id, sort: 'name' })).body.items,
    );

    // Another salesperson sees none of it, through any route.
    expect((await s2.get(`/api/v1/customers/${customer.id}`)).status).toBe(404);
    expect((await s2.get(`/api/v1/customers/${customer.id}/overview`)).status).toBe(404);
    expect(ids(await s2.get('/api/v1/customers', { q: 'bjhd', pageSize: 100 }))).not.toContain(customer.id);
    expect((await s2.get(`/api/v1/contacts/${finance.body.id}`)).status).toBe(404);
    expect((await s2.get('/api/v1/contacts', { customerId: customer.id })).body.total).toBe(0);
    expect((await s2.get(`/api/v1/contact-logs/${log.body.id}`)).status).toBe(404);
    expect((await s2.get('/api/v1/contact-logs', { customerId: customer.id })).body.total).toBe(0);
    expect((await s2.get(`/api/v1/customers/${customer.id}/owner-history`)).status).toBe(404);
    expect((await s2.patch(`/api/v1/customers/${customer.id}`, { name: '改名' })).status).toBe(404);
    expect(
      (
        await s2.post('/api/v1/contact-logs', {
          customerId: customer.id,
          direction: 'outbound',
          channel: 'phone',
          summary: 'x',
        })
      ).status,
    ).toBe(404);
  });

  it('is seen by the managers of the owner’s department and above, and by finance read-only', async () => {
    const top = await buildDepartment(t.database.db);
    const team = await buildDepartment(t.database.db, { parentId: top.id });
    const { client: owner } = await signedIn(t, { departmentId: team.id });
    const customer = await createCustomer(owner);
    const { client: manager } = await signedIn(t, { roleCode: 'manager', departmentId: top.id });
    const { client: otherManager } = await signedIn(t, { roleCode: 'manager' });
    const { client: exec } = await signedIn(t, { roleCode: 'executive' });
    const { client: finance } = await signedIn(t, { roleCode: 'finance' });
    expect((await manager.get(`/api/v1/customers/${customer.id}`)).status).toBe(200);
    expect((await manager.patch(`/api/v1/customers/${customer.id}`, { industry: '建筑业' })).body.industry).toBe(
      '建筑业',
    );
    expect((await otherManager.get(`/api/v1/customers/${customer.id}`)).status).toBe(404);
    expect((await exec.get(`/api/v1/customers/${customer.id}`)).status).toBe(200);
    expect((await finance.get(`/api/v1/customers/${customer.id}`)).status).toBe(200);
    expect((await finance.patch(`/api/v1/customers/${customer.id}`, { industry: 'x' })).status).toBe(403);
    expect((await finance.post('/api/v1/customers', { name: 'x' })).status).toBe(403);
  });
});

describe('record pages read again after the reader changes', () => {
  it('a manager moved to another department, then given a salesperson’s role, loses the page at once', async () => {
    const team = await buildDepartment(t.database.db);
    const elsewhere = await buildDepartment(t.database.db);
    const { client: owner } = await signedIn(t, { departmentId: team.id });
    const customer = await createCustomer(owner);
    const { client: manager, user } = await signedIn(t, { roleCode: 'manager', departmentId: team.id });
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    // The page and the detail are built once per reader and reused: read them twice first.
    for (let i = 0; i < 2; i++) {
      expect((await manager.get(`/api/v1/customers/${customer.id}/overview`)).status).toBe(200);
      expect((await manager.get(`/api/v1/customers/${customer.id}`)).status).toBe(200);
    }
    expect((await admin.patch(`/api/v1/users/${user.id}`, { departmentId: elsewhere.id })).status).toBe(200);
    expect((await manager.get(`/api/v1/customers/${customer.id}/overview`)).status).toBe(404);
    expect((await manager.get(`/api/v1/customers/${customer.id}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/users/${user.id}`, { departmentId: team.id })).status).toBe(200);
    expect((await manager.get(`/api/v1/customers/${customer.id}`)).status).toBe(200);
    const salesperson = (await admin.get('/api/v1/roles')).body.items.find(
      (r: { code: string }) => r.code === 'salesperson',
    );
    expect((await admin.patch(`/api/v1/users/${user.id}`, { roleId: salesperson.id })).status).toBe(200);
    expect((await manager.get(`/api/v1/customers/${customer.id}/overview`)).status).toBe(404);
  });
});

describe('the list’s statements, built once per reader and shape', () => {
  it('answer each request for its own values: filters, searches and pages asked one after another', async () => {
    const { client } = await signedIn(t);
    const word = uniq('');
    const a = await createCustomer(client, { name: `秦川${word}甲`, status: 'customer', tags: ['年审'] });
    const b = await createCustomer(client, { name: `秦川${word}乙`, status: 'prospect', tags: ['代账'] });
    const c = await createCustomer(client, { name: `华达${word}丙`, status: 'customer', tags: ['代账'] });
    const mine = (query: Record<string, unknown>) =>
      client.get('/api/v1/customers', { view: 'mine', pageSize: 100, ...query }).then(ids);
    // The same shape twice with other values, each answered for its values.
    expect(await mine({ status: 'customer' })).toEqual(expect.arrayContaining([a.id, c.id]));
    expect(await mine({ status: 'customer' })).not.toContain(b.id);
    expect(await mine({ status: 'prospect' })).toEqual([b.id]);
    expect((await mine({ tag: '代账' })).sort()).toEqual([b.id, c.id].sort());
    expect(await mine({ tag: '年审' })).toEqual([a.id]);
    expect(await mine({ tag: '代账', status: 'prospect' })).toEqual([b.id]);
    // Searches of both kinds (a two-character Chinese word, a longer word), then ranked by name first.
    expect((await mine({ q: '秦川' })).sort()).toEqual([a.id, b.id].sort());
    expect(await mine({ q: '华达' })).toEqual([c.id]);
    expect(await mine({ q: `秦川${word}乙` })).toEqual([b.id]);
    expect(await mine({ q: `华达${word}` })).toEqual([c.id]);
    // Pages of one list: the same statement with another offset.
    const byName = (page: number) => client.get('/api/v1/customers', { view: 'mine', sort: 'name', pageSize: 1, page });
    const pages = await Promise.all([1, 2, 3].map(byName));
    expect(pages.map((p) => ids(p)[0])).toEqual(
      [a.id, b.id, c.id].sort((x, y) => {
        const name = (id: string) => [a, b, c].find((r) => r.id === id)!.name;
        return name(x) < name(y) ? -1 : 1;
      }),
    );
    expect(pages.map((p) => p.body.total)).toEqual([3, 3, 3]);
  });
});

describe('credit codes', () => {
  it('refuses an invalid check character with a localised message and a duplicate with 409', async () => {
    const { client } = await signedIn(t);
    const code = creditCode();
    const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
    const bad = await client.post('/api/v1/customers', { name: uniq('公司'), creditCode: wrong });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0]).toMatchObject({
      path: 'body.creditCode',
      message: '统一社会信用代码应为 18 位且校验位正确',
    });
    await createCustomer(client, { creditCode: code });
    const { client: other } = await signedIn(t);
    const dup = await other.post('/api/v1/customers', { name: uniq('公司'), creditCode: code });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'DUPLICATE_VALUE', message: `统一社会信用代码「${code}」已存在` });
  });
});

describe('the public pool 公海', () => {
  it('is visible to every salesperson; claiming is atomic; releasing returns it; every change is history', async () => {
    const { client: a, user: userA } = await signedIn(t);
    const { client: b, user: userB } = await signedIn(t);
    const customer = await createCustomer(a, { ownerId: null });
    expect(customer.ownerId).toBeNull();
    expect(ids(await b.get('/api/v1/customers', { view: 'pool', pageSize: 100, q: customer.name }))).toEqual([
      customer.id,
    ]);
    // Visible, but nobody changes a pool customer before claiming it.
    expect((await b.patch(`/api/v1/customers/${customer.id}`, { industry: 'x' })).status).toBe(403);

    const [first, second] = await Promise.all([
      a.post(`/api/v1/customers/${customer.id}/claim`),
      b.post(`/api/v1/customers/${customer.id}/claim`),
    ]);
    const statuses = [first.status, second.status].sort();
    // The loser can no longer see the customer: "not found", as for any customer of someone else.
    expect(statuses).toEqual([200, 404]);
    const loser = first.status === 404 ? first : second;
    expect(loser.body.error.code).toBe('NOT_FOUND');
    const winner = first.status === 200 ? { client: a, user: userA } : { client: b, user: userB };
    const other = winner.client === a ? b : a;
    expect((await other.get(`/api/v1/customers/${customer.id}`)).status).toBe(404);

    const released = await winner.client.post(`/api/v1/customers/${customer.id}/release`, { reason: '客户暂无需求' });
    expect(released.body.ownerId).toBeNull();
    expect((await other.get(`/api/v1/customers/${customer.id}`)).status).toBe(200);
    const history = await other.get(`/api/v1/customers/${customer.id}/owner-history`);
    expect(history.body.map((h: { kind: string }) => h.kind)).toEqual(['release', 'claim', 'create']);
    expect(history.body[0]).toMatchObject({ fromUserId: winner.user.id, toUserId: null, reason: '客户暂无需求' });
  });

  it('lets only the owner (or a manager above them) release a customer', async () => {
    const dept = await buildDepartment(t.database.db);
    const { client: owner, user } = await signedIn(t, { departmentId: dept.id });
    const { client: colleague } = await signedIn(t, { departmentId: dept.id });
    const customer = await createCustomer(owner);
    await owner.post(`/api/v1/customers/${customer.id}/share`, { userIds: [colleague.me!.user.id] });
    expect((await colleague.post(`/api/v1/customers/${customer.id}/release`, {})).status).toBe(403);
    const { client: manager } = await signedIn(t, { roleCode: 'manager', departmentId: dept.id });
    expect((await manager.post(`/api/v1/customers/${customer.id}/release`, {})).body.ownerId).toBeNull();
    expect((await owner.get(`/api/v1/customers/${customer.id}/owner-history`)).body[0].fromUserId).toBe(user.id);
  });
});

describe('assignment and sharing', () => {
  it('a manager reassigns within the department; a salesperson may not; a deactivated owner is refused', async () => {
    const dept = await buildDepartment(t.database.db);
    const { client: owner } = await signedIn(t, { departmentId: dept.id });
    const successor = await buildUser(t.database.db, { departmentId: dept.id });
    const customer = await createCustomer(owner);
    expect((await owner.post(`/api/v1/customers/${customer.id}/assign`, { ownerId: successor.id })).status).toBe(403);
    const { client: manager } = await signedIn(t, { roleCode: 'manager', departmentId: dept.id });
    const gone = await buildUser(t.database.db, { departmentId: dept.id, active: false });
    const refused = await manager.post(`/api/v1/customers/${customer.id}/assign`, { ownerId: gone.id });
    expect(refused.body.error).toMatchObject({ code: 'INACTIVE_REFERENCE', message: '所选负责业务员已停用或不存在' });
    const res = await manager.post(`/api/v1/customers/${customer.id}/assign`, {
      ownerId: successor.id,
      reason: '交接',
    });
    expect(res.body).toMatchObject({ ownerId: successor.id, ownerName: successor.displayName });
    expect((await owner.get(`/api/v1/customers/${customer.id}`)).status).toBe(404);
    const { client: outsider } = await signedIn(t, { roleCode: 'manager' });
    expect((await outsider.post(`/api/v1/customers/${customer.id}/assign`, { ownerId: successor.id })).status).toBe(
      404,
    );
  });

  it('a shared colleague sees the customer and logs contacts until the share is removed', async () => {
    const { client: owner } = await signedIn(t);
    const { client: colleague, user } = await signedIn(t);
    const customer = await createCustomer(owner);
    const shared = await owner.post(`/api/v1/customers/${customer.id}/share`, { userIds: [user.id] });
    expect(shared.body.sharedWith).toEqual([{ id: user.id, name: user.displayName }]);
    expect(ids(await colleague.get('/api/v1/customers', { view: 'shared' }))).toContain(customer.id);
    expect(
      (
        await colleague.post('/api/v1/contact-logs', {
          customerId: customer.id,
          direction: 'outbound',
          channel: 'visit',
          summary: '上门拜访',
        })
      ).status,
    ).toBe(201);
    await owner.post(`/api/v1/customers/${customer.id}/share`, { userIds: [] });
    expect((await colleague.get(`/api/v1/customers/${customer.id}`)).status).toBe(404);
  });
});

describe('contacts and the contact log', () => {
  it('keeps one primary contact and refuses a contact of another customer on a log', async () => {
    const { client } = await signedIn(t);
    const a = await createCustomer(client);
    const b = await createCustomer(client);
    const first = await client.post('/api/v1/contacts', { customerId: a.id, name: '甲', isPrimary: true });
    const second = await client.post('/api/v1/contacts', { customerId: a.id, name: '乙', isPrimary: true });
    const list = await client.get('/api/v1/contacts', { customerId: a.id });
    expect(list.body.items.find((c: { id: string }) => c.id === first.body.id).isPrimary).toBe(false);
    expect(list.body.items.find((c: { id: string }) => c.id === second.body.id).isPrimary).toBe(true);
    const wrong = await client.post('/api/v1/contact-logs', {
      customerId: b.id,
      contactId: first.body.id,
      direction: 'outbound',
      channel: 'phone',
      summary: 'x',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('INACTIVE_REFERENCE');
  });

  it('refuses a contact without a customer, bad phones and e-mails, and an unknown direction', async () => {
    const { client } = await signedIn(t);
    const customer = await createCustomer(client);
    expect((await client.post('/api/v1/contacts', { name: '无主' })).status).toBe(400);
    const bad = await client.post('/api/v1/contacts', {
      customerId: customer.id,
      name: '甲',
      phones: ['call me'],
      emails: ['nope'],
    });
    expect(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'body.emails.0',
      'body.phones.0',
    ]);
    expect(
      (
        await client.post('/api/v1/contact-logs', {
          customerId: customer.id,
          direction: 'sideways',
          channel: 'phone',
          summary: 'x',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await client.post('/api/v1/contact-logs', {
          customerId: customer.id,
          direction: 'inbound',
          channel: 'phone',
          summary: 'x',
          nextContactOn: '2026-02-30',
        })
      ).status,
    ).toBe(400);
  });

  it('the latest entry sets the last and next contact; deleting it falls back to the one before', async () => {
    const { client } = await signedIn(t);
    const customer = await createCustomer(client);
    const older = {
      customerId: customer.id,
      direction: 'outbound',
      channel: 'phone',
      summary: '首次电话',
      occurredAt: '2026-10-01T09:00:00+08:00',
      nextContactOn: '2026-10-15',
    };
    const newer = { ...older, summary: '跟进', occurredAt: '2026-10-14T09:00:00+08:00', nextContactOn: '2026-11-01' };
    await client.post('/api/v1/contact-logs', older);
    const latest = await client.post('/api/v1/contact-logs', newer);
    expect((await client.get(`/api/v1/customers/${customer.id}`)).body).toMatchObject({
      nextContactOn: '2026-11-01',
      lastContactAt: '2026-10-14T01:00:00.000Z',
    });
    expect((await client.delete(`/api/v1/contact-logs/${latest.body.id}`)).status).toBe(200);
    expect((await client.get(`/api/v1/customers/${customer.id}`)).body).toMatchObject({
      nextContactOn: '2026-10-15',
      lastContactAt: '2026-10-01T01:00:00.000Z',
    });
    const timeline = await client.get('/api/v1/contact-logs', { customerId: customer.id });
    expect(timeline.body.items.map((l: { summary: string }) => l.summary)).toEqual(['首次电话']);
  });
});

describe('the answer box', () => {
  it('answers the seed’s questions on one card, found by fragment, initials or phone — only for those who may see the customer', async () => {
    const { client: owner, user } = await signedIn(t);
    const { client: stranger } = await signedIn(t);
    const name = `陕西秦川${uniq('机械')}有限公司`;
    const customer = await createCustomer(owner, { name, email: 'office@qinchuan.cn', phone: '029-8888 0000' });
    await owner.post('/api/v1/contacts', {
      customerId: customer.id,
      name: '赵总',
      title: '总经理',
      phones: ['13800001111'],
      isPrimary: true,
    });
    await owner.post('/api/v1/contacts', {
      customerId: customer.id,
      name: '钱会计',
      department: '应付账款',
      phones: ['029-8888 1234'],
      emails: ['ap@qinchuan.cn'],
    });
    await owner.post('/api/v1/contact-logs', {
      customerId: customer.id,
      direction: 'outbound',
      channel: 'phone',
      summary: '确认年审时间',
      occurredAt: '2026-11-02T15:00:00+08:00',
      nextContactOn: '2026-12-10',
    });
    // Open business: two open opportunities (amounts that floats would add wrongly) and a lost one that does not count.
    await buildOpportunity(t, { ownerId: user.id, customerId: customer.id, name: '年报审计', expectedAmount: '0.10' });
    await buildOpportunity(t, { ownerId: user.id, customerId: customer.id, name: '专项审计', expectedAmount: '0.20' });
    const lost = await buildOpportunity(t, {
      ownerId: user.id,
      customerId: customer.id,
      name: '验资',
      expectedAmount: '999.00',
    });
    const lostStage = (await owner.get('/api/v1/pipelines', { businessLineId: lost.businessLineId })).body.stages.find(
      (s: { kind: string }) => s.kind === 'lost',
    );
    expect(
      (await owner.post(`/api/v1/opportunities/${lost.id}/move`, { stageId: lostStage.id, lostReason: '客户预算取消' }))
        .status,
    ).toBe(200);

    for (const q of ['秦川', 'sxqc', '88881234', 'ap@qinchuan']) {
      const res = await owner.get('/api/v1/answers', { q });
      expect(res.status).toBe(200);
      const hit = res.body.cards.find((c: { customer: { id: string } }) => c.customer.id === customer.id);
      expect(hit, q).toBeDefined();
      expect(hit.customer).toMatchObject({
        email: 'office@qinchuan.cn',
        ownerId: user.id,
        ownerName: user.displayName,
        nextContactOn: '2026-12-10',
      });
      expect(hit.primaryContact).toMatchObject({ name: '赵总', phones: ['13800001111'] });
      expect(hit.payablesContact).toMatchObject({ name: '钱会计', phones: ['029-8888 1234'] });
      expect(hit.lastContact).toMatchObject({
        at: '2026-11-02T07:00:00.000Z',
        direction: 'outbound',
        summary: '确认年审时间',
      });
      expect(hit.contactCount).toBe(2);
      expect(hit.openBusiness).toMatchObject({ count: 2, totalAmount: '0.30' });
      expect(hit.openBusiness.top.map((o: { name: string }) => o.name)).toEqual(['专项审计', '年报审计']);
    }
    // A second customer found by the same word gets its own contacts, last contact and business, not the first's.
    const other = await createCustomer(owner, { name: `陕西秦川${uniq('汽车')}有限公司` });
    await owner.post('/api/v1/contacts', {
      customerId: other.id,
      name: '孙经理',
      phones: ['13900002222'],
      isPrimary: true,
    });
    const both = (await owner.get('/api/v1/answers', { q: '秦川' })).body.cards as {
      customer: { id: string };
      primaryContact: { name: string } | null;
      contactCount: number;
      lastContact: unknown;
      openBusiness: { count: number };
    }[];
    const second = both.find((card) => card.customer.id === other.id)!;
    expect(second).toMatchObject({ primaryContact: { name: '孙经理' }, contactCount: 1, lastContact: null });
    expect(second.openBusiness.count).toBe(0);
    expect(both.find((card) => card.customer.id === customer.id)).toMatchObject({ contactCount: 2 });
    const byPhone = (await owner.get('/api/v1/answers', { q: '88881234' })).body.cards[0];
    expect(byPhone.matchedContacts.map((c: { name: string }) => c.name)).toEqual(['钱会计']);
    expect((await stranger.get('/api/v1/answers', { q: name })).body.cards).toEqual([]);
    expect((await owner.get('/api/v1/answers', { q: '' })).status).toBe(400);
  });
});

describe('recurring services', () => {
  it('answers "which customers are due for their audit soon" with one filter, and moves on a cycle when done', async () => {
    const { client } = await signedIn(t);
    const { client: stranger } = await signedIn(t);
    const line = await buildBusinessLine(t.database.db, { name: uniq('审计') });
    const dueSoon = await createCustomer(client);
    const dueLater = await createCustomer(client);
    const audit = await client.post('/api/v1/customer-services', {
      customerId: dueSoon.id,
      businessLineId: line.id,
      cycle: 'annual',
      nextDueOn: '2027-03-31',
    });
    expect(audit.status).toBe(201);
    expect(audit.body).toMatchObject({ businessLineName: line.name, cycle: 'annual', nextDueOn: '2027-03-31' });
    await client.post('/api/v1/customer-services', {
      customerId: dueLater.id,
      businessLineId: line.id,
      cycle: 'annual',
      nextDueOn: '2027-09-30',
    });

    const due = await client.get('/api/v1/customers', { serviceLineId: line.id, serviceDueBy: '2027-04-30' });
    expect(ids(due)).toEqual([dueSoon.id]);
    expect(due.body.total).toBe(1);
    expect(
      ids(await stranger.get('/api/v1/customers', { serviceLineId: line.id, serviceDueBy: '2027-04-30' })),
    ).toEqual([]);
    expect((await stranger.get('/api/v1/customer-services', { businessLineId: line.id })).body.total).toBe(0);

    const done = await client.post(`/api/v1/customer-services/${audit.body.id}/complete`);
    expect(done.body.nextDueOn).toBe('2028-03-31');
    expect(ids(await client.get('/api/v1/customers', { serviceLineId: line.id, serviceDueBy: '2027-04-30' }))).toEqual(
      [],
    );
    const monthly = await client.post('/api/v1/customer-services', {
      customerId: dueLater.id,
      businessLineId: line.id,
      cycle: 'monthly',
      nextDueOn: '2027-01-31',
    });
    expect((await client.post(`/api/v1/customer-services/${monthly.body.id}/complete`)).body.nextDueOn).toBe(
      '2027-02-28',
    );
    expect(
      (
        await client.post('/api/v1/customer-services', {
          customerId: dueLater.id,
          businessLineId: line.id,
          cycle: 'weekly',
          nextDueOn: '2027-01-31',
        })
      ).status,
    ).toBe(400);
  });
});

describe('duplicates', () => {
  it('warns about the same credit code or a very similar name firm-wide, revealing ids only of visible customers', async () => {
    const { client: owner } = await signedIn(t);
    const { client: other } = await signedIn(t);
    const core = `渭南${uniq('恒信')}`;
    const code = creditCode();
    const mine = await createCustomer(owner, { name: `${core}建设有限公司`, creditCode: code });
    const res = await owner.get('/api/v1/customers/duplicates', { name: `${core}建设（集团）有限责任公司` });
    expect(res.body).toEqual([{ id: mine.id, name: mine.name, ownerName: expect.any(String), reason: 'same-name' }]);
    const similar = await owner.get('/api/v1/customers/duplicates', { name: `${core}建设工程有限公司` });
    expect(similar.body.map((d: { reason: string }) => d.reason)).toEqual(['similar-name']);
    const byCode = await other.get('/api/v1/customers/duplicates', { creditCode: code.toLowerCase() });
    expect(byCode.body).toEqual([{ id: null, name: mine.name, ownerName: expect.any(String), reason: 'credit-code' }]);
    expect((await owner.get('/api/v1/customers/duplicates', { name: '无关的名字有限公司' })).body).toEqual([]);
    expect(
      (await owner.get('/api/v1/customers/duplicates', { name: `${core}建设有限公司`, excludeId: mine.id })).body,
    ).toEqual([]);
  });

  it('merges two customers keeping all contacts, logs, services and history; the duplicate is gone', async () => {
    const { client, user } = await signedIn(t);
    const line = await buildBusinessLine(t.database.db);
    const keep = await createCustomer(client, { tags: ['甲'] });
    const code = creditCode();
    const dup = await createCustomer(client, { creditCode: code, email: 'dup@example.cn', tags: ['乙'] });
    await client.post('/api/v1/contacts', { customerId: keep.id, name: '张一', isPrimary: true });
    await client.post('/api/v1/contacts', {
      customerId: dup.id,
      name: '李二',
      isPrimary: true,
      phones: ['13700000001'],
    });
    await client.post('/api/v1/contact-logs', {
      customerId: dup.id,
      direction: 'inbound',
      channel: 'phone',
      summary: '重复客户上的来电',
      occurredAt: '2026-11-01T10:00:00+08:00',
      nextContactOn: '2026-12-24',
    });
    await client.post('/api/v1/customer-services', {
      customerId: dup.id,
      businessLineId: line.id,
      cycle: 'annual',
      nextDueOn: '2027-03-31',
    });

    expect((await client.post(`/api/v1/customers/${keep.id}/merge`, { duplicateId: keep.id })).body.error.code).toBe(
      'MERGE_SAME_CUSTOMER',
    );
    const merged = await client.post(`/api/v1/customers/${keep.id}/merge`, { duplicateId: dup.id });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({
      id: keep.id,
      creditCode: code,
      email: 'dup@example.cn',
      nextContactOn: '2026-12-24',
      tags: ['甲', '乙'],
    });
    expect((await client.get(`/api/v1/customers/${dup.id}`)).status).toBe(404);
    const contactsAfter = (await client.get('/api/v1/contacts', { customerId: keep.id })).body.items;
    expect(contactsAfter.map((c: { name: string }) => c.name).sort()).toEqual(['张一', '李二']);
    expect(contactsAfter.filter((c: { isPrimary: boolean }) => c.isPrimary)).toHaveLength(1);
    expect((await client.get('/api/v1/contact-logs', { customerId: keep.id })).body.items[0].summary).toBe(
      '重复客户上的来电',
    );
    expect((await client.get('/api/v1/customer-services', { customerId: keep.id })).body.total).toBe(1);
    expect((await client.get(`/api/v1/customers/${keep.id}/owner-history`)).body).toHaveLength(2);
    // Found by the duplicate's phone and credit code now.
    expect(ids(await client.get('/api/v1/customers', { q: '13700000001' }))).toEqual([keep.id]);
    expect(ids(await client.get('/api/v1/customers', { q: code }))).toEqual([keep.id]);
    const audit = await (
      await signedIn(t, { roleCode: 'admin' })
    ).client.get('/api/v1/audit-logs', { entityId: keep.id, action: 'merge' });
    expect(audit.body.items[0]).toMatchObject({ actorId: user.id });
  });

  it('refuses to merge a customer the caller cannot change', async () => {
    const { client: a } = await signedIn(t);
    const { client: b } = await signedIn(t);
    const mine = await createCustomer(a);
    const theirs = await createCustomer(b);
    expect((await a.post(`/api/v1/customers/${mine.id}/merge`, { duplicateId: theirs.id })).status).toBe(404);
    expect((await b.get(`/api/v1/customers/${theirs.id}`)).status).toBe(200);
  });
});
