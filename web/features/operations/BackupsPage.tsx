import { CloudUploadOutlined, InfoCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, Tag, Typography, type TableProps } from 'antd';
import type { BackupRun } from '../../../common/schemas/backups';
import { useWrite } from '../../api/queries';
import { backupsApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useLocale, useT } from '../../i18n';

const STATUS_COLORS: Record<BackupRun['status'], string> = { running: 'processing', done: 'success', failed: 'error' };

/** 1 234 567 bytes → "1.2 MB" (binary multiples, as file managers show them). */
function formatSize(bytes: number | null): string {
  if (bytes === null) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The file's name without the server's folders (the whole path in the tooltip). */
const fileName = (file: string) => file.split(/[\\/]/).pop() ?? file;

/**
 * 备份 (administrators): the backups taken — nightly by the server, by hand here, or by `gongdan backup` — newest first,
 * and one taken now. While one runs the page looks again every two seconds.
 */
export function BackupsPage() {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const runs = useQuery({
    queryKey: [backupsApi.path],
    queryFn: backupsApi.list,
    refetchInterval: (query) => (query.state.data?.items.some((r) => r.status === 'running') ? 2000 : false),
  });
  const take = useWrite(() => backupsApi.take(), [backupsApi.path]);

  const columns: TableProps<BackupRun>['columns'] = [
    {
      key: 'startedAt',
      title: t('backups.startedAt'),
      render: (_, r) => formatDateTime(r.startedAt, locale),
    },
    {
      key: 'status',
      title: t('common.status'),
      render: (_, r) => (
        <Tag color={STATUS_COLORS[r.status]} style={{ marginInlineEnd: 0 }} data-testid={`backup-status-${r.status}`}>
          {t(`backups.status.${r.status}`)}
        </Tag>
      ),
    },
    { key: 'trigger', title: t('backups.trigger'), render: (_, r) => t(`backups.trigger.${r.trigger}`) },
    {
      key: 'file',
      title: t('backups.file'),
      render: (_, r) =>
        r.error ? (
          <Typography.Text type="danger" ellipsis={{ tooltip: r.error }} style={{ maxWidth: 280 }}>
            {r.error}
          </Typography.Text>
        ) : r.file ? (
          <Typography.Text ellipsis={{ tooltip: r.file }} style={{ maxWidth: 280 }} copyable={{ text: r.file }}>
            {fileName(r.file)}
          </Typography.Text>
        ) : (
          '—'
        ),
    },
    { key: 'size', title: t('backups.size'), align: 'right', render: (_, r) => formatSize(r.sizeBytes) },
    {
      key: 'rows',
      title: t('backups.rows'),
      align: 'right',
      render: (_, r) => (r.rows === null ? '—' : r.rows.toLocaleString(locale)),
    },
    { key: 'schema', title: t('backups.schema'), render: (_, r) => r.schemaVersion ?? '—' },
    {
      key: 'duration',
      title: t('backups.duration'),
      align: 'right',
      render: (_, r) =>
        r.finishedAt
          ? t('backups.seconds', {
              n: Math.max(1, Math.round((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000)),
            })
          : '—',
    },
  ];

  return (
    <PageContainer
      title={t('nav.backups')}
      hint={t('backups.hint')}
      extra={
        <Button
          type="primary"
          icon={<CloudUploadOutlined />}
          loading={take.isPending}
          onClick={() => take.mutateAsync(undefined).then(() => void message.success(t('backups.taken')), toast)}
          data-testid="backup-now"
        >
          {t('backups.takeNow')}
        </Button>
      }
    >
      <Alert type="info" showIcon icon={<InfoCircleOutlined />} title={t('backups.restoreHint')} />
      <Card>
        <Flex justify="end" style={{ marginBottom: 8 }}>
          <Button
            type="text"
            icon={<ReloadOutlined />}
            onClick={() => void runs.refetch()}
            loading={runs.isFetching}
            aria-label={t('backups.refresh')}
            title={t('backups.refresh')}
          />
        </Flex>
        <Loaded query={runs} compact={false}>
          {() => (
            <DataTable<BackupRun>
              rowKey="id"
              columns={columns}
              dataSource={runs.data!.items}
              pagination={false}
              locale={{ emptyText: <EmptyState title={t('backups.empty')} hint={t('backups.emptyHint')} /> }}
              data-testid="backups-table"
            />
          )}
        </Loaded>
      </Card>
    </PageContainer>
  );
}
