import { MessageOutlined } from '@ant-design/icons';
import { Badge, Card, List, Space, Typography } from 'antd';
import { Link } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { useLocale, useT } from '../../i18n';
import type { ChatMention } from './api';
import { messageHref, oneLine } from './logic';

const SHOWN = 5;

/**
 * 提及我的消息 on Today: my unread mentions (Today's `chatMentions`: how many, the newest first), each opening its
 * conversation at the message.
 */
export function ChatMentionsCard({ count, items }: { count: number; items: ChatMention[] }) {
  const t = useT();
  return (
    <Card
      size="small"
      title={
        <Space>
          <MessageOutlined />
          {t('chatExtras.mentions.title')}
          <Badge count={count} showZero color={count ? '#f5222d' : '#d9d9d9'} data-testid="today-mentions-count" />
        </Space>
      }
      extra={count > SHOWN && <Link to="/chat">{t('chatExtras.mentions.more', { count: count - SHOWN })}</Link>}
      data-testid="today-mentions"
    >
      <Mentions items={items} />
    </Card>
  );
}

function Mentions({ items }: { items: ChatMention[] }) {
  const t = useT();
  const { locale } = useLocale();
  if (items.length === 0) return <EmptyState title={t('chatExtras.mentions.empty')} />;
  return (
    <List
      dataSource={items.slice(0, SHOWN)}
      rowKey="messageId"
      renderItem={(m) => (
        <List.Item data-testid="today-mention" style={{ paddingInline: 0 }}>
          <List.Item.Meta
            title={
              <Link to={messageHref(m.conversation.id, m.seq)} style={{ wordBreak: 'break-word' }}>
                {m.author.name}
                <Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>
                  {' · '}
                  {m.conversation.title}
                </Typography.Text>
              </Link>
            }
            description={
              <Space orientation="vertical" size={0} style={{ width: '100%', minWidth: 0 }}>
                <Typography.Text style={{ wordBreak: 'break-word' }}>{oneLine(m.text)}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatDateTime(m.createdAt, locale)}
                </Typography.Text>
              </Space>
            }
          />
        </List.Item>
      )}
    />
  );
}
