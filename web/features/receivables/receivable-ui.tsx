import { useQuery } from '@tanstack/react-query';
import { Alert, Flex, Form, Input, Modal, Radio, Select, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { allocateOldestFirst } from '../../../common/allocation';
import type { AgeingBucket, Receipt, ReceivableGroup, ReceivableTerm } from '../../../common/schemas/receivables';
import { receivablesApi } from '../../api/resources';
import { formatDate } from '../../components/format';
import { formatMoney, fromCents, toCents } from '../../components/money';
import { MoneyInput } from '../../components/MoneyInput';
import { useDebounced } from '../../components/use-debounced';
import { useLocale, useT } from '../../i18n';

/** Everything a receipt or an invoice changes: refresh these collections after one (the contract's page too). */
export const MONEY_INVALIDATES = [
  '/api/v1/receipts',
  '/api/v1/invoices',
  receivablesApi.path,
  '/api/v1/today',
  '/api/v1/contracts',
  '/api/v1/orders',
];

/** The contract or order a receipt or invoice goes against, as the picker found it (a group of the ageing). */
export type PickedSubject = Pick<ReceivableGroup, 'key' | 'name' | 'detail'>;

/**
 * Finds a contract (or an order without one) with money outstanding by its number, title or customer: the
 * ageing grouped by contract, searched as one types.
 */
export function SubjectPicker({
  value,
  onChange,
  id,
}: {
  value?: string;
  onChange?: (key: string, subject: PickedSubject) => void;
  id?: string;
}) {
  const t = useT();
  const [q, setQ] = useState('');
  const search = useDebounced(q.trim(), 300);
  const found = useQuery({
    queryKey: [receivablesApi.path, 'subjects', search],
    queryFn: () => receivablesApi.ageing({ groupBy: 'contract', q: search || undefined, pageSize: 20 }),
  });
  const options = (found.data?.items ?? [])
    .filter((g): g is ReceivableGroup & { key: string } => g.key !== null)
    .map((g) => ({
      value: g.key,
      label: g.name ?? g.key,
      group: g,
    }));
  return (
    <Select
      id={id}
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      placeholder={t('receivables.subjectPlaceholder')}
      loading={found.isFetching}
      options={options}
      optionRender={(option) => (
        <Flex vertical>
          <Typography.Text ellipsis>{option.data.label}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis>
            {option.data.group.detail} · {t('receivables.outstanding')} {formatMoney(option.data.group.outstanding)}
          </Typography.Text>
        </Flex>
      )}
      onChange={(key: string, option) => {
        const group = (Array.isArray(option) ? option[0] : option)?.group as ReceivableGroup | undefined;
        onChange?.(key, { key, name: group?.name ?? null, detail: group?.detail ?? null });
      }}
      data-testid="subject-picker"
      style={{ width: '100%' }}
    />
  );
}

/** The terms of the picked contract or order (all of them for invoices; open ones for receipts). */
export function useSubjectTerms(subjectId: string | undefined, state: 'open' | 'all') {
  return useQuery({
    queryKey: [receivablesApi.path, 'terms', { subjectId, state }],
    queryFn: () => receivablesApi.terms({ subjectId, state, pageSize: 100 }),
    enabled: Boolean(subjectId),
  });
}

export function TermLabel({ term }: { term: Pick<ReceivableTerm, 'position' | 'kind'> }) {
  const t = useT();
  return (
    <span>
      {t('receivables.termNo', { position: term.position })}{' '}
      <Tag color={term.kind === 'final' ? 'purple' : term.kind === 'down-payment' ? 'blue' : 'default'}>
        {t(`receivables.kind.${term.kind}`)}
      </Tag>
    </span>
  );
}

/** A due date, or what a term without one waits for. */
export function DueOn({ dueOn }: { dueOn: string | null }) {
  const t = useT();
  const { locale } = useLocale();
  return dueOn ? (
    <span>{formatDate(dueOn, locale)}</span>
  ) : (
    <Typography.Text type="secondary">{t('receivables.noDueDate')}</Typography.Text>
  );
}

export const BUCKET_COLORS: Record<AgeingBucket, string> = {
  'not-due': 'default',
  'd1-30': 'gold',
  'd31-90': 'orange',
  'd91-180': 'volcano',
  'over-180': 'red',
};

export type AllocationValue = { mode: 'auto' | 'chosen'; lines: Record<string, string | null> };

/**
 * How money goes to the terms: automatically (the oldest due first — previewed here with the server's own
 * rule, in exact cents) or as chosen per term. `open` is what a term can still take: outstanding for
 * receipts, not yet invoiced for invoices.
 */
export function AllocationEditor({
  terms,
  amount,
  open,
  openLabel,
  value,
  onChange,
  loading,
  showExcess = true,
}: {
  terms: ReceivableTerm[];
  amount: string | null | undefined;
  open: (term: ReceivableTerm) => string;
  /** The header of `open` (default: outstanding). */
  openLabel?: string;
  /** Say how much the automatic allocation leaves over (not when the rest simply stays credit). */
  showExcess?: boolean;
  value?: AllocationValue;
  onChange?: (value: AllocationValue) => void;
  loading?: boolean;
}) {
  const t = useT();
  const current = value ?? { mode: 'auto', lines: {} };
  const cents = toCents(amount ?? '') ?? 0n;
  const openTerms = terms.map((term) => ({
    id: term.id,
    position: term.position,
    dueOn: term.dueOn,
    open: toCents(open(term)) ?? 0n,
  }));
  const preview = allocateOldestFirst(openTerms, cents);
  const previewOf = new Map(preview.lines.map((l) => [l.termId, l.cents]));
  const chosenSum = Object.values(current.lines).reduce<bigint>((n, v) => n + (toCents(v ?? '') ?? 0n), 0n);
  return (
    <Flex vertical gap={8}>
      <Radio.Group
        value={current.mode}
        onChange={(e) => onChange?.({ ...current, mode: e.target.value })}
        options={[
          { value: 'auto', label: t('receivables.allocation.auto') },
          { value: 'chosen', label: t('receivables.allocation.chosen') },
        ]}
        data-testid="allocation-mode"
      />
      <Table<ReceivableTerm>
        size="small"
        rowKey="id"
        loading={loading}
        pagination={false}
        dataSource={terms}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('receivables.termsEmpty') }}
        data-testid="allocation-terms"
        columns={[
          {
            key: 'term',
            title: t('receivables.term'),
            render: (_, term) => (
              <Flex vertical>
                <TermLabel term={term} />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('receivables.dueOn')} <DueOn dueOn={term.dueOn} />
                </Typography.Text>
              </Flex>
            ),
          },
          {
            key: 'open',
            title: openLabel ?? t('receivables.outstanding'),
            align: 'right',
            render: (_, term) => formatMoney(open(term)),
          },
          {
            key: 'take',
            title: current.mode === 'auto' ? t('receivables.preview') : t('receivables.allocated'),
            align: 'right',
            render: (_, term) =>
              current.mode === 'auto' ? (
                <span data-testid="allocation-preview">{formatMoney(fromCents(previewOf.get(term.id) ?? 0n))}</span>
              ) : (
                <MoneyInput
                  value={current.lines[term.id] ?? null}
                  onChange={(v) => onChange?.({ ...current, lines: { ...current.lines, [term.id]: v } })}
                  aria-label={t('receivables.termNo', { position: term.position })}
                  data-testid={`allocation-line-${term.position}`}
                  style={{ width: 120 }}
                />
              ),
          },
        ]}
      />
      {showExcess && current.mode === 'auto' && preview.rest > 0n && (
        <Typography.Text type="warning" data-testid="allocation-excess">
          {t('receivables.previewExcess', { excess: formatMoney(fromCents(preview.rest)) })}
        </Typography.Text>
      )}
      {current.mode === 'chosen' && (
        <Typography.Text type={chosenSum === cents ? 'secondary' : 'warning'}>
          {t('receivables.allocationSum', {
            allocated: formatMoney(fromCents(chosenSum)),
            amount: formatMoney(fromCents(cents)),
          })}
        </Typography.Text>
      )}
    </Flex>
  );
}

/** The allocation as the API takes it: `auto`, or the chosen lines with an amount. */
export function allocationBody(value: AllocationValue | undefined) {
  if (!value || value.mode === 'auto') return 'auto' as const;
  return Object.entries(value.lines)
    .filter(([, amount]) => amount && (toCents(amount) ?? 0n) > 0n)
    .map(([termId, amount]) => ({ termId, amount: amount! }));
}

/**
 * A confirmed action with a reason (reversing a receipt, voiding an invoice): what it does, the reason, and a
 * danger button — the dialog is the confirmation.
 */
export function ReasonModal({
  open,
  title,
  warning,
  okText,
  onClose,
  onConfirm,
}: {
  open: boolean;
  title: string;
  warning: string;
  okText: string;
  onClose: () => void;
  onConfirm: (reason: string) => Promise<unknown>;
}) {
  const t = useT();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) form.resetFields();
  }, [open, form]);
  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      okText={okText}
      okButtonProps={{ danger: true, loading: busy, 'data-testid': 'reason-confirm' }}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={warning} style={{ marginBottom: 16 }} />
      <Form
        form={form}
        layout="vertical"
        onFinish={async ({ reason }) => {
          setBusy(true);
          try {
            await onConfirm(reason.trim());
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item
          name="reason"
          label={t('receivables.reason')}
          rules={[
            { required: true, whitespace: true, message: t('form.required', { field: t('receivables.reason') }) },
            { max: 500 },
          ]}
        >
          <Input.TextArea rows={3} placeholder={t('receivables.reasonPlaceholder')} data-testid="reason-input" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The contract (or order) money went against, with its customer. */
export function SubjectCell({
  r,
}: {
  r: Pick<Receipt, 'subjectNumber' | 'subjectTitle' | 'customerId' | 'customerName'>;
}) {
  return (
    <Flex vertical>
      <span>
        {r.subjectNumber && <Typography.Text strong>{r.subjectNumber} </Typography.Text>}
        {r.subjectTitle}
      </span>
      <Link to={`/customers/${r.customerId}`} style={{ fontSize: 12 }}>
        {r.customerName}
      </Link>
    </Flex>
  );
}

/** Where a receipt's (or an invoice's) money went, term by term. */
export function AllocationList({ allocations }: { allocations: Receipt['allocations'] }) {
  const t = useT();
  return (
    <Flex vertical gap={2}>
      {allocations.map((a) => (
        <span key={a.termId} title={t(`receivables.kind.${a.kind}`)} style={{ whiteSpace: 'nowrap' }}>
          <Typography.Text type="secondary">{t('receivables.termNo', { position: a.position })}</Typography.Text>{' '}
          {formatMoney(a.amount)}
        </span>
      ))}
    </Flex>
  );
}
