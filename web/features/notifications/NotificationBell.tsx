import { BellOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Badge, Button, Empty, Flex, List, Popover, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Notification } from '../../../common/schemas/notifications';
import { useLiveEvents } from '../../api/live';
import { useWrite } from '../../api/queries';
import { notificationsApi } from '../../api/resources';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { useErrorToast } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { useLocale, useT } from '../../i18n';

/** Where a notification leads. */
function targetOf(n: Notification): string | null {
  switch (n.entityType) {
    case 'customer':
      return `/customers/${n.entityId}`;
    case 'lead':
      return `/leads/${n.entityId}`;
    case 'opportunity':
      return `/opportunities/${n.entityId}`;
    case 'activity':
      return '/';
    case 'mail':
      return '/mail-outbox';
    case 'workflow-instance':
      return `/approvals?open=${n.entityId}`;
    case 'contract':
      return `/contracts/${n.entityId}`;
    case 'order':
      return `/orders/${n.entityId}`;
    case 'engagement':
      return `/engagements/${n.entityId}`;
    case 'engagement-task':
      return '/work-orders';
    case 'person':
      return `/people/${n.entityId}`;
    default:
      return null;
  }
}

/**
 * The bell: how many notifications are unread, updated live (the WebSocket refreshes it the
 * moment something happens), and the latest ones; opening one marks it read and goes to its record.
 */
export function NotificationBell() {
  const t = useT();
  const { locale } = useLocale();
  const navigate = useNavigate();
  const toast = useErrorToast();
  const [open, setOpen] = useState(false);
  useLiveEvents();
  const latest = useQuery({
    queryKey: [notificationsApi.path, 'latest'],
    queryFn: () => notificationsApi.list({ pageSize: 8 }),
    refetchInterval: 5 * 60_000,
  });
  const read = useWrite((id: string) => notificationsApi.read(id), [notificationsApi.path]);
  const readAll = useWrite(() => notificationsApi.readAll(), [notificationsApi.path]);
  const unread = latest.data?.unread ?? 0;
  const openOne = (n: Notification) => {
    if (!n.readAt) read.mutateAsync(n.id).catch(toast);
    const to = targetOf(n);
    setOpen(false);
    if (to) navigate(to);
  };
  const content = (
    <div style={{ width: 360, maxWidth: 'calc(100vw - 48px)' }} data-testid="notification-list">
      {failedWithoutData(latest) ? (
        <LoadError query={latest} compact />
      ) : latest.data?.items.length ? (
        <List
          size="small"
          dataSource={latest.data.items}
          renderItem={(n) => (
            <List.Item
              onClick={() => openOne(n)}
              style={{ cursor: 'pointer', paddingInline: 4 }}
              data-testid="notification-item"
            >
              <Flex vertical gap={2} style={{ width: '100%' }}>
                <Typography.Text strong={!n.readAt}>
                  {!n.readAt && <Badge status="processing" style={{ marginInlineEnd: 6 }} />}
                  {n.message}
                </Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatDateTime(n.createdAt, locale)}
                </Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('bell.empty')} />
      )}
    </div>
  );
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      placement="bottomRight"
      title={
        <Flex justify="space-between" align="center">
          <span>
            {t('bell.title')}
            {unread ? ` · ${t('bell.unread', { count: unread })}` : ''}
          </span>
          <Button
            type="link"
            size="small"
            disabled={!unread}
            onClick={() => readAll.mutateAsync(undefined).catch(toast)}
            data-testid="notification-read-all"
          >
            {t('bell.readAll')}
          </Button>
        </Flex>
      }
      content={content}
    >
      <Button type="text" aria-label={t('bell.open')} data-testid="notification-bell" style={{ height: 40 }}>
        <Badge count={unread} size="small" overflowCount={99} data-testid="notification-count" data-count={unread}>
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      </Button>
    </Popover>
  );
}
