import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../common/schemas/chat';
import {
  dayOf,
  extractLinks,
  extractMentions,
  lastSeqOf,
  linkHref,
  mergeBySeq,
  newMarkerSeq,
  shouldSendTyping,
  typingNames,
  unreadLabel,
  withinEditWindow,
} from './chat-logic';

const me = { id: '00000000-0000-4000-8000-000000000001', name: '我' };
const other = { id: '00000000-0000-4000-8000-000000000002', name: '王经理' };

function msg(seq: number, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `10000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    conversationId: '20000000-0000-4000-8000-000000000000',
    seq,
    author: other,
    body: `消息 ${seq}`,
    mentions: [],
    mentionAll: false,
    links: [],
    files: [],
    parentId: null,
    replyCount: 0,
    lastReplyAt: null,
    reactions: [],
    createdAt: '2026-12-06T08:00:00.000Z',
    editedAt: null,
    deleted: false,
    pinnedAt: null,
    ...overrides,
  };
}

describe('mergeBySeq', () => {
  it('keeps messages in seq order with no duplicates when pages and live messages overlap', () => {
    const page = [msg(3), msg(4), msg(5)];
    const live = [msg(5), msg(7), msg(6)];
    const older = [msg(1), msg(3)];
    const merged = mergeBySeq(mergeBySeq(page, live), older);
    expect(merged.map((m) => m.seq)).toEqual([1, 3, 4, 5, 6, 7]);
  });

  it('replaces a message with its newer copy (an edit read again)', () => {
    const merged = mergeBySeq([msg(1), msg(2)], [msg(2, { body: '改过了', editedAt: '2026-12-06T08:01:00.000Z' })]);
    expect(merged).toHaveLength(2);
    expect(merged[1].body).toBe('改过了');
    expect(merged[1].editedAt).not.toBeNull();
  });

  it('returns the same list when nothing comes in', () => {
    const held = [msg(1)];
    expect(mergeBySeq(held, [])).toBe(held);
  });

  it('lastSeqOf: the highest seq, 0 for none', () => {
    expect(lastSeqOf([msg(4), msg(9), msg(2)])).toBe(9);
    expect(lastSeqOf([])).toBe(0);
  });
});

describe('extractMentions', () => {
  const people = [
    { id: 'a', name: '张三' },
    { id: 'b', name: '张三丰' },
    { id: 'c', name: 'Li Lei' },
  ];

  it('takes the longest name written after @, even with no space after it', () => {
    expect(extractMentions('@张三丰请看一下', people).mentions).toEqual(['b']);
    expect(extractMentions('@张三 请看', people).mentions).toEqual(['a']);
  });

  it('lists each person once, in the order mentioned, and ignores unknown names', () => {
    const { mentions, mentionAll } = extractMentions('@Li Lei 和 @张三，还有 @赵六 @张三', people);
    expect(mentions).toEqual(['c', 'a']);
    expect(mentionAll).toBe(false);
  });

  it('@所有人 only counts when it is one of the allowed tokens', () => {
    expect(extractMentions('@所有人 明天开会', people, ['所有人', 'all']).mentionAll).toBe(true);
    expect(extractMentions('@所有人 明天开会', people, []).mentionAll).toBe(false);
    expect(extractMentions('@allen 你好', people, ['所有人', 'all']).mentionAll).toBe(false);
  });

  it('finds nothing in a text without @', () => {
    expect(extractMentions('张三 你好', people)).toEqual({ mentions: [], mentionAll: false });
  });
});

describe('extractLinks', () => {
  const id = '3f1c2b9a-1d2e-4f50-8a6b-7c8d9e0f1a2b';
  it('finds record pages by address, with or without the host, once each', () => {
    const text = `看这个 https://crm.example.com/opportunities/${id} 以及 /customers/${id.toUpperCase()}，还有 /opportunities/${id}`;
    expect(extractLinks(text)).toEqual([
      { type: 'opportunity', id },
      { type: 'customer', id },
    ]);
  });

  it('ignores other pages and ids that are not whole', () => {
    expect(extractLinks(`/leads/${id} /opportunities/${id}x /opportunities/123`)).toEqual([]);
  });

  it('maps the knowledge page to an article and back', () => {
    const [link] = extractLinks(`/knowledge/${id}`);
    expect(link).toEqual({ type: 'article', id });
    expect(linkHref(link)).toBe(`/knowledge/${id}`);
  });
});

describe('edit window, badges, days, marker, typing', () => {
  const posted = '2026-12-06T08:00:00.000Z';
  const t0 = new Date(posted).getTime();

  it('the author may edit for 15 minutes, never a deleted message', () => {
    expect(withinEditWindow({ createdAt: posted, deleted: false }, t0 + 14 * 60_000)).toBe(true);
    expect(withinEditWindow({ createdAt: posted, deleted: false }, t0 + 15 * 60_000)).toBe(false);
    expect(withinEditWindow({ createdAt: posted, deleted: true }, t0 + 60_000)).toBe(false);
  });

  it('shows 99+ from 100', () => {
    expect(unreadLabel(99)).toBe('99');
    expect(unreadLabel(100)).toBe('99+');
  });

  it('days are the firm’s (UTC+8): 17:00 UTC is already the next day', () => {
    expect(dayOf('2026-12-06T15:59:00.000Z')).toBe('2026-12-06');
    expect(dayOf('2026-12-06T16:00:00.000Z')).toBe('2026-12-07');
  });

  it('the new-messages line sits before the first unread message someone else wrote', () => {
    const list = [msg(1), msg(2), msg(3), msg(4)];
    expect(newMarkerSeq(list, 2, me.id, false)).toBe(3);
    // Nothing after the place: no line; only my own messages after it: no line.
    expect(newMarkerSeq(list, 4, me.id, false)).toBeNull();
    expect(newMarkerSeq([msg(1), msg(2, { author: me })], 1, me.id, false)).toBeNull();
    // Everything new from the conversation's first message: no line; from the first loaded of a longer one: a line.
    expect(newMarkerSeq(list, 0, me.id, false)).toBeNull();
    expect(newMarkerSeq(list, 0, me.id, true)).toBe(1);
  });

  it('typing frames at most every 3 s; a name shows for 5 s', () => {
    expect(shouldSendTyping(0, 2_999)).toBe(false);
    expect(shouldSendTyping(0, 3_000)).toBe(true);
    const typing = new Map([
      ['a', { name: '张三', at: 10_000 }],
      ['b', { name: '李四', at: 4_000 }],
    ]);
    expect(typingNames(typing, 8_500)).toEqual(['张三', '李四']);
    expect(typingNames(typing, 9_500)).toEqual(['张三']);
    expect(typingNames(typing, 12_000)).toEqual(['张三']);
  });
});
