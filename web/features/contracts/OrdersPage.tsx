import { Card, Flex, Input, Select, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { ORDER_STATUSES, type Order } from '../../../common/schemas/contracts';
import { usePage } from '../../api/queries';
import { ordersApi, type OrderListParams } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { DrillFilterTags, useDrillFilters } from '../../components/DrillFilters';
import { EmptyState } from '../../components/EmptyState';
import { formatDate, formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { MoneyCell, OrderNumber, OrderStatusTag } from './contract-ui';

const FIRST_PAGE: OrderListParams = { page: 1, pageSize: 20, sort: '-createdAt' };
/** What a report's drill-down (e.g. 分所业绩对比) opens the list with, from the address. */
const DRILL = [
  'businessLineId',
  'branchId',
  'regionId',
  'departmentId',
  'ownerId',
  'confirmedFrom',
  'confirmedTo',
  'withoutContract',
] as const;

/** 销售订单: what was sold and is to be done — from signed contracts, or from won opportunities directly. */
export function OrdersPage() {
  const t = useT();
  const { locale } = useLocale();
  const [params, setParams] = useState<OrderListParams>(FIRST_PAGE);
  const drill = useDrillFilters(DRILL);
  const page = usePage(ordersApi, { ...params, ...drill.values } as OrderListParams);
  const table = useServerTable<Order, OrderListParams>(params, setParams, page.data?.total);
  const filter = (patch: Partial<OrderListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(params.q || params.status || Object.keys(drill.values).length);
  const date = (value: string | null) =>
    value ? formatDate(value, locale) : <Typography.Text type="secondary">—</Typography.Text>;

  const columns: TableProps<Order>['columns'] = [
    {
      key: 'number',
      title: t('order.order'),
      sorter: true,
      fixed: 'left',
      render: (_, o) => (
        <Link to={`/orders/${o.id}`} data-testid="order-link" style={{ display: 'block' }}>
          <span style={{ fontWeight: 600 }}>
            <OrderNumber number={o.number} />
          </span>
          <div style={{ whiteSpace: 'normal', minWidth: 180, maxWidth: 320 }}>{o.title}</div>
        </Link>
      ),
    },
    {
      key: 'customer',
      title: t('contract.customer'),
      render: (_, o) => <Link to={`/customers/${o.customerId}`}>{o.customerName}</Link>,
    },
    { key: 'status', title: t('common.status'), render: (_, o) => <OrderStatusTag status={o.status} /> },
    {
      key: 'amount',
      title: t('order.amount'),
      sorter: true,
      align: 'right',
      render: (_, o) => <MoneyCell value={o.amount} strong />,
    },
    {
      key: 'contract',
      title: t('order.contract'),
      render: (_, o) =>
        o.contractId ? (
          <Link to={`/contracts/${o.contractId}`}>{o.contractNumber ?? t('order.contractOpen')}</Link>
        ) : (
          <Typography.Text type="secondary">{t('order.withoutContract')}</Typography.Text>
        ),
    },
    { key: 'businessLine', dataIndex: 'businessLineName', title: t('contract.businessLine') },
    { key: 'owner', dataIndex: 'ownerName', title: t('contract.owner') },
    { key: 'confirmedOn', title: t('order.confirmedOn'), render: (_, o) => date(o.confirmedOn) },
    { key: 'completedOn', title: t('order.completedOn'), render: (_, o) => date(o.completedOn) },
    {
      key: 'createdAt',
      title: t('common.createdAt'),
      sorter: true,
      render: (_, o) => formatDateTime(o.createdAt, locale),
    },
  ];

  const empty = filtered ? (
    <EmptyState title={t('order.emptyFiltered')} hint={t('contract.emptyFilteredHint')} />
  ) : (
    <EmptyState title={t('order.empty')} hint={t('order.emptyHint')} />
  );

  return (
    <PageContainer title={t('order.nav')} hint={t('order.pageHint')}>
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="order-filters">
          <Input.Search
            allowClear
            placeholder={t('order.searchPlaceholder')}
            aria-label={t('common.search')}
            style={{ width: 300, maxWidth: '100%' }}
            onSearch={(q) => filter({ q: q.trim() || undefined })}
          />
          <Select
            allowClear
            placeholder={t('common.status')}
            aria-label={t('common.status')}
            style={{ width: 130 }}
            options={ORDER_STATUSES.map((v) => ({ value: v, label: t(`order.status.${v}`) }))}
            value={params.status}
            onChange={(status) => filter({ status })}
          />
        </Flex>
        <DrillFilterTags values={drill.values} clear={drill.clear} />
        <DataTable<Order>
          data-testid="orders-table"
          cards={{ fields: ['customer', 'status', 'amount', 'contract', 'completedOn'] }}
          {...table.props(page, columns, empty)}
        />
      </Card>
    </PageContainer>
  );
}
