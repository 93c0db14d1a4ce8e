import { and, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPORT_PINS } from '../../../common/schemas/dashboard';
import type { Db } from '../../db/client';
import { inTransaction } from '../../context';
import { signedIn } from '../../test/factories';
import { createTestApp, uniq, until, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { files } from '../files/files.tables';
import { mailOutbox } from '../notifications/notifications.tables';
import { enqueueMail } from '../notifications/outbox';
import { reportSubscriptions } from './reports.tables';
import { nextRunAfter } from './saved.service';
import { sendDueSubscriptions } from './subscriptions.job';

/**
 * Pins 固定到首页 and scheduled reports 定期报表: each user's own (another's is 404), only of reports they may open,
 * with a query the report accepts; a due subscription is e-mailed exactly once — with two instances sending at once —
 * with the figures in the text and the .xlsx attached, and moved on to the next Monday or 1st at 08:00.
 */
let t: TestApp;
let db: Db;
const NONE = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
});
afterAll(() => t.close());

describe('report pins', () => {
  it('pins a report with its filters, lists only my own, unpins; another’s pin is 404', async () => {
    const me = await signedIn(t, { roleCode: 'executive' });
    const other = await signedIn(t, { roleCode: 'executive' });
    const made = await me.client.post('/api/v1/report-pins', {
      kind: 'branch-comparison',
      query: { period: 'last-year', by: 'month' },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ kind: 'branch-comparison', query: { period: 'last-year', by: 'month' } });
    const second = await me.client.post('/api/v1/report-pins', { kind: 'branch-comparison', title: '分所对比' });
    expect(second.body.position).toBe(made.body.position + 1);
    expect((await me.client.get('/api/v1/report-pins')).body.items.map((p: { id: string }) => p.id)).toEqual([
      made.body.id,
      second.body.id,
    ]);
    expect((await other.client.get('/api/v1/report-pins')).body.items).toEqual([]);
    expect((await me.client.get('/api/v1/dashboard')).body.pins).toHaveLength(2);
    expect((await other.client.delete(`/api/v1/report-pins/${made.body.id}`)).status).toBe(404);
    expect((await me.client.delete(`/api/v1/report-pins/${made.body.id}`)).status).toBe(200);
    expect((await me.client.delete(`/api/v1/report-pins/${made.body.id}`)).status).toBe(404);
    expect((await me.client.get('/api/v1/report-pins')).body.items).toHaveLength(1);
    const audit = await db
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'report-pin'), eq(auditLogs.entityId, made.body.id)));
    expect(audit.map((a) => a.action).sort()).toEqual(['create', 'delete']);
  });

  it('refuses a report the reader may not open (403), a query the report refuses (400), and a thirteenth pin', async () => {
    const staff = await signedIn(t, { roleCode: 'staff' });
    // Staff read their own contracts: the branch comparison is theirs to open, the commissions' too, not receivables.
    expect((await staff.client.post('/api/v1/report-pins', { kind: 'revenue' })).status).toBe(403);
    const exec = await signedIn(t, { roleCode: 'executive' });
    const bad = await exec.client.post('/api/v1/report-pins', {
      kind: 'branch-comparison',
      query: { by: 'year', colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('query');
    for (let i = 0; i < MAX_REPORT_PINS; i += 1)
      expect((await exec.client.post('/api/v1/report-pins', { kind: 'branch-comparison' })).status).toBe(201);
    const full = await exec.client.post('/api/v1/report-pins', { kind: 'branch-comparison' });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('REPORT_PINS_FULL');
  });
});

describe('report subscriptions', () => {
  it('next runs: Monday 08:00 or the 1st 08:00 in Asia/Shanghai, always after now', () => {
    // Wednesday 2026-03-04 10:00 Shanghai → Monday 2026-03-09 08:00 (00:00 UTC).
    const wednesday = new Date('2026-03-04T02:00:00Z');
    expect(nextRunAfter('weekly', wednesday).toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(nextRunAfter('monthly', wednesday).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    // Monday 07:59 Shanghai → the same Monday 08:00; at 08:00 → the next Monday.
    expect(nextRunAfter('weekly', new Date('2026-03-08T23:59:00Z')).toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(nextRunAfter('weekly', new Date('2026-03-09T00:00:00Z')).toISOString()).toBe('2026-03-16T00:00:00.000Z');
    // 31 December 23:30 UTC is already 1 January 07:30 in Shanghai: that morning.
    expect(nextRunAfter('monthly', new Date('2025-12-31T23:30:00Z')).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(nextRunAfter('monthly', new Date('2026-12-15T00:00:00Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('subscribes, pauses, resumes and deletes my own; another’s is 404', async () => {
    const me = await signedIn(t, { roleCode: 'executive' });
    const other = await signedIn(t, { roleCode: 'executive' });
    const made = await me.client.post('/api/v1/report-subscriptions', {
      kind: 'branch-comparison',
      query: { period: 'last-month' },
      frequency: 'weekly',
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ title: '分所业绩对比', active: true, lastSentAt: null });
    expect(made.body.nextRunAt).toBe(nextRunAfter('weekly', new Date()).toISOString());
    const id = made.body.id;
    expect((await other.client.patch(`/api/v1/report-subscriptions/${id}`, { active: false })).status).toBe(404);
    expect((await other.client.delete(`/api/v1/report-subscriptions/${id}`)).status).toBe(404);
    expect((await other.client.get('/api/v1/report-subscriptions')).body.items).toEqual([]);
    const paused = await me.client.patch(`/api/v1/report-subscriptions/${id}`, { active: false });
    expect(paused.body.active).toBe(false);
    const monthly = await me.client.patch(`/api/v1/report-subscriptions/${id}`, { active: true, frequency: 'monthly' });
    expect(monthly.body).toMatchObject({ active: true, frequency: 'monthly' });
    expect(monthly.body.nextRunAt).toBe(nextRunAfter('monthly', new Date()).toISOString());
    expect((await me.client.patch(`/api/v1/report-subscriptions/${id}`, {})).status).toBe(400);
    expect((await me.client.patch(`/api/v1/report-subscriptions/${NONE}`, { active: false })).status).toBe(404);
    expect(
      (await me.client.post('/api/v1/report-subscriptions', { kind: 'branch-comparison', frequency: 'daily' })).status,
    ).toBe(400);
    expect((await me.client.delete(`/api/v1/report-subscriptions/${id}`)).status).toBe(200);
    expect((await me.client.get('/api/v1/report-subscriptions')).body.items).toEqual([]);
  });

  it('sends a due subscription exactly once with two instances at once, as its owner, with the .xlsx attached', async () => {
    const owner = await signedIn(t, { roleCode: 'executive', email: `${uniq('p').toLowerCase()}@firm.example.cn` });
    expect((await owner.client.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
    const made = await owner.client.post('/api/v1/report-subscriptions', {
      kind: 'branch-comparison',
      query: { period: 'last-year' },
      frequency: 'monthly',
    });
    const id = made.body.id as string;
    const dueAt = new Date(Date.now() - 60_000);
    await db.update(reportSubscriptions).set({ nextRunAt: dueAt }).where(eq(reportSubscriptions.id, id));
    const second = await createTestApp({ database: t.database });
    try {
      await Promise.all([
        sendDueSubscriptions({ db, jobs: t.app.jobs }),
        sendDueSubscriptions({ db: second.database.db, jobs: second.app.jobs }),
        sendDueSubscriptions({ db, jobs: t.app.jobs }),
      ]);
    } finally {
      await second.close();
    }
    const mails = await db.select().from(mailOutbox).where(eq(mailOutbox.toUserId, owner.user.id));
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    const year = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4)) - 1;
    expect(mail.subject).toBe(`Scheduled report: Branch comparison (${year}-01-01 to ${year}-12-31)`);
    expect(mail.body).toContain('Branch | Orders');
    expect(mail.body).toContain('Total |');
    const attached = await db
      .select()
      .from(files)
      .where(and(eq(files.ownerType, 'mail'), eq(files.ownerId, mail.id)));
    expect(attached).toHaveLength(1);
    expect(attached[0].filename).toBe(`Branch comparison-${year}-01-01-${year}-12-31.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(attached[0].content) as unknown as ArrayBuffer);
    expect(workbook.worksheets[0].getCell('A1').value).toBe('Branch comparison');
    const [after] = await db.select().from(reportSubscriptions).where(eq(reportSubscriptions.id, id));
    expect(after.lastSentAt).not.toBeNull();
    expect(after.nextRunAt.toISOString()).toBe(nextRunAfter('monthly', after.lastSentAt!).toISOString());
    expect(after.nextRunAt > new Date()).toBe(true);
    // Not due any more: a later run sends nothing.
    await sendDueSubscriptions({ db, jobs: t.app.jobs });
    expect(await db.select().from(mailOutbox).where(eq(mailOutbox.toUserId, owner.user.id))).toHaveLength(1);
  });

  it('moves a due subscription on without mail when its owner has no e-mail address', async () => {
    const staff = await signedIn(t, { roleCode: 'executive' });
    const made = await staff.client.post('/api/v1/report-subscriptions', {
      kind: 'branch-comparison',
      frequency: 'weekly',
    });
    await db
      .update(reportSubscriptions)
      .set({ nextRunAt: new Date(Date.now() - 1000) })
      .where(eq(reportSubscriptions.id, made.body.id));
    await sendDueSubscriptions({ db, jobs: t.app.jobs });
    const [after] = await db.select().from(reportSubscriptions).where(eq(reportSubscriptions.id, made.body.id));
    expect(after.nextRunAt > new Date()).toBe(true);
    expect(after.lastSentAt).toBeNull(); // no e-mail address: nothing sent
    expect(await db.select().from(mailOutbox).where(eq(mailOutbox.toUserId, staff.user.id))).toHaveLength(0);
  });
});

describe('mail attachments', () => {
  it('delivers a message with its attachment to the SMTP server', async () => {
    const received: { subject: string; attachments: { filename?: string; content: Buffer }[] }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      onData(stream, _session, callback) {
        simpleParser(stream).then((mail) => {
          received.push({ subject: mail.subject ?? '', attachments: mail.attachments });
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as { port: number }).port;
    const sender = await createTestApp({
      database: t.database,
      workers: ['mail.send'],
      config: { smtpUrl: `smtp://127.0.0.1:${port}` },
    });
    try {
      const subject = uniq('附件测试');
      const content = Buffer.from('第一行,1\n第二行,2\n', 'utf8');
      await inTransaction({ db, jobs: t.app.jobs }, (tx) =>
        enqueueMail(tx, {
          to: 'partner@firm.example.cn',
          subject,
          body: '见附件',
          kind: 'report-subscription',
          attachments: [{ filename: '报表.csv', contentType: 'text/csv', content }],
        }),
      );
      await until(async () => received.some((m) => m.subject === subject), 20_000, 'the mail at the SMTP server');
      const mail = received.find((m) => m.subject === subject)!;
      expect(mail.attachments.map((a) => a.filename)).toEqual(['报表.csv']);
      expect(mail.attachments[0].content.equals(content)).toBe(true);
    } finally {
      await sender.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});
