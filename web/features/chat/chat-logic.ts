import type { ChatLinkRef, ChatLinkType, ChatMessage } from '../../../common/schemas/chat';
import { MESSAGE_EDIT_WINDOW_MINUTES } from '../../../common/schemas/chat';

/**
 * The chat's pure rules (no React): merging pages and live messages by seq, finding mentions and record links in
 * what was typed, the edit window, day separators.
 */

/** Messages by seq, each once: a later copy of the same message (same id or seq) replaces the earlier one. */
export function mergeBySeq(held: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return held as ChatMessage[];
  const bySeq = new Map<number, ChatMessage>();
  for (const message of held) bySeq.set(message.seq, message);
  const ids = new Map(held.map((m) => [m.id, m.seq]));
  for (const message of incoming) {
    const previousSeq = ids.get(message.id);
    if (previousSeq !== undefined && previousSeq !== message.seq) bySeq.delete(previousSeq);
    bySeq.set(message.seq, message);
    ids.set(message.id, message.seq);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The highest seq held (0 when none). */
export function lastSeqOf(messages: readonly { seq: number }[]): number {
  return messages.reduce((max, m) => Math.max(max, m.seq), 0);
}

export type MentionCandidate = { id: string; name: string };

/**
 * Who a text mentions: at each `@`, the longest candidate's name written right after it (Chinese names are not
 * followed by a space: `@张三丰请看` is 张三丰, not 张三); `@所有人` / `@all` (allTokens) when allowed. Ids once each,
 * in the order first mentioned.
 */
export function extractMentions(
  body: string,
  candidates: readonly MentionCandidate[],
  allTokens: readonly string[] = [],
): { mentions: string[]; mentionAll: boolean } {
  const byLength = [...candidates].filter((c) => c.name).sort((a, b) => b.name.length - a.name.length);
  const mentions: string[] = [];
  let mentionAll = false;
  for (let at = body.indexOf('@'); at !== -1; at = body.indexOf('@', at + 1)) {
    const rest = body.slice(at + 1);
    if (allTokens.some((token) => rest.startsWith(token) && !/^[\p{L}\p{N}]/u.test(rest.slice(token.length)))) {
      mentionAll = true;
      continue;
    }
    const found = byLength.find((c) => rest.startsWith(c.name));
    if (found && !mentions.includes(found.id)) mentions.push(found.id);
  }
  return { mentions, mentionAll };
}

/** The app's pages whose addresses, pasted into a message, link the record (shown as a card). */
const LINK_PATHS: Record<string, ChatLinkType> = {
  customers: 'customer',
  opportunities: 'opportunity',
  engagements: 'engagement',
  contracts: 'contract',
  knowledge: 'article',
};
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const RECORD_PATH = new RegExp(
  `(?:^|[\\s(（/])(?:https?://[^\\s/]+)?/(${Object.keys(LINK_PATHS).join('|')})/(${UUID})(?![\\w-])`,
  'gi',
);

/** The records a text links to by their page's address (`/opportunities/<id>`, with or without the host). */
export function extractLinks(body: string, max = 10): ChatLinkRef[] {
  const links: ChatLinkRef[] = [];
  for (const match of body.matchAll(RECORD_PATH)) {
    const link = { type: LINK_PATHS[match[1].toLowerCase()], id: match[2].toLowerCase() };
    if (!links.some((l) => l.type === link.type && l.id === link.id)) links.push(link);
    if (links.length === max) break;
  }
  return links;
}

/** The address of a linked record's page in this app. */
export function linkHref(link: ChatLinkRef): string {
  const folder = Object.entries(LINK_PATHS).find(([, type]) => type === link.type)![0];
  return `/${folder}/${link.id}`;
}

/** May the author still edit or delete it (within MESSAGE_EDIT_WINDOW_MINUTES of posting, not deleted). */
export function withinEditWindow(message: Pick<ChatMessage, 'createdAt' | 'deleted'>, now = Date.now()): boolean {
  return !message.deleted && now - new Date(message.createdAt).getTime() < MESSAGE_EDIT_WINDOW_MINUTES * 60_000;
}

/** An unread count as a badge shows it (the server stops counting at 100). */
export function unreadLabel(count: number): string {
  return count > 99 ? '99+' : String(count);
}

/** The calendar day (YYYY-MM-DD) of an instant in the firm's time zone, for the day separators. */
export function dayOf(iso: string, timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(iso),
  );
}

/**
 * Where the "new since you last read" marker goes: before the first message after the reader's place that someone
 * else wrote — none when nothing after it is someone else's, or when it would sit above the conversation's very
 * first message (everything is new: no line needed).
 */
export function newMarkerSeq(
  messages: readonly Pick<ChatMessage, 'seq' | 'author'>[],
  lastReadSeq: number | null,
  myId: string,
  hasBefore: boolean,
): number | null {
  if (lastReadSeq === null) return null;
  const after = messages.filter((m) => m.seq > lastReadSeq);
  if (!after.some((m) => m.author.id !== myId)) return null;
  const first = after[0];
  if (!hasBefore && messages[0]?.seq === first.seq) return null;
  return first.seq;
}

/** Typing frames go out at most this often while someone types. */
export const TYPING_EVERY_MS = 3_000;
/** How long "… is typing" stays after the last typing event. */
export const TYPING_SHOWN_MS = 5_000;

/** Whether a typing frame may go out now (the last one went at `lastSentAt`). */
export function shouldSendTyping(lastSentAt: number, now: number): boolean {
  return now - lastSentAt >= TYPING_EVERY_MS;
}

/** Who is typing now: names whose last typing event is younger than TYPING_SHOWN_MS. */
export function typingNames(typing: ReadonlyMap<string, { name: string; at: number }>, now: number): string[] {
  return [...typing.values()].filter((t) => now - t.at < TYPING_SHOWN_MS).map((t) => t.name);
}
