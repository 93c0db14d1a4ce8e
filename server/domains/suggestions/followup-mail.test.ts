import { createServer } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../context';
import { customers } from '../customers/customers.tables';
import { mailOutbox } from '../notifications/notifications.tables';
import { signedIn } from '../../test/factories';
import { createTestApp, uniq, until, type Client, type TestApp } from '../../test/harness';
import { fillTemplate, raiseInactiveSuggestions } from './suggestions.service';

/*
 * E-mail end to end: the follow-up drafted for a customer gone quiet reaches a real (local) SMTP
 * server with its Chinese subject and body; without SMTP messages are held for administrators;
 * with the server down the job retries with backoff, the failure is visible, nothing is lost.
 * Only one app at a time works the mail queue here (tests on PostgreSQL share one database).
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Received = { subject: string; text: string; to: string };
/** A local SMTP server that keeps what it receives. */
async function smtpServer(port = 0) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        received.push({ subject: mail.subject ?? '', text: mail.text ?? '', to: (mail.to as { text: string }).text });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.server.address() as { port: number };
  return { received, port: address.port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A customer of `client`'s with a primary contact, quiet for `days` days. */
async function quietCustomer(client: Client, days: number) {
  const customer = (await client.post('/api/v1/customers', { name: uniq('西安宏远建设有限公司') })).body;
  const contact = (
    await client.post('/api/v1/contacts', {
      customerId: customer.id,
      name: '王会计',
      emails: ['wang@hongyuan.example.cn'],
      isPrimary: true,
    })
  ).body;
  const since = new Date(Date.now() - days * 86_400_000);
  await t.database.db
    .update(customers)
    .set({ lastContactAt: since, createdAt: since })
    .where(eq(customers.id, customer.id));
  return { customer, contact };
}

const raise = (customerIds: string[]) =>
  inTransaction({ db: t.database.db, jobs: t.app.jobs }, (tx) => raiseInactiveSuggestions(tx, { customerIds }));

describe('the inactive-customer rule', () => {
  it('fills merge fields, leaving unknown ones visible', () => {
    expect(
      fillTemplate('{{联系人}}您好，{{未联系天数}}天未联系；{{未知}}', { 联系人: '王会计', 未联系天数: '75' }),
    ).toBe('王会计您好，75天未联系；{{未知}}');
  });

  it('suggests a follow-up once per quiet spell, with the days its tier allows, and drafts the e-mail', async () => {
    const { client, user } = await signedIn(t, { phone: '029-88886666', email: 'liming@firm.example.cn' });
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const quiet = await quietCustomer(client, 75);
    const recent = await quietCustomer(client, 20);
    expect(await raise([quiet.customer.id, recent.customer.id])).toBe(1); // untiered: 60 days
    expect(await raise([quiet.customer.id, recent.customer.id])).toBe(0); // one open suggestion per customer
    const [s] = (await client.get('/api/v1/suggestions')).body.items;
    expect(s).toMatchObject({
      customerId: quiet.customer.id,
      days: 75,
      contactName: '王会计',
      toAddress: 'wang@hongyuan.example.cn',
      subject: `${quiet.customer.name}：近期业务沟通`,
    });
    expect(s.body).toContain('王会计您好：');
    expect(s.body).toContain(`我是${user.displayName}。`);
    expect(s.body).toContain('已有75天没有');
    expect(s.body).toContain('电话：029-88886666');
    const bell = (await client.get('/api/v1/notifications')).body.items[0];
    expect(bell).toMatchObject({
      kind: 'inactive-customer',
      entityId: quiet.customer.id,
      message: `客户久未联系：${quiet.customer.name}（75 天），已为您起草跟进邮件`,
    });

    // A shorter limit for tier A customers makes the 20-day-quiet one due, once evaluated A.
    const before = (await admin.get('/api/v1/customer-settings')).body;
    try {
      expect(
        (await admin.patch('/api/v1/customer-settings', { inactiveDays: { ...before.inactiveDays, A: 14 } })).status,
      ).toBe(200);
      await t.database.db.update(customers).set({ valueTier: 'A' }).where(eq(customers.id, recent.customer.id));
      expect(await raise([recent.customer.id])).toBe(1);
    } finally {
      await admin.patch('/api/v1/customer-settings', { inactiveDays: before.inactiveDays });
    }
    expect(
      (await admin.patch('/api/v1/customer-settings', { inactiveDays: { A: 0, B: 1, C: 1, D: 1, none: 1 } })).status,
    ).toBe(400);

    // Dismissed: not suggested again until a newer contact goes quiet too.
    const second = (await client.get('/api/v1/suggestions')).body.items.find(
      (x: { customerId: string }) => x.customerId === recent.customer.id,
    );
    expect((await client.post(`/api/v1/suggestions/${second.id}/dismiss`)).body.status).toBe('dismissed');
    expect((await client.post(`/api/v1/suggestions/${second.id}/dismiss`)).body.error.code).toBe('SUGGESTION_RESOLVED');
    expect(await raise([recent.customer.id])).toBe(0);
    // Another salesperson can neither see nor act on it.
    const stranger = await signedIn(t);
    expect((await stranger.client.get('/api/v1/suggestions')).body.items).toEqual([]);
    expect((await stranger.client.post(`/api/v1/suggestions/${s.id}/dismiss`)).status).toBe(404);
  });
});

describe('the follow-up template', () => {
  it('is the firm’s to change (configurers only, validated), and new drafts use it', async () => {
    const { client } = await signedIn(t);
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const before = (await client.get('/api/v1/mail-templates/inactive-customer')).body;
    expect(before.subject).toBe('{{客户名称}}：近期业务沟通');
    expect(
      (await client.request('PUT', '/api/v1/mail-templates/inactive-customer', { subject: 'x', body: 'y' })).status,
    ).toBe(403);
    const empty = await admin.request('PUT', '/api/v1/mail-templates/inactive-customer', {
      subject: '  ',
      body: '正文',
    });
    expect(empty.body.error.code).toBe('VALIDATION_FAILED');
    try {
      expect(
        (
          await admin.request('PUT', '/api/v1/mail-templates/inactive-customer', {
            subject: '问候 {{客户名称}}',
            body: '{{联系人}}：已{{未联系天数}}天未联系',
          })
        ).status,
      ).toBe(200);
      const { customer } = await quietCustomer(client, 70);
      await raise([customer.id]);
      const [s] = (await client.get('/api/v1/suggestions')).body.items;
      expect(s).toMatchObject({ subject: `问候 ${customer.name}`, body: '王会计：已70天未联系' });
    } finally {
      await admin.request('PUT', '/api/v1/mail-templates/inactive-customer', {
        subject: before.subject,
        body: before.body,
      });
    }
  });
});

describe('follow-up suggestions follow the customer', () => {
  it('go away when the customer is contacted or changes hands, and a double send sends once', async () => {
    const { client } = await signedIn(t);
    const admin = (await signedIn(t, { roleCode: 'admin' })).client;
    const heir = await signedIn(t);
    const a = await quietCustomer(client, 80);
    const b = await quietCustomer(client, 80);
    const c = await quietCustomer(client, 80);
    expect(await raise([a.customer.id, b.customer.id, c.customer.id])).toBe(3);
    // Contacted again: no longer quiet.
    await client.post('/api/v1/contact-logs', {
      customerId: a.customer.id,
      direction: 'inbound',
      channel: 'phone',
      summary: '客户来电',
    });
    // Given to a colleague: the old owner's suggestion goes; the rule suggests to the new owner.
    expect((await admin.post(`/api/v1/customers/${b.customer.id}/assign`, { ownerId: heir.user.id })).status).toBe(200);
    const mine = (await client.get('/api/v1/suggestions')).body.items;
    expect(mine.map((x: { customerId: string }) => x.customerId)).toEqual([c.customer.id]);
    expect(await raise([b.customer.id])).toBe(1);
    expect((await heir.client.get('/api/v1/suggestions')).body.items).toMatchObject([{ customerId: b.customer.id }]);

    // Two sends at once (a double click): one goes, the other is told it is done already.
    const send = () =>
      client.post(`/api/v1/suggestions/${mine[0].id}/send`, {
        to: mine[0].toAddress,
        subject: mine[0].subject,
        body: mine[0].body,
      });
    const results = await Promise.all([send(), send()]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const logs = (await client.get('/api/v1/contact-logs', { customerId: c.customer.id })).body.items.filter(
      (l: { channel: string }) => l.channel === 'email',
    );
    expect(logs).toHaveLength(1);
  });
});

describe('sending e-mail', () => {
  it('delivers the drafted follow-up, as edited, to an SMTP server with its Chinese subject and body, and logs the contact', async () => {
    const smtp = await smtpServer();
    const sender = await createTestApp({
      database: t.database,
      workers: ['mail.send'],
      config: { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: '西安某会计师事务所 <crm@firm.example.cn>' },
    });
    try {
      const { client } = await signedIn(t);
      const { customer } = await quietCustomer(client, 90);
      await raise([customer.id]);
      const [s] = (await client.get('/api/v1/suggestions')).body.items;
      const bad = await client.post(`/api/v1/suggestions/${s.id}/send`, {
        to: 'not-an-address',
        subject: s.subject,
        body: s.body,
      });
      expect(bad.status).toBe(400);
      expect((await client.get('/api/v1/suggestions')).body.items).toHaveLength(1); // still open, nothing sent

      const body = `${s.body}\n\n附：2026 年度审计报价单稍后发送。`;
      const sent = await client.post(`/api/v1/suggestions/${s.id}/send`, {
        to: s.toAddress,
        subject: `${s.subject}（年审安排）`,
        body,
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      expect(sent.body.status).toBe('sent');
      // (Other tests' queued mail may arrive too: this test looks for its own.)
      const subject = `${customer.name}：近期业务沟通（年审安排）`;
      await until(
        async () => smtp.received.some((m) => m.subject === subject),
        20_000,
        'the e-mail at the SMTP server',
      );
      expect(smtp.received.find((m) => m.subject === subject)).toEqual({
        subject,
        text: body,
        to: 'wang@hongyuan.example.cn',
      });
      const [log] = (await client.get('/api/v1/contact-logs', { customerId: customer.id })).body.items;
      expect(log).toMatchObject({
        direction: 'outbound',
        channel: 'email',
        summary: `发送跟进邮件：${s.subject}（年审安排）`,
      });
      expect((await client.get(`/api/v1/customers/${customer.id}`)).body.lastContactAt).not.toBeNull();
      expect(
        (await client.post(`/api/v1/suggestions/${s.id}/send`, { to: s.toAddress, subject: 'x', body: 'y' })).body.error
          .code,
      ).toBe('SUGGESTION_RESOLVED');
    } finally {
      await sender.close();
      await smtp.close();
    }
  }, 60_000);

  it('without SMTP holds messages in the outbox, which only administrators see', async () => {
    const holder = await createTestApp({ database: t.database, workers: ['mail.send'], config: { smtpUrl: null } });
    try {
      const { client } = await signedIn(t);
      const admin = (await signedIn(t, { roleCode: 'admin' })).client;
      const { customer } = await quietCustomer(client, 90);
      await raise([customer.id]);
      const [s] = (await client.get('/api/v1/suggestions')).body.items;
      await client.post(`/api/v1/suggestions/${s.id}/send`, { to: s.toAddress, subject: s.subject, body: s.body });
      const mailId = (await t.database.db.execute(
        sql`SELECT mail_id FROM customer_suggestions WHERE id = ${s.id}`,
      )) as unknown as { rows: { mail_id: string }[] };
      const id = mailId.rows[0].mail_id;
      await until(
        async () => (await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)))[0].status === 'held',
        20_000,
        'the message to be held',
      );
      const held = (await admin.get('/api/v1/mail-outbox', { status: 'held' })).body.items.find(
        (m: { id: string }) => m.id === id,
      );
      expect(held).toMatchObject({ status: 'held', toAddress: 'wang@hongyuan.example.cn', subject: s.subject });
      expect((await client.get('/api/v1/mail-outbox')).status).toBe(403);
    } finally {
      await holder.close();
    }
  }, 60_000);

  it('retries with backoff while the mail server is down, shows the failure, and sends it when asked again — nothing lost', async () => {
    const port = await freePort();
    const config = { smtpUrl: `smtp://127.0.0.1:${port}` };
    const retries = { 'mail.send': { retryLimit: 2, retryDelay: 1, retryBackoff: true, retryDelayMax: 2 } };
    const sender = await createTestApp({ database: t.database, workers: ['mail.send'], config, jobs: { retries } });
    const smtp = { server: null as Awaited<ReturnType<typeof smtpServer>> | null };
    try {
      const { client } = await signedIn(sender);
      const admin = (await signedIn(sender, { roleCode: 'admin' })).client;
      const { customer } = await quietCustomer(client, 90);
      await raise([customer.id]);
      const [s] = (await client.get('/api/v1/suggestions')).body.items;
      expect(
        (await client.post(`/api/v1/suggestions/${s.id}/send`, { to: s.toAddress, subject: s.subject, body: s.body }))
          .status,
      ).toBe(200);
      const mail = async () =>
        (await admin.get('/api/v1/mail-outbox')).body.items.find((m: { subject: string }) => m.subject === s.subject);
      await until(async () => (await mail())?.status === 'failed', 30_000, 'the message to fail');
      const failed = await mail();
      expect(failed.attempts).toBe(3); // the first try and two retries
      expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
      // The sender is told.
      expect((await client.get('/api/v1/notifications')).body.items[0]).toMatchObject({
        kind: 'mail-failed',
        message: `邮件发送失败：${s.subject}`,
      });

      smtp.server = await smtpServer(port);
      const resent = await admin.post(`/api/v1/mail-outbox/${failed.id}/resend`);
      expect(resent.body.status).toBe('queued');
      await until(
        async () => smtp.server!.received.some((m) => m.subject === s.subject),
        20_000,
        'the message after the server came back',
      );
      // Marked sent once the server has taken it (the worker records it a moment after the server received it).
      await until(async () => (await mail()).status === 'sent', 20_000, 'the message marked sent');
      expect((await admin.post(`/api/v1/mail-outbox/${failed.id}/resend`)).body.error.code).toBe('MAIL_NOT_RESENDABLE');
    } finally {
      await sender.close();
      await smtp.server?.close();
    }
  }, 90_000);
});
