import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signedIn } from '../../test/factories';
import { createTestApp, secondInstanceDatabase, sleep, uniq, type Client, type TestApp } from '../../test/harness';
import { LIVE_FOREIGN_ORIGIN, LIVE_UNAUTHENTICATED } from '../../plugins/live';

let a: TestApp;
let b: TestApp;
let second: Awaited<ReturnType<typeof secondInstanceDatabase>>;
let port: number;
beforeAll(async () => {
  a = await createTestApp();
  second = await secondInstanceDatabase(a.database);
  b = await createTestApp({ database: second.database, liveCheckMs: 200 });
  await b.app.listen({ port: 0, host: '127.0.0.1' });
  port = (b.app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await b.close();
  await a.close();
  await second.close();
});

/** Opens the live channel on instance b as `client`, resolving once the server said hello. */
function connect(
  client: Client | null,
  headers: Record<string, string> = {},
): Promise<{ socket: WebSocket; messages: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/events`, {
      headers: { ...(client?.cookie ? { cookie: client.cookie } : {}), ...headers },
    });
    const messages: string[] = [];
    socket.on('message', (data) => {
      const text = String(data);
      if (text.includes('hello')) resolve({ socket, messages });
      else messages.push(text);
    });
    socket.on('close', (code) => reject(new Error(`closed ${code}`)));
    socket.on('error', reject);
  });
}

describe('the live channel', () => {
  it('tells a manager’s open browser on another instance at once when a lead is assigned to them — and nobody else', async () => {
    const manager = await signedIn(a, { roleCode: 'manager' });
    const bystander = await signedIn(a);
    const admin = (await signedIn(a, { roleCode: 'admin' })).client;
    const mine = await connect(manager.client);
    const theirs = await connect(bystander.client);
    try {
      const lead = await admin.post('/api/v1/leads', { companyName: uniq('西安秦川机械'), ownerId: manager.user.id });
      expect(lead.status, JSON.stringify(lead.body)).toBe(201);
      // The channel also carries the chat's events (a colleague coming online: chat.presence); these are the rest.
      const told = (live: { messages: string[] }) =>
        live.messages.map((m) => JSON.parse(m)).filter((m: { type: string }) => !m.type.startsWith('chat.'));
      for (let i = 0; i < 50 && told(mine).length === 0; i++) await sleep(100);
      expect(told(mine)).toEqual([{ type: 'notifications' }]);
      expect(told(theirs)).toEqual([]);
      const bell = await manager.client.get('/api/v1/notifications');
      expect(bell.body.items[0]).toMatchObject({ kind: 'lead-assigned', entityId: lead.body.id });
    } finally {
      mine.socket.close();
      theirs.socket.close();
    }
  });

  it('closes when the session ends (signed out elsewhere)', async () => {
    const { client } = await signedIn(a);
    const live = await connect(client);
    const closed = new Promise<number>((resolve) => live.socket.on('close', resolve));
    expect((await client.post('/api/v1/auth/logout')).status).toBe(200);
    expect(await closed).toBe(LIVE_UNAUTHENTICATED);
  });

  it('refuses anonymous callers and pages of other sites', async () => {
    await expect(connect(null)).rejects.toThrow(`closed ${LIVE_UNAUTHENTICATED}`);
    const { client } = await signedIn(a);
    await expect(connect(client, { origin: 'https://evil.example' })).rejects.toThrow(`closed ${LIVE_FOREIGN_ORIGIN}`);
  });
});
