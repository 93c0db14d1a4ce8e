import type { ChatLiveEvent, ChatLiveFrame } from '../../common/schemas/chat';

/**
 * The chat's side of the live channel (web/api/live.ts owns the socket): views subscribe to chat events, send
 * typing and presence frames, and hear when the socket came back after a drop (then they catch up with
 * `after=<the last seq they hold>`, merging by seq so nothing shows twice).
 */
type Handler = (event: ChatLiveEvent) => void;
/** A frame to the server (common/schemas/chat.ts ChatLiveFrame: anything else closes the channel with 4400). */
export type ChatFrame = ChatLiveFrame;

const handlers = new Set<Handler>();
const reconnectHandlers = new Set<() => void>();
let sender: ((frame: ChatFrame) => void) | null = null;

/** Calls `handler` with every chat event until the returned function is called. */
export function onChatEvent(handler: Handler): () => void {
  handlers.add(handler);
  return () => void handlers.delete(handler);
}

/** Calls `handler` each time the live channel reconnects after a drop (not on the first connection). */
export function onChatReconnect(handler: () => void): () => void {
  reconnectHandlers.add(handler);
  return () => void reconnectHandlers.delete(handler);
}

/** Sends a frame when the channel is open (dropped otherwise: typing and presence are momentary). */
export function sendChatFrame(frame: ChatFrame): void {
  sender?.(frame);
}

/** For web/api/live.ts: hand an event over, say the socket reconnected, set how frames are sent. */
export const chatChannel = {
  emit(event: ChatLiveEvent) {
    for (const handler of handlers) handler(event);
  },
  reconnected() {
    for (const handler of reconnectHandlers) handler();
  },
  setSender(send: ((frame: ChatFrame) => void) | null) {
    sender = send;
  },
};
