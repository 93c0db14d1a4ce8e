import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Me } from '../../common/schemas/auth';
import { buildApp } from '../app';
import { loadConfig } from '../config';
import { mailOutbox } from '../domains/notifications/notifications.tables';
import { startWorkers } from '../jobs/workers';
import { buildUser } from '../test/factories';
import {
  Client,
  TEST_PASSWORD,
  createTestApp,
  openTestDatabase,
  randomIp,
  uniq,
  until,
  type TestApp,
} from '../test/harness';
import { JOB_STATES, OUTBOX_STATUSES, UNMATCHED_ROUTE } from './metrics';
import { QUEUES } from '../jobs/engine';

const TOKEN = 'metrics-test-token-0123456789abcdef';

/** One sample line of the Prometheus text format. */
type Sample = { name: string; labels: Record<string, string>; value: number };
type Exposition = { help: Map<string, string>; type: Map<string, string>; samples: Sample[] };

/**
 * Parses the Prometheus text format (version 0.0.4): `# HELP name text`, `# TYPE name type` and sample lines
 * `name{label="value",…} number`. Throws on any line it does not understand, so a malformed exposition fails the test.
 */
function parseExposition(text: string): Exposition {
  const out: Exposition = { help: new Map(), type: new Map(), samples: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][\w:]*) (.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment;
      if (kind === 'HELP') out.help.set(name, rest);
      else {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped'], line).toContain(rest);
        out.type.set(name, rest);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a Prometheus line: ${line}`);
    const [, name, labelText = '', valueText] = sample;
    const labels: Record<string, string> = {};
    let rest = labelText;
    while (rest) {
      const label = /^([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)",?/.exec(rest);
      if (!label) throw new Error(`bad labels in: ${line}`);
      labels[label[1]] = label[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(label[0].length);
    }
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`bad value in: ${line}`);
    out.samples.push({ name, labels, value });
  }
  return out;
}

/** The family a sample belongs to (a histogram's _bucket, _sum and _count lines are its family's). */
function familyOf(exposition: Exposition, sample: Sample): string {
  if (exposition.type.has(sample.name)) return sample.name;
  const base = sample.name.replace(/_(bucket|sum|count)$/, '');
  return exposition.type.get(base) === 'histogram' ? base : sample.name;
}

/** The samples named `name` whose labels include `labels`. */
function pick(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}
function only(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = pick(exposition, name, labels);
  expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return found[0].value;
}

type Instance = {
  app: TestApp['app'];
  database: TestApp['database'];
  logLines: Record<string, unknown>[];
  login(username: string): Promise<Client>;
  close(): Promise<void>;
};

/**
 * An app with METRICS_TOKEN set, logging JSON lines into `logLines`, working the `workflow.overdue` queue (no other test
 * works it, so its jobs are this app's on a shared PostgreSQL) with no retries, plus a route that sends such a job as a
 * request does (a random instance: the job completes; an id that is no uuid: it fails).
 */
async function metricsApp(): Promise<Instance> {
  const database = await openTestDatabase();
  const logLines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      callback();
    },
  });
  const config = { ...loadConfig({}), jobPollSeconds: 0.5, metricsToken: TOKEN };
  const app = await buildApp({
    database,
    config,
    logger: { level: 'info', stream },
    jobs: { retries: { 'workflow.overdue': { retryLimit: 0 } } },
    checkResponses: true,
  });
  app.post('/test/overdue-job', { config: { public: true }, schema: { hide: true } }, async (request) => {
    const fail = (request.query as { fail?: string }).fail === '1';
    const id = await app.jobs.send(app.db, 'workflow.overdue', {
      instanceId: fail ? 'not-a-uuid' : randomUUID(),
      round: 1,
    });
    return { id };
  });
  await startWorkers(app, config, ['workflow.overdue']);
  await app.ready();
  return {
    app,
    database,
    logLines,
    async login(username) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: TEST_PASSWORD },
        remoteAddress: randomIp(),
      });
      expect(res.statusCode, res.body).toBe(200);
      const cookie = ([] as string[])
        .concat(res.headers['set-cookie'] as string | string[])
        .map((c) => c.split(';')[0])
        .join('; ');
      return new Client(app, cookie, res.json().csrfToken, res.json() as Me);
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}

let m: Instance;
beforeAll(async () => {
  m = await metricsApp();
});
afterAll(() => m.close());

async function scrape(headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  return m.app.inject({ method: 'GET', url: '/metrics', headers });
}

describe('/metrics', () => {
  it('counts requests by route pattern and status, with their durations, and shows the queues, the outbox, the pool and the live channels', async () => {
    const anon = new Client(m.app);
    const hiddenId = randomUUID();
    expect((await anon.get('/api/health')).status).toBe(200);
    expect((await anon.get('/api/health')).status).toBe(200);
    expect((await anon.get(`/api/v1/customers/${hiddenId}`)).status).toBe(401);
    expect((await anon.get(`/api/v1/nowhere/${hiddenId}`)).status).toBe(404);

    // A job that completes and one that fails for good, sent by requests.
    for (const fail of ['0', '1']) {
      const sent = await anon.request('POST', `/test/overdue-job?fail=${fail}`, {});
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    }
    const jobLines = () => m.logLines.filter((l) => l.queue === 'workflow.overdue' && l.jobId);
    await until(async () => jobLines().length >= 2, 60_000, 'both jobs worked');

    // Mail an administrator has to look at (held: no SMTP).
    await m.database.db.insert(mailOutbox).values({
      status: 'held',
      toAddress: 'metrics@example.com',
      subject: uniq('度量'),
      body: '—',
      kind: 'test',
    });

    // A live channel open on this instance.
    const user = await buildUser(m.database.db, { roleCode: 'salesperson' });
    const client = await m.login(user.username);
    await m.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (m.app.server.address() as { port: number }).port;
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/events`, { headers: { cookie: client.cookie! } });
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => String(data).includes('hello') && resolve());
      socket.on('error', reject);
    });

    try {
      const res = await scrape();
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      const metrics = parseExposition(res.body);

      // Every sample belongs to a family with HELP and TYPE.
      for (const sample of metrics.samples) {
        const family = familyOf(metrics, sample);
        expect(metrics.type.has(family), sample.name).toBe(true);
        expect(metrics.help.get(family), sample.name).toBeTruthy();
      }
      expect(metrics.type.get('gongdan_http_requests_total')).toBe('counter');
      expect(metrics.type.get('gongdan_http_request_duration_seconds')).toBe('histogram');
      expect(metrics.type.get('gongdan_jobs_total')).toBe('counter');
      expect(metrics.type.get('gongdan_job_queue_jobs')).toBe('gauge');

      // Requests: the route pattern, never the address.
      const requests = 'gongdan_http_requests_total';
      expect(only(metrics, requests, { method: 'GET', route: '/api/health', status: '200' })).toBe(2);
      expect(only(metrics, requests, { method: 'GET', route: '/api/v1/customers/:id', status: '401' })).toBe(1);
      expect(only(metrics, requests, { method: 'GET', route: UNMATCHED_ROUTE, status: '404' })).toBe(1);
      expect(only(metrics, requests, { method: 'POST', route: '/test/overdue-job', status: '200' })).toBe(2);
      const labelValues = metrics.samples.flatMap((s) => Object.values(s.labels));
      expect(labelValues.filter((v) => v.includes(hiddenId) || v.includes('nowhere'))).toEqual([]);
      expect(pick(metrics, requests).every((s) => !/\d{3,}|[0-9a-f]{8}-/.test(s.labels.route))).toBe(true);

      // Their durations: as many observations as requests, cumulative buckets ending in +Inf.
      const health = { method: 'GET', route: '/api/health', status: '200' };
      const duration = 'gongdan_http_request_duration_seconds';
      expect(only(metrics, `${duration}_count`, health)).toBe(2);
      expect(only(metrics, `${duration}_sum`, health)).toBeGreaterThan(0);
      const buckets = pick(metrics, `${duration}_bucket`, health).map((s) => ({
        le: Number(s.labels.le === '+Inf' ? Infinity : s.labels.le),
        n: s.value,
      }));
      expect(buckets.length).toBeGreaterThan(5);
      expect(buckets.at(-1)).toEqual({ le: Infinity, n: 2 });
      for (let i = 1; i < buckets.length; i++) {
        expect(buckets[i].le).toBeGreaterThan(buckets[i - 1].le);
        expect(buckets[i].n).toBeGreaterThanOrEqual(buckets[i - 1].n);
      }

      // The jobs this instance worked, and the queues' jobs by state (every queue, every state).
      expect(only(metrics, 'gongdan_jobs_total', { queue: 'workflow.overdue', outcome: 'completed' })).toBe(1);
      expect(only(metrics, 'gongdan_jobs_total', { queue: 'workflow.overdue', outcome: 'failed' })).toBe(1);
      expect(only(metrics, 'gongdan_jobs_total', { queue: 'mail.send', outcome: 'failed' })).toBe(0);
      expect(
        only(metrics, 'gongdan_job_duration_seconds_count', { queue: 'workflow.overdue', outcome: 'failed' }),
      ).toBe(1);
      expect(pick(metrics, 'gongdan_job_queue_jobs')).toHaveLength(Object.keys(QUEUES).length * JOB_STATES.length);
      expect(only(metrics, 'gongdan_job_queue_jobs', { queue: 'workflow.overdue', state: 'failed' })).toBeGreaterThan(
        0,
      );
      expect(only(metrics, 'gongdan_metrics_source_up', { source: 'queues' })).toBe(1);

      // The outbox's unsent mail by status.
      expect(pick(metrics, 'gongdan_mail_outbox_messages').map((s) => s.labels.status)).toEqual(
        expect.arrayContaining([...OUTBOX_STATUSES]),
      );
      expect(only(metrics, 'gongdan_mail_outbox_messages', { status: 'held' })).toBeGreaterThan(0);
      expect(only(metrics, 'gongdan_mail_outbox_oldest_age_seconds', { status: 'held' })).toBeGreaterThanOrEqual(0);
      expect(only(metrics, 'gongdan_metrics_source_up', { source: 'outbox' })).toBe(1);

      // The database pool, and the live channel.
      if (m.database.engine === 'postgres') {
        expect(only(metrics, 'gongdan_db_pool_max')).toBe(4);
        const open = only(metrics, 'gongdan_db_pool_connections');
        expect(open).toBeGreaterThan(0);
        expect(only(metrics, 'gongdan_db_pool_idle_connections')).toBeLessThanOrEqual(open);
        expect(only(metrics, 'gongdan_db_pool_waiting_clients')).toBe(0);
      } else {
        expect(only(metrics, 'gongdan_db_pool_max')).toBe(1);
        expect(only(metrics, 'gongdan_db_pool_connections')).toBe(1);
      }
      expect(only(metrics, 'gongdan_websocket_connections')).toBe(1);
      expect(only(metrics, 'gongdan_websocket_users')).toBe(1);
      expect(only(metrics, 'gongdan_info', { engine: m.database.engine })).toBe(1);
      expect(pick(metrics, 'process_resident_memory_bytes')).toHaveLength(1);
    } finally {
      socket.close();
    }
    await until(async () => m.app.realtime.connections().channels === 0, 10_000, 'the channel closed');
    const after = parseExposition((await scrape()).body);
    expect(only(after, 'gongdan_websocket_connections')).toBe(0);
    // The first scrape is counted too, under its own route.
    expect(only(after, 'gongdan_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
  });

  it('answers 401 without the token or with a wrong one, and shows nothing', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789abcdef',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      TOKEN,
      `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
    ]) {
      const res = await scrape(authorization ? { authorization } : {});
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(res.body).not.toContain('gongdan_');
    }
  });

  it('is off (404) when METRICS_TOKEN is not set, with or without a token', async () => {
    const off: TestApp = await createTestApp({ database: m.database });
    try {
      expect(off.config.metricsToken).toBeNull();
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }]) {
        const res = await off.app.inject({ method: 'GET', url: '/metrics', headers });
        expect(res.statusCode).toBe(404);
        expect(res.json().error.code).toBe('ROUTE_NOT_FOUND');
      }
    } finally {
      await off.close();
    }
  });
});

describe('the request id in the logs', () => {
  it('is on the log lines of the request and of the jobs it started', async () => {
    const anon = new Client(m.app);
    const requestId = `trace-${randomUUID()}`;
    const failingId = `trace-${randomUUID()}`;
    const sent = await anon.request('POST', '/test/overdue-job?fail=0', {}, { headers: { 'x-request-id': requestId } });
    expect(sent.status).toBe(200);
    const failed = await anon.request(
      'POST',
      '/test/overdue-job?fail=1',
      {},
      { headers: { 'x-request-id': failingId } },
    );
    expect(failed.status).toBe(200);
    const linesOf = (id: string) => m.logLines.filter((l) => l.reqId === id);
    await until(
      async () => linesOf(requestId).some((l) => l.jobId) && linesOf(failingId).some((l) => l.jobId),
      60_000,
      'the jobs’ log lines',
    );
    expect(linesOf(requestId).map((l) => l.msg)).toEqual(['request completed', 'job completed']);
    expect(linesOf(requestId)[1]).toMatchObject({ queue: 'workflow.overdue', jobId: sent.body.id, level: 30 });
    expect(linesOf(failingId).map((l) => l.msg)).toEqual(['request completed', 'job failed']);
    expect(linesOf(failingId)[1]).toMatchObject({ queue: 'workflow.overdue', jobId: failed.body.id, level: 50 });
    expect(JSON.stringify(linesOf(failingId)[1].err)).toContain('uuid');
  });

  it('travels in the data of jobs a service sends during a request (an outbox message sent again)', async () => {
    const admin = await buildUser(m.database.db, { roleCode: 'admin' });
    const client = (await m.login(admin.username)).with({ 'x-request-id': `resend-${randomUUID()}` });
    const [mail] = await m.database.db
      .insert(mailOutbox)
      .values({ status: 'held', toAddress: 'again@example.com', subject: uniq('重发'), body: '—', kind: 'test' })
      .returning();
    const res = await client.post(`/api/v1/mail-outbox/${mail.id}/resend`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [job] = await m.app.jobs.boss.findJobs<{ mailId: string; requestId?: string }>('mail.send', {
      data: { mailId: mail.id },
    });
    expect(job.data).toEqual({ mailId: mail.id, requestId: client.headers['x-request-id'] });
  });
});
