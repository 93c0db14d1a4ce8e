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

/** What the browser is told live; it then re-reads what changed (payloads stay tiny and carry no data). */
export type LiveEvent =
  { type: 'notifications'; userIds: string[] } | { type: 'chat'; userIds: string[]; signal: ChatSignal };

/** Recipients per NOTIFY: 150 ids of 39 bytes and the signal stay well under NOTIFY's 8,000-byte payload. */
const RECIPIENTS_PER_NOTIFY = 150;

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

/**
 * This instance's end of the live channel: LISTENs on the database (a dedicated connection on
 * PostgreSQL, reconnecting with backoff; PGlite's own listen) and hands events to the browsers
 * connected here, by user.
 */
export class Realtime {
  private readonly byUser = new Map<string, Set<Listener>>();
  private stopListening: () => Promise<void> = async () => {};
  private closed = false;

  static async open(database: Database): Promise<Realtime> {
    const realtime = new Realtime();
    await realtime.listen(database);
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

  /** Someone's presence as this instance knows it (connected here or not). */
  presenceOf(userId: string): 'online' | 'away' | 'offline' {
    return this.byUser.has(userId) ? 'online' : 'offline';
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopListening();
  }

  private dispatch(payload: string | undefined) {
    let event: LiveEvent;
    try {
      event = JSON.parse(payload ?? '');
    } catch {
      return;
    }
    for (const userId of event.userIds ?? []) for (const listener of this.byUser.get(userId) ?? []) listener(event);
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
