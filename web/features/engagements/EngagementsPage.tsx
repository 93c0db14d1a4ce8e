import { Card, Flex, Input, Segmented, Select, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { ENGAGEMENT_STATUSES, type EngagementSummary } from '../../../common/schemas/engagements';
import { useAllBusinessLines, usePage } from '../../api/queries';
import { engagementsApi, type EngagementListParams } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { formatDate } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { MoneyCell } from '../contracts/contract-ui';
import { EngagementStatusTag, ProgressBar } from './engagement-ui';

const FIRST_PAGE: EngagementListParams = { page: 1, pageSize: 20, sort: '-createdAt' };

/** 业务项目: every engagement the reader may see (those they lead or work on, their department's, all). */
export function EngagementsPage() {
  const t = useT();
  const { locale } = useLocale();
  const [params, setParams] = useState<EngagementListParams>(FIRST_PAGE);
  const page = usePage(engagementsApi, params);
  const lines = useAllBusinessLines();
  const table = useServerTable<EngagementSummary, EngagementListParams>(params, setParams, page.data?.total);
  const filter = (patch: Partial<EngagementListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(params.q || params.status || params.businessLineId || params.mine);
  const date = (value: string | null) =>
    value ? formatDate(value, locale) : <Typography.Text type="secondary">—</Typography.Text>;

  const columns: TableProps<EngagementSummary>['columns'] = [
    {
      key: 'title',
      title: t('engagement.title'),
      sorter: true,
      fixed: 'left',
      render: (_, e) => (
        <Link to={`/engagements/${e.id}`} data-testid="engagement-link" style={{ display: 'block' }}>
          <div style={{ whiteSpace: 'normal', minWidth: 180, maxWidth: 320, fontWeight: 600 }}>{e.title}</div>
        </Link>
      ),
    },
    {
      key: 'customer',
      title: t('engagement.customer'),
      render: (_, e) => <Link to={`/customers/${e.customerId}`}>{e.customerName}</Link>,
    },
    { key: 'status', title: t('common.status'), render: (_, e) => <EngagementStatusTag status={e.status} /> },
    { key: 'progress', title: t('engagement.progress'), render: (_, e) => <ProgressBar percent={e.progress} /> },
    {
      key: 'currentPhase',
      title: t('engagement.currentPhase'),
      render: (_, e) => e.currentPhase ?? <Typography.Text type="secondary">{t('engagement.allDone')}</Typography.Text>,
    },
    { key: 'lead', dataIndex: 'leadName', title: t('engagement.lead') },
    { key: 'businessLine', dataIndex: 'businessLineName', title: t('engagement.businessLine') },
    { key: 'startsOn', title: t('engagement.startsOn'), sorter: true, render: (_, e) => date(e.startsOn) },
    { key: 'dueOn', title: t('engagement.dueOn'), sorter: true, render: (_, e) => date(e.dueOn) },
    {
      key: 'amount',
      title: t('engagement.amount'),
      align: 'right',
      render: (_, e) => <MoneyCell value={e.amount} />,
    },
  ];

  const empty = filtered ? (
    <EmptyState title={t('engagement.emptyFiltered')} hint={t('engagement.emptyFilteredHint')} />
  ) : (
    <EmptyState title={t('engagement.empty')} hint={t('engagement.emptyHint')} />
  );

  return (
    <PageContainer title={t('engagement.nav')} hint={t('engagement.pageHint')}>
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="engagement-filters">
          <Segmented
            value={params.mine ?? 'false'}
            onChange={(v) => filter({ mine: v === 'true' ? 'true' : undefined })}
            options={[
              { value: 'false', label: t('workOrder.filter.all') },
              { value: 'true', label: t('engagement.mine') },
            ]}
            data-testid="engagement-mine"
          />
          <Input.Search
            allowClear
            placeholder={t('engagement.searchPlaceholder')}
            aria-label={t('common.search')}
            style={{ width: 280, maxWidth: '100%' }}
            onSearch={(q) => filter({ q: q.trim() || undefined })}
          />
          <Select
            allowClear
            placeholder={t('common.status')}
            aria-label={t('common.status')}
            style={{ width: 130 }}
            options={ENGAGEMENT_STATUSES.map((v) => ({ value: v, label: t(`engagement.status.${v}`) }))}
            value={params.status}
            onChange={(status) => filter({ status })}
          />
          <Select
            allowClear
            placeholder={t('engagement.businessLine')}
            aria-label={t('engagement.businessLine')}
            style={{ width: 160 }}
            loading={lines.isPending}
            options={(lines.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
            value={params.businessLineId}
            onChange={(businessLineId) => filter({ businessLineId })}
          />
        </Flex>
        <DataTable<EngagementSummary>
          data-testid="engagements-table"
          cards={{ fields: ['customer', 'status', 'progress', 'currentPhase', 'dueOn'] }}
          {...table.props(page, columns, empty)}
        />
      </Card>
    </PageContainer>
  );
}
