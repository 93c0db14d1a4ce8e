import { Readable } from 'node:stream';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../../common/schemas/files';
import { IMPORT_MAX_BYTES } from '../../../common/schemas/transfer';
import { files } from '../files/files.tables';
import { signedIn } from '../../test/factories';
import { createTestApp, multipart, uniq, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function upload(client: Client, logId: string, parts: { filename: string; content: Buffer; type?: string }[]) {
  const { payload, headers } = multipart(parts);
  return client.request('POST', `/api/v1/contact-logs/${logId}/attachments`, undefined, { payload, headers });
}

async function logWithCustomer(client: Client) {
  const customer = (await client.post('/api/v1/customers', { name: uniq('客户') })).body;
  const log = (
    await client.post('/api/v1/contact-logs', {
      customerId: customer.id,
      direction: 'inbound',
      channel: 'email',
      summary: '客户发来营业执照与上年报表',
    })
  ).body;
  return { customer, log };
}

describe('contact-log attachments', () => {
  it('are stored, listed on the log and downloaded byte for byte by those who may see the customer', async () => {
    const { client: owner } = await signedIn(t);
    const { client: stranger } = await signedIn(t);
    const { client: exec } = await signedIn(t, { roleCode: 'executive' });
    const { log } = await logWithCustomer(owner);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5000, 7)]);
    const res = await upload(owner, log.id, [{ filename: '营业执照.pdf', content: pdf }]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual([
      expect.objectContaining({ filename: '营业执照.pdf', contentType: 'application/pdf', size: pdf.length }),
    ]);
    const xlsx = await upload(owner, log.id, [
      { filename: '2025年报表.xlsx', content: Buffer.from('PK\u0003\u0004 fake xlsx') },
    ]);
    expect(xlsx.status).toBe(201);

    const again = await owner.get(`/api/v1/contact-logs/${log.id}`);
    expect(again.body.attachments).toHaveLength(2);
    // The customer page's single answer carries the same attachments.
    const overview = await owner.get(`/api/v1/customers/${log.customerId}/overview`);
    expect(overview.body.contactLog.items[0].attachments).toEqual(again.body.attachments);
    const fileId = res.body[0].id;
    const download = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contact-logs/${log.id}/attachments/${fileId}`,
      headers: { cookie: exec.cookie! },
    });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('营业执照.pdf')}`,
    );
    expect(download.headers['x-content-type-options']).toBe('nosniff');

    expect((await stranger.get(`/api/v1/contact-logs/${log.id}/attachments/${fileId}`)).status).toBe(404);
    expect((await upload(stranger, log.id, [{ filename: 'x.pdf', content: pdf }])).status).toBe(404);
    expect((await stranger.delete(`/api/v1/contact-logs/${log.id}/attachments/${fileId}`)).status).toBe(404);

    expect((await owner.delete(`/api/v1/contact-logs/${log.id}/attachments/${fileId}`)).status).toBe(200);
    expect((await owner.get(`/api/v1/contact-logs/${log.id}/attachments/${fileId}`)).status).toBe(404);
  });

  it('refuses forbidden types, oversized files and empty uploads', async () => {
    const { client } = await signedIn(t);
    const { log } = await logWithCustomer(client);
    const exe = await upload(client, log.id, [{ filename: 'setup.exe', content: Buffer.from('MZ') }]);
    expect(exe.status).toBe(415);
    expect(exe.body.error.code).toBe('FILE_TYPE_NOT_ALLOWED');
    expect(exe.body.error.message).toContain('不支持的文件类型');
    const html = await upload(client, log.id, [
      { filename: 'page.html', content: Buffer.from('<script>alert(1)</script>'), type: 'text/html' },
    ]);
    expect(html.body.error.code).toBe('FILE_TYPE_NOT_ALLOWED');
    const big = await upload(client, log.id, [{ filename: 'scan.pdf', content: Buffer.alloc(MAX_FILE_BYTES + 1, 1) }]);
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'FILE_TOO_LARGE', message: '文件过大，单个附件不能超过 20 MB' });
    expect((await upload(client, log.id, [])).body.error.code).toBe('FILE_MISSING');
    const json = await client.post(`/api/v1/contact-logs/${log.id}/attachments`, { file: 'x' });
    expect(json.status).toBe(415);
    expect((await client.get(`/api/v1/contact-logs/${log.id}`)).body.attachments).toEqual([]);
  });

  it('go away with their log entry', async () => {
    const { client } = await signedIn(t);
    const { log } = await logWithCustomer(client);
    const [file] = (await upload(client, log.id, [{ filename: 'memo.txt', content: Buffer.from('会议纪要') }])).body;
    expect((await client.delete(`/api/v1/contact-logs/${log.id}`)).status).toBe(200);
    expect((await client.get(`/api/v1/contact-logs/${log.id}/attachments/${file.id}`)).status).toBe(404);
  });
});

/** A request body that counts how much of it the server pulled. */
function countingBody(chunks: number, chunkBytes = 64 * 1024) {
  const read = { bytes: 0 };
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent++ >= chunks) return void this.push(null);
      read.bytes += chunkBytes;
      this.push(Buffer.alloc(chunkBytes, 0x41));
    },
  });
  return { stream, read };
}

const filesOf = async (logId: string) =>
  (
    await t.database.db
      .select({ n: count() })
      .from(files)
      .where(and(eq(files.ownerType, 'contact-log'), eq(files.ownerId, logId)))
  )[0].n;

describe('uploads are streamed, one file at a time, within a quota', () => {
  it('refuses a body announced larger than the limit with 413 before reading any of it', async () => {
    const { client } = await signedIn(t);
    const { log } = await logWithCustomer(client);
    const { stream, read } = countingBody(400); // 25 MB if it were read
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/contact-logs/${log.id}/attachments`,
      headers: {
        cookie: client.cookie!,
        'x-csrf-token': client.csrfToken!,
        'content-type': 'multipart/form-data; boundary=----x',
        'content-length': String(400 * 64 * 1024),
      },
      payload: stream,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'FILE_TOO_LARGE', message: '文件过大，单个附件不能超过 20 MB' });
    expect(res.headers.connection).toBe('close');
    expect(read.bytes).toBe(0);
    expect(await filesOf(log.id)).toBe(0);
    // The same for the customer import (its own limit).
    const body = countingBody(400);
    const importing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/customers/import',
      headers: {
        cookie: client.cookie!,
        'x-csrf-token': client.csrfToken!,
        'content-type': 'multipart/form-data; boundary=----x',
        'content-length': String(2 * IMPORT_MAX_BYTES),
      },
      payload: body.stream,
    });
    expect(importing.statusCode).toBe(413);
    expect(importing.json().error.code).toBe('FILE_TOO_LARGE');
    expect(body.read.bytes).toBe(0);
  });

  it('cuts a body without a length at the limit, storing nothing', async () => {
    const { client } = await signedIn(t);
    const { log } = await logWithCustomer(client);
    const head = Buffer.from(
      '------x\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n',
    );
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    let sent = 0;
    const stream = new Readable({
      read() {
        if (sent === 0) this.push(head);
        if (sent++ < 21)
          this.push(chunk); // 21 MB
        else {
          this.push(Buffer.from('\r\n------x--\r\n'));
          this.push(null);
        }
      },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/contact-logs/${log.id}/attachments`,
      headers: {
        cookie: client.cookie!,
        'x-csrf-token': client.csrfToken!,
        'content-type': 'multipart/form-data; boundary=----x',
        'transfer-encoding': 'chunked',
      },
      payload: stream,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('FILE_TOO_LARGE');
    expect(await filesOf(log.id)).toBe(0);
  });

  it('takes one file per request: two are refused with 400 and neither is stored', async () => {
    const { client } = await signedIn(t);
    const { log } = await logWithCustomer(client);
    const two = await upload(client, log.id, [
      { filename: '营业执照.pdf', content: Buffer.from('%PDF-1.4 licence') },
      { filename: '报表.xlsx', content: Buffer.from('PK\u0003\u0004 sheet') },
    ]);
    expect(two.status).toBe(400);
    expect(two.body.error).toMatchObject({ code: 'FILE_ONE_PER_REQUEST', message: '每次只能上传一个文件，请逐个上传' });
    expect(await filesOf(log.id)).toBe(0);
    expect((await client.get(`/api/v1/contact-logs/${log.id}`)).body.attachments).toEqual([]);
  });

  it('keeps each user within the attachment quota set by an administrator; beyond it nothing is stored', async () => {
    const { client: admin } = await signedIn(t, { roleCode: 'admin' });
    const { client: sales } = await signedIn(t);
    const before = (await admin.get('/api/v1/customer-settings')).body;
    expect(before.attachmentQuotaMb).toBeGreaterThanOrEqual(1);
    expect((await sales.patch('/api/v1/customer-settings', { attachmentQuotaMb: 5000 })).status).toBe(403);
    expect((await admin.patch('/api/v1/customer-settings', { attachmentQuotaMb: 0 })).status).toBe(400);
    const { client } = await signedIn(t);
    const { log } = await logWithCustomer(client);
    try {
      expect((await admin.patch('/api/v1/customer-settings', { attachmentQuotaMb: 1 })).body.attachmentQuotaMb).toBe(1);
      const first = await upload(client, log.id, [{ filename: 'a.pdf', content: Buffer.alloc(700 * 1024, 1) }]);
      expect(first.status).toBe(201);
      // Announced too big for what is left: refused before it is read.
      const announced = await upload(client, log.id, [{ filename: 'b.pdf', content: Buffer.alloc(700 * 1024, 2) }]);
      expect(announced.status).toBe(413);
      expect(announced.body.error.code).toBe('STORAGE_QUOTA_EXCEEDED');
      // Small enough by its announcement, too big once read (700 KB + 400 KB > 1 MB).
      const counted = await upload(client, log.id, [{ filename: 'c.pdf', content: Buffer.alloc(400 * 1024, 3) }]);
      expect(counted.status).toBe(413);
      expect(counted.body.error).toMatchObject({
        code: 'STORAGE_QUOTA_EXCEEDED',
        message:
          '附件存储空间不足：您已使用 0.7 MB，上限 1 MB，此文件 0.4 MB。请删除不再需要的附件，或请管理员调高上限',
        details: { usedBytes: 700 * 1024, quotaBytes: 1024 * 1024, fileBytes: 400 * 1024 },
      });
      expect(await filesOf(log.id)).toBe(1);
      // Someone else still has their own room; and deleting frees it.
      const other = await signedIn(t);
      const { log: otherLog } = await logWithCustomer(other.client);
      expect(
        (await upload(other.client, otherLog.id, [{ filename: 'd.pdf', content: Buffer.alloc(700 * 1024, 4) }])).status,
      ).toBe(201);
      expect((await client.delete(`/api/v1/contact-logs/${log.id}/attachments/${first.body[0].id}`)).status).toBe(200);
      expect((await upload(client, log.id, [{ filename: 'c.pdf', content: Buffer.alloc(400 * 1024, 3) }])).status).toBe(
        201,
      );
    } finally {
      await admin.patch('/api/v1/customer-settings', { attachmentQuotaMb: before.attachmentQuotaMb });
    }
  });
});
