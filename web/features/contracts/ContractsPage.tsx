import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Select, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { CONTRACT_STATUSES, type ContractSummary } from '../../../common/schemas/contracts';
import { useAllBusinessLines, usePage } from '../../api/queries';
import { contractsApi, type ContractListParams } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { DrillFilterTags, useDrillFilters } from '../../components/DrillFilters';
import { EmptyState } from '../../components/EmptyState';
import { formatDate, formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { ContractFormDrawer } from './ContractFormDrawer';
import { ContractNumber, ContractStatusTag, MoneyCell, OutstandingCell } from './contract-ui';

const FIRST_PAGE: ContractListParams = { page: 1, pageSize: 20, sort: '-createdAt' };
/** What a report's drill-down (e.g. 收入与应收's contracted) opens the list with, from the address. */
const DRILL = ['branchId', 'regionId', 'departmentId', 'ownerId', 'signedFrom', 'signedTo'] as const;

/** 销售合同: every contract the reader may see, searchable, by status and business line. */
export function ContractsPage() {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const navigate = useNavigate();
  const writer = can(me, 'contracts:write');
  const [creating, setCreating] = useState(false);
  const drill = useDrillFilters(DRILL);
  // The business line is the page's own filter; a drill-down's sets it at first.
  const [search] = useSearchParams();
  const [params, setParams] = useState<ContractListParams>(() => ({
    ...FIRST_PAGE,
    businessLineId: search.get('businessLineId') ?? undefined,
  }));
  const page = usePage(contractsApi, { ...params, ...drill.values } as ContractListParams);
  const lines = useAllBusinessLines();
  const table = useServerTable<ContractSummary, ContractListParams>(params, setParams, page.data?.total);

  const filter = (patch: Partial<ContractListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(params.q || params.status || params.businessLineId || Object.keys(drill.values).length);

  const columns: TableProps<ContractSummary>['columns'] = [
    {
      key: 'number',
      title: t('contract.contract'),
      sorter: true,
      fixed: 'left',
      render: (_, c) => (
        <Link to={`/contracts/${c.id}`} data-testid="contract-link" style={{ display: 'block' }}>
          <ContractNumber number={c.number} style={{ fontWeight: 600 }} />
          <div style={{ whiteSpace: 'normal', minWidth: 180, maxWidth: 320 }}>{c.title}</div>
        </Link>
      ),
    },
    {
      key: 'customer',
      title: t('contract.customer'),
      render: (_, c) => <Link to={`/customers/${c.customerId}`}>{c.customerName}</Link>,
    },
    { key: 'status', title: t('common.status'), render: (_, c) => <ContractStatusTag status={c.status} /> },
    {
      key: 'amount',
      title: t('contract.amount'),
      sorter: true,
      align: 'right',
      render: (_, c) => <MoneyCell value={c.amount} strong />,
    },
    {
      key: 'outstanding',
      title: t('contract.outstanding'),
      align: 'right',
      render: (_, c) => <OutstandingCell status={c.status} value={c.outstanding} />,
    },
    { key: 'businessLine', dataIndex: 'businessLineName', title: t('contract.businessLine') },
    { key: 'owner', dataIndex: 'ownerName', title: t('contract.owner') },
    {
      key: 'signedOn',
      title: t('contract.signedOn'),
      sorter: true,
      render: (_, c) =>
        c.signedOn ? formatDate(c.signedOn, locale) : <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      key: 'createdAt',
      title: t('common.createdAt'),
      sorter: true,
      render: (_, c) => formatDateTime(c.createdAt, locale),
    },
  ];

  const empty = filtered ? (
    <EmptyState title={t('contract.emptyFiltered')} hint={t('contract.emptyFilteredHint')} />
  ) : (
    <EmptyState
      title={t('contract.empty')}
      hint={writer ? t('contract.emptyHint') : undefined}
      action={
        writer && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('contract.create')}
          </Button>
        )
      }
    />
  );

  return (
    <PageContainer
      title={t('contract.nav')}
      hint={t('contract.pageHint')}
      extra={
        writer && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="contract-create"
          >
            {t('contract.create')}
          </Button>
        )
      }
    >
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="contract-filters">
          <Input.Search
            allowClear
            placeholder={t('contract.searchPlaceholder')}
            aria-label={t('common.search')}
            style={{ width: 300, maxWidth: '100%' }}
            onSearch={(q) => filter({ q: q.trim() || undefined })}
            data-testid="contract-search"
          />
          <Select
            allowClear
            placeholder={t('common.status')}
            aria-label={t('common.status')}
            style={{ width: 130 }}
            options={CONTRACT_STATUSES.map((v) => ({ value: v, label: t(`contract.status.${v}`) }))}
            value={params.status}
            onChange={(status) => filter({ status })}
            data-testid="contract-status-filter"
          />
          <Select
            allowClear
            placeholder={t('contract.businessLine')}
            aria-label={t('contract.businessLine')}
            style={{ width: 160 }}
            options={(lines.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
            value={params.businessLineId}
            onChange={(businessLineId) => filter({ businessLineId })}
          />
        </Flex>
        <DrillFilterTags values={drill.values} clear={drill.clear} />
        <DataTable<ContractSummary>
          data-testid="contracts-table"
          cards={{ fields: ['customer', 'status', 'amount', 'outstanding', 'signedOn'] }}
          {...table.props(page, columns, empty)}
        />
      </Card>
      {writer && (
        <ContractFormDrawer
          open={creating}
          contract={null}
          onClose={() => setCreating(false)}
          onCreated={(c) => navigate(`/contracts/${c.id}`)}
        />
      )}
    </PageContainer>
  );
}
