import { PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  DatePicker,
  Flex,
  Input,
  Modal,
  Select,
  Tag,
  Tooltip,
  Typography,
  type TableProps,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { RECEIPT_STATUSES, type Receipt } from '../../../common/schemas/receivables';
import { usePage, useWrite } from '../../api/queries';
import { receiptsApi, type ReceiptListParams } from '../../api/resources';
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
import { ReceiptFormDrawer } from './ReceiptFormDrawer';
import {
  AllocationEditor,
  allocationBody,
  MONEY_INVALIDATES,
  AllocationList,
  ReasonModal,
  SubjectCell,
  useSubjectTerms,
  type AllocationValue,
} from './receivable-ui';

const FIRST_PAGE: ReceiptListParams = { page: 1, pageSize: 20 };
/** What a report's drill-down (收入与应收) opens the list with, from the address, besides the dates and status. */
const DRILL = ['businessLineId', 'branchId', 'regionId', 'departmentId', 'ownerId'] as const;

/** The list's own filters a link may set: the dates and the status. */
function firstPage(search: URLSearchParams): ReceiptListParams {
  const status = search.get('status');
  return {
    ...FIRST_PAGE,
    from: search.get('from') ?? undefined,
    to: search.get('to') ?? undefined,
    status: (RECEIPT_STATUSES as readonly string[]).includes(status ?? '') ? (status as Receipt['status']) : undefined,
  };
}

/** Allocating a receipt's held credit: the terms of its contract, automatically or as chosen. */
function AllocateModal({ receipt, onClose }: { receipt: Receipt; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const terms = useSubjectTerms(receipt.contractId ?? receipt.orderId ?? undefined, 'open');
  const [value, setValue] = useState<AllocationValue>({ mode: 'auto', lines: {} });
  const allocate = useWrite(
    () => receiptsApi.allocate(receipt.id, { allocation: allocationBody(value), unallocated: receipt.unallocated }),
    MONEY_INVALIDATES,
  );
  return (
    <Modal
      open
      width={720}
      title={t('receipts.allocateTitle', { amount: formatMoney(receipt.unallocated) })}
      onCancel={onClose}
      okButtonProps={{
        loading: allocate.isPending,
        disabled: terms.data?.items.length === 0,
        'data-testid': 'allocate-confirm',
      }}
      onOk={() =>
        allocate.mutateAsync(undefined).then(() => {
          void message.success(t('common.saved'));
          onClose();
        }, toast)
      }
    >
      <AllocationEditor
        terms={terms.data?.items ?? []}
        amount={receipt.unallocated}
        open={(term) => term.outstanding}
        loading={terms.isFetching}
        value={value}
        onChange={setValue}
        showExcess={false}
      />
    </Modal>
  );
}

/** 到款: the receipts of the contracts I see; finance records, allocates and reverses. */
export function ReceiptsPage() {
  const t = useT();
  const me = useMe();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const writer = can(me, 'receipts:write');
  const [search] = useSearchParams();
  const [params, setParams] = useState<ReceiptListParams>(() => firstPage(search));
  const drill = useDrillFilters(DRILL);
  const [creating, setCreating] = useState(false);
  const [allocating, setAllocating] = useState<Receipt | null>(null);
  const [reversing, setReversing] = useState<Receipt | null>(null);
  const page = usePage(receiptsApi, { ...params, ...drill.values } as ReceiptListParams);
  const table = useServerTable<Receipt, ReceiptListParams>(params, setParams, page.data?.total);
  const reverse = useWrite(
    ({ id, reason }: { id: string; reason: string }) => receiptsApi.reverse(id, reason),
    MONEY_INVALIDATES,
  );
  const filter = (patch: Partial<ReceiptListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(params.q || params.status || params.from || params.to || Object.keys(drill.values).length);

  const columns: TableProps<Receipt>['columns'] = [
    {
      key: 'receivedOn',
      title: t('receipts.receivedOn'),
      sorter: true,
      render: (_, r) => formatDate(r.receivedOn, locale),
    },
    { key: 'subject', title: t('receivables.subject'), render: (_, r) => <SubjectCell r={r} /> },
    {
      key: 'amount',
      title: t('receipts.amount'),
      sorter: true,
      align: 'right',
      render: (_, r) => (
        <Flex vertical align="flex-end" gap={2}>
          <Typography.Text strong delete={r.status === 'reversed'} data-testid="receipt-amount-cell">
            {formatMoney(r.amount)}
          </Typography.Text>
          {r.unallocated !== '0.00' && r.status === 'valid' && (
            <Tag color="gold" style={{ marginInlineEnd: 0 }} data-testid="receipt-credit">
              {t('receipts.unallocated')} {formatMoney(r.unallocated)}
            </Tag>
          )}
          {r.status === 'reversed' && (
            <Tooltip title={t('receipts.reversedBy', { name: r.reversedByName ?? '', reason: r.reversedReason ?? '' })}>
              <Tag color="red" style={{ marginInlineEnd: 0 }} data-testid="receipt-reversed">
                {t('receipts.status.reversed')}
              </Tag>
            </Tooltip>
          )}
        </Flex>
      ),
    },
    {
      key: 'payer',
      title: t('receipts.payer'),
      render: (_, r) => (
        <Flex vertical>
          <span>{r.payer}</span>
          {r.bankReference && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('receipts.bankReference')} {r.bankReference}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      key: 'allocations',
      title: t('receipts.allocations'),
      render: (_, r) => <AllocationList allocations={r.allocations} />,
    },
    ...(writer
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            fixed: 'right' as const,
            render: (_: unknown, r: Receipt) =>
              r.status === 'valid' && (
                <Flex vertical align="flex-start">
                  {r.unallocated !== '0.00' && (
                    <Button size="small" type="link" onClick={() => setAllocating(r)} data-testid="receipt-allocate">
                      {t('receipts.allocate')}
                    </Button>
                  )}
                  <Button size="small" type="link" danger onClick={() => setReversing(r)} data-testid="receipt-reverse">
                    {t('receipts.reverse')}
                  </Button>
                </Flex>
              ),
          },
        ]
      : []),
  ];

  const empty = filtered ? (
    <EmptyState title={t('receipts.emptyFiltered')} />
  ) : (
    <EmptyState
      title={t('receipts.empty')}
      hint={t('receipts.emptyHint')}
      action={
        writer && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('receipts.create')}
          </Button>
        )
      }
    />
  );

  return (
    <PageContainer
      title={t('receivables.nav.receipts')}
      hint={t('receipts.hint')}
      extra={
        writer && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="receipt-create">
            {t('receipts.create')}
          </Button>
        )
      }
    >
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="receipt-filters">
          <Input.Search
            allowClear
            placeholder={t('receivables.search')}
            aria-label={t('common.search')}
            style={{ width: 300, maxWidth: '100%' }}
            onSearch={(q) => filter({ q: q.trim() || undefined })}
          />
          <Select
            allowClear
            placeholder={t('receipts.status')}
            aria-label={t('receipts.status')}
            style={{ width: 130 }}
            options={RECEIPT_STATUSES.map((s) => ({ value: s, label: t(`receipts.status.${s}`) }))}
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
        <DataTable<Receipt>
          data-testid="receipts-table"
          {...table.props(page, columns, empty)}
          cards={{ fields: ['amount', 'subject', 'payer', 'allocations'] }}
        />
      </Card>
      {writer && <ReceiptFormDrawer open={creating} onClose={() => setCreating(false)} />}
      {allocating && <AllocateModal receipt={allocating} onClose={() => setAllocating(null)} />}
      <ReasonModal
        open={reversing !== null}
        title={t('receipts.reverseTitle', { amount: formatMoney(reversing?.amount) })}
        warning={t('receipts.reverseWarning')}
        okText={t('receipts.reverseConfirm')}
        onClose={() => setReversing(null)}
        onConfirm={(reason) =>
          reverse.mutateAsync({ id: reversing!.id, reason }).then(() => {
            void message.success(t('receipts.reversed'));
            setReversing(null);
          }, toast)
        }
      />
    </PageContainer>
  );
}
