import { CommentOutlined, ExportOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Drawer, Flex, Skeleton, Tag } from 'antd';
import { Suspense, useState } from 'react';
import { Link } from 'react-router';
import type { ChatRecordType } from '../../../common/schemas/chat';
import { can, useMe } from '../../auth/session';
import { Loaded } from '../../components/QueryState';
import { useIsMobile } from '../../components/responsive';
import { useT } from '../../i18n';
import { chatExtrasApi } from './api';
import { ConversationView } from './conversation-view';

/** The record's conversation (made on first use); readable by whoever sees the record. */
export function useRecordConversation(recordType: ChatRecordType, recordId: string, enabled: boolean) {
  return useQuery({
    queryKey: [chatExtrasApi.conversationsPath, 'record', recordType, recordId],
    queryFn: () => chatExtrasApi.recordConversation(recordType, recordId),
    enabled,
    retry: false,
  });
}

/**
 * 讨论: a record page's button (opportunity, engagement, contract) that opens the record's conversation in a
 * drawer — the conversation itself (chat-web's ConversationView, compact) and a link to it on the chat page.
 * Shown to those who may chat (chat:use); the conversation is made only when someone opens it.
 */
export function RecordDiscussion({ recordType, recordId }: { recordType: ChatRecordType; recordId: string }) {
  const t = useT();
  const me = useMe();
  const mobile = useIsMobile();
  const [open, setOpen] = useState(false);
  const conversation = useRecordConversation(recordType, recordId, open);
  if (!can(me, 'chat:use')) return null;
  const c = conversation.data;
  return (
    <>
      <Button icon={<CommentOutlined />} onClick={() => setOpen(true)} data-testid="record-discussion-open">
        {t('chatExtras.discuss')}
      </Button>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        size={mobile ? '100%' : 560}
        title={
          <Flex align="center" gap={8} wrap style={{ minWidth: 0 }}>
            <span style={{ wordBreak: 'break-word' }}>
              {c ? t('chatExtras.discussTitle', { title: c.title }) : t('chatExtras.discuss')}
            </span>
            {c && c.unread > 0 && <Tag color="red">{t('chatExtras.unreadCount', { count: c.unread })}</Tag>}
          </Flex>
        }
        extra={
          c && (
            <Link to={`/chat/${c.id}`} data-testid="record-discussion-link">
              <Button type="link" icon={<ExportOutlined />} style={{ paddingInline: 4 }}>
                {t('chatExtras.openInChat')}
              </Button>
            </Link>
          )
        }
        styles={{ body: { display: 'flex', flexDirection: 'column', padding: 0 } }}
        destroyOnHidden
        data-testid="record-discussion"
      >
        <Loaded query={conversation}>
          {() => (
            <Suspense fallback={<Skeleton active style={{ padding: 24 }} />}>
              <ConversationView conversationId={c!.id} compact />
            </Suspense>
          )}
        </Loaded>
      </Drawer>
    </>
  );
}
