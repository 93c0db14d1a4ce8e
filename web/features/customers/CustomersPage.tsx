import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  DatePicker,
  Dropdown,
  Flex,
  Input,
  Segmented,
  Select,
  Tag,
  Typography,
  type TableProps,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { CUSTOMER_STATUSES, CUSTOMER_VIEWS, type Customer } from '../../../common/schemas/customers';
import { useAllBranches, useAllRegions, usePage, useWrite } from '../../api/queries';
import { customersApi, type CustomerListParams } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { CustomerFormDrawer } from './CustomerFormDrawer';
import { useClaimFailedToast } from './claim-toast';
import { ImportModal } from './ImportModal';
import { TierTag } from './ValueCard';
import { CustomerStatusTag, NextContactDate, orDash } from './customer-ui';

type View = (typeof CUSTOMER_VIEWS)[number];
const FIRST_PAGE: CustomerListParams = { page: 1, pageSize: 20, view: 'visible' };

/** Takes a pool customer; someone faster is told it left the pool. */
function ClaimButton({ customer }: { customer: Customer }) {
  const t = useT();
  const claimFailed = useClaimFailedToast();
  const { message } = App.useApp();
  const claim = useWrite(() => customersApi.claim(customer.id), [customersApi.path, '/api/v1/answers']);
  return (
    <Button
      size="small"
      type="primary"
      ghost
      loading={claim.isPending}
      data-testid={`claim-${customer.id}`}
      onClick={() => claim.mutateAsync(undefined).then(() => void message.success(t('customer.claimed')), claimFailed)}
    >
      {t('customer.claim')}
    </Button>
  );
}

export function CustomersPage() {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const navigate = useNavigate();
  const writer = can(me, 'customers:write');
  const pooler = can(me, 'customers:pool');
  const [params, setParams] = useState<CustomerListParams>(FIRST_PAGE);
  const [importing, setImporting] = useState(false);
  const [creating, setCreating] = useState(false);
  const page = usePage(customersApi, params);
  const branches = useAllBranches();
  const regions = useAllRegions();

  const filter = (patch: Partial<CustomerListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const options = (items: { id: string; name: string }[] | undefined) =>
    (items ?? []).map((i) => ({ value: i.id, label: i.name }));
  const filtered = Boolean(
    params.q || params.status || params.regionId || params.branchId || params.dueBy || params.tag || params.valueTier,
  );

  const columns: TableProps<Customer>['columns'] = [
    {
      key: 'name',
      title: t('customer.name'),
      sorter: true,
      fixed: 'left',
      render: (_, c) => <Link to={`/customers/${c.id}`}>{c.name}</Link>,
    },
    { key: 'status', title: t('customer.status'), render: (_, c) => <CustomerStatusTag status={c.status} /> },
    {
      key: 'owner',
      title: t('customer.owner'),
      render: (_, c) => (c.ownerId ? c.ownerName : <Tag color="purple">{t('customer.pool')}</Tag>),
    },
    { key: 'region', dataIndex: 'regionName', title: t('customer.region'), render: orDash },
    { key: 'branch', dataIndex: 'branchName', title: t('customer.branch'), render: orDash },
    {
      key: 'lastContactAt',
      title: t('customer.lastContact'),
      sorter: true,
      render: (_, c) => orDash(formatDateTime(c.lastContactAt, locale)),
    },
    {
      key: 'nextContactOn',
      title: t('customer.nextContact'),
      sorter: true,
      render: (_, c) => <NextContactDate date={c.nextContactOn} />,
    },
    {
      key: 'valueScore',
      title: t('value.tier'),
      sorter: true,
      render: (_, c) => <TierTag tier={c.valueTier} score={c.valueScore} />,
    },
    {
      key: 'tags',
      title: t('customer.tags'),
      render: (_, c) =>
        c.tags.length ? (
          <Flex gap={4} wrap>
            {c.tags.map((tag) => (
              <Tag key={tag} style={{ marginInlineEnd: 0, cursor: 'pointer' }} onClick={() => filter({ tag })}>
                {tag}
              </Tag>
            ))}
          </Flex>
        ) : (
          orDash(null)
        ),
    },
    {
      key: 'createdAt',
      title: t('common.createdAt'),
      sorter: true,
      render: (_, c) => formatDateTime(c.createdAt, locale),
    },
    // The claim column only when the page shows a pool customer.
    ...(pooler && page.data?.items.some((c) => c.ownerId === null)
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            fixed: 'right' as const,
            render: (_: unknown, c: Customer) => (c.ownerId === null ? <ClaimButton customer={c} /> : null),
          },
        ]
      : []),
  ];

  const table = useServerTable<Customer, CustomerListParams>(
    params,
    setParams,
    page.data?.total,
    page.data?.totalExact ?? true,
  );

  const empty = filtered ? (
    <EmptyState title={t('customer.emptyFiltered')} hint={t('customer.emptyFilteredHint')} />
  ) : params.view === 'pool' ? (
    <EmptyState title={t('customer.emptyPool')} />
  ) : (
    <EmptyState
      title={t('customer.empty')}
      hint={writer ? t('customer.emptyHint') : undefined}
      action={
        writer && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('customer.create')}
          </Button>
        )
      }
    />
  );

  return (
    <PageContainer
      title={t('nav.customers')}
      extra={
        <Flex gap={8}>
          <Dropdown
            menu={{
              items: (['xlsx', 'csv'] as const).map((format) => ({
                key: format,
                label: (
                  <a href={customersApi.exportUrl(params, format)} download data-testid={`export-${format}`}>
                    {t(`export.${format}`)}
                  </a>
                ),
              })),
            }}
          >
            <Button icon={<DownloadOutlined />}>{t('export.button')}</Button>
          </Dropdown>
          {writer && (
            <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="import-open">
              {t('import.button')}
            </Button>
          )}
          {writer && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('customer.create')}
            </Button>
          )}
        </Flex>
      }
    >
      <Card>
        <Flex vertical gap={12} style={{ marginBottom: 16 }}>
          <Segmented<View>
            data-testid="customer-views"
            value={params.view ?? 'visible'}
            onChange={(view) => filter({ view })}
            options={CUSTOMER_VIEWS.map((v) => ({ value: v, label: t(`customer.view.${v}`) }))}
          />
          <Flex gap={8} wrap data-testid="customer-filters">
            <Flex vertical gap={2}>
              <Input.Search
                allowClear
                placeholder={t('customer.searchPlaceholder')}
                aria-label={t('common.search')}
                style={{ width: 360 }}
                onSearch={(q) => filter({ q: q.trim() || undefined })}
              />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('customer.searchHint')}
              </Typography.Text>
            </Flex>
            <Select
              allowClear
              placeholder={t('customer.status')}
              aria-label={t('customer.status')}
              style={{ width: 120 }}
              options={CUSTOMER_STATUSES.map((s) => ({ value: s, label: t(`customer.status.${s}`) }))}
              value={params.status}
              onChange={(status) => filter({ status })}
            />
            <Select
              allowClear
              placeholder={t('value.tier')}
              aria-label={t('value.tier')}
              style={{ width: 110 }}
              options={(['A', 'B', 'C', 'D'] as const).map((v) => ({ value: v, label: v }))}
              value={params.valueTier}
              onChange={(valueTier) => filter({ valueTier })}
            />
            <Select
              allowClear
              placeholder={t('customer.region')}
              aria-label={t('customer.region')}
              style={{ width: 120 }}
              options={options(regions.data)}
              value={params.regionId}
              onChange={(regionId) => filter({ regionId })}
            />
            <Select
              allowClear
              placeholder={t('customer.branch')}
              aria-label={t('customer.branch')}
              style={{ width: 120 }}
              options={options(branches.data)}
              value={params.branchId}
              onChange={(branchId) => filter({ branchId })}
            />
            <DatePicker
              placeholder={t('customer.dueBy')}
              aria-label={t('customer.dueBy')}
              style={{ width: 170 }}
              value={params.dueBy ? dayjs(params.dueBy) : null}
              onChange={(d) => filter({ dueBy: d ? d.format('YYYY-MM-DD') : undefined })}
            />
            {params.tag && (
              <Tag
                closable
                color="geekblue"
                style={{ alignSelf: 'flex-start', marginTop: 5 }}
                onClose={() => filter({ tag: undefined })}
              >
                {t('common.labelValue', { label: t('customer.tags'), value: params.tag })}
              </Tag>
            )}
          </Flex>
        </Flex>
        <DataTable<Customer>
          data-testid="customers-table"
          {...table.props(page, columns, empty)}
          cards={{ fields: ['status', 'owner', 'nextContactOn', 'valueScore'] }}
        />
      </Card>
      {writer && (
        <CustomerFormDrawer
          open={creating}
          customer={null}
          onClose={() => setCreating(false)}
          onCreated={(c) => navigate(`/customers/${c.id}`)}
        />
      )}
      {writer && <ImportModal open={importing} onClose={() => setImporting(false)} />}
    </PageContainer>
  );
}
