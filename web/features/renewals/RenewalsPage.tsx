import { PlayCircleOutlined, SettingOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Flex,
  Popconfirm,
  Select,
  Tabs,
  Typography,
  type TableProps,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { mayUseDirectory } from '../../../common/permissions';
import type { Renewal, RenewalDue, RenewalRunResult, RenewalState } from '../../../common/schemas/renewals';
import { isApiError } from '../../api/client';
import { useAllBusinessLines, useDirectory, usePage, useWrite } from '../../api/queries';
import { renewalsApi, renewalsDueApi, type RenewalDueParams, type RenewalListParams } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDate, formatDateTime } from '../../components/format';
import { personLabel } from '../../components/labels';
import { formatMoney } from '../../components/money';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { RenewalRateCard } from './RenewalRateCard';
import { RenewalRulesDrawer } from './RenewalRulesDrawer';
import { LessonFlag, RENEWAL_INVALIDATES, RenewalStateTag } from './renewal-ui';

const TABS = ['due', 'raised', 'won', 'lost', 'skipped'] as const;
type Tab = (typeof TABS)[number];
const DAYS_AHEAD = [30, 60, 90, 120, 180, 365];

/** The filters every tab shares (the 即将到期 tab reads days ahead instead of the season range). */
type Filters = { businessLineId?: string; ownerId?: string; dueFrom?: string; dueTo?: string; days: number };

const dash = <Typography.Text type="secondary">—</Typography.Text>;

function Money({ value }: { value: string | null }) {
  return (
    <Typography.Text style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
      {formatMoney(value)}
    </Typography.Text>
  );
}

/** 即将到期: seasons coming with no renewal yet, the day the job would raise each, and raising one now. */
function DueTable({ filters, filtered }: { filters: Filters; filtered: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const writer = can(me, 'opportunities:write');
  const [params, setParams] = useState<RenewalDueParams>({ page: 1, pageSize: 20 });
  const page = usePage(renewalsDueApi, {
    ...params,
    days: filters.days,
    businessLineId: filters.businessLineId,
    ownerId: filters.ownerId,
  });
  const table = useServerTable<RenewalDue, RenewalDueParams>(params, setParams, page.data?.total);
  const raise = useWrite(
    (d: RenewalDue) => renewalsApi.raise({ source: d.source, sourceId: d.sourceId }),
    RENEWAL_INVALIDATES,
  );
  const raiseNow = (d: RenewalDue) =>
    raise.mutateAsync(d).then(
      () => void message.success(t('renewal.raised', { customer: d.customerName })),
      (error: unknown) => {
        if (!isApiError(error, 'RENEWAL_ALREADY_RAISED')) return toast(error);
        void message.info(t('renewal.alreadyRaised'));
        return Promise.all(RENEWAL_INVALIDATES.map((path) => queryClient.invalidateQueries({ queryKey: [path] })));
      },
    );

  const columns: TableProps<RenewalDue>['columns'] = [
    {
      key: 'customer',
      title: t('renewal.customer'),
      fixed: 'left',
      render: (_, d) => <Link to={`/customers/${d.customerId}`}>{d.customerName}</Link>,
    },
    { key: 'businessLine', dataIndex: 'businessLineName', title: t('renewal.businessLine') },
    { key: 'cycle', title: t('renewal.cycleLabel'), render: (_, d) => t(`renewal.cycle.${d.cycle}`) },
    { key: 'dueOn', title: t('renewal.dueOn'), render: (_, d) => formatDate(d.dueOn, locale) },
    { key: 'raiseOn', title: t('renewal.raiseOn'), render: (_, d) => formatDate(d.raiseOn, locale) },
    {
      key: 'previousAmount',
      title: t('renewal.previousAmount'),
      align: 'right',
      render: (_, d) => <Money value={d.previousAmount} />,
    },
    {
      key: 'owner',
      title: t('renewal.owner'),
      render: (_, d) => d.ownerName ?? <Typography.Text type="warning">{t('renewal.noOwner')}</Typography.Text>,
    },
    {
      key: 'source',
      title: t('renewal.source'),
      render: (_, d) =>
        d.source === 'contract' ? (
          <Link to={`/contracts/${d.sourceId}`}>{t('renewal.sourceKind.contract')}</Link>
        ) : d.source === 'order' ? (
          <Link to={`/orders/${d.sourceId}`}>{t('renewal.sourceKind.order')}</Link>
        ) : (
          t('renewal.sourceKind.service')
        ),
    },
    ...(writer
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, d: RenewalDue) => (
              <Popconfirm title={t('renewal.raiseConfirm', { customer: d.customerName })} onConfirm={() => raiseNow(d)}>
                <Button
                  size="small"
                  type="primary"
                  ghost
                  icon={<ThunderboltOutlined />}
                  loading={raise.isPending && raise.variables?.sourceId === d.sourceId}
                  data-testid="renewal-raise"
                >
                  {t('renewal.raiseNow')}
                </Button>
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];
  const empty = filtered ? (
    <EmptyState title={t('renewal.emptyFiltered')} hint={t('renewal.emptyFilteredHint')} />
  ) : (
    <EmptyState title={t('renewal.empty.due')} hint={t('renewal.empty.dueHint')} />
  );
  return (
    <DataTable<RenewalDue>
      data-testid="renewals-due-table"
      cards={{ fields: ['businessLine', 'dueOn', 'raiseOn', 'previousAmount', 'owner'] }}
      {...table.props(page, columns, empty)}
      rowKey={(d) => `${d.source}:${d.sourceId}`}
    />
  );
}

/** The renewals raised, in one state: the customer, last period's amount, the renewal opportunity. */
function RenewalTable({ state, filters, filtered }: { state: RenewalState; filters: Filters; filtered: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const [params, setParams] = useState<RenewalListParams>({
    page: 1,
    pageSize: 20,
    sort: state === 'raised' ? 'dueOn' : '-dueOn',
  });
  const page = usePage(renewalsApi, {
    ...params,
    state,
    businessLineId: filters.businessLineId,
    ownerId: filters.ownerId,
    dueFrom: filters.dueFrom,
    dueTo: filters.dueTo,
  });
  const table = useServerTable<Renewal, RenewalListParams>(params, setParams, page.data?.total);

  const columns: TableProps<Renewal>['columns'] = [
    {
      key: 'customer',
      title: t('renewal.customer'),
      fixed: 'left',
      render: (_, r) => (
        <Link to={`/customers/${r.customerId}`} data-testid="renewal-customer">
          {r.customerName}
        </Link>
      ),
    },
    { key: 'businessLine', dataIndex: 'businessLineName', title: t('renewal.businessLine') },
    { key: 'cycle', title: t('renewal.cycleLabel'), render: (_, r) => t(`renewal.cycle.${r.cycle}`) },
    { key: 'dueOn', title: t('renewal.dueOn'), sorter: true, render: (_, r) => formatDate(r.dueOn, locale) },
    {
      key: 'previousAmount',
      title: t('renewal.previousAmount'),
      sorter: true,
      align: 'right',
      render: (_, r) => <Money value={r.previousAmount} />,
    },
    { key: 'owner', dataIndex: 'ownerName', title: t('renewal.owner') },
    {
      key: 'opportunity',
      hidden: state === 'skipped',
      title: t('renewal.opportunity'),
      render: (_, r) =>
        r.opportunityId ? (
          <Link to={`/opportunities/${r.opportunityId}`} data-testid="renewal-opportunity">
            {r.opportunityName ?? r.customerName}
          </Link>
        ) : (
          dash
        ),
    },
    {
      key: 'state',
      title: t('renewal.stateLabel'),
      render: (_, r) => (
        <Flex gap={4} wrap>
          <RenewalStateTag state={r.state} />
          {r.state === 'lost' && r.lessonFlagged && <LessonFlag opportunityId={r.opportunityId} />}
        </Flex>
      ),
    },
    ...(state === 'lost'
      ? [
          {
            key: 'lostReason',
            title: t('renewal.lostReason'),
            render: (_: unknown, r: Renewal) => r.lostReason ?? dash,
          },
        ]
      : []),
    ...(state === 'skipped'
      ? [
          {
            key: 'skipReason',
            title: t('renewal.skipReason'),
            render: (_: unknown, r: Renewal) => (r.skipReason ? t(`renewal.skip.${r.skipReason}`) : dash),
          },
        ]
      : [
          {
            key: 'raisedAt',
            title: t('renewal.raisedAt'),
            sorter: true,
            render: (_: unknown, r: Renewal) => formatDateTime(r.raisedAt, locale),
          },
        ]),
  ];
  const empty = filtered ? (
    <EmptyState title={t('renewal.emptyFiltered')} hint={t('renewal.emptyFilteredHint')} />
  ) : (
    <EmptyState title={t(`renewal.empty.${state}`)} />
  );
  const cardFields =
    state === 'skipped'
      ? ['businessLine', 'dueOn', 'previousAmount', 'skipReason']
      : state === 'lost'
        ? ['businessLine', 'dueOn', 'previousAmount', 'opportunity', 'state', 'lostReason']
        : ['businessLine', 'dueOn', 'previousAmount', 'owner', 'opportunity'];
  return (
    <DataTable<Renewal>
      data-testid="renewals-table"
      cards={{ fields: cardFields }}
      {...table.props(page, columns, empty)}
    />
  );
}

/** 续约管理: what comes due, what was raised and how it ended, the rate; the rules and a run for configurers. */
export function RenewalsPage() {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const toast = useErrorToast();
  const configurer = can(me, 'sales:configure');
  // The owner filter is for those who see more than their own renewals (and may list colleagues).
  const ownerFilter = can(me, 'opportunities:read', 'department') && mayUseDirectory(me.grants);
  const directory = useDirectory(ownerFilter);
  const lines = useAllBusinessLines();
  const [search, setSearch] = useSearchParams();
  const asked = search.get('tab');
  const tab: Tab = (TABS as readonly string[]).includes(asked ?? '') ? (asked as Tab) : 'due';
  const [filters, setFilters] = useState<Filters>({ days: 120 });
  const [rulesOpen, setRulesOpen] = useState(false);
  const [runResult, setRunResult] = useState<RenewalRunResult | null>(null);
  const run = useWrite(() => renewalsApi.run(), RENEWAL_INVALIDATES);

  const filter = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = Boolean(
    filters.businessLineId || filters.ownerId || (tab !== 'due' && (filters.dueFrom || filters.dueTo)),
  );
  // A new tab or filter starts the table over at page 1.
  const tableKey = `${tab}|${filters.businessLineId}|${filters.ownerId}|${filters.dueFrom}|${filters.dueTo}|${filters.days}`;

  return (
    <PageContainer
      title={t('renewal.nav')}
      hint={t('renewal.pageHint')}
      extra={
        configurer && (
          <>
            <Button icon={<SettingOutlined />} onClick={() => setRulesOpen(true)} data-testid="renewal-rules-open">
              {t('renewal.rules')}
            </Button>
            <Popconfirm
              title={t('renewal.runConfirm')}
              onConfirm={() => run.mutateAsync(undefined).then(setRunResult, toast)}
            >
              <Button icon={<PlayCircleOutlined />} loading={run.isPending} data-testid="renewal-run">
                {t('renewal.run')}
              </Button>
            </Popconfirm>
          </>
        )
      }
    >
      {runResult && (
        <Alert
          type="success"
          showIcon
          closable
          onClose={() => setRunResult(null)}
          data-testid="renewal-run-result"
          title={t('renewal.runDone', { asOf: formatDate(runResult.asOf, locale) })}
          description={t('renewal.runCounts', {
            considered: runResult.considered,
            raised: runResult.raised,
            skipped: runResult.skipped,
            alreadyRaised: runResult.alreadyRaised,
          })}
        />
      )}
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(key) => setSearch({ tab: key }, { replace: true })}
          items={TABS.map((key) => ({ key, label: t(`renewal.tab.${key}`) }))}
          data-testid="renewal-tabs"
        />
        <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="renewal-filters">
          <Select
            allowClear
            placeholder={t('renewal.allLines')}
            aria-label={t('renewal.businessLine')}
            style={{ width: 170, maxWidth: '100%' }}
            loading={lines.isPending}
            options={(lines.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
            value={filters.businessLineId}
            onChange={(businessLineId?: string) => filter({ businessLineId })}
            data-testid="renewal-filter-line"
          />
          {ownerFilter && (
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('renewal.owner')}
              aria-label={t('renewal.owner')}
              style={{ width: 170, maxWidth: '100%' }}
              options={(directory.data ?? []).map((u) => ({ value: u.id, label: personLabel(locale, u) }))}
              value={filters.ownerId}
              onChange={(ownerId?: string) => filter({ ownerId })}
              data-testid="renewal-filter-owner"
            />
          )}
          {tab === 'due' ? (
            <Select
              aria-label={t('renewal.daysAheadLabel')}
              style={{ width: 140 }}
              options={DAYS_AHEAD.map((days) => ({ value: days, label: t('renewal.daysAhead', { days }) }))}
              value={filters.days}
              onChange={(days: number) => filter({ days })}
              data-testid="renewal-filter-days"
            />
          ) : (
            <DatePicker.RangePicker
              allowEmpty={[true, true]}
              placeholder={[t('renewal.dueFrom'), t('renewal.dueTo')]}
              aria-label={t('renewal.dueOn')}
              style={{ width: 250, maxWidth: '100%' }}
              value={[filters.dueFrom ? dayjs(filters.dueFrom) : null, filters.dueTo ? dayjs(filters.dueTo) : null]}
              onChange={(range) =>
                filter({ dueFrom: range?.[0]?.format('YYYY-MM-DD'), dueTo: range?.[1]?.format('YYYY-MM-DD') })
              }
              data-testid="renewal-filter-season"
            />
          )}
          {filtered && (
            <Button
              type="link"
              onClick={() =>
                filter({ businessLineId: undefined, ownerId: undefined, dueFrom: undefined, dueTo: undefined })
              }
            >
              {t('renewal.clearFilters')}
            </Button>
          )}
        </Flex>
        {tab === 'due' ? (
          <DueTable key={tableKey} filters={filters} filtered={filtered} />
        ) : (
          <RenewalTable key={tableKey} state={tab} filters={filters} filtered={filtered} />
        )}
      </Card>
      <RenewalRateCard />
      {configurer && <RenewalRulesDrawer open={rulesOpen} onClose={() => setRulesOpen(false)} />}
    </PageContainer>
  );
}
