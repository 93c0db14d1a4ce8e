import { Flex, Tag, Typography } from 'antd';
import type { CSSProperties } from 'react';
import { amountInCapitals } from '../../../common/money-words';
import type {
  ContractStatus,
  OrderStatus,
  PaymentTerm,
  TermKind,
  TermTrigger,
} from '../../../common/schemas/contracts';
import {
  approvalsApi,
  contractsApi,
  customersApi,
  opportunitiesApi,
  ordersApi,
  workflowInstancesApi,
} from '../../api/resources';
import { formatDate } from '../../components/format';
import { useIsMobile } from '../../components/responsive';
import { formatMoney, toCents } from '../../components/money';
import { useLocale, useT, type Translate } from '../../i18n';
import type { Locale } from '../../../common/i18n';

/** What a change to a contract or an order may show elsewhere: lists, the approval inbox and timeline, the opportunity. */
export const CONTRACT_INVALIDATES = [
  contractsApi.path,
  ordersApi.path,
  workflowInstancesApi.path,
  approvalsApi.path,
  opportunitiesApi.path,
  customersApi.path,
];

export const CONTRACT_STATUS_COLORS: Record<ContractStatus, string> = {
  draft: 'default',
  'in-approval': 'processing',
  approved: 'cyan',
  signed: 'blue',
  'in-progress': 'geekblue',
  completed: 'success',
  terminated: 'warning',
  voided: 'error',
};

export const ORDER_STATUS_COLORS: Record<OrderStatus, string> = {
  draft: 'default',
  confirmed: 'blue',
  completed: 'success',
  cancelled: 'error',
};

export function ContractStatusTag({ status }: { status: ContractStatus }) {
  const t = useT();
  return (
    <Tag
      color={CONTRACT_STATUS_COLORS[status]}
      style={{ marginInlineEnd: 0 }}
      data-testid="contract-status"
      data-status={status}
    >
      {t(`contract.status.${status}`)}
    </Tag>
  );
}

export function OrderStatusTag({ status }: { status: OrderStatus }) {
  const t = useT();
  return (
    <Tag
      color={ORDER_STATUS_COLORS[status]}
      style={{ marginInlineEnd: 0 }}
      data-testid="order-status"
      data-status={status}
    >
      {t(`order.status.${status}`)}
    </Tag>
  );
}

/** A contract's number, or 「签订时生成」 while it has none (numbers are given at signing, never before). */
export function ContractNumber({ number, style }: { number: string | null; style?: CSSProperties }) {
  const t = useT();
  return number ? (
    <span style={{ fontVariantNumeric: 'tabular-nums', ...style }} data-testid="contract-number">
      {number}
    </span>
  ) : (
    <Typography.Text type="secondary" style={style} data-testid="contract-number" data-pending>
      {t('contract.numberPending')}
    </Typography.Text>
  );
}

/** An order's number, or 「确认时生成」 until it is confirmed. */
export function OrderNumber({ number }: { number: string | null }) {
  const t = useT();
  return number ? (
    <span style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="order-number">
      {number}
    </span>
  ) : (
    <Typography.Text type="secondary" data-testid="order-number" data-pending>
      {t('order.numberPending')}
    </Typography.Text>
  );
}

/** Money in a table cell: exact, with thousands separators, figures aligned. */
export function MoneyCell({ value, strong }: { value: string | null; strong?: boolean }) {
  return (
    <Typography.Text strong={strong} style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
      {formatMoney(value)}
    </Typography.Text>
  );
}

/** Statuses in which the contract is signed and its terms are owed (before signing nothing is outstanding yet). */
const OWED = new Set<ContractStatus>(['signed', 'in-progress', 'completed', 'terminated']);

/** What the contract's terms still wait for, once it is signed; "—" before (and for a voided contract). */
export function OutstandingCell({ status, value }: { status: ContractStatus; value: string }) {
  if (!OWED.has(status)) return <Typography.Text type="secondary">—</Typography.Text>;
  return <MoneyCell value={value} strong={(toCents(value) ?? 0n) > 0n} />;
}

/** "人民币壹万贰仟元整" — how a contract writes its amount in words (Chinese in every UI language: it is the legal form). */
export function capitalsOf(amount: string): string | null {
  try {
    return `人民币${amountInCapitals(amount)}`;
  } catch {
    return null;
  }
}

/** The contract amount in figures with its Chinese capitals beside (or under, on a narrow screen). */
export function AmountWithCapitals({ amount, size = 16 }: { amount: string; size?: number }) {
  const t = useT();
  const capitals = capitalsOf(amount);
  return (
    <Flex gap="2px 12px" wrap align="baseline">
      <Typography.Text
        strong
        style={{ fontSize: size, fontVariantNumeric: 'tabular-nums' }}
        data-testid="contract-amount"
      >
        {formatMoney(amount)}
      </Typography.Text>
      {capitals && (
        <Typography.Text type="secondary" data-testid="contract-amount-capitals">
          {t('contract.capitals', { capitals })}
        </Typography.Text>
      )}
    </Flex>
  );
}

export const termKindLabel = (t: Translate, kind: TermKind) => t(`contract.termKind.${kind}`);
export const triggerLabel = (t: Translate, trigger: TermTrigger) => t(`contract.trigger.${trigger}`);

/** When a term falls due, in words: 签订时 · 2026-06-30 · 签订后 30 天 · 结项时 · 结项后 30 天. */
export function triggerText(
  t: Translate,
  locale: Locale,
  term: Pick<PaymentTerm, 'trigger' | 'triggerDate' | 'triggerDays'>,
): string {
  switch (term.trigger) {
    case 'date':
      return t('contract.triggerText.date', { date: formatDate(term.triggerDate, locale) });
    case 'days-after-signing':
    case 'days-after-completion':
      return t(`contract.triggerText.${term.trigger}`, { days: term.triggerDays ?? 0 });
    default:
      return t(`contract.triggerText.${term.trigger}`);
  }
}

/** A term's amount: the figure, and the percentage it came from. */
export function TermAmount({ term }: { term: Pick<PaymentTerm, 'amount' | 'percent'> }) {
  // Right-aligned in a table's column, read left to right in a phone's card.
  const mobile = useIsMobile();
  return (
    <Flex vertical align={mobile ? 'flex-start' : 'flex-end'}>
      <MoneyCell value={term.amount} />
      {term.percent !== null && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {trimPercent(term.percent)}%
        </Typography.Text>
      )}
    </Flex>
  );
}

const trimPercent = (value: string) => (value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value);

/** A due date; red when it has passed and something is still outstanding; "at 结项" while completion has not come. */
export function DueDate({
  term,
  today,
}: {
  term: Pick<PaymentTerm, 'dueOn' | 'outstanding' | 'trigger'>;
  today: string;
}) {
  const t = useT();
  const { locale } = useLocale();
  if (!term.dueOn)
    return (
      <Typography.Text type="secondary" style={{ fontSize: 13 }}>
        {t(
          term.trigger === 'completion' || term.trigger === 'days-after-completion'
            ? 'contract.dueAtCompletion'
            : 'contract.dueAtSigning',
        )}
      </Typography.Text>
    );
  const overdue = term.dueOn < today && (toCents(term.outstanding) ?? 0n) > 0n;
  return (
    <Typography.Text type={overdue ? 'danger' : undefined} data-overdue={overdue || undefined}>
      {formatDate(term.dueOn, locale)}
    </Typography.Text>
  );
}
