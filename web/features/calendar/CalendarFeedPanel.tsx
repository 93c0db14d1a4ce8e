import { CheckOutlined, CopyOutlined, LinkOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Flex, Popconfirm, Skeleton, Typography } from 'antd';
import { useState } from 'react';
import type { Preferences } from '../../../common/schemas/notifications';
import { preferencesApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';

/** My preferences, shared by the reminders tab and the calendar's subscription block. */
export const usePreferences = () => useQuery({ queryKey: [preferencesApi.path], queryFn: preferencesApi.get });

/**
 * 日历订阅: my iCalendar feed for Outlook, Apple and Google calendars. Creating it shows its
 * secret address once (only a hash is kept); a new address replaces the old one, revoking ends it.
 */
export function CalendarFeedPanel() {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const prefs = usePreferences();
  /** The address just created: shown in this panel until the page is left, never again. */
  const [url, setUrl] = useState<string | null>(null);
  // Only the feed flag changes: the rest of the cached preferences (perhaps being edited in a form) stays as it is.
  const setActive = (active: boolean) =>
    queryClient.setQueryData<Preferences>([preferencesApi.path], (old) =>
      old ? { ...old, calendarFeed: active } : old,
    );

  const create = useMutation({
    mutationFn: preferencesApi.createCalendarFeed,
    onSuccess: (feed) => {
      setUrl(feed.url);
      setActive(true);
      void message.success(t('calendar.feed.created'));
    },
    onError: toast,
  });
  const revoke = useMutation({
    mutationFn: preferencesApi.revokeCalendarFeed,
    onSuccess: () => {
      setUrl(null);
      setActive(false);
      void message.success(t('calendar.feed.revoked'));
    },
    onError: toast,
  });

  if (prefs.isPending) return <Skeleton active paragraph={{ rows: 2 }} />;
  const active = prefs.data?.calendarFeed ?? false;

  return (
    <Flex vertical gap={12} data-testid="calendar-feed" data-active={active}>
      <Typography.Text type="secondary">{t('calendar.feed.hint')}</Typography.Text>
      {url ? (
        <Alert
          type="warning"
          showIcon
          title={t('calendar.feed.showOnce')}
          description={
            <>
              <Typography.Paragraph style={{ margin: '4px 0 8px' }}>{t('calendar.feed.secret')}</Typography.Paragraph>
              <Typography.Paragraph
                code
                copyable={{
                  text: url,
                  icon: [
                    <span key="copy">
                      <CopyOutlined /> {t('settings.copy')}
                    </span>,
                    <span key="copied">
                      <CheckOutlined /> {t('settings.copied')}
                    </span>,
                  ],
                  tooltips: false,
                }}
                style={{ wordBreak: 'break-all', margin: 0, fontSize: 13 }}
                data-testid="calendar-feed-url"
              >
                {url}
              </Typography.Paragraph>
            </>
          }
        />
      ) : active ? (
        <Typography.Text data-testid="calendar-feed-active">
          <LinkOutlined /> {t('calendar.feed.active')}
        </Typography.Text>
      ) : null}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('calendar.feed.howTo')}
      </Typography.Text>
      <Flex gap={8} wrap>
        {active ? (
          <>
            <Popconfirm
              title={t('calendar.feed.regenerate')}
              description={<div style={{ maxWidth: 300 }}>{t('calendar.feed.regenerateConfirm')}</div>}
              onConfirm={() => create.mutateAsync().catch(() => {})}
            >
              <Button icon={<ReloadOutlined />} loading={create.isPending} data-testid="calendar-feed-regenerate">
                {t('calendar.feed.regenerate')}
              </Button>
            </Popconfirm>
            <Popconfirm
              title={t('calendar.feed.revoke')}
              description={<div style={{ maxWidth: 300 }}>{t('calendar.feed.revokeConfirm')}</div>}
              okButtonProps={{ danger: true }}
              onConfirm={() => revoke.mutateAsync().catch(() => {})}
            >
              <Button danger icon={<StopOutlined />} loading={revoke.isPending} data-testid="calendar-feed-revoke">
                {t('calendar.feed.revoke')}
              </Button>
            </Popconfirm>
          </>
        ) : (
          <Button
            type="primary"
            icon={<LinkOutlined />}
            loading={create.isPending}
            onClick={() => create.mutate()}
            data-testid="calendar-feed-create"
          >
            {t('calendar.feed.create')}
          </Button>
        )}
      </Flex>
    </Flex>
  );
}
