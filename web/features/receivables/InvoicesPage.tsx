import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Flex, Input, Select, Space, Tag, Typography, type TableProps } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { INVOICE_KINDS, INVOICE_STATUSES, type Invoice } from '../../../common/schemas/receivables';
import { usePage, useWrite } from '../../api/queries';
import { invoicesApi, type InvoiceListParams } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { DrillFilterTags, useDrillFilters } from '../../components/DrillFilters';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDate } from '../../components/format';
import { formatMoney } from '../../components/money';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { InvoiceFormDrawer } from './InvoiceFormDrawer';
import { AllocationList, MONEY_INVALIDATES, ReasonModal, SubjectCell } from './receivable-ui';

const FIRST_PAGE: InvoiceListParams = { page: 1, pageSize: 20 };
/** What a report's drill-down (收入与应收) opens the list with, from the address, besides the dates and status. */
const DRILL = ['businessLineId', 'branchId', 'regionId', 'departmentId', 'ownerId'] as const;

/** The list's own filters a link may set: the dates and the status. */
function firstPage(search: URLSearchParams): InvoiceListParams {
  const status = search.get('status');
  return {
    ...FIRST_PAGE,
    from: search.get('from') ?? undefined,
    to: search.get('to') ?? undefined,
    status: (INVOICE_STATUSES as readonly string[]).includes(status ?? '') ? (status as Invoice['status']) : undefined,
  };
}

/** 发票: the invoices of the contracts I see; finance records and voids them. */
export function InvoicesPage() {
  const t = useT();
  const me = useMe();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const writer = can(me, 'receipts:write');
  const [search] = useSearchParams();
  const [params, setParams] = useState<InvoiceListParams>(() => firstPage(search));
  const drill = useDrillFilters(DRILL);
  const [creating, setCreating] = useState(false);
  const [voiding, setVoiding] = useState<Invoice | null>(null);
  const page = usePage(invoicesApi, { ...params, ...drill.values } as InvoiceListParams);
  const table = useServerTable<Invoice, InvoiceListParams>(params, setParams, page.data?.total);
  const voidIt = useWrite(
    ({ id, reason }: { id: string; reason: string }) => invoicesApi.void(id, reason),
    MONEY_INVALIDATES,
  );
  const filter = (patch: Partial<InvoiceListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(
    params.q || params.status || params.kind || params.from || params.to || Object.keys(drill.values).length,
  );

  const columns: TableProps<Invoice>['columns'] = [
    {
      key: 'number',
      title: t('invoices.number'),
      render: (_, i) => (
        <Flex vertical align="flex-start" gap={2}>
          <Typography.Text strong delete={i.status === 'voided'}>
            {i.number}
          </Typography.Text>
          <Space size={4} wrap>
            <Tag style={{ marginInlineEnd: 0 }}>{t(`invoices.kind.${i.kind}`)}</Tag>
            {i.status === 'voided' && (
              <Tag color="red" style={{ marginInlineEnd: 0 }}>
                {t('invoices.status.voided')}
              </Tag>
            )}
          </Space>
          {i.status === 'voided' && i.voidedReason && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {i.voidedReason}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      key: 'issuedOn',
      title: t('invoices.issuedOn'),
      sorter: true,
      render: (_, i) => formatDate(i.issuedOn, locale),
    },
    { key: 'subject', title: t('receivables.subject'), render: (_, i) => <SubjectCell r={i} /> },
    {
      key: 'amount',
      title: t('invoices.amount'),
      sorter: true,
      align: 'right',
      render: (_, i) => formatMoney(i.amount),
    },
    {
      key: 'allocations',
      title: t('receipts.allocations'),
      render: (_, i) => <AllocationList allocations={i.allocations} />,
    },
    ...(writer
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            fixed: 'right' as const,
            render: (_: unknown, i: Invoice) =>
              i.status === 'valid' && (
                <Button size="small" type="link" danger onClick={() => setVoiding(i)} data-testid="invoice-void">
                  {t('invoices.void')}
                </Button>
              ),
          },
        ]
      : []),
  ];

  const empty = filtered ? (
    <EmptyState title={t('invoices.emptyFiltered')} />
  ) : (
    <EmptyState
      title={t('invoices.empty')}
      hint={t('invoices.emptyHint')}
      action={
        writer && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('invoices.create')}
          </Button>
        )
      }
    />
  );

  return (
    <PageContainer
      title={t('receivables.nav.invoices')}
      hint={t('invoices.hint')}
      extra={
        writer && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="invoice-create">
            {t('invoices.create')}
          </Button>
        )
      }
    >
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="invoice-filters">
          <Input.Search
            allowClear
            placeholder={t('invoices.search')}
            aria-label={t('common.search')}
            style={{ width: 300, maxWidth: '100%' }}
            onSearch={(q) => filter({ q: q.trim() || undefined })}
          />
          <Select
            allowClear
            placeholder={t('invoices.kind')}
            aria-label={t('invoices.kind')}
            style={{ width: 170 }}
            options={INVOICE_KINDS.map((k) => ({ value: k, label: t(`invoices.kind.${k}`) }))}
            value={params.kind}
            onChange={(kind) => filter({ kind })}
          />
          <Select
            allowClear
            placeholder={t('receipts.status')}
            aria-label={t('receipts.status')}
            style={{ width: 120 }}
            options={INVOICE_STATUSES.map((s) => ({ value: s, label: t(`invoices.status.${s}`) }))}
            value={params.status}
            onChange={(status) => filter({ status })}
          />
          <DatePicker.RangePicker
            defaultValue={[params.from ? dayjs(params.from) : null, params.to ? dayjs(params.to) : null]}
            allowEmpty={[true, true]}
            placeholder={[t('receivables.filterFrom'), t('receivables.filterTo')]}
            style={{ maxWidth: '100%' }}
            onChange={(range) =>
              filter({
                from: range?.[0]?.format('YYYY-MM-DD') ?? undefined,
                to: range?.[1]?.format('YYYY-MM-DD') ?? undefined,
              })
            }
          />
        </Flex>
        <DrillFilterTags values={drill.values} clear={drill.clear} />
        <DataTable<Invoice>
          data-testid="invoices-table"
          {...table.props(page, columns, empty)}
          cards={{ fields: ['amount', 'subject', 'issuedOn', 'allocations'] }}
        />
      </Card>
      {writer && <InvoiceFormDrawer open={creating} onClose={() => setCreating(false)} />}
      <ReasonModal
        open={voiding !== null}
        title={t('invoices.voidTitle', { number: voiding?.number ?? '' })}
        warning={t('invoices.voidWarning')}
        okText={t('invoices.voidConfirm')}
        onClose={() => setVoiding(null)}
        onConfirm={(reason) =>
          voidIt.mutateAsync({ id: voiding!.id, reason }).then(() => {
            void message.success(t('invoices.voided'));
            setVoiding(null);
          }, toast)
        }
      />
    </PageContainer>
  );
}
