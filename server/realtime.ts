import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Database, Db } from './db/client';

/** The PostgreSQL channel every instance listens on. */
export const EVENTS_CHANNEL = 'gd_events';

/**
 * What happened in the chat, as instances tell each other (ids only: NOTIFY payloads stay under its 8,000 bytes;
 * the instance reads what it sends its browsers — common/schemas/chat.ts ChatLiveEvent).
 */
export type ChatSignal =
  | { kind: 'message'; conversationId: string; messageId: string; seq: number; clientId?: string }
  | { kind: 'changed'; conversationId: string; messageId: string }
  | { kind: 'read'; conversationId: string; seq: number }
  | { kind: 'typing'; conversationId: string; user: { id: string; name: string } }
  | { kind: 'presence'; userId: string; state: 'online' | 'away' | 'offline' };

/** Someone's presence: online while they have a live channel open (and did not say away), offline otherwise. */
export type PresenceState = 'online' | 'away' | 'offline';

/**
 * What instances tell each other through NOTIFY. `notifications` and `chat` are addressed to users (the browser is
 * told of notifications by type only and re-reads them; a chat signal becomes a ChatLiveEvent on each instance).
 * `presence` is an instance's own people and their states: on a change, every HEARTBEAT as a refresh, and in answer
 * to `ask` (an instance that just started asks the others for theirs).
 */
export type LiveEvent =
  | { type: 'notifications'; userIds: string[] }
  | { type: 'chat'; userIds: string[]; signal: ChatSignal }
  | { type: 'presence'; instance: string; users: [string, PresenceState][]; ask?: boolean };

/** Recipients per NOTIFY: 150 ids of 39 bytes and the signal stay well under NOTIFY's 8,000-byte payload. */
const RECIPIENTS_PER_NOTIFY = 150;
/** People per presence NOTIFY (≈ 50 bytes each). */
const PRESENCE_PER_NOTIFY = 100;

/**
 * Publishes an event to every instance through NOTIFY. Called on a transaction, the event is
 * delivered only when (and if) it commits.
 */
export async function publish(db: Db, event: LiveEvent): Promise<void> {
  await db.execute(sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify(event)})`);
}

/** Publishes a chat signal to its recipients, in as many NOTIFYs as their number needs (in order, on commit). */
export async function publishChat(db: Db, userIds: readonly string[], signal: ChatSignal): Promise<void> {
  for (let i = 0; i < userIds.length; i += RECIPIENTS_PER_NOTIFY)
    await publish(db, { type: 'chat', userIds: userIds.slice(i, i + RECIPIENTS_PER_NOTIFY), signal });
}

type Listener = (event: LiveEvent) => void;
/** Takes every chat signal arriving at this instance, once, with its recipients (server/domains/chat/live.ts). */
export type ChatHandler = (userIds: readonly string[], signal: ChatSignal) => void;

/** One open live channel's presence: what its browser said (online or away) until it closes. */
export type PresenceHandle = { set(state: 'online' | 'away'): void; close(): void };

export type RealtimeOptions = {
  /** How often an instance repeats its people's presence to the others (ms); entries not heard of for 3× expire. */
  presenceHeartbeatMs?: number;
};

const rank: Record<PresenceState, number> = { offline: 0, away: 1, online: 2 };
const strongest = (states: Iterable<PresenceState>): PresenceState => {
  let best: PresenceState = 'offline';
  for (const state of states) if (rank[state] > rank[best]) best = state;
  return best;
};

/**
 * This instance's end of the live channel: LISTENs on the database (a dedicated connection on
 * PostgreSQL, reconnecting with backoff; PGlite's own listen) and hands events to the browsers
 * connected here, by user; chat signals go to the chat's handler once per instance. It also keeps
 * everyone's presence over all instances: its own channels, and the others' as they announce them
 * (changes at once, a refresh every heartbeat; an instance not heard of for three heartbeats is gone).
 */
export class Realtime {
  /** This instance, as it names itself to the others. */
  readonly instance = randomUUID();
  private readonly byUser = new Map<string, Set<Listener>>();
  private chatHandler: ChatHandler | null = null;
  /** The channels open here, per user: each one's state. */
  private readonly local = new Map<string, Map<number, 'online' | 'away'>>();
  /** Other instances' people: user → instance → state and when last heard. */
  private readonly remote = new Map<string, Map<string, { state: PresenceState; at: number }>>();
  /** Everyone's presence as last told to the browsers here (changes are broadcast). */
  private readonly known = new Map<string, PresenceState>();
  private nextChannel = 1;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopListening: () => Promise<void> = async () => {};
  private closed = false;

  private constructor(
    private readonly db: Db | null,
    private readonly heartbeatMs: number,
  ) {}

  static async open(database: Database, options: RealtimeOptions = {}): Promise<Realtime> {
    const realtime = new Realtime(database.db, options.presenceHeartbeatMs ?? 20_000);
    await realtime.listen(database);
    realtime.heartbeat = setInterval(() => realtime.beat(), realtime.heartbeatMs);
    realtime.heartbeat.unref();
    // Hear who is already connected elsewhere.
    realtime.announce([], true);
    return realtime;
  }

  /** Calls `listener` with every event for `userId` until the returned function is called. */
  subscribe(userId: string, listener: Listener): () => void {
    let set = this.byUser.get(userId);
    if (!set) this.byUser.set(userId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byUser.delete(userId);
    };
  }

  /**
   * Hands every chat signal arriving here to `handler` (once per NOTIFY, with its recipients) instead of the users'
   * listeners, and presence changes as `presence` signals to everyone connected here.
   */
  onChat(handler: ChatHandler | null): void {
    this.chatHandler = handler;
  }

  /** Someone's presence over all instances: online with a channel open anywhere, away when they said so. */
  presenceOf(userId: string): PresenceState {
    const states: PresenceState[] = [...(this.local.get(userId)?.values() ?? [])];
    const now = Date.now();
    for (const entry of this.remote.get(userId)?.values() ?? [])
      if (now - entry.at < 3 * this.heartbeatMs) states.push(entry.state);
    return strongest(states);
  }

  /** The live channels (WebSockets) open on this instance, and the people they belong to (metrics). */
  connections(): { channels: number; users: number } {
    let channels = 0;
    for (const open of this.local.values()) channels += open.size;
    return { channels, users: this.local.size };
  }

  /** A live channel of `userId` opened here: they are online (or away, as the channel says) until it closes. */
  connect(userId: string): PresenceHandle {
    const key = this.nextChannel++;
    let channels = this.local.get(userId);
    if (!channels) this.local.set(userId, (channels = new Map()));
    channels.set(key, 'online');
    this.localChanged(userId);
    let open = true;
    return {
      set: (state) => {
        if (!open || channels.get(key) === state) return;
        channels.set(key, state);
        this.localChanged(userId);
      },
      close: () => {
        if (!open) return;
        open = false;
        channels.delete(key);
        if (channels.size === 0 && this.local.get(userId) === channels) this.local.delete(userId);
        this.localChanged(userId);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    // Tell the others this instance's people are gone from here (best effort: they expire anyway).
    const gone = [...this.local.keys()];
    this.local.clear();
    if (gone.length > 0 && this.db)
      await this.publishPresence(gone.map((userId) => [userId, 'offline'] as [string, PresenceState])).catch(() => {});
    await this.stopListening();
  }

  private localState(userId: string): PresenceState {
    return strongest(this.local.get(userId)?.values() ?? []);
  }

  private localChanged(userId: string) {
    this.announce([[userId, this.localState(userId)]]);
    this.recheck([userId]);
  }

  /** Tells the other instances these people's states here (and asks for theirs). */
  private announce(users: [string, PresenceState][], ask = false) {
    if (this.closed || !this.db) return;
    void this.publishPresence(users, ask).catch(() => {
      /* the next heartbeat repeats it */
    });
  }

  private async publishPresence(users: [string, PresenceState][], ask = false) {
    if (users.length === 0) {
      await publish(this.db!, { type: 'presence', instance: this.instance, users: [], ask });
      return;
    }
    for (let i = 0; i < users.length; i += PRESENCE_PER_NOTIFY)
      await publish(this.db!, {
        type: 'presence',
        instance: this.instance,
        users: users.slice(i, i + PRESENCE_PER_NOTIFY),
        ...(ask && i === 0 ? { ask } : {}),
      });
  }

  /** Everyone connected here, with their state here. */
  private snapshot(): [string, PresenceState][] {
    return [...this.local.keys()].map((userId) => [userId, this.localState(userId)]);
  }

  /** The heartbeat: repeat this instance's people to the others, forget instances not heard of. */
  private beat() {
    const users = this.snapshot();
    if (users.length > 0) this.announce(users);
    const now = Date.now();
    const expired: string[] = [];
    for (const [userId, entries] of this.remote) {
      for (const [instance, entry] of entries) if (now - entry.at >= 3 * this.heartbeatMs) entries.delete(instance);
      if (entries.size === 0) {
        this.remote.delete(userId);
        expired.push(userId);
      }
    }
    this.recheck(expired);
  }

  /** Broadcasts the presence of these people to everyone connected here where it changed. */
  private recheck(userIds: Iterable<string>) {
    const changed: { userId: string; state: PresenceState }[] = [];
    for (const userId of userIds) {
      const state = this.presenceOf(userId);
      if ((this.known.get(userId) ?? 'offline') === state) continue;
      if (state === 'offline') this.known.delete(userId);
      else this.known.set(userId, state);
      changed.push({ userId, state });
    }
    if (changed.length === 0) return;
    const everyone = [...new Set([...this.local.keys(), ...this.byUser.keys()])];
    for (const { userId, state } of changed) this.deliverChat(everyone, { kind: 'presence', userId, state });
  }

  /** The chat's handler sends the browsers their events; the users' listeners hear the signal too (what tests watch). */
  private deliverChat(userIds: readonly string[], signal: ChatSignal) {
    this.chatHandler?.(userIds, signal);
    const event: LiveEvent = { type: 'chat', userIds: [...userIds], signal };
    for (const userId of userIds) for (const listener of this.byUser.get(userId) ?? []) listener(event);
  }

  private dispatch(payload: string | undefined) {
    let event: LiveEvent;
    try {
      event = JSON.parse(payload ?? '');
    } catch {
      return;
    }
    if (event.type === 'presence') return this.heard(event);
    if (event.type === 'chat') {
      if (event.signal?.kind === 'presence') return; // presence travels as `presence` events, never from outside
      return this.deliverChat(event.userIds ?? [], event.signal);
    }
    for (const userId of event.userIds ?? []) for (const listener of this.byUser.get(userId) ?? []) listener(event);
  }

  /** Another instance told its people's states (or asked for ours). */
  private heard(event: Extract<LiveEvent, { type: 'presence' }>) {
    if (event.instance === this.instance) return;
    const now = Date.now();
    for (const [userId, state] of event.users ?? []) {
      let entries = this.remote.get(userId);
      if (state === 'offline') {
        entries?.delete(event.instance);
        if (entries?.size === 0) this.remote.delete(userId);
        continue;
      }
      if (!entries) this.remote.set(userId, (entries = new Map()));
      entries.set(event.instance, { state, at: now });
    }
    this.recheck((event.users ?? []).map(([userId]) => userId));
    if (event.ask) {
      const users = this.snapshot();
      if (users.length > 0) this.announce(users);
    }
  }

  private async listen(database: Database) {
    if (database.client instanceof PGlite) {
      this.stopListening = await database.client.listen(EVENTS_CHANNEL, (payload) => this.dispatch(payload));
      return;
    }
    const connectionString = (database.client as pg.Pool).options.connectionString;
    let client: pg.Client | null = null;
    let retry: NodeJS.Timeout | undefined;
    const connect = async (delayMs: number) => {
      if (this.closed) return;
      const next = new pg.Client({ connectionString, application_name: 'gongdan-realtime' });
      next.on('notification', (message) => this.dispatch(message.payload));
      next.on('error', () => {
        next.end().catch(() => {});
        if (client === next) {
          client = null;
          retry = setTimeout(() => void connect(Math.min(delayMs * 2, 30_000)), delayMs);
          retry.unref();
        }
      });
      try {
        await next.connect();
        await next.query(`LISTEN ${EVENTS_CHANNEL}`);
        if (this.closed) {
          // Closed while connecting: nobody else will end this connection.
          await next.end().catch(() => {});
          return;
        }
        client = next;
      } catch {
        next.end().catch(() => {});
        retry = setTimeout(() => void connect(Math.min(delayMs * 2, 30_000)), delayMs);
        retry.unref();
      }
    };
    await connect(500);
    this.stopListening = async () => {
      clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    };
  }
}
