import { and, eq, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type WebSocket from 'ws';
import { ChatLiveFrame, LIVE_FRAME_MAX_BYTES, type ChatLiveEvent } from '../../../common/schemas/chat';
import type { Db } from '../../db/client';
import type { Actor } from '../../policy';
import { publishChat, type ChatSignal, type PresenceHandle, type Realtime } from '../../realtime';
import { readableConversations } from './chat.policy';
import { conversations } from './chat.tables';
import { recipientsOf, type ConversationRow } from './conversations.service';
import { readMessages } from './message-reader';

/** The close code for a frame the server does not take (not JSON, unknown, wrong fields, too big, binary). */
export const LIVE_MALFORMED = 4400;
/** One typing signal per person and conversation at most this often (the browser shows it for ~5 s). */
export const TYPING_EVERY_MS = 2_000;
/** Frames a channel may send per second on average (bursts up to FRAME_BURST); more are dropped. */
const FRAMES_PER_SECOND = 5;
const FRAME_BURST = 20;
/** How long "this person may read that conversation" and a conversation's recipients are trusted. */
const READABLE_CACHE_MS = 30_000;
const RECIPIENTS_CACHE_MS = 10_000;
/** Messages read for delivery, kept for the recipients of the same message in the next NOTIFYs. */
const READ_MEMO_SIZE = 500;
/** A reader with no reactions: `reactions.mine` is false for everyone in a live message. */
const NEUTRAL_READER = '00000000-0000-0000-0000-000000000000';

/** One live channel (a browser tab) as the chat sees it. */
class Channel {
  /** The last message seq sent per conversation: a message is never sent twice nor out of order. */
  private readonly sentSeq = new Map<string, number>();
  /** When this channel last sent a typing signal per conversation, and its readable conversations (with when). */
  readonly typedAt = new Map<string, number>();
  readonly readable = new Map<string, { row: ConversationRow | null; at: number }>();
  private tokens = FRAME_BURST;
  private refilledAt = Date.now();

  constructor(
    readonly actor: Actor,
    readonly socket: WebSocket,
    readonly presence: PresenceHandle,
  ) {}

  send(event: ChatLiveEvent) {
    if (event.type === 'chat.message') {
      if (event.seq <= (this.sentSeq.get(event.conversationId) ?? 0)) return;
      this.sentSeq.set(event.conversationId, event.seq);
    }
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(event));
  }

  /** Takes one frame from the allowance: false when the channel sends too fast (the frame is dropped). */
  takeFrame(): boolean {
    const now = Date.now();
    this.tokens = Math.min(FRAME_BURST, this.tokens + ((now - this.refilledAt) / 1000) * FRAMES_PER_SECOND);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * The chat's end of the live channel on one instance. Chat signals arrive once per NOTIFY (server/realtime.ts):
 * a new message is read once here (readMessages, a neutral reader) and sent to every recipient's open channels as
 * `chat.message`; the other signals become `chat.changed`, `chat.read`, `chat.typing`, `chat.presence`. Events of a
 * conversation go out in the order their signals came (commit order), the reads overlapping; a channel never gets a
 * message twice. Browsers' frames: `typing` (fanned out to the conversation's other recipients when the sender may
 * read it, at most every TYPING_EVERY_MS) and `presence`; anything malformed closes the channel with 4400.
 */
export class ChatLive {
  private readonly channels = new Map<string, Set<Channel>>();
  /** The tail of each conversation's deliveries: the next waits for it. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly reads = new Map<string, Promise<ChatLiveEvent>>();
  private readonly recipients = new Map<string, { at: number; userIds: Promise<string[]> }>();

  constructor(
    private readonly db: Db,
    private readonly realtime: Realtime,
    private readonly log?: FastifyBaseLogger,
  ) {
    realtime.onChat((userIds, signal) => this.receive(userIds, signal));
  }

  /** Serves a signed-in user's open channel: its chat events, its frames, its presence; returns the detach. */
  attach(actor: Actor, socket: WebSocket): () => void {
    const channel = new Channel(actor, socket, this.realtime.connect(actor.id));
    let set = this.channels.get(actor.id);
    if (!set) this.channels.set(actor.id, (set = new Set()));
    set.add(channel);
    socket.on('message', (data, isBinary) => void this.frame(channel, data, isBinary));
    return () => {
      set.delete(channel);
      if (set.size === 0 && this.channels.get(actor.id) === set) this.channels.delete(actor.id);
      channel.presence.close();
    };
  }

  close() {
    this.realtime.onChat(null);
  }

  private receive(userIds: readonly string[], signal: ChatSignal) {
    if (signal.kind === 'presence') {
      const event: ChatLiveEvent = { type: 'chat.presence', userId: signal.userId, state: signal.state };
      for (const userId of userIds) for (const channel of this.channels.get(userId) ?? []) channel.send(event);
      return;
    }
    // Nobody here to tell: nothing to read.
    if (!userIds.some((userId) => this.channels.has(userId))) return;
    const event = this.eventOf(signal);
    const key = signal.conversationId;
    const tail: Promise<void> = (this.queues.get(key) ?? Promise.resolve())
      .then(() => event)
      .then(
        (ready) => {
          for (const userId of userIds) for (const channel of this.channels.get(userId) ?? []) channel.send(ready);
        },
        (error: unknown) => this.log?.error({ err: error, signal }, 'chat live event not delivered'),
      )
      .finally(() => {
        if (this.queues.get(key) === tail) this.queues.delete(key);
      });
    this.queues.set(key, tail);
  }

  /** The browser's event for a signal (a new message read once, whatever number of NOTIFYs carry it). */
  private eventOf(signal: Exclude<ChatSignal, { kind: 'presence' }>): Promise<ChatLiveEvent> {
    switch (signal.kind) {
      case 'message': {
        const memo = this.reads.get(signal.messageId);
        if (memo) return memo;
        const read = this.readMessage(signal);
        this.reads.set(signal.messageId, read);
        if (this.reads.size > READ_MEMO_SIZE) this.reads.delete(this.reads.keys().next().value!);
        return read;
      }
      case 'changed':
        return Promise.resolve({
          type: 'chat.changed',
          conversationId: signal.conversationId,
          messageId: signal.messageId,
        });
      case 'read':
        return Promise.resolve({ type: 'chat.read', conversationId: signal.conversationId, seq: signal.seq });
      case 'typing':
        return Promise.resolve({ type: 'chat.typing', conversationId: signal.conversationId, user: signal.user });
    }
  }

  private async readMessage(signal: Extract<ChatSignal, { kind: 'message' }>): Promise<ChatLiveEvent> {
    let [message] = await readMessages(this.db, NEUTRAL_READER, sql`m.id = ${signal.messageId}::uuid`).catch(() => []);
    // One retry on a failed read (a connection dropped); then the browser is told to re-read it.
    if (!message) [message] = await readMessages(this.db, NEUTRAL_READER, sql`m.id = ${signal.messageId}::uuid`);
    if (!message) return { type: 'chat.changed', conversationId: signal.conversationId, messageId: signal.messageId };
    return {
      type: 'chat.message',
      conversationId: signal.conversationId,
      seq: signal.seq,
      message,
      ...(signal.clientId ? { clientId: signal.clientId } : {}),
    };
  }

  /** A frame from the browser: checked whole before anything happens; malformed closes the channel (4400). */
  private async frame(channel: Channel, data: WebSocket.RawData, isBinary: boolean) {
    const size = Array.isArray(data)
      ? data.reduce((n, b) => n + b.length, 0)
      : data instanceof ArrayBuffer
        ? data.byteLength
        : data.length;
    let frame: ChatLiveFrame | null = null;
    if (!isBinary && size <= LIVE_FRAME_MAX_BYTES) {
      try {
        const parsed = ChatLiveFrame.safeParse(JSON.parse(String(data)));
        if (parsed.success) frame = parsed.data;
      } catch {
        /* not JSON */
      }
    }
    if (!frame) return channel.socket.close(LIVE_MALFORMED, 'malformed frame');
    if (!channel.takeFrame()) return;
    if (frame.type === 'presence') return channel.presence.set(frame.state);
    try {
      await this.typing(channel, frame.conversationId);
    } catch (error) {
      this.log?.error({ err: error }, 'chat typing signal not sent');
    }
  }

  private async typing(channel: Channel, conversationId: string) {
    const now = Date.now();
    if (now - (channel.typedAt.get(conversationId) ?? 0) < TYPING_EVERY_MS) return;
    channel.typedAt.set(conversationId, now);
    const row = await this.readableRow(channel, conversationId);
    if (!row) return;
    const { actor } = channel;
    const userIds = (await this.recipientsOf(row)).filter((userId) => userId !== actor.id);
    if (userIds.length === 0) return;
    await publishChat(this.db, userIds, {
      kind: 'typing',
      conversationId,
      user: { id: actor.id, name: actor.displayName },
    });
  }

  /** The conversation when the channel's person may read it (asked of the policy, trusted READABLE_CACHE_MS). */
  private async readableRow(channel: Channel, conversationId: string): Promise<ConversationRow | null> {
    const cached = channel.readable.get(conversationId);
    const now = Date.now();
    if (cached && now - cached.at < READABLE_CACHE_MS) return cached.row;
    const [row] = await this.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.id, conversationId), readableConversations(channel.actor)));
    channel.readable.set(conversationId, { row: row ?? null, at: now });
    return row ?? null;
  }

  private recipientsOf(row: ConversationRow): Promise<string[]> {
    const cached = this.recipients.get(row.id);
    const now = Date.now();
    if (cached && now - cached.at < RECIPIENTS_CACHE_MS) return cached.userIds;
    const userIds = recipientsOf(this.db, row);
    this.recipients.set(row.id, { at: now, userIds });
    userIds.catch(() => this.recipients.delete(row.id));
    if (this.recipients.size > 1000) this.recipients.delete(this.recipients.keys().next().value!);
    return userIds;
  }
}
