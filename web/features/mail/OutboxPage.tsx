import { InfoCircleOutlined, RedoOutlined, ReloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Flex, Segmented, Tag, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { MAIL_STATUSES, type OutboxMail } from '../../../common/schemas/notifications';
import { useWrite } from '../../api/queries';
import { mailOutboxApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { dynamicKey } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';

type Status = (typeof MAIL_STATUSES)[number];
type Params = { status?: Status; page: number; pageSize: number };

/** Held and failed messages need someone; queued ones are on their way. */
const MAIL_STATUS_COLORS: Record<Status, string> = {
  held: 'gold',
  queued: 'processing',
  sent: 'success',
  failed: 'error',
};
/** The order the filter offers them in: what needs attention first. */
const FILTER_ORDER: Status[] = ['held', 'failed', 'queued', 'sent'];

function MailStatusTag({ status }: { status: Status }) {
  const t = useT();
  return (
    <Tag color={MAIL_STATUS_COLORS[status]} style={{ marginInlineEnd: 0 }} data-testid={`mail-status-${status}`}>
      {t(`outbox.status.${status}`)}
    </Tag>
  );
}

function ResendButton({ mail }: { mail: OutboxMail }) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const resend = useWrite(() => mailOutboxApi.resend(mail.id), [mailOutboxApi.path]);
  if (mail.status !== 'held' && mail.status !== 'failed') return null;
  return (
    <Button
      size="small"
      icon={<RedoOutlined />}
      loading={resend.isPending}
      onClick={() => resend.mutateAsync(undefined).then(() => void message.success(t('outbox.resent')), toast)}
      data-testid={`mail-resend-${mail.id}`}
    >
      {t('outbox.resend')}
    </Button>
  );
}

/** An expanded row: the message as it goes out, and its delivery details. */
function MailDetails({ mail }: { mail: OutboxMail }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <Flex vertical gap={12} style={{ maxWidth: 900 }} data-testid="mail-details">
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        items={[
          { key: 'to', label: t('outbox.to'), children: mail.toAddress },
          { key: 'kind', label: t('outbox.kind'), children: dynamicKey(t, `outbox.kind.${mail.kind}`, mail.kind) },
          { key: 'subject', label: t('outbox.subject'), span: 2, children: mail.subject },
          { key: 'created', label: t('outbox.createdAt'), children: formatDateTime(mail.createdAt, locale) },
          { key: 'sent', label: t('outbox.sentAt'), children: mail.sentAt ? formatDateTime(mail.sentAt, locale) : '—' },
          ...(mail.nextAttemptAt
            ? [{ key: 'next', label: t('outbox.nextAttempt'), children: formatDateTime(mail.nextAttemptAt, locale) }]
            : []),
          ...(mail.lastError
            ? [
                {
                  key: 'error',
                  label: t('outbox.lastError'),
                  span: 2,
                  children: (
                    <Typography.Text type="danger" style={{ whiteSpace: 'pre-wrap' }}>
                      {mail.lastError}
                    </Typography.Text>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Card size="small" title={t('outbox.body')} styles={{ body: { background: '#fafafa' } }}>
        <Typography.Paragraph
          style={{ whiteSpace: 'pre-wrap', margin: 0, fontFamily: 'inherit' }}
          data-testid="mail-body"
        >
          {mail.body}
        </Typography.Paragraph>
      </Card>
    </Flex>
  );
}

/**
 * 邮件发件箱 (mail:manage): every outgoing e-mail — notifications and follow-ups — with its state.
 * Without SMTP_URL nothing is sent: messages are held here, to be sent again once SMTP is set up.
 */
export function OutboxPage() {
  const t = useT();
  const { locale } = useLocale();
  const [params, setParams] = useState<Params>({ page: 1, pageSize: 20 });
  // Like usePage, and while a message is on its way (queued) the page looks again every few seconds.
  const page = useQuery({
    queryKey: [mailOutboxApi.path, 'page', params],
    queryFn: () => mailOutboxApi.list(params),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some((m) => m.status === 'queued') ? 3000 : false),
  });
  const table = useServerTable<OutboxMail, Params>(params, setParams, page.data?.total);

  const columns: TableProps<OutboxMail>['columns'] = [
    { key: 'status', title: t('common.status'), width: 96, render: (_, m) => <MailStatusTag status={m.status} /> },
    {
      key: 'to',
      title: t('outbox.to'),
      render: (_, m) => (
        <Typography.Text ellipsis={{ tooltip: m.toAddress }} style={{ maxWidth: 200 }}>
          {m.toAddress}
        </Typography.Text>
      ),
    },
    {
      key: 'subject',
      title: t('outbox.subject'),
      render: (_, m) => (
        <Typography.Text ellipsis={{ tooltip: m.subject }} style={{ maxWidth: 280 }}>
          {m.subject}
        </Typography.Text>
      ),
    },
    { key: 'kind', title: t('outbox.kind'), render: (_, m) => dynamicKey(t, `outbox.kind.${m.kind}`, m.kind) },
    { key: 'attempts', dataIndex: 'attempts', title: t('outbox.attempts'), align: 'right' },
    {
      key: 'lastError',
      title: t('outbox.lastError'),
      render: (_, m) =>
        m.lastError ? (
          <Typography.Text type="danger" ellipsis={{ tooltip: m.lastError }} style={{ maxWidth: 180 }}>
            {m.lastError}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      key: 'time',
      title: t('outbox.times'),
      render: (_, m) => (
        <Flex vertical gap={0}>
          <span>{formatDateTime(m.createdAt, locale)}</span>
          {m.sentAt && (
            <Typography.Text type="success" style={{ fontSize: 12 }}>
              {t('outbox.sentOn', { time: formatDateTime(m.sentAt, locale) })}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 120,
      fixed: 'right',
      render: (_, m) => <ResendButton mail={m} />,
    },
  ];

  const filtered = Boolean(params.status);
  return (
    <PageContainer title={t('nav.outbox')} hint={t('outbox.hint')}>
      <Alert
        type="info"
        showIcon
        icon={<InfoCircleOutlined />}
        title={t('outbox.smtpHint')}
        data-testid="outbox-smtp-hint"
      />
      <Card>
        <Flex gap={8} wrap align="center" style={{ marginBottom: 16 }}>
          <Typography.Text type="secondary">{t('outbox.filter')}</Typography.Text>
          <Segmented<Status | 'all'>
            value={params.status ?? 'all'}
            onChange={(v) => setParams((p) => ({ ...p, status: v === 'all' ? undefined : v, page: 1 }))}
            options={[
              { value: 'all', label: t('common.all') },
              ...FILTER_ORDER.map((s) => ({ value: s, label: t(`outbox.status.${s}`) })),
            ]}
            data-testid="outbox-status-filter"
          />
          <Button
            type="text"
            icon={<ReloadOutlined />}
            onClick={() => void page.refetch()}
            loading={page.isFetching}
            aria-label={t('outbox.refresh')}
            title={t('outbox.refresh')}
          />
        </Flex>
        <DataTable<OutboxMail>
          {...table.props(
            page,
            columns,
            <EmptyState
              title={t(filtered ? 'outbox.emptyFiltered' : 'outbox.empty')}
              hint={filtered ? undefined : t('outbox.emptyHint')}
            />,
          )}
          data-testid="outbox-table"
          expandable={{ expandedRowRender: (m) => <MailDetails mail={m} /> }}
        />
      </Card>
    </PageContainer>
  );
}
