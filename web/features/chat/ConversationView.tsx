import { ArrowLeftOutlined, LinkOutlined, SettingOutlined, TeamOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Divider, Drawer, Flex, Form, Input, Skeleton, Tag, Typography } from 'antd';
import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { ChatLink, ChatMessage, Conversation, ConversationMember } from '../../../common/schemas/chat';
import { onChatEvent, onChatReconnect } from '../../api/chat-live';
import { isApiError } from '../../api/client';
import { useMe } from '../../auth/session';
import { EmptyState } from '../../components/EmptyState';
import { errorText, useErrorToast } from '../../components/errors';
import { LoadError } from '../../components/QueryState';
import { useIsMobile } from '../../components/responsive';
import { useLocale, useT, type Translate } from '../../i18n';
import { AnnouncementsBar, usePinMessage } from '../chat-extras/AnnouncementsBar';
import { ExportConversationButton } from '../chat-extras/ExportConversationButton';
import { chatApi } from './api';
import { dayOf, extractMentions, lastSeqOf, linkHref, newMarkerSeq, typingNames, TYPING_SHOWN_MS } from './chat-logic';
import { Composer, type Outgoing } from './Composer';
import { MembersDrawer, SettingsDrawer } from './ConversationDrawers';
import { MessageItem, type MessageActions } from './MessageItem';
import { useTimeline, type Timeline } from './use-timeline';

type Props = {
  conversationId: string;
  /** Embedded in a record's page: no header of its own, a fixed height. */
  compact?: boolean;
  /** Open at this message (a search hit, a mention: /chat/:id?seq=…), highlighted. */
  focusSeq?: number;
  /** The phone's way back to the list (the chat page gives it). */
  onBack?: () => void;
};

type Pending = Outgoing & { clientId: string; parentId: string | null; status: 'sending' | 'failed'; error?: string };

/** How a message's Markdown-lite sits in the timeline: no paragraph gaps, quotes and code kept small. */
const CHAT_CSS = `
.gd-chat-body p { margin: 0; }
.gd-chat-body ul, .gd-chat-body ol { margin: 2px 0; padding-inline-start: 20px; }
.gd-chat-body blockquote { margin: 2px 0; padding-inline-start: 8px; border-inline-start: 3px solid #d9d9d9; color: #595959; }
.gd-chat-body pre { margin: 2px 0; padding: 6px 8px; background: #f5f5f5; border-radius: 4px; overflow-x: auto; }
.gd-chat-body code { background: #f5f5f5; border-radius: 3px; padding: 0 3px; }
.gd-chat-body { overflow-wrap: anywhere; line-height: 1.6; }
.gd-chat-mention { color: #1677ff; background: #e6f4ff; border-radius: 3px; padding: 0 2px; }
`;

/** Why the reader may not post, as the composer says it. */
function cannotPostReason(t: Translate, conversation: Conversation): string | null {
  if (conversation.mayPost) return null;
  if (conversation.archived) return t('chat.cannotPost.archived');
  if (conversation.postPolicy === 'admins') return t('chat.cannotPost.admins');
  return t('chat.cannotPost.other');
}

/** The day separator's words: 今天, 昨天, or the date. */
function dayLabel(t: Translate, day: string, locale: string): string {
  const today = dayOf(new Date().toISOString());
  const yesterday = dayOf(new Date(Date.now() - 86_400_000).toISOString());
  if (day === today) return t('chat.today');
  if (day === yesterday) return t('chat.yesterday');
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }).format(
    new Date(`${day}T12:00:00+08:00`),
  );
}

/** Record cards for every link of the messages held, read in batches from /chat/cards. */
function useCards(messages: ChatMessage[]): Map<string, ChatLink> {
  const keys = useMemo(() => {
    const all = new Set<string>();
    for (const m of messages) for (const link of m.links) all.add(`${link.type}:${link.id}`);
    return [...all].sort();
  }, [messages]);
  const query = useQuery({
    queryKey: [...chatApi.keys.cards, keys],
    queryFn: async () => {
      const batches: string[][] = [];
      for (let i = 0; i < keys.length; i += 30) batches.push(keys.slice(i, i + 30));
      const answers = await Promise.all(
        batches.map((batch) =>
          chatApi.cards(
            batch.map((key) => {
              const [type, id] = key.split(':');
              return { type: type as ChatLink['type'], id };
            }),
          ),
        ),
      );
      return answers.flatMap((a) => a.items);
    },
    enabled: keys.length > 0,
    staleTime: 60_000,
    placeholderData: (previous) => previous,
  });
  return useMemo(() => new Map((query.data ?? []).map((card) => [`${card.type}:${card.id}`, card])), [query.data]);
}

/** The messages of a timeline with day separators, the new-messages line, pending messages; scroll and paging. */
function MessageList({
  timeline,
  conversationId,
  myId,
  markerSeq,
  pending,
  cards,
  actions,
  mentionAllToken,
  onBottomSeen,
  emptyHint,
  pendingFooter,
  inThread = false,
  focusSeq,
}: {
  timeline: Timeline;
  conversationId: string;
  myId: string;
  markerSeq: number | null;
  pending: Pending[];
  cards: Map<string, ChatLink>;
  actions: MessageActions;
  mentionAllToken: string;
  onBottomSeen: () => void;
  emptyHint?: string;
  /** A thread's replies (no "beginning of the conversation" line). */
  inThread?: boolean;
  focusSeq?: number;
  pendingFooter: (p: Pending) => React.ReactNode;
}) {
  const t = useT();
  const { locale } = useLocale();
  const mobile = useIsMobile();
  const box = useRef<HTMLDivElement>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const nearBottom = useRef(true);
  const scrolledFor = useRef<string | null>(null);
  const keepFromBottom = useRef<number | null>(null);
  const lastSeen = useRef(0);
  const { items, hasBefore, status, loadingOlder } = timeline;
  const newest = lastSeqOf(items);

  // On open: to the new-messages line when there is one, else to the newest.
  useLayoutEffect(() => {
    const element = box.current;
    if (!element || status !== 'ready' || scrolledFor.current === conversationId) return;
    scrolledFor.current = conversationId;
    const focused = focusSeq
      ? element.querySelector<HTMLElement>(`[data-testid="chat-message"][data-seq="${focusSeq}"]`)
      : null;
    const marker = element.querySelector<HTMLElement>('[data-testid="chat-new-marker"]');
    if (focused) element.scrollTop = Math.max(0, focused.offsetTop - element.clientHeight / 3);
    else if (marker) element.scrollTop = Math.max(0, marker.offsetTop - 48);
    else element.scrollTop = element.scrollHeight;
  }, [status, conversationId, focusSeq]);

  // Older messages loaded above: keep what the reader looks at in place. New ones below: follow when at the bottom.
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    if (keepFromBottom.current !== null) {
      element.scrollTop = element.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
      return;
    }
    if (newest > lastSeen.current) {
      const mineLast = items[items.length - 1]?.author.id === myId;
      if (lastSeen.current !== 0 && (nearBottom.current || mineLast)) element.scrollTop = element.scrollHeight;
      lastSeen.current = newest;
    }
  }, [items, newest, myId]);

  useEffect(() => {
    if (pending.length > 0 && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [pending.length]);

  const loadOlder = useCallback(() => {
    const element = box.current;
    if (!element || !hasBefore || loadingOlder) return;
    keepFromBottom.current = element.scrollHeight - element.scrollTop;
    void timeline.loadOlder().catch(() => {
      keepFromBottom.current = null;
    });
  }, [hasBefore, loadingOlder, timeline]);

  // The newest message in view: the reader has read up to it.
  useEffect(() => {
    const element = bottom.current;
    if (!element || status !== 'ready') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && document.visibilityState === 'visible') onBottomSeen();
      },
      { root: box.current, threshold: 0 },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [status, onBottomSeen, newest]);

  if (status === 'error')
    return (
      <div style={{ flex: 1, overflow: 'auto' }}>
        <LoadError query={{ isPending: false, error: timeline.error, refetch: timeline.reload }} />
      </div>
    );
  if (status === 'loading')
    return (
      <div style={{ flex: 1, padding: 16 }}>
        <Skeleton active avatar paragraph={{ rows: 2 }} />
        <Skeleton active avatar paragraph={{ rows: 1 }} />
      </div>
    );

  let previous: ChatMessage | null = null;
  return (
    <div
      ref={box}
      onScroll={(event) => {
        const element = event.currentTarget;
        nearBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
        if (element.scrollTop < 80) loadOlder();
      }}
      style={{
        flex: 1,
        position: 'relative',
        overflowY: 'auto',
        overflowX: 'hidden',
        padding: mobile ? '4px 0 8px' : '8px 8px 12px',
        minHeight: 0,
      }}
      data-testid="chat-messages"
    >
      {hasBefore ? (
        <Flex justify="center" style={{ padding: 8 }}>
          <Button size="small" loading={loadingOlder} onClick={loadOlder} data-testid="chat-load-older">
            {t('chat.loadOlder')}
          </Button>
        </Flex>
      ) : (
        items.length > 0 &&
        !inThread && (
          <Typography.Text type="secondary" style={{ display: 'block', textAlign: 'center', fontSize: 12, padding: 8 }}>
            {t('chat.noOlder')}
          </Typography.Text>
        )
      )}
      {items.length === 0 && pending.length === 0 && (
        <div style={{ paddingTop: 48 }}>
          <EmptyState title={t('chat.noMessages')} hint={emptyHint ?? t('chat.noMessagesHint')} />
        </div>
      )}
      {items.map((message) => {
        const day = dayOf(message.createdAt);
        const newDay = !previous || dayOf(previous.createdAt) !== day;
        const marker = markerSeq === message.seq;
        const showHeader =
          newDay ||
          marker ||
          !previous ||
          previous.author.id !== message.author.id ||
          new Date(message.createdAt).getTime() - new Date(previous.createdAt).getTime() > 5 * 60_000 ||
          previous.replyCount > 0;
        previous = message;
        return (
          <Fragment key={message.id}>
            {newDay && (
              <Divider plain style={{ margin: '12px 0 4px', fontSize: 12 }} data-testid="chat-day">
                {dayLabel(t, day, locale)}
              </Divider>
            )}
            {marker && (
              <Divider
                plain
                titlePlacement="end"
                style={{ margin: '6px 0', borderColor: '#ff4d4f', color: '#ff4d4f', fontSize: 12 }}
                data-testid="chat-new-marker"
              >
                {t('chat.newSince')}
              </Divider>
            )}
            <MessageItem
              message={message}
              myId={myId}
              showHeader={showHeader}
              cards={cards}
              mentionAllToken={mentionAllToken}
              actions={actions}
              mobile={mobile}
              highlighted={focusSeq === message.seq}
            />
          </Fragment>
        );
      })}
      {pending.map((p) => (
        <div key={p.clientId} style={{ opacity: p.status === 'sending' ? 0.6 : 1 }} data-testid="chat-pending">
          <MessageItem
            message={{
              id: p.clientId,
              conversationId,
              seq: 0,
              author: { id: myId, name: '' },
              body: p.body,
              mentions: [],
              mentionAll: false,
              links: [],
              files: p.files,
              parentId: p.parentId,
              replyCount: 0,
              lastReplyAt: null,
              reactions: [],
              createdAt: new Date().toISOString(),
              editedAt: null,
              deleted: false,
              pinnedAt: null,
            }}
            myId=""
            showHeader={false}
            cards={cards}
            mentionAllToken={mentionAllToken}
            actions={{ ...actions, onReply: undefined }}
            mobile={mobile}
            footer={pendingFooter(p)}
          />
        </div>
      ))}
      <div ref={bottom} style={{ height: 1 }} />
    </div>
  );
}

/**
 * A conversation: its messages oldest → newest with day separators and the 以下为新消息 line at the reader's place,
 * threads in a drawer, reactions, edits and deletions within the window, record cards, files; the composer; live
 * messages, typing and catching up after a reconnect. The chat page shows it beside the list; record pages embed it
 * (`compact`).
 */
export function ConversationView({ conversationId, compact = false, focusSeq, onBack }: Props) {
  const t = useT();
  const me = useMe().user;
  const mobile = useIsMobile();
  const queryClient = useQueryClient();
  const { modal, message: toastApi } = App.useApp();
  const toast = useErrorToast();
  const conversation = useQuery({
    queryKey: chatApi.keys.conversation(conversationId),
    queryFn: () => chatApi.get(conversationId),
    // Not readable (404) is the answer, not a hiccup: shown at once.
    retry: (failures, error) => !isApiError(error, 'NOT_FOUND') && failures < 2,
  });
  const members = useQuery({
    queryKey: chatApi.keys.members(conversationId),
    queryFn: () => chatApi.members(conversationId),
    enabled: conversation.isSuccess,
    staleTime: 60_000,
  });
  const c = conversation.data;

  // The reader's place and the first page's size are taken once per conversation opened.
  const [opened, setOpened] = useState<{ id: string; lastReadSeq: number; limit: number } | null>(null);
  useEffect(() => {
    if (c && c.id === conversationId && opened?.id !== conversationId) {
      // Enough of the newest to show the reader's place (and the message asked for), up to 200.
      const back = Math.max(c.lastSeq - c.lastReadSeq, focusSeq ? c.lastSeq - focusSeq : 0);
      setOpened({ id: c.id, lastReadSeq: c.lastReadSeq, limit: Math.min(200, Math.max(50, back + 10)) });
    }
  }, [c, conversationId, opened?.id, focusSeq]);
  const ready = opened?.id === conversationId ? opened : null;
  const timeline = useTimeline(conversationId, null, ready ? ready.limit : null);

  const [threadOf, setThreadOf] = useState<ChatMessage | null>(null);
  const thread = useTimeline(conversationId, threadOf?.id ?? null, threadOf ? 100 : null);
  const [pending, setPending] = useState<Pending[]>([]);
  const [typing, setTyping] = useState<Map<string, { name: string; at: number }>>(new Map());
  const [now, setNow] = useState(() => Date.now());
  const [membersOpen, setMembersOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [articleOf, setArticleOf] = useState<ChatMessage | null>(null);
  const [markerFloor, setMarkerFloor] = useState<number | null>(null);
  const latestSeq = useRef(0);
  const readSent = useRef(0);

  useEffect(() => {
    setThreadOf(null);
    setPending([]);
    setTyping(new Map());
    setMarkerFloor(null);
    latestSeq.current = 0;
    readSent.current = 0;
  }, [conversationId]);
  if (c) latestSeq.current = Math.max(latestSeq.current, c.lastSeq);
  latestSeq.current = Math.max(latestSeq.current, lastSeqOf(timeline.items));

  const refreshLists = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: chatApi.keys.conversations });
    void queryClient.invalidateQueries({ queryKey: chatApi.keys.unread });
  }, [queryClient]);

  const markRead = useCallback(() => {
    const seq = latestSeq.current;
    if (seq <= readSent.current || !c?.member) return;
    readSent.current = seq;
    chatApi.read(conversationId, seq).then(refreshLists, () => {
      readSent.current = 0;
    });
  }, [conversationId, c?.member, refreshLists]);

  // Live: new messages by seq, changes read again, typing, presence; after a reconnect, what was missed.
  const timelineRef = useRef(timeline);
  timelineRef.current = timeline;
  const threadRef = useRef({ thread, parent: threadOf });
  threadRef.current = { thread, parent: threadOf };
  useEffect(() => {
    const offEvent = onChatEvent((event) => {
      if (event.type === 'chat.presence') {
        queryClient.setQueryData<ConversationMember[]>(chatApi.keys.members(conversationId), (list) =>
          list?.map((m) => (m.id === event.userId ? { ...m, presence: event.state } : m)),
        );
        return;
      }
      if (event.conversationId !== conversationId) return;
      const { thread: openThread, parent } = threadRef.current;
      if (event.type === 'chat.message') {
        latestSeq.current = Math.max(latestSeq.current, event.seq);
        if (event.clientId) setPending((list) => list.filter((p) => p.clientId !== event.clientId));
        if (event.message.parentId === null) timelineRef.current.merge([event.message]);
        else {
          if (parent?.id === event.message.parentId) openThread.merge([event.message]);
          void timelineRef.current.refresh(event.message.parentId).catch(() => {});
        }
        setTyping((map) => {
          if (!map.has(event.message.author.id)) return map;
          const next = new Map(map);
          next.delete(event.message.author.id);
          return next;
        });
      } else if (event.type === 'chat.changed') {
        void timelineRef.current.refresh(event.messageId).catch(() => {});
        void openThread.refresh(event.messageId).catch(() => {});
      } else if (event.type === 'chat.typing') {
        if (event.user.id === me.id) return;
        setTyping((map) => new Map(map).set(event.user.id, { name: event.user.name, at: Date.now() }));
        setNow(Date.now());
      } else if (event.type === 'chat.read') {
        readSent.current = Math.max(readSent.current, event.seq);
        refreshLists();
      }
    });
    const offReconnect = onChatReconnect(() => {
      void timelineRef.current.catchUp().catch(() => {});
      if (threadRef.current.parent) void threadRef.current.thread.catchUp().catch(() => {});
      void queryClient.invalidateQueries({ queryKey: chatApi.keys.conversation(conversationId) });
      void queryClient.invalidateQueries({ queryKey: chatApi.keys.members(conversationId) });
    });
    return () => {
      offEvent();
      offReconnect();
    };
  }, [conversationId, me.id, queryClient, refreshLists]);

  // "… is typing" fades after 5 s.
  const typingNow = typingNames(typing, now);
  useEffect(() => {
    if (typing.size === 0) return;
    const timer = setTimeout(() => setNow(Date.now()), 1_000);
    return () => clearTimeout(timer);
  }, [typing, now]);
  useEffect(() => {
    if (
      typing.size > 0 &&
      typingNow.length === 0 &&
      now - Math.max(...[...typing.values()].map((v) => v.at)) > TYPING_SHOWN_MS
    )
      setTyping(new Map());
  }, [typing, typingNow.length, now]);

  const send = useCallback(
    (outgoing: Outgoing, parentId: string | null, retryOf?: string) => {
      const clientId = retryOf ?? `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      // Writing means having read what is there: the new-messages line stays above what came before.
      setMarkerFloor((floor) => Math.max(floor ?? 0, latestSeq.current));
      setPending((list) => [
        ...list.filter((p) => p.clientId !== clientId),
        { ...outgoing, clientId, parentId, status: 'sending' },
      ]);
      chatApi
        .post(conversationId, {
          body: outgoing.body,
          mentions: outgoing.mentions,
          mentionAll: outgoing.mentionAll,
          links: outgoing.links,
          fileIds: outgoing.files.map((f) => f.id),
          parentId: parentId ?? undefined,
          clientId,
        })
        .then(
          (posted) => {
            setPending((list) => list.filter((p) => p.clientId !== clientId));
            latestSeq.current = Math.max(latestSeq.current, posted.seq);
            if (posted.parentId === null) timelineRef.current.merge([posted]);
            else {
              threadRef.current.thread.merge([posted]);
              void timelineRef.current.refresh(posted.parentId).catch(() => {});
            }
            markRead();
          },
          (failure: unknown) =>
            setPending((list) =>
              list.map((p) => (p.clientId === clientId ? { ...p, status: 'failed', error: errorText(t, failure) } : p)),
            ),
        );
    },
    [conversationId, markRead, t],
  );

  const pendingFooter = (p: Pending) =>
    p.status === 'sending' ? (
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('chat.sending')}
      </Typography.Text>
    ) : (
      <Flex gap={8} align="center" wrap role="alert">
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {t('chat.sendFailed')}: {p.error}
        </Typography.Text>
        <Button size="small" type="link" onClick={() => send(p, p.parentId, p.clientId)} data-testid="chat-retry-send">
          {t('chat.retry')}
        </Button>
        <Button
          size="small"
          type="link"
          danger
          onClick={() => setPending((list) => list.filter((x) => x.clientId !== p.clientId))}
        >
          {t('chat.discard')}
        </Button>
      </Flex>
    );

  const pins = usePinMessage(conversationId);
  const replace = (message: ChatMessage) => {
    if (message.parentId === null) timelineRef.current.merge([message]);
    else threadRef.current.thread.merge([message]);
  };
  const actions: MessageActions = {
    onReply: (message) => setThreadOf(message),
    onReact: (message, emoji, mine) => {
      (mine ? chatApi.unreact : chatApi.react)(conversationId, message.id, emoji).then(replace, toast);
    },
    onEdit: (message, body) => {
      const { mentions } = extractMentions(
        body,
        (members.data ?? []).filter((m) => m.id !== me.id),
      );
      return chatApi.edit(conversationId, message.id, { body, mentions }).then(replace, (failure: unknown) => {
        toast(failure);
        throw failure;
      });
    },
    onDelete: (message) =>
      modal.confirm({
        title: t('chat.delete'),
        content: t('chat.deleteConfirm'),
        okType: 'danger',
        okText: t('chat.delete'),
        onOk: () => chatApi.remove(conversationId, message.id).then(replace, toast),
      }),
    onSaveAsArticle: (message) => setArticleOf(message),
    ...(conversation.data?.mayManage
      ? {
          // The pin's live `changed` signal reads the message again here.
          onPin: (message: ChatMessage) => void (message.pinnedAt ? pins.unpin(message.id) : pins.pin(message.id)),
        }
      : {}),
  };

  const cards = useCards(useMemo(() => [...timeline.items, ...thread.items], [timeline.items, thread.items]));
  const markerSeq = useMemo(() => {
    if (!ready) return null;
    const place = Math.max(ready.lastReadSeq, markerFloor ?? 0);
    return newMarkerSeq(timeline.items, place, me.id, timeline.hasBefore);
  }, [ready, markerFloor, timeline.items, timeline.hasBefore, me.id]);

  if (conversation.isPending)
    return (
      <div style={{ padding: 16 }}>
        <Skeleton active />
      </div>
    );
  if (!c) return <LoadError query={conversation} compact={compact} />;

  const reason = cannotPostReason(t, c);
  const mentionAllToken = t('chat.mentionAll');
  const composer = (parentId: string | null, autoFocus: boolean) =>
    c.member || c.kind === 'record' ? (
      <Composer
        conversationId={conversationId}
        members={members.data ?? []}
        myId={me.id}
        allowMentionAll={c.kind === 'department' && !parentId}
        disabledReason={reason}
        placeholder={
          parentId ? t('chat.replyPlaceholder') : mobile ? t('chat.placeholderMobile') : t('chat.placeholder')
        }
        mobile={mobile}
        onSend={(outgoing) => send(outgoing, parentId)}
        autoFocus={autoFocus}
      />
    ) : null;

  const kindTag = <Tag style={{ marginInlineEnd: 0 }}>{t(`chat.kindTag.${c.kind}`)}</Tag>;
  const header = !compact && (
    <Flex
      align="center"
      gap={8}
      style={{ padding: mobile ? '6px 4px' : '10px 16px', borderBottom: '1px solid #f0f0f0', minWidth: 0 }}
      data-testid="chat-header"
    >
      {onBack && (
        <Button
          type="text"
          icon={<ArrowLeftOutlined />}
          onClick={onBack}
          aria-label={t('chat.back')}
          data-testid="chat-back"
        />
      )}
      <div style={{ flex: 1, minWidth: 0 }}>
        <Flex gap={6} align="center" style={{ minWidth: 0 }}>
          <Typography.Title level={5} style={{ margin: 0 }} ellipsis data-testid="chat-title">
            {c.title}
          </Typography.Title>
          {!mobile && kindTag}
          {c.archived && <Tag color="default">{t('chat.archived')}</Tag>}
        </Flex>
      </div>
      {c.recordType && c.recordId && (
        <Link to={linkHref({ type: c.recordType, id: c.recordId })}>
          <Button type="text" icon={<LinkOutlined />} aria-label={t('chat.openRecord')}>
            {mobile ? null : t('chat.openRecord')}
          </Button>
        </Link>
      )}
      <Button
        type="text"
        icon={<TeamOutlined />}
        onClick={() => setMembersOpen(true)}
        aria-label={t('chat.members')}
        data-testid="chat-members-button"
      >
        {c.memberCount}
      </Button>
      <ExportConversationButton conversationId={c.id} title={c.title} />
      {c.mayManage && (
        <Button
          type="text"
          icon={<SettingOutlined />}
          onClick={() => setSettingsOpen(true)}
          aria-label={t('chat.settings')}
          data-testid="chat-settings-button"
        />
      )}
    </Flex>
  );

  const typingLine = (
    <div style={{ minHeight: 20, padding: '0 12px', fontSize: 12 }} aria-live="polite" data-testid="chat-typing">
      {typingNow.length > 0 && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {typingNow.length === 1
            ? t('chat.typingOne', { name: typingNow[0] })
            : t('chat.typingMany', { names: typingNow.join('、') })}
        </Typography.Text>
      )}
    </div>
  );

  const joinBar = !c.member && c.kind === 'record' && (
    <Flex
      align="center"
      justify="space-between"
      gap={8}
      wrap
      style={{ padding: '6px 12px', background: '#f6ffed', borderTop: '1px solid #f0f0f0' }}
    >
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('chat.joinHint')}
      </Typography.Text>
      <Button
        size="small"
        type="primary"
        ghost
        onClick={() =>
          chatApi.join(conversationId).then(() => {
            void queryClient.invalidateQueries({ queryKey: chatApi.keys.conversation(conversationId) });
            void queryClient.invalidateQueries({ queryKey: chatApi.keys.members(conversationId) });
            refreshLists();
          }, toast)
        }
        data-testid="chat-join"
      >
        {t('chat.join')}
      </Button>
    </Flex>
  );

  return (
    <Flex
      vertical
      style={{ height: compact ? 520 : '100%', minHeight: 0, minWidth: 0, background: '#fff' }}
      data-testid="conversation-view"
      data-conversation-id={conversationId}
    >
      <style>{CHAT_CSS}</style>
      {header}
      {conversation.error && <LoadError query={conversation} compact />}
      <AnnouncementsBar conversationId={conversationId} mayManage={c.mayManage} />
      <MessageList
        timeline={timeline}
        conversationId={conversationId}
        myId={me.id}
        markerSeq={markerSeq}
        focusSeq={focusSeq}
        pending={pending.filter((p) => p.parentId === null)}
        cards={cards}
        actions={actions}
        mentionAllToken={mentionAllToken}
        onBottomSeen={markRead}
        pendingFooter={pendingFooter}
      />
      {typingLine}
      {joinBar}
      {composer(null, !mobile && !compact)}

      <Drawer
        open={threadOf !== null}
        onClose={() => setThreadOf(null)}
        size={mobile ? '100%' : 480}
        title={t('chat.thread')}
        destroyOnHidden
        styles={{ body: { padding: 0, display: 'flex', flexDirection: 'column' } }}
        data-testid="chat-thread"
      >
        {threadOf && (
          <Flex vertical style={{ height: '100%', minHeight: 0 }}>
            <div style={{ borderBottom: '1px solid #f0f0f0', paddingBottom: 8 }}>
              <MessageItem
                message={timeline.items.find((m) => m.id === threadOf.id) ?? threadOf}
                myId={me.id}
                showHeader
                cards={cards}
                mentionAllToken={mentionAllToken}
                actions={{ ...actions, onReply: undefined }}
                mobile={mobile}
              />
            </div>
            <MessageList
              timeline={thread}
              conversationId={conversationId}
              myId={me.id}
              markerSeq={null}
              pending={pending.filter((p) => p.parentId === threadOf.id)}
              cards={cards}
              actions={{ ...actions, onReply: undefined }}
              mentionAllToken={mentionAllToken}
              onBottomSeen={() => {}}
              emptyHint={t('chat.threadEmpty')}
              inThread
              pendingFooter={pendingFooter}
            />
            {composer(threadOf.id, !mobile)}
          </Flex>
        )}
      </Drawer>
      <MembersDrawer
        open={membersOpen}
        onClose={() => setMembersOpen(false)}
        conversation={c}
        members={members}
        onChanged={() => {
          void queryClient.invalidateQueries({ queryKey: chatApi.keys.conversation(conversationId) });
          void queryClient.invalidateQueries({ queryKey: chatApi.keys.members(conversationId) });
          refreshLists();
        }}
      />
      <SettingsDrawer open={settingsOpen} onClose={() => setSettingsOpen(false)} conversation={c} />
      <SaveAsArticleDrawer
        message={articleOf}
        onClose={() => setArticleOf(null)}
        onSaved={(articleId) => {
          setArticleOf(null);
          void toastApi.success(
            <span>
              {t('chat.savedAsArticle')} <Link to={`/knowledge/${articleId}`}>{t('chat.openArticle')}</Link>
            </span>,
          );
        }}
      />
    </Flex>
  );
}

/** A good answer becomes a Q&A 问答 article: its title (and question) asked first. */
function SaveAsArticleDrawer({
  message,
  onClose,
  onSaved,
}: {
  message: ChatMessage | null;
  onClose: () => void;
  onSaved: (articleId: string) => void;
}) {
  const t = useT();
  const [form] = Form.useForm<{ title: string; question?: string }>();
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const mobile = useIsMobile();
  return (
    <Drawer
      open={message !== null}
      onClose={onClose}
      size={mobile ? '100%' : 520}
      destroyOnHidden
      title={t('chat.saveAsArticle')}
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={() => form.submit()} data-testid="chat-article-save">
            {t('common.save')}
          </Button>
        </Flex>
      }
    >
      {message && (
        <Form
          form={form}
          layout="vertical"
          initialValues={{ title: message.body.split('\n')[0].slice(0, 60) }}
          onFinish={(values) => {
            setSaving(true);
            setProblem(null);
            chatApi
              .saveAsArticle(message.conversationId, message.id, {
                title: values.title,
                question: values.question || undefined,
              })
              .then(
                (saved) => onSaved(saved.articleId),
                (failure: unknown) => setProblem(errorText(t, failure)),
              )
              .finally(() => setSaving(false));
          }}
        >
          <Form.Item
            name="title"
            label={t('chat.saveAsArticleTitle')}
            rules={[{ required: true, max: 200, whitespace: true }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="question" label={t('chat.saveAsArticleQuestion')}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={10_000} />
          </Form.Item>
          <Typography.Paragraph type="secondary" style={{ whiteSpace: 'pre-wrap' }} ellipsis={{ rows: 6 }}>
            {message.body}
          </Typography.Paragraph>
          {problem && <Typography.Text type="danger">{problem}</Typography.Text>}
        </Form>
      )}
    </Drawer>
  );
}
