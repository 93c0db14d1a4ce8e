import {
  FileTextOutlined,
  NumberOutlined,
  PlusOutlined,
  SearchOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Badge, Button, Checkbox, Flex, Input, Segmented, Skeleton, Tooltip, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { CONVERSATION_KINDS, type ConversationItem, type ConversationKind } from '../../../common/schemas/chat';
import { EmptyState } from '../../components/EmptyState';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { useIsMobile } from '../../components/responsive';
import { useDebounced } from '../../components/use-debounced';
import { useLocale, useT } from '../../i18n';
import { chatApi } from './api';
import { dayOf, unreadLabel } from './chat-logic';
import { useChatListsFollowLive } from './ChatUnreadBadge';
import { NewConversationDrawer } from './ConversationDrawers';
import { ConversationView } from './ConversationView';
import { timeOf } from './MessageItem';

const KIND_ICONS: Record<ConversationKind, ReactNode> = {
  department: <NumberOutlined />,
  record: <FileTextOutlined />,
  group: <TeamOutlined />,
  direct: <UserOutlined />,
};

/** When the last message came: its time today, else its date. */
function whenLabel(iso: string | null, locale: string): string {
  if (!iso) return '';
  if (dayOf(iso) === dayOf(new Date().toISOString())) return timeOf(iso, locale);
  return new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit' }).format(
    new Date(iso),
  );
}

function ConversationRow({
  item,
  selected,
  onOpen,
}: {
  item: ConversationItem;
  selected: boolean;
  onOpen: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const last = item.lastMessage;
  return (
    <button
      type="button"
      onClick={onOpen}
      aria-current={selected ? 'true' : undefined}
      style={{
        all: 'unset',
        boxSizing: 'border-box',
        display: 'flex',
        gap: 10,
        width: '100%',
        padding: '10px 12px',
        cursor: 'pointer',
        background: selected ? '#e6f4ff' : undefined,
        borderBottom: '1px solid #f5f5f5',
      }}
      data-testid="chat-conversation"
      data-id={item.id}
      data-conversation-id={item.id}
      data-unread={item.unread}
    >
      <div style={{ fontSize: 18, color: '#8c8c8c', paddingTop: 2 }} aria-label={t(`chat.kindTag.${item.kind}`)}>
        {KIND_ICONS[item.kind]}
      </div>
      <div style={{ flex: 1, minWidth: 0 }}>
        <Flex justify="space-between" gap={8} align="baseline">
          <Typography.Text strong={item.unread > 0} ellipsis style={{ minWidth: 0 }}>
            {item.title}
          </Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12, flex: 'none' }}>
            {whenLabel(item.lastMessageAt, locale)}
          </Typography.Text>
        </Flex>
        <Flex justify="space-between" gap={8} align="center">
          <Typography.Text type="secondary" ellipsis style={{ fontSize: 13, minWidth: 0 }}>
            {item.archived && `[${t('chat.archived')}] `}
            {last ? `${last.author}: ${last.deleted ? t('chat.deleted') : last.text}` : '\u00a0'}
          </Typography.Text>
          <Flex gap={4} style={{ flex: 'none' }}>
            {item.unreadMentions > 0 && (
              <Tooltip title={t('chat.mentionBadge')}>
                <Badge count="@" color="#fa541c" data-testid="chat-mention-badge" />
              </Tooltip>
            )}
            {item.unread > 0 && (
              <Badge
                count={unreadLabel(item.unread)}
                color={item.member ? '#ff4d4f' : '#bfbfbf'}
                title={t('chat.unreadCount', { count: item.unread })}
                data-testid="chat-row-unread"
              />
            )}
          </Flex>
        </Flex>
      </div>
    </button>
  );
}

type KindFilter = ConversationKind | 'all';

/** The reader's conversations: filtered by kind and name, archived ones on demand. */
function ConversationList({ selectedId, onOpen }: { selectedId: string | null; onOpen: (id: string) => void }) {
  const t = useT();
  const [kind, setKind] = useState<KindFilter>('all');
  const [search, setSearch] = useState('');
  const [archived, setArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const q = useDebounced(search.trim(), 300);
  const params = {
    kind: kind === 'all' ? undefined : kind,
    q: q || undefined,
    archived: archived ? 'true' : 'false',
  } as const;
  const list = useQuery({
    queryKey: [...chatApi.keys.conversations, params],
    queryFn: () => chatApi.list(params),
    placeholderData: keepPreviousData,
  });
  const filtered = kind !== 'all' || Boolean(q) || archived;
  const items = list.data ?? [];

  return (
    <Flex vertical style={{ height: '100%', minHeight: 0 }} data-testid="chat-list">
      <Flex vertical gap={8} style={{ padding: 12, borderBottom: '1px solid #f0f0f0' }}>
        <Flex justify="space-between" align="center" gap={8}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('chat.nav')}
          </Typography.Title>
          <Flex gap={4}>
            <Tooltip title={t('chat.searchMessages')}>
              <Link to="/chat/search" aria-label={t('chat.searchMessages')} data-testid="chat-search-messages">
                <Button icon={<SearchOutlined />} tabIndex={-1} />
              </Link>
            </Tooltip>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="chat-new">
              {t('chat.newConversation')}
            </Button>
          </Flex>
        </Flex>
        <Input.Search
          allowClear
          placeholder={t('chat.search')}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          data-testid="chat-search"
        />
        <div style={{ overflowX: 'auto' }}>
          <Segmented<KindFilter>
            size="small"
            value={kind}
            onChange={setKind}
            options={(['all', ...CONVERSATION_KINDS] as KindFilter[]).map((value) => ({
              value,
              label: t(`chat.kind.${value}`),
            }))}
            data-testid="chat-kind-filter"
          />
        </div>
        <Checkbox
          checked={archived}
          onChange={(event) => setArchived(event.target.checked)}
          data-testid="chat-archived"
        >
          {t('chat.archivedFilter')}
        </Checkbox>
      </Flex>
      <div style={{ flex: 1, overflowY: 'auto', minHeight: 0 }}>
        {failedWithoutData(list) ? (
          <LoadError query={list} />
        ) : list.isPending ? (
          <div style={{ padding: 12 }}>
            <Skeleton active paragraph={{ rows: 4 }} />
          </div>
        ) : items.length === 0 ? (
          <div style={{ paddingTop: 32 }}>
            {filtered ? (
              <EmptyState title={t('chat.noMatch')} />
            ) : (
              <EmptyState
                title={t('chat.noConversations')}
                hint={t('chat.noConversationsHint')}
                action={
                  <Button type="primary" onClick={() => setCreating(true)}>
                    {t('chat.newConversation')}
                  </Button>
                }
              />
            )}
          </div>
        ) : (
          <>
            {list.error && <LoadError query={list} compact />}
            {items.map((item) => (
              <ConversationRow
                key={item.id}
                item={item}
                selected={item.id === selectedId}
                onOpen={() => onOpen(item.id)}
              />
            ))}
          </>
        )}
      </div>
      <NewConversationDrawer open={creating} onClose={() => setCreating(false)} />
    </Flex>
  );
}

/**
 * 团队协作: my conversations on the left, the open one on the right (/chat/:id); on a phone, two screens — the
 * list, then the conversation with a way back.
 */
export function ChatPage() {
  const { id } = useParams();
  const [search] = useSearchParams();
  const focusSeq = Number(search.get('seq')) || undefined;
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const t = useT();
  useChatListsFollowLive();
  const open = (next: string) => void navigate(`/chat/${next}`);
  // The shell's header (64) and its content padding (24 / 12 each side) take the rest of the screen's height.
  const height = mobile ? 'calc(100dvh - 64px - 24px)' : 'calc(100dvh - 64px - 48px)';
  const frame = {
    height,
    minHeight: 360,
    background: '#fff',
    borderRadius: 8,
    border: '1px solid #f0f0f0',
    overflow: 'hidden',
  };

  if (mobile)
    return (
      <div style={{ ...frame, margin: -4 }} data-testid="chat-page">
        {id ? (
          <ConversationView key={id} conversationId={id} focusSeq={focusSeq} onBack={() => void navigate('/chat')} />
        ) : (
          <ConversationList selectedId={null} onOpen={open} />
        )}
      </div>
    );

  return (
    <Flex style={frame} data-testid="chat-page">
      <div style={{ width: 340, flex: 'none', borderInlineEnd: '1px solid #f0f0f0', minHeight: 0 }}>
        <ConversationList selectedId={id ?? null} onOpen={open} />
      </div>
      <div style={{ flex: 1, minWidth: 0, minHeight: 0, position: 'relative' }}>
        {id ? (
          <ConversationView key={id} conversationId={id} focusSeq={focusSeq} />
        ) : (
          <Flex align="center" justify="center" style={{ height: '100%' }}>
            <EmptyState title={t('chat.pickConversation')} />
          </Flex>
        )}
      </div>
    </Flex>
  );
}
