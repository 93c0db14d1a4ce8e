import { EditOutlined, MessageOutlined, MoreOutlined, SmileOutlined } from '@ant-design/icons';
import { Avatar, Button, Card, Dropdown, Flex, Input, Popover, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { CHAT_REACTIONS, type ChatLink, type ChatMessage } from '../../../common/schemas/chat';
import { AttachmentLink } from '../../components/AttachmentLink';
import { formatDateTime } from '../../components/format';
import { useLocale, useT } from '../../i18n';
import { chatApi } from './api';
import { linkHref, withinEditWindow } from './chat-logic';
import { renderChatMarkdown } from './chat-markdown';

export type MessageActions = {
  onReply?: (message: ChatMessage) => void;
  onReact: (message: ChatMessage, emoji: string, mine: boolean) => void;
  onEdit: (message: ChatMessage, body: string) => Promise<unknown>;
  onDelete: (message: ChatMessage) => void;
  onSaveAsArticle: (message: ChatMessage) => void;
  /** Pin as an announcement 公告 (or take it down): only for who manages the conversation. */
  onPin?: (message: ChatMessage) => void;
};

const TIME = new Map<string, Intl.DateTimeFormat>();
/** hh:mm in the firm's time zone. */
export function timeOf(iso: string, locale: string): string {
  let f = TIME.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    TIME.set(locale, f);
  }
  return f.format(new Date(iso));
}

/** The first character of a name, for the little avatar. */
const initialOf = (name: string) => Array.from(name.trim())[0] ?? '?';

/** A color per person (stable), so a long conversation is easy to follow. */
const COLORS = ['#1677ff', '#13a8a8', '#722ed1', '#eb2f96', '#fa8c16', '#52c41a', '#2f54eb', '#a0d911'];
export function colorOf(id: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return COLORS[Math.abs(hash) % COLORS.length];
}

/** A linked record as a card with what the reader may see. */
export function LinkCard({ link }: { link: ChatLink }) {
  const t = useT();
  const content = (
    <Card
      size="small"
      style={{ maxWidth: 360, marginTop: 4 }}
      styles={{ body: { padding: '6px 10px' } }}
      data-testid="chat-link-card"
    >
      <Flex gap={6} align="baseline" wrap>
        <Tag style={{ marginInlineEnd: 0 }}>{t(`chat.card.type.${link.type}`)}</Tag>
        {link.available ? (
          <Typography.Text strong ellipsis style={{ maxWidth: 260 }}>
            {link.title}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">{t('chat.card.unavailable')}</Typography.Text>
        )}
      </Flex>
      {link.available && link.subtitle && (
        <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }} ellipsis>
          {link.subtitle}
        </Typography.Text>
      )}
    </Card>
  );
  return link.available ? <Link to={linkHref(link)}>{content}</Link> : content;
}

/** A message's files: images as thumbnails, anything else as a download link. */
function Files({ message }: { message: ChatMessage }) {
  if (message.files.length === 0) return null;
  const url = (fileId: string) => chatApi.fileUrl(message.conversationId, fileId);
  const images = message.files.filter((f) => f.contentType.startsWith('image/'));
  const others = message.files.filter((f) => !f.contentType.startsWith('image/'));
  return (
    <Flex vertical gap={4} style={{ marginTop: 4 }}>
      {images.length > 0 && (
        <Flex gap={6} wrap>
          {images.map((file) => (
            <a key={file.id} href={url(file.id)} target="_blank" rel="noopener noreferrer" title={file.filename}>
              <img
                src={url(file.id)}
                alt={file.filename}
                loading="lazy"
                style={{
                  maxWidth: 'min(240px, 60vw)',
                  maxHeight: 180,
                  borderRadius: 6,
                  border: '1px solid #f0f0f0',
                  display: 'block',
                }}
                data-testid="chat-image"
              />
            </a>
          ))}
        </Flex>
      )}
      {others.map((file) => (
        <div key={file.id}>
          <AttachmentLink href={url(file.id)} attachment={file} />
        </div>
      ))}
    </Flex>
  );
}

type Props = {
  message: ChatMessage;
  myId: string;
  /** Show the author and time (the first of a run by the same person). */
  showHeader: boolean;
  cards: Map<string, ChatLink>;
  mentionAllToken: string;
  actions: MessageActions;
  mobile: boolean;
  /** Extra line under the message (a pending message's state). */
  footer?: ReactNode;
  highlighted?: boolean;
};

/** One message: author and time, the body (Markdown-lite), files, record cards, reactions, replies, its actions. */
export function MessageItem({
  message,
  myId,
  showHeader,
  cards,
  mentionAllToken,
  actions,
  mobile,
  footer,
  highlighted,
}: Props) {
  const t = useT();
  const { locale } = useLocale();
  const [hover, setHover] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const mine = message.author.id === myId;
  const editable = mine && withinEditWindow(message);
  const html = useMemo(
    () =>
      message.deleted
        ? ''
        : renderChatMarkdown(message.body, [
            ...message.mentions.map((m) => m.name),
            ...(message.mentionAll ? [mentionAllToken, '所有人', 'all'] : []),
          ]),
    [message, mentionAllToken],
  );

  const reactionPicker = (
    <Flex gap={2}>
      {CHAT_REACTIONS.map((emoji) => {
        const given = message.reactions.find((r) => r.emoji === emoji);
        return (
          <Button
            key={emoji}
            type={given?.mine ? 'primary' : 'text'}
            ghost={given?.mine}
            size="small"
            aria-label={emoji}
            onClick={() => actions.onReact(message, emoji, Boolean(given?.mine))}
          >
            {emoji}
          </Button>
        );
      })}
    </Flex>
  );

  const menuItems = [
    ...(editable
      ? [
          { key: 'edit', icon: <EditOutlined />, label: t('chat.edit') },
          { key: 'delete', danger: true, label: t('chat.delete') },
        ]
      : []),
    ...(!message.deleted && message.body ? [{ key: 'article', label: t('chat.saveAsArticle') }] : []),
    ...(actions.onPin && !message.parentId
      ? [{ key: 'pin', label: message.pinnedAt ? t('chatExtras.announce.unpin') : t('chatExtras.announce.pin') }]
      : []),
  ];

  const toolbar = !message.deleted && hover && editing === null && (
    <Flex
      gap={0}
      style={
        mobile
          ? { marginTop: 2 }
          : {
              position: 'absolute',
              insetInlineEnd: 8,
              top: -14,
              background: '#fff',
              border: '1px solid #f0f0f0',
              borderRadius: 6,
              boxShadow: '0 1px 4px rgba(0,0,0,0.08)',
            }
      }
      data-testid="chat-message-actions"
    >
      <Popover content={reactionPicker} trigger="click">
        <Button type="text" size="small" icon={<SmileOutlined />} aria-label={t('chat.react')} />
      </Popover>
      {actions.onReply && !message.parentId && (
        <Tooltip title={t('chat.reply')}>
          <Button
            type="text"
            size="small"
            icon={<MessageOutlined />}
            aria-label={t('chat.reply')}
            onClick={() => actions.onReply?.(message)}
          />
        </Tooltip>
      )}
      {menuItems.length > 0 && (
        <Dropdown
          trigger={['click']}
          menu={{
            items: menuItems,
            onClick: ({ key }) => {
              if (key === 'edit') setEditing(message.body);
              else if (key === 'delete') actions.onDelete(message);
              else if (key === 'article') actions.onSaveAsArticle(message);
              else if (key === 'pin') actions.onPin?.(message);
            },
          }}
        >
          <Button
            type="text"
            size="small"
            icon={<MoreOutlined />}
            aria-label={t('chat.more')}
            data-testid="chat-message-more"
          />
        </Dropdown>
      )}
    </Flex>
  );

  const saveEdit = () => {
    if (editing === null || !editing.trim()) return;
    setSaving(true);
    actions
      .onEdit(message, editing.trim())
      .then(() => setEditing(null))
      .catch(() => {})
      .finally(() => setSaving(false));
  };

  return (
    <div
      onMouseEnter={mobile ? undefined : () => setHover(true)}
      onMouseLeave={mobile ? undefined : () => setHover(false)}
      // On a phone a tap shows the message's actions.
      onClick={mobile ? () => setHover(true) : undefined}
      style={{
        position: 'relative',
        display: 'flex',
        gap: 8,
        padding: showHeader ? '8px 8px 2px' : '2px 8px',
        borderRadius: 6,
        background: highlighted ? '#fffbe6' : hover && !mobile ? '#fafafa' : undefined,
      }}
      data-testid="chat-message"
      data-seq={message.seq}
      data-message-id={message.id}
      data-mentions-me={message.mentionAll || message.mentions.some((m) => m.id === myId) ? 'true' : 'false'}
    >
      <div style={{ width: 32, flex: 'none' }}>
        {showHeader && (
          <Avatar size={32} style={{ background: colorOf(message.author.id) }}>
            {initialOf(message.author.name)}
          </Avatar>
        )}
      </div>
      <div style={{ flex: 1, minWidth: 0 }}>
        {showHeader && (
          <Flex gap={8} align="baseline" wrap>
            <Typography.Text strong>{message.author.name}</Typography.Text>
            <Tooltip title={formatDateTime(message.createdAt, locale)}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {timeOf(message.createdAt, locale)}
              </Typography.Text>
            </Tooltip>
          </Flex>
        )}
        {message.deleted ? (
          <Typography.Text type="secondary" italic data-testid="chat-message-deleted">
            {t('chat.messageDeleted')}
          </Typography.Text>
        ) : editing !== null ? (
          <Flex vertical gap={6} style={{ marginTop: 4 }}>
            <Input.TextArea
              value={editing}
              autoSize={{ minRows: 1, maxRows: 8 }}
              onChange={(event) => setEditing(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                  event.preventDefault();
                  saveEdit();
                } else if (event.key === 'Escape') setEditing(null);
              }}
              autoFocus
              data-testid="chat-edit-input"
            />
            <Flex gap={8}>
              <Button size="small" type="primary" loading={saving} onClick={saveEdit}>
                {t('common.save')}
              </Button>
              <Button size="small" onClick={() => setEditing(null)}>
                {t('common.cancel')}
              </Button>
            </Flex>
          </Flex>
        ) : (
          <div className="gd-chat-body" data-testid="chat-message-body">
            {/* renderChatMarkdown escapes all HTML of the text and links only http(s). */}
            {message.body && <div dangerouslySetInnerHTML={{ __html: html }} />}
            {message.editedAt && (
              <Tooltip title={formatDateTime(message.editedAt, locale)}>
                <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="chat-edited">
                  ({t('chat.edited')})
                </Typography.Text>
              </Tooltip>
            )}
          </div>
        )}
        {!message.deleted && <Files message={message} />}
        {!message.deleted &&
          message.links.map((link) => {
            const card = cards.get(`${link.type}:${link.id}`);
            return card ? <LinkCard key={`${link.type}:${link.id}`} link={card} /> : null;
          })}
        {message.reactions.length > 0 && (
          <Flex gap={4} wrap style={{ marginTop: 4 }}>
            {message.reactions.map((reaction) => (
              <Tooltip key={reaction.emoji} title={reaction.names.join('、')}>
                <Button
                  size="small"
                  shape="round"
                  type={reaction.mine ? 'primary' : 'default'}
                  ghost={reaction.mine}
                  disabled={message.deleted}
                  onClick={() => actions.onReact(message, reaction.emoji, reaction.mine)}
                  data-testid="chat-reaction"
                >
                  {reaction.emoji} {reaction.count}
                </Button>
              </Tooltip>
            ))}
          </Flex>
        )}
        {message.replyCount > 0 && actions.onReply && (
          <Button
            type="link"
            size="small"
            style={{ paddingInline: 0 }}
            icon={<MessageOutlined />}
            onClick={() => actions.onReply?.(message)}
            data-testid="chat-replies"
          >
            {t('chat.replies', { count: message.replyCount })}
          </Button>
        )}
        {footer}
        {mobile && toolbar}
      </div>
      {!mobile && toolbar}
    </div>
  );
}
