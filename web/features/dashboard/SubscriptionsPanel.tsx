import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Popconfirm, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { Link } from 'react-router';
import type { ReportSubscription } from '../../../common/schemas/dashboard';
import { toQueryString } from '../../api/client';
import { reportSubscriptionsApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { Loaded } from '../../components/QueryState';
import { useLocale, useT } from '../../i18n';

/** Settings › 报表订阅: my scheduled reports, each paused, resumed or deleted after a confirmation. */
export function SubscriptionsPanel() {
  const t = useT();
  const { locale } = useLocale();
  const client = useQueryClient();
  const failed = useErrorToast();
  const query = useQuery({ queryKey: [reportSubscriptionsApi.path], queryFn: reportSubscriptionsApi.list });
  const done = () => void client.invalidateQueries({ queryKey: [reportSubscriptionsApi.path] });
  const toggle = useMutation({
    mutationFn: (s: ReportSubscription) => reportSubscriptionsApi.update(s.id, { active: !s.active }),
    onSuccess: done,
    onError: failed,
  });
  const remove = useMutation({
    mutationFn: (id: string) => reportSubscriptionsApi.remove(id),
    onSuccess: done,
    onError: failed,
  });
  const columns: TableProps<ReportSubscription>['columns'] = [
    {
      key: 'title',
      title: t('dash.subscriptions'),
      render: (_, s) => <Link to={`/reports/${s.kind}${toQueryString(s.query)}`}>{s.title}</Link>,
    },
    {
      key: 'frequency',
      title: t('dash.frequency'),
      render: (_, s) => t(s.frequency === 'weekly' ? 'dash.weekly' : 'dash.monthly'),
    },
    {
      key: 'active',
      title: t('dash.active'),
      render: (_, s) => (
        <Tag color={s.active ? 'green' : 'default'}>{t(s.active ? 'dash.running' : 'dash.paused')}</Tag>
      ),
    },
    {
      key: 'next',
      title: t('dash.nextRun'),
      responsive: ['sm'],
      render: (_, s) => (s.active ? formatDateTime(s.nextRunAt, locale) : '—'),
    },
    {
      key: 'last',
      title: t('dash.lastSent'),
      responsive: ['md'],
      render: (_, s) => formatDateTime(s.lastSentAt, locale) || '—',
    },
    {
      key: 'actions',
      title: '',
      render: (_, s) => (
        <Space size={0} wrap>
          {s.active ? (
            <Popconfirm title={t('dash.pauseConfirm')} onConfirm={() => toggle.mutate(s)}>
              <Button type="link" size="small">
                {t('dash.pause')}
              </Button>
            </Popconfirm>
          ) : (
            <Button type="link" size="small" onClick={() => toggle.mutate(s)}>
              {t('dash.resume')}
            </Button>
          )}
          <Popconfirm title={t('dash.deleteConfirm')} onConfirm={() => remove.mutate(s.id)}>
            <Button type="link" size="small" danger>
              {t('dash.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];
  return (
    <Loaded query={query}>
      {() => (
        <Table
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={query.data!.items}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <Typography.Text type="secondary">{t('dash.subscriptionsEmpty')}</Typography.Text> }}
          data-testid="subscriptions"
        />
      )}
    </Loaded>
  );
}
