import { DownloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Drawer,
  Flex,
  Input,
  Segmented,
  Select,
  Statistic,
  Tag,
  Typography,
  type TableProps,
} from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  AGEING_BUCKETS,
  RECEIVABLE_GROUPINGS,
  type AgeingBucket,
  type ReceivableGroup,
  type ReceivableGrouping,
  type ReceivableTerm,
} from '../../../common/schemas/receivables';
import { receivablesApi, type ReceivablesParams, type ReceivableTermsParams } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { DrillFilterTags, useDrillFilters } from '../../components/DrillFilters';
import { EmptyState } from '../../components/EmptyState';
import { formatDate } from '../../components/format';
import { formatMoney } from '../../components/money';
import { PageContainer } from '../../components/PageContainer';
import { useIsMobile } from '../../components/responsive';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { BUCKET_COLORS, DueOn, TermLabel } from './receivable-ui';

/** The buckets past the due date (the table's 逾期 columns). */
const OVERDUE_BUCKETS = AGEING_BUCKETS.filter((b) => b !== 'not-due');

const FIRST_PAGE: ReceivablesParams = { groupBy: 'customer', page: 1, pageSize: 20 };

/** A group's terms (and bucket's); `key` undefined: every group's (a report's drill-down to a bucket). */
type Drill = { name: string; groupBy: ReceivableGrouping; key?: string | null; bucket?: AgeingBucket };

/** What a report's drill-down (收入与应收's ageing) opens the page with, from the address, besides `bucket`. */
const DRILL = ['businessLineId', 'branchId', 'regionId', 'departmentId', 'ownerId'] as const;

/** The terms behind one group (and bucket): the oldest due first, paged. */
function TermsDrawer({ drill, filters, onClose }: { drill: Drill; filters: ReceivablesParams; onClose: () => void }) {
  const t = useT();
  const mobile = useIsMobile();
  const [params, setParams] = useState<ReceivableTermsParams>({
    ...(drill.key === undefined ? {} : { groupBy: drill.groupBy, key: drill.key ?? 'none' }),
    bucket: drill.bucket,
    q: filters.q,
    businessLineId: filters.businessLineId,
    branchId: filters.branchId,
    regionId: filters.regionId,
    departmentId: filters.departmentId,
    ownerId: filters.ownerId,
    page: 1,
    pageSize: 20,
  });
  const terms = useQuery({
    queryKey: [receivablesApi.path, 'terms', params],
    queryFn: () => receivablesApi.terms(params),
    placeholderData: keepPreviousData,
  });
  const table = useServerTable<ReceivableTerm, ReceivableTermsParams>(params, setParams, terms.data?.total);
  const columns: TableProps<ReceivableTerm>['columns'] = [
    {
      key: 'subject',
      title: t('receivables.subject'),
      render: (_, term) => (
        <Flex vertical>
          <span>
            {term.subjectNumber && <Typography.Text strong>{term.subjectNumber} </Typography.Text>}
            {term.subjectTitle}
          </span>
          <Link to={`/customers/${term.customerId}`} style={{ fontSize: 12 }}>
            {term.customerName}
          </Link>
        </Flex>
      ),
    },
    { key: 'term', title: t('receivables.term'), render: (_, term) => <TermLabel term={term} /> },
    {
      key: 'dueOn',
      title: t('receivables.dueOn'),
      render: (_, term) => (
        <Flex vertical>
          <DueOn dueOn={term.dueOn} />
          {term.daysOverdue !== null && term.daysOverdue > 0 && (
            <Tag color={BUCKET_COLORS[term.bucket]} style={{ width: 'fit-content' }}>
              {t('ageing.daysOverdue', { days: term.daysOverdue })}
            </Tag>
          )}
          {term.daysOverdue === 0 && <Tag color="blue">{t('ageing.dueToday')}</Tag>}
        </Flex>
      ),
    },
    { key: 'amount', title: t('receivables.amount'), align: 'right', render: (_, term) => formatMoney(term.amount) },
    {
      key: 'invoiced',
      title: t('receivables.invoiced'),
      align: 'right',
      render: (_, term) => formatMoney(term.invoiced),
    },
    {
      key: 'received',
      title: t('receivables.received'),
      align: 'right',
      render: (_, term) => formatMoney(term.received),
    },
    {
      key: 'outstanding',
      title: t('receivables.outstanding'),
      align: 'right',
      render: (_, term) => <Typography.Text strong>{formatMoney(term.outstanding)}</Typography.Text>,
    },
    { key: 'owner', title: t('receivables.owner'), render: (_, term) => term.ownerName },
  ];
  return (
    <Drawer
      open
      onClose={onClose}
      size={mobile ? '100%' : 960}
      title={t('ageing.drillTitle', {
        name: drill.name,
        bucket: !drill.bucket
          ? t('ageing.drillAll')
          : drill.bucket === 'not-due'
            ? t('ageing.bucket.not-due')
            : t('ageing.overdueTitle', { bucket: t(`ageing.bucket.${drill.bucket}`) }),
      })}
      data-testid="ageing-drill"
    >
      <DataTable<ReceivableTerm>
        data-testid="ageing-terms"
        {...table.props(terms, columns, <EmptyState title={t('ageing.empty')} />)}
        cards={{ fields: ['outstanding', 'term', 'dueOn', 'owner'] }}
      />
    </Drawer>
  );
}

/** 应收账款: what is outstanding, grouped as chosen, aged by days past due, down to the terms, to Excel. */
export function ReceivablesPage() {
  const t = useT();
  const { locale } = useLocale();
  const mobile = useIsMobile();
  const [params, setParams] = useState<ReceivablesParams>(FIRST_PAGE);
  const from = useDrillFilters(DRILL);
  const [search] = useSearchParams();
  // A report's drill-down to a bucket opens its terms at once.
  const [drill, setDrill] = useState<Drill | null>(() => {
    const bucket = search.get('bucket');
    return (AGEING_BUCKETS as readonly string[]).includes(bucket ?? '')
      ? { name: t('ageing.drillAllGroups'), groupBy: 'customer', bucket: bucket as AgeingBucket }
      : null;
  });
  const query = { ...params, ...from.values } as ReceivablesParams;
  const ageing = useQuery({
    queryKey: [receivablesApi.path, 'ageing', query],
    queryFn: () => receivablesApi.ageing(query),
    placeholderData: keepPreviousData,
  });
  const table = useServerTable<ReceivableGroup, ReceivablesParams>(params, setParams, ageing.data?.total);
  const groupBy = params.groupBy ?? 'customer';
  const nameOf = (g: ReceivableGroup) => g.name ?? t('ageing.none');
  const open = (g: ReceivableGroup, bucket?: AgeingBucket) =>
    setDrill({ name: nameOf(g), groupBy, key: g.key, bucket });

  const amount = (g: ReceivableGroup, bucket?: AgeingBucket) => {
    const value = bucket ? g[bucket] : g.outstanding;
    if (value === '0.00') return <Typography.Text type="secondary">—</Typography.Text>;
    return (
      <Button
        type="link"
        size="small"
        style={{ padding: 0, fontWeight: bucket ? undefined : 600 }}
        danger={bucket === 'over-180' || bucket === 'd91-180'}
        onClick={() => open(g, bucket)}
        data-testid={`ageing-cell-${bucket ?? 'outstanding'}`}
      >
        {formatMoney(value)}
      </Button>
    );
  };

  const bucketColumn = (bucket: AgeingBucket, title: string) => ({
    key: bucket,
    title,
    align: 'right' as const,
    render: (_: unknown, g: ReceivableGroup) => amount(g, bucket),
  });
  const columns: TableProps<ReceivableGroup>['columns'] = [
    {
      key: 'name',
      title: t(`ageing.groupBy.${groupBy}`),
      fixed: 'left',
      render: (_, g) => (
        <Flex vertical>
          {groupBy === 'customer' && g.key ? (
            <Link to={`/customers/${g.key}`}>{nameOf(g)}</Link>
          ) : (
            <span>{nameOf(g)}</span>
          )}
          {g.detail && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {g.detail}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      key: 'outstanding',
      title: t('receivables.outstanding'),
      align: 'right',
      sorter: true,
      render: (_, g) => amount(g),
    },
    bucketColumn('not-due', t('ageing.bucket.not-due')),
    // Under one 逾期 header on a screen; each on its own line of a phone's card.
    ...(mobile
      ? OVERDUE_BUCKETS.map((bucket) =>
          bucketColumn(bucket, t('ageing.overdueTitle', { bucket: t(`ageing.bucket.${bucket}`) })),
        )
      : [
          {
            key: 'overdue',
            title: t('ageing.overdueHeader'),
            align: 'center' as const,
            children: OVERDUE_BUCKETS.map((bucket) => bucketColumn(bucket, t(`ageing.bucket.${bucket}`))),
          },
        ]),
    { key: 'terms', title: t('ageing.terms'), align: 'right', render: (_, g) => g.terms },
  ];

  const totals = ageing.data?.totals;
  const groupings = RECEIVABLE_GROUPINGS.map((g) => ({ value: g, label: t(`ageing.groupBy.${g}`) }));
  return (
    <PageContainer
      title={t('receivables.nav.receivables')}
      hint={t('ageing.hint')}
      extra={
        <Button icon={<DownloadOutlined />} href={receivablesApi.exportUrl(query)} data-testid="ageing-export">
          {t('ageing.export')}
        </Button>
      }
    >
      <Card>
        <Flex vertical gap={16}>
          <Flex gap={8} wrap align="center" justify="space-between">
            {mobile ? (
              // Five groupings do not fit a phone's width as buttons.
              <Select<ReceivableGrouping>
                value={groupBy}
                onChange={(value) => setParams((p) => ({ ...p, groupBy: value, page: 1 }))}
                options={groupings}
                aria-label={t('ageing.groupBy')}
                prefix={t('ageing.groupByPrefix')}
                style={{ width: '100%' }}
                data-testid="ageing-group-by"
              />
            ) : (
              <Segmented<ReceivableGrouping>
                value={groupBy}
                onChange={(value) => setParams((p) => ({ ...p, groupBy: value, page: 1 }))}
                options={groupings}
                aria-label={t('ageing.groupBy')}
                data-testid="ageing-group-by"
              />
            )}
            <Input.Search
              allowClear
              placeholder={t('ageing.search')}
              aria-label={t('common.search')}
              style={{ width: 280, maxWidth: '100%' }}
              onSearch={(q) => setParams((p) => ({ ...p, q: q.trim() || undefined, page: 1 }))}
            />
          </Flex>
          {totals && (
            <Flex gap={24} wrap data-testid="ageing-totals">
              <Statistic
                title={t('ageing.total')}
                value={formatMoney(totals.outstanding)}
                styles={{ content: { fontSize: 20, fontWeight: 600 } }}
              />
              {AGEING_BUCKETS.map((bucket) => (
                <Statistic
                  key={bucket}
                  title={
                    bucket === 'not-due'
                      ? t('ageing.bucket.not-due')
                      : t('ageing.overdueTitle', { bucket: t(`ageing.bucket.${bucket}`) })
                  }
                  value={formatMoney(totals[bucket])}
                  styles={{
                    content: {
                      fontSize: 16,
                      color: bucket === 'over-180' || bucket === 'd91-180' ? '#cf1322' : undefined,
                    },
                  }}
                />
              ))}
            </Flex>
          )}
          {ageing.data && (
            <Typography.Text type="secondary">
              {t('ageing.asOf', { date: formatDate(ageing.data.asOf, locale) })}
            </Typography.Text>
          )}
          <DrillFilterTags values={from.values} clear={from.clear} />
          <DataTable<ReceivableGroup>
            data-testid="ageing-table"
            {...table.props(ageing, columns, <EmptyState title={t('ageing.empty')} hint={t('ageing.emptyHint')} />)}
            rowKey={(g) => g.key ?? 'none'}
            cards={{ fields: ['outstanding', 'not-due', 'd1-30', 'd31-90', 'd91-180', 'over-180'] }}
          />
        </Flex>
      </Card>
      {drill && <TermsDrawer drill={drill} filters={query} onClose={() => setDrill(null)} />}
    </PageContainer>
  );
}
