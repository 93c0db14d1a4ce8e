import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIVE_MALFORMED } from '../../plugins/live';
import { Realtime } from '../../realtime';
import { signedIn } from '../../test/factories';
import { createTestApp, secondInstanceDatabase, sleep, uniq, type Client, type TestApp } from '../../test/harness';

/**
 * The chat in real time (issue 18) over the live channel, with two app instances on one database: messages reach
 * every member's open tabs on either instance once and in order, typing and presence frames, forged frames.
 */
let a: TestApp;
let b: TestApp;
let second: Awaited<ReturnType<typeof secondInstanceDatabase>>;
const ports: Record<'a' | 'b', number> = { a: 0, b: 0 };
beforeAll(async () => {
  a = await createTestApp();
  second = await secondInstanceDatabase(a.database);
  b = await createTestApp({ database: second.database });
  for (const [name, t] of [
    ['a', a],
    ['b', b],
  ] as const) {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    ports[name] = (t.app.server.address() as { port: number }).port;
  }
});
afterAll(async () => {
  await b.close();
  await a.close();
  await second.close();
});

// Events are read field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Event = { type: string; at: number; [key: string]: any };
type Live = { socket: WebSocket; events: Event[]; closed: Promise<number>; of(type: string): Event[] };

/** Opens the live channel on an instance as `client`, resolving once the server said hello. */
function connect(instance: 'a' | 'b', client: Client): Promise<Live> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${ports[instance]}/api/v1/events`, {
      headers: { cookie: client.cookie! },
    });
    const events: Event[] = [];
    const closed = new Promise<number>((done) => socket.on('close', done));
    const live: Live = { socket, events, closed, of: (type) => events.filter((e) => e.type === type) };
    socket.on('message', (data) => {
      const event = JSON.parse(String(data));
      if (event.type === 'hello') resolve(live);
      else events.push({ ...event, at: Date.now() });
    });
    socket.on('close', (code) => reject(new Error(`closed ${code}`)));
    socket.on('error', reject);
  });
}

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

async function groupOf(owner: Client, memberIds: string[]): Promise<string> {
  const res = await owner.post('/api/v1/conversations', { kind: 'group', title: uniq('项目组'), memberIds });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const closeAll = (...lives: Live[]) => lives.forEach((live) => live.socket.close());

describe('messages in real time', () => {
  it('a message posted through instance A reaches every member’s tabs on both instances within a second, in seq order, once — and nobody else', async () => {
    const owner = await signedIn(a);
    const member = await signedIn(a);
    const outsider = await signedIn(a);
    const conversationId = await groupOf(owner.client, [member.user.id]);
    const memberOnB = await connect('b', member.client);
    const memberOnA = await connect('a', member.client);
    const ownerOnB = await connect('b', owner.client);
    const outsiderOnB = await connect('b', outsider.client);
    try {
      // One at a time, as people type: each reaches the other instance within a second of being sent.
      const sentAt: number[] = [];
      const post = async (i: number) => {
        const at = Date.now();
        const res = await owner.client.post(`/api/v1/conversations/${conversationId}/messages`, {
          body: `第${i}条消息`,
          clientId: `tab-${i}`,
        });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        sentAt[res.body.seq] = at;
      };
      for (let i = 1; i <= 4; i++) {
        await post(i);
        await waitFor(() => memberOnB.of('chat.message').length === i, 1000);
      }
      // A burst at once: still in seq order, once each.
      await Promise.all([5, 6, 7, 8, 9, 10].map(post));
      for (const live of [memberOnB, memberOnA, ownerOnB]) await waitFor(() => live.of('chat.message').length >= 10);
      await sleep(300);
      const page = await member.client.get(`/api/v1/conversations/${conversationId}/messages`, { after: 0 });
      expect(page.body.items).toHaveLength(10);
      for (const live of [memberOnB, memberOnA, ownerOnB]) {
        const got = live.of('chat.message');
        expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(got.map(({ at: _at, ...event }) => event)).toEqual(
          page.body.items.map((message: { seq: number; body: string }) => ({
            type: 'chat.message',
            conversationId,
            seq: message.seq,
            message,
            clientId: `tab-${/\d+/.exec(message.body)![0]}`,
          })),
        );
        for (const event of got.slice(0, 4)) expect(event.at - sentAt[event.seq]!).toBeLessThan(1000);
      }
      expect(outsiderOnB.of('chat.message')).toEqual([]);
    } finally {
      closeAll(memberOnA, memberOnB, ownerOnB, outsiderOnB);
    }
  });

  it('moving one’s place tells one’s own tabs (chat.read), not the others', async () => {
    const owner = await signedIn(a);
    const member = await signedIn(a);
    const conversationId = await groupOf(owner.client, [member.user.id]);
    const posted = await owner.client.post(`/api/v1/conversations/${conversationId}/messages`, { body: '请看合同' });
    const memberOnB = await connect('b', member.client);
    const ownerOnB = await connect('b', owner.client);
    try {
      expect(
        (await member.client.put(`/api/v1/conversations/${conversationId}/read`, { seq: posted.body.seq })).status,
      ).toBe(200);
      await waitFor(() => memberOnB.of('chat.read').length > 0);
      expect(memberOnB.of('chat.read').map(({ at: _at, ...e }) => e)).toEqual([
        { type: 'chat.read', conversationId, seq: 1 },
      ]);
      await sleep(200);
      expect(ownerOnB.of('chat.read')).toEqual([]);
    } finally {
      closeAll(memberOnB, ownerOnB);
    }
  });
});

describe('frames from the browser', () => {
  it('typing reaches the conversation’s other people on every instance, at most every two seconds, and only from someone who may read it', async () => {
    const owner = await signedIn(a);
    const member = await signedIn(a);
    const outsider = await signedIn(a);
    const conversationId = await groupOf(owner.client, [member.user.id]);
    const ownerOnA = await connect('a', owner.client);
    const memberOnB = await connect('b', member.client);
    const outsiderOnB = await connect('b', outsider.client);
    try {
      memberOnB.socket.send(JSON.stringify({ type: 'typing', conversationId }));
      memberOnB.socket.send(JSON.stringify({ type: 'typing', conversationId }));
      outsiderOnB.socket.send(JSON.stringify({ type: 'typing', conversationId }));
      await waitFor(() => ownerOnA.of('chat.typing').length > 0);
      await sleep(500);
      expect(ownerOnA.of('chat.typing').map(({ at: _at, ...e }) => e)).toEqual([
        { type: 'chat.typing', conversationId, user: { id: member.user.id, name: member.user.displayName } },
      ]);
      expect(memberOnB.of('chat.typing')).toEqual([]);
      expect(outsiderOnB.of('chat.typing')).toEqual([]);
      expect(outsiderOnB.socket.readyState).toBe(WebSocket.OPEN);
    } finally {
      closeAll(ownerOnA, memberOnB, outsiderOnB);
    }
  });

  it('a forged or malformed frame closes the channel with 4400 and delivers nothing', async () => {
    const owner = await signedIn(a);
    const member = await signedIn(a);
    const conversationId = await groupOf(owner.client, [member.user.id]);
    const ownerOnA = await connect('a', owner.client);
    const typing = JSON.stringify({ type: 'typing', conversationId });
    const frames: (string | Buffer)[] = [
      'typing',
      JSON.stringify({ type: 'shout', conversationId }),
      JSON.stringify({ type: 'typing', conversationId: 'not-an-id' }),
      JSON.stringify({ type: 'typing', conversationId, user: { id: owner.user.id, name: '老板' } }),
      JSON.stringify({ type: 'presence', state: 'offline' }),
      JSON.stringify({ type: 'chat.message', conversationId, seq: 99, message: { body: '假消息' } }),
      typing + ' '.repeat(1100),
      Buffer.from(typing),
    ];
    try {
      for (const frame of frames) {
        const live = await connect('b', member.client);
        live.socket.send(frame, { binary: Buffer.isBuffer(frame) });
        expect(await live.closed, String(frame).slice(0, 40)).toBe(LIVE_MALFORMED);
      }
      await sleep(500);
      expect(ownerOnA.of('chat.typing')).toEqual([]);
      expect(ownerOnA.of('chat.message')).toEqual([]);
    } finally {
      closeAll(ownerOnA);
    }
  });
});

describe('presence', () => {
  it('is online with a tab open on any instance, away when said so, offline when every tab closed — on every instance', async () => {
    const owner = await signedIn(a);
    const member = await signedIn(a);
    const conversationId = await groupOf(owner.client, [member.user.id]);
    const ownerOnA = await connect('a', owner.client);
    const presenceOf = (t: TestApp) => t.app.realtime.presenceOf(member.user.id);
    const seen = () =>
      ownerOnA
        .of('chat.presence')
        .filter((e) => e.userId === member.user.id)
        .map((e) => e.state);
    const listed = async () => {
      const res = await owner.client.get(`/api/v1/conversations/${conversationId}/members`);
      return res.body.find((m: { id: string }) => m.id === member.user.id).presence;
    };
    try {
      expect(presenceOf(a)).toBe('offline');
      const tab1 = await connect('b', member.client);
      await waitFor(() => presenceOf(a) === 'online', 1000);
      expect(presenceOf(b)).toBe('online');
      expect(await listed()).toBe('online');

      tab1.socket.send(JSON.stringify({ type: 'presence', state: 'away' }));
      await waitFor(() => presenceOf(a) === 'away', 1000);
      expect(await listed()).toBe('away');

      // An instance started now hears who is there from the others.
      const late = await Realtime.open(a.database);
      try {
        await waitFor(() => late.presenceOf(member.user.id) === 'away', 1000);
      } finally {
        await late.close();
      }

      const tab2 = await connect('a', member.client);
      await waitFor(() => presenceOf(b) === 'online', 1000);
      tab2.socket.close();
      await waitFor(() => presenceOf(a) === 'away' && presenceOf(b) === 'away', 1000);
      tab1.socket.close();
      await waitFor(() => presenceOf(a) === 'offline' && presenceOf(b) === 'offline', 1000);
      expect(await listed()).toBe('offline');
      await waitFor(() => seen().at(-1) === 'offline', 1000);
      expect(seen()).toEqual(['online', 'away', 'online', 'away', 'offline']);
    } finally {
      closeAll(ownerOnA);
    }
  });
});
