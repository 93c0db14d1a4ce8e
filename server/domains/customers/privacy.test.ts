import { and, count, eq, inArray } from 'drizzle-orm';
import PizZip from 'pizzip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERASED_CONTACT_NAME } from '../../../common/privacy';
import { auditLogs } from '../audit/audit.tables';
import { leads } from '../leads/leads.tables';
import { roles, users } from '../staff/staff.tables';
import { signedIn } from '../../test/factories';
import { createTestApp, multipart, uniq, type Client, type TestApp } from '../../test/harness';
import { contactLogs, contacts } from './customers.tables';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** A salesperson's customer with two contacts, logs about each (one with a document) and an opportunity. */
async function customerWithContacts(owner: Client) {
  const customer = (await owner.post('/api/v1/customers', { name: uniq('西安华达建设有限公司') })).body;
  const name = uniq('李秀英');
  const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const email = `${uniq('li').toLowerCase()}@huada.cn`;
  const contact = (
    await owner.post('/api/v1/contacts', {
      customerId: customer.id,
      name,
      title: '财务总监',
      department: '财务部',
      phones: [phone],
      emails: [email],
      wechat: 'lixiuying88',
      notes: '喜欢下午来电',
    })
  ).body;
  const other = (
    await owner.post('/api/v1/contacts', { customerId: customer.id, name: uniq('赵建国'), phones: ['13800001111'] })
  ).body;
  const log = async (summary: string, contactId?: string) =>
    (
      await owner.post('/api/v1/contact-logs', {
        customerId: customer.id,
        contactId,
        direction: 'outbound',
        channel: 'phone',
        summary,
      })
    ).body;
  const linked = await log(`与${name}确认年报审计范围，她的邮箱 ${email}`, contact.id);
  const named = await log(`${other.name}说下周请${name}回电 ${phone}`);
  const othersLog = await log(`与${other.name}谈代理记账`, other.id);
  const { payload, headers } = multipart([{ filename: '名片.txt', content: Buffer.from('李秀英 财务总监') }]);
  const attached = await owner.request('POST', `/api/v1/contact-logs/${linked.id}/attachments`, undefined, {
    payload,
    headers,
  });
  expect(attached.status).toBe(201);
  const { payload: p2, headers: h2 } = multipart([{ filename: '别人.txt', content: Buffer.from('赵建国') }]);
  await owner.request('POST', `/api/v1/contact-logs/${othersLog.id}/attachments`, undefined, {
    payload: p2,
    headers: h2,
  });
  return { customer, contact, other, name, phone, email, logs: { linked, named, othersLog } };
}

/** The zip an export answers, read back. */
async function exported(client: Client, contactId: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/contacts/${contactId}/personal-data`,
    headers: { cookie: client.cookie! },
  });
  return { status: res.statusCode, headers: res.headers, raw: res.rawPayload, json: () => res.json() };
}

async function auditOf(entityId: string, action: string) {
  return t.database.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, entityId), eq(auditLogs.action, action)));
}

describe('personal-information export', () => {
  it("holds the contact's record, the logs naming them and their files, and nothing of another contact", async () => {
    const { client: owner } = await signedIn(t);
    const { client: admin } = await signedIn(t, { roleCode: 'admin' });
    const x = await customerWithContacts(owner);

    const res = await exported(admin, x.contact.id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const zip = new PizZip(res.raw);
    const data = JSON.parse(zip.file('data.json')!.asText());
    expect(data.contact).toMatchObject({ id: x.contact.id, name: x.name, phones: [x.phone], emails: [x.email] });
    expect(data.contact.wechat).toBe('lixiuying88');
    expect(data.customer.id).toBe(x.customer.id);
    // The linked log and the one naming them in its text; not the other contact's.
    expect(data.contactLogs.map((l: { id: string }) => l.id).sort()).toEqual(
      [x.logs.linked.id, x.logs.named.id].sort(),
    );
    expect(data.files).toHaveLength(1);
    expect(zip.file(data.files[0].path)!.asText()).toBe('李秀英 财务总监');
    const everything = Object.keys(zip.files)
      .filter((f) => !zip.files[f].dir)
      .map((f) => zip.file(f)!.asText())
      .join('\n');
    expect(everything).not.toContain(x.logs.othersLog.id);
    expect(everything).not.toContain('赵建国 '); // the other contact's file
    expect(everything).not.toContain('13800001111');
    // The readable summary, in the reader's language.
    expect(zip.file('说明.txt')!.asText()).toContain('个人信息导出');
    const { client: englishAdmin, user: englishUser } = await signedIn(t, { roleCode: 'admin' });
    await t.database.db.update(users).set({ locale: 'en-US' }).where(eq(users.id, englishUser.id));
    const english = new PizZip((await exported(englishAdmin, x.contact.id)).raw);
    expect(english.file('summary.txt')!.asText()).toContain('Personal information export');

    // Audited, without the personal data.
    const [entry] = await auditOf(x.contact.id, 'export');
    expect(entry.after).toMatchObject({ contactLogs: 2, files: 1 });
    expect(JSON.stringify(entry)).not.toContain(x.name);
    expect(JSON.stringify(entry)).not.toContain(x.phone);
  });

  it('answers 404 to an administrator who cannot see the customer, 403 to a non-administrator', async () => {
    const { client: owner } = await signedIn(t);
    const x = await customerWithContacts(owner);
    const code = uniq('privacy-own').toLowerCase();
    await t.database.db.insert(roles).values({
      code,
      name: code,
      grants: { 'staff:manage': 'all', 'customers:read': 'own' },
    });
    const { client: narrow } = await signedIn(t, { roleCode: code });
    const hidden = await exported(narrow, x.contact.id);
    expect(hidden.status).toBe(404);
    expect(hidden.json().error.code).toBe('NOT_FOUND');
    const erase = await narrow.post(`/api/v1/contacts/${x.contact.id}/erase`, { confirmName: x.name });
    expect(erase.status).toBe(404);
    expect((await exported(owner, x.contact.id)).status).toBe(403);
  });
});

describe('erasure', () => {
  it('anonymises the contact and the logs in place, keeps the history and counts, and is audited', async () => {
    const { client: owner } = await signedIn(t);
    const { client: admin } = await signedIn(t, { roleCode: 'admin' });
    const x = await customerWithContacts(owner);
    const db = t.database.db;
    const logCount = async () =>
      (await db.select({ n: count() }).from(contactLogs).where(eq(contactLogs.customerId, x.customer.id)))[0].n;
    const before = await logCount();

    // The wrong name typed: refused, nothing changed.
    const wrong = await admin.post(`/api/v1/contacts/${x.contact.id}/erase`, { confirmName: '李秀' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('ERASE_CONFIRMATION_MISMATCH');
    // Not an administrator (the owner): refused.
    const notAdmin = await owner.post(`/api/v1/contacts/${x.contact.id}/erase`, { confirmName: x.name });
    expect(notAdmin.status).toBe(403);
    expect((await owner.get(`/api/v1/contacts/${x.contact.id}`)).body.name).toBe(x.name);

    const erased = await admin.post(`/api/v1/contacts/${x.contact.id}/erase`, { confirmName: ` ${x.name} ` });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({
      id: x.contact.id,
      name: ERASED_CONTACT_NAME,
      title: null,
      department: null,
      phones: [],
      emails: [],
      wechat: null,
      notes: null,
    });
    expect(erased.body.erasedAt).toBeTruthy();

    // Read back: no trace in the row (search text included) nor in the logs; the logs kept and still linked.
    const [row] = await db.select().from(contacts).where(eq(contacts.id, x.contact.id));
    const rowText = JSON.stringify(row);
    for (const value of [x.name, x.phone, x.email, 'lixiuying88', '喜欢下午来电', '财务总监'])
      expect(rowText).not.toContain(value);
    expect(row.searchText).toBe('');
    expect(await logCount()).toBe(before);
    const logs = await db
      .select()
      .from(contactLogs)
      .where(inArray(contactLogs.id, [x.logs.linked.id, x.logs.named.id]));
    expect(logs).toHaveLength(2);
    for (const log of logs) {
      expect(log.summary).not.toContain(x.name);
      expect(log.summary).not.toContain(x.phone);
      expect(log.summary).not.toContain(x.email);
      expect(log.summary).toContain(ERASED_CONTACT_NAME);
    }
    expect(logs.find((l) => l.id === x.logs.linked.id)!.contactId).toBe(x.contact.id);
    // The other contact's words are untouched.
    const [others] = await db.select().from(contactLogs).where(eq(contactLogs.id, x.logs.othersLog.id));
    expect(others.summary).toBe(`与${x.other.name}谈代理记账`);
    expect(logs.find((l) => l.id === x.logs.named.id)!.summary).toContain(x.other.name);
    // The contact is still listed for the customer (the counts stay right), and no longer found by their name.
    const listed = await owner.get('/api/v1/contacts', { customerId: x.customer.id });
    expect(listed.body.total).toBe(2);
    expect((await owner.get('/api/v1/contacts', { q: x.name })).body.total).toBe(0);
    const overview = await owner.get(`/api/v1/customers/${x.customer.id}/overview`);
    expect(overview.status).toBe(200);
    expect(overview.body.contacts.find((c: { id: string }) => c.id === x.contact.id)).toMatchObject({
      name: ERASED_CONTACT_NAME,
      erasedAt: erased.body.erasedAt,
    });
    // Earlier audit entries no longer hold the values either.
    const contactAudit = await db.select().from(auditLogs).where(eq(auditLogs.entityId, x.contact.id));
    expect(JSON.stringify(contactAudit)).not.toContain(x.name);
    expect(JSON.stringify(contactAudit)).not.toContain(x.phone);
    const [entry] = await auditOf(x.contact.id, 'erase');
    expect(entry.after).toMatchObject({ contactLogsRewritten: 2 });

    // Read-only from now on, and not erased twice.
    const edit = await owner.patch(`/api/v1/contacts/${x.contact.id}`, { title: '总经理' });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('CONTACT_ERASED');
    expect((await owner.delete(`/api/v1/contacts/${x.contact.id}`)).status).toBe(409);
    const again = await admin.post(`/api/v1/contacts/${x.contact.id}/erase`, { confirmName: ERASED_CONTACT_NAME });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONTACT_ERASED');
    const newLog = await owner.post('/api/v1/contact-logs', {
      customerId: x.customer.id,
      contactId: x.contact.id,
      direction: 'outbound',
      channel: 'phone',
      summary: '回访',
    });
    expect(newLog.body.error?.code).toBe('CONTACT_ERASED');
  });

  it('clears the person fields of the lead the contact was converted from', async () => {
    const { client: owner, user } = await signedIn(t);
    const { client: admin } = await signedIn(t, { roleCode: 'admin' });
    const x = await customerWithContacts(owner);
    const [lead] = await t.database.db
      .insert(leads)
      .values({
        companyName: x.customer.name,
        contactName: x.name,
        phone: x.phone,
        email: x.email,
        status: 'converted',
        ownerId: user.id,
        customerId: x.customer.id,
        contactId: x.contact.id,
        searchText: `${x.customer.name} ${x.name} ${x.phone}`,
      })
      .returning();
    expect((await admin.post(`/api/v1/contacts/${x.contact.id}/erase`, { confirmName: x.name })).status).toBe(200);
    const [after] = await t.database.db.select().from(leads).where(eq(leads.id, lead.id));
    expect(after).toMatchObject({ contactName: ERASED_CONTACT_NAME, phone: null, email: null, wechat: null });
    expect(after.searchText).not.toContain(x.phone);
    expect(after.companyName).toBe(x.customer.name);
  });

  it('is refused while the customer is under legal hold, changing nothing; legal hold set and cleared is audited', async () => {
    const { client: owner } = await signedIn(t);
    const { client: admin } = await signedIn(t, { roleCode: 'admin' });
    const { client: partner } = await signedIn(t, { roleCode: 'executive' });
    const x = await customerWithContacts(owner);
    const url = `/api/v1/customers/${x.customer.id}/legal-hold`;

    // Only administrators and partners; a reason is required.
    expect((await owner.put(url, { held: true, reason: '诉讼' })).status).toBe(403);
    const noReason = await partner.put(url, { held: true });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('REASON_REQUIRED');
    const held = await partner.put(url, { held: true, reason: '（2026）陕01民初123号 诉讼保全' });
    expect(held.status).toBe(200);
    expect(held.body.legalHoldReason).toBe('（2026）陕01民初123号 诉讼保全');
    expect(held.body.legalHoldAt).toBeTruthy();
    expect((await owner.get(`/api/v1/customers/${x.customer.id}`)).body.legalHoldAt).toBe(held.body.legalHoldAt);

    const refused = await admin.post(`/api/v1/contacts/${x.contact.id}/erase`, { confirmName: x.name });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('LEGAL_HOLD');
    expect(refused.body.error.message).toContain('法律保全');
    const [row] = await t.database.db.select().from(contacts).where(eq(contacts.id, x.contact.id));
    expect(row).toMatchObject({ name: x.name, phones: [x.phone], erasedAt: null });
    const [log] = await t.database.db.select().from(contactLogs).where(eq(contactLogs.id, x.logs.named.id));
    expect(log.summary).toContain(x.name);

    const cleared = await admin.put(url, { held: false });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ legalHoldAt: null, legalHoldReason: null });
    const entries = await auditOf(x.customer.id, 'legal-hold');
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => e.after!.legalHoldReason).sort()).toEqual(
      [null, '（2026）陕01民初123号 诉讼保全'].sort(),
    );

    expect((await admin.post(`/api/v1/contacts/${x.contact.id}/erase`, { confirmName: x.name })).status).toBe(200);
  });
});
