import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatLiveEvent } from '../../common/schemas/chat';
import { onChatEvent, onChatReconnect, sendChatFrame } from './chat-live';
import { AWAY_AFTER_MS, CHAT_REFRESH_MS, isChatQuery, startLiveChannel, type LiveSocket } from './live';

/** A socket the test drives: the server's side is `serverSays`, `drop` and `sent`. */
class FakeSocket implements LiveSocket {
  readyState = 0;
  onopen: LiveSocket['onopen'] = null;
  onmessage: LiveSocket['onmessage'] = null;
  onclose: LiveSocket['onclose'] = null;
  readonly sent: unknown[] = [];
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.drop(1000);
  }
  accept() {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverSays(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

class FakePage {
  visibilityState: DocumentVisibilityState = 'visible';
  private readonly listeners = new Set<() => void>();
  addEventListener(_: string, listener: () => void) {
    this.listeners.add(listener);
  }
  removeEventListener(_: string, listener: () => void) {
    this.listeners.delete(listener);
  }
  show(state: DocumentVisibilityState) {
    this.visibilityState = state;
    for (const listener of this.listeners) listener();
  }
}

let sockets: FakeSocket[];
let page: FakePage;
let stop: () => void;
let counts: { notifications: number; chatRefresh: number; reconnects: number };
let events: ChatLiveEvent[];
let unsubscribe: (() => void)[];

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  page = new FakePage();
  counts = { notifications: 0, chatRefresh: 0, reconnects: 0 };
  events = [];
  unsubscribe = [onChatEvent((event) => events.push(event)), onChatReconnect(() => counts.reconnects++)];
  stop = startLiveChannel({
    open: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    page: page as unknown as Document,
    onNotifications: () => counts.notifications++,
    refreshChat: () => counts.chatRefresh++,
  });
});
afterEach(() => {
  stop();
  for (const off of unsubscribe) off();
  vi.useRealTimers();
});

const message = (seq: number): ChatLiveEvent =>
  ({ type: 'chat.message', conversationId: 'c1', seq, message: { seq } }) as unknown as ChatLiveEvent;

describe('the live channel in the browser', () => {
  it('hands chat events to the chat and refreshes its lists once per burst of messages and places', () => {
    sockets[0]!.accept();
    sockets[0]!.serverSays(message(1));
    sockets[0]!.serverSays(message(2));
    sockets[0]!.serverSays({ type: 'chat.read', conversationId: 'c1', seq: 2 });
    sockets[0]!.serverSays({ type: 'chat.typing', conversationId: 'c1', user: { id: 'u', name: '李明' } });
    sockets[0]!.serverSays({ type: 'notifications' });
    expect(events.map((e) => e.type)).toEqual(['chat.message', 'chat.message', 'chat.read', 'chat.typing']);
    expect(counts.notifications).toBe(1);
    expect(counts.chatRefresh).toBe(0);
    vi.advanceTimersByTime(CHAT_REFRESH_MS);
    expect(counts.chatRefresh).toBe(1);
    sockets[0]!.serverSays({ type: 'chat.typing', conversationId: 'c1', user: { id: 'u', name: '李明' } });
    vi.advanceTimersByTime(CHAT_REFRESH_MS);
    expect(counts.chatRefresh).toBe(1);
  });

  it('sends frames only while open, and tells the chat when it came back after a drop (not the first time)', () => {
    sendChatFrame({ type: 'typing', conversationId: 'c1' });
    sockets[0]!.accept();
    expect(counts.reconnects).toBe(0);
    sendChatFrame({ type: 'typing', conversationId: 'c1' });
    expect(sockets[0]!.sent).toEqual([{ type: 'typing', conversationId: 'c1' }]);
    sockets[0]!.drop();
    sendChatFrame({ type: 'typing', conversationId: 'c1' });
    expect(sockets[0]!.sent).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    expect(sockets).toHaveLength(2);
    sockets[1]!.accept();
    expect(counts.reconnects).toBe(1);
    sendChatFrame({ type: 'presence', state: 'online' });
    expect(sockets[1]!.sent).toEqual([{ type: 'presence', state: 'online' }]);
  });

  it('does not come back when the server refused it (signed out, another site)', () => {
    sockets[0]!.accept();
    sockets[0]!.drop(4401);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('says away when the tab stayed hidden, online when it shows again, and away again on a new channel', () => {
    sockets[0]!.accept();
    page.show('hidden');
    vi.advanceTimersByTime(AWAY_AFTER_MS / 2);
    page.show('visible');
    vi.advanceTimersByTime(AWAY_AFTER_MS);
    expect(sockets[0]!.sent).toEqual([]);
    page.show('hidden');
    vi.advanceTimersByTime(AWAY_AFTER_MS);
    expect(sockets[0]!.sent).toEqual([{ type: 'presence', state: 'away' }]);
    sockets[0]!.drop();
    vi.advanceTimersByTime(1_000);
    sockets[1]!.accept();
    expect(sockets[1]!.sent).toEqual([{ type: 'presence', state: 'away' }]);
    page.show('visible');
    expect(sockets[1]!.sent).toEqual([
      { type: 'presence', state: 'away' },
      { type: 'presence', state: 'online' },
    ]);
  });
});

describe('the chat queries refreshed', () => {
  it('are those whose key starts with a conversations or chat path', () => {
    expect(isChatQuery(['/api/v1/conversations', 'all', {}])).toBe(true);
    expect(isChatQuery(['/api/v1/conversations/1f0c/messages', { after: 3 }])).toBe(true);
    expect(isChatQuery(['/api/v1/chat/unread'])).toBe(true);
    expect(isChatQuery(['/api/v1/chatter'])).toBe(false);
    expect(isChatQuery(['/api/v1/customers', 'page', {}])).toBe(false);
    expect(isChatQuery([{ path: '/api/v1/chat' }])).toBe(false);
  });
});
