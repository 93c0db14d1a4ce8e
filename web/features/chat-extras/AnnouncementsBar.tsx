import { CheckOutlined, EyeOutlined, NotificationOutlined, PushpinOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Flex, List, Modal, Popconfirm, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useWrite } from '../../api/queries';
import { useMe } from '../../auth/session';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { Loaded } from '../../components/QueryState';
import { useLocale, useT } from '../../i18n';
import { chatExtrasApi, type Announcement } from './api';
import { oneLine } from './logic';

const announcementsKey = (conversationId: string) => [chatExtrasApi.conversationsPath, conversationId, 'announcements'];

/** Pin and unpin a message as an announcement 公告 (for the chat page's message menu); refreshes the bar. */
export function usePinMessage(conversationId: string) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const pin = useWrite(
    (messageId: string) => chatExtrasApi.pin(conversationId, messageId),
    [chatExtrasApi.conversationsPath],
  );
  const unpin = useWrite(
    (messageId: string) => chatExtrasApi.unpin(conversationId, messageId),
    [chatExtrasApi.conversationsPath],
  );
  return {
    pin: (messageId: string) =>
      pin.mutateAsync(messageId).then(() => void message.success(t('chatExtras.announce.pinned')), toast),
    unpin: (messageId: string) =>
      unpin.mutateAsync(messageId).then(() => void message.success(t('chatExtras.announce.unpinned')), toast),
    pending: pin.isPending || unpin.isPending,
  };
}

/**
 * 公告 above a conversation's messages: the pinned messages, newest first (the newest shown, the rest on
 * "show all"); each can be confirmed as read (a read receipt), its readers seen by the conversation's admins and
 * its author, and unpinned by the admins. Renders nothing when the conversation has no announcement.
 */
export function AnnouncementsBar({ conversationId, mayManage }: { conversationId: string; mayManage: boolean }) {
  const t = useT();
  const query = useQuery({
    queryKey: announcementsKey(conversationId),
    queryFn: () => chatExtrasApi.announcements(conversationId),
  });
  const [expanded, setExpanded] = useState(false);
  const [receiptsOf, setReceiptsOf] = useState<Announcement | null>(null);
  const items = query.data ?? [];
  if (items.length === 0) return null;
  const shown = expanded ? items : items.slice(0, 1);
  return (
    <section
      aria-label={t('chatExtras.announce.title')}
      data-testid="chat-announcements"
      style={{
        background: '#fffbe6',
        border: '1px solid #ffe58f',
        borderRadius: 8,
        padding: '8px 12px',
      }}
    >
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Text strong>
          <NotificationOutlined style={{ color: '#d48806', marginInlineEnd: 6 }} />
          {items.length > 1 ? t('chatExtras.announce.count', { count: items.length }) : t('chatExtras.announce.title')}
        </Typography.Text>
        {items.length > 1 && (
          <Button type="link" size="small" onClick={() => setExpanded(!expanded)} style={{ paddingInline: 0 }}>
            {expanded ? t('chatExtras.announce.showLess') : t('chatExtras.announce.showAll')}
          </Button>
        )}
      </Flex>
      <List
        dataSource={shown}
        rowKey="id"
        split={expanded}
        renderItem={(a) => (
          <AnnouncementRow
            announcement={a}
            conversationId={conversationId}
            mayManage={mayManage}
            expanded={expanded}
            onReceipts={() => setReceiptsOf(a)}
          />
        )}
      />
      {receiptsOf && (
        <ReceiptsModal conversationId={conversationId} announcement={receiptsOf} onClose={() => setReceiptsOf(null)} />
      )}
    </section>
  );
}

function AnnouncementRow({
  announcement: a,
  conversationId,
  mayManage,
  expanded,
  onReceipts,
}: {
  announcement: Announcement;
  conversationId: string;
  mayManage: boolean;
  expanded: boolean;
  onReceipts: () => void;
}) {
  const t = useT();
  const me = useMe();
  const { locale } = useLocale();
  const toast = useErrorToast();
  const { unpin } = usePinMessage(conversationId);
  // Confirmed here or known to the server: the button becomes a quiet "read".
  const [confirmedHere, setConfirmedHere] = useState(false);
  const confirm = useWrite(() => chatExtrasApi.confirmRead(conversationId, a.id), [chatExtrasApi.conversationsPath]);
  const confirmed = confirmedHere || a.readByMe === true;
  const mine = a.author.id === me.user.id;
  return (
    <List.Item data-testid="chat-announcement" style={{ paddingInline: 0, paddingBlock: 6, display: 'block' }}>
      <Typography.Paragraph
        style={{ marginBottom: 4, wordBreak: 'break-word', whiteSpace: expanded ? 'pre-wrap' : undefined }}
        ellipsis={expanded ? false : { rows: 2, expandable: true, symbol: t('chatExtras.announce.showAll') }}
      >
        {expanded ? a.body : oneLine(a.body, 400)}
      </Typography.Paragraph>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          <PushpinOutlined />{' '}
          {t('chatExtras.announce.by', {
            name: a.author.name,
            time: formatDateTime(a.pinnedAt ?? a.createdAt, locale),
          })}
        </Typography.Text>
        <Flex gap={4} wrap>
          {confirmed ? (
            <Typography.Text type="success" style={{ fontSize: 12 }} data-testid="chat-announcement-confirmed">
              <CheckOutlined /> {t('chatExtras.announce.confirmed')}
            </Typography.Text>
          ) : (
            <Button
              size="small"
              type="primary"
              ghost
              loading={confirm.isPending}
              onClick={() => confirm.mutateAsync(undefined).then(() => setConfirmedHere(true), toast)}
              data-testid="chat-announcement-confirm"
            >
              {t('chatExtras.announce.confirm')}
            </Button>
          )}
          {(mayManage || mine) && (
            <Button
              size="small"
              type="link"
              icon={<EyeOutlined />}
              onClick={onReceipts}
              data-testid="chat-announcement-receipts"
            >
              {t('chatExtras.announce.receipts')}
            </Button>
          )}
          {mayManage && (
            <Popconfirm title={t('chatExtras.announce.unpinConfirm')} onConfirm={() => unpin(a.id)}>
              <Button size="small" type="link" danger data-testid="chat-announcement-unpin">
                {t('chatExtras.announce.unpin')}
              </Button>
            </Popconfirm>
          )}
        </Flex>
      </Flex>
    </List.Item>
  );
}

/** Who has read an announcement and who not yet. */
function ReceiptsModal({
  conversationId,
  announcement,
  onClose,
}: {
  conversationId: string;
  announcement: Announcement;
  onClose: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const query = useQuery({
    queryKey: [chatExtrasApi.conversationsPath, conversationId, 'receipts', announcement.id],
    queryFn: () => chatExtrasApi.receipts(conversationId, announcement.id),
  });
  const r = query.data;
  return (
    <Modal open title={t('chatExtras.receipts.title')} footer={null} onCancel={onClose} destroyOnHidden>
      <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ wordBreak: 'break-word' }}>
        {oneLine(announcement.body, 200)}
      </Typography.Paragraph>
      <Loaded query={query}>
        {() => (
          <Tabs
            data-testid="chat-receipts"
            items={[
              {
                key: 'read',
                label: t('chatExtras.receipts.read', { count: r!.read.length }),
                children:
                  r!.read.length === 0 ? (
                    <EmptyState title={t('chatExtras.receipts.none')} />
                  ) : (
                    <List
                      size="small"
                      dataSource={r!.read}
                      rowKey="id"
                      style={{ maxHeight: 360, overflowY: 'auto' }}
                      renderItem={(p) => (
                        <List.Item
                          extra={
                            <Typography.Text type="secondary">
                              {t('chatExtras.receipts.readAt', { time: formatDateTime(p.at, locale) })}
                            </Typography.Text>
                          }
                        >
                          {p.name}
                        </List.Item>
                      )}
                    />
                  ),
              },
              {
                key: 'unread',
                label: t('chatExtras.receipts.unread', { count: r!.unread.length }),
                children:
                  r!.unread.length === 0 ? (
                    <EmptyState title={t('chatExtras.receipts.none')} />
                  ) : (
                    <List
                      size="small"
                      dataSource={r!.unread}
                      rowKey="id"
                      style={{ maxHeight: 360, overflowY: 'auto' }}
                      renderItem={(p) => <List.Item>{p.name}</List.Item>}
                    />
                  ),
              },
            ]}
          />
        )}
      </Loaded>
    </Modal>
  );
}
