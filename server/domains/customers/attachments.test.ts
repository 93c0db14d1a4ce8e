import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../../common/schemas/files';
import { signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** A multipart/form-data body with the given files, named as browsers do (raw UTF-8). */
function multipart(parts: { filename: string; content: Buffer; type?: string }[]) {
  const boundary = `----gongdan${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
    );
    chunks.push(p.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

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
    const res = await upload(owner, log.id, [
      { filename: '营业执照.pdf', content: pdf },
      { filename: '2025年报表.xlsx', content: Buffer.from('PK\u0003\u0004 fake xlsx') },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.map((a: { filename: string }) => a.filename)).toEqual(['营业执照.pdf', '2025年报表.xlsx']);
    expect(res.body[0]).toMatchObject({ contentType: 'application/pdf', size: pdf.length });

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

  it('refuses forbidden types, oversized files and empty uploads, storing none of a mixed batch', async () => {
    const { client } = await signedIn(t);
    const { log } = await logWithCustomer(client);
    const exe = await upload(client, log.id, [
      { filename: 'ok.pdf', content: Buffer.from('%PDF') },
      { filename: 'setup.exe', content: Buffer.from('MZ') },
    ]);
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
