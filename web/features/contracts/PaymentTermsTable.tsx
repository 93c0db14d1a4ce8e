import { Flex, Table, Typography, type TableProps } from 'antd';
import type { PaymentTerm } from '../../../common/schemas/contracts';
import { DataTable } from '../../components/DataTable';
import { firmToday } from '../../components/format';
import { formatMoney, sumMoney } from '../../components/money';
import { useIsMobile } from '../../components/responsive';
import { useLocale, useT } from '../../i18n';
import { DueDate, MoneyCell, TermAmount, termKindLabel, triggerText } from './contract-ui';

/**
 * 付款条件 of a contract (or of an order without one): each term's kind, amount, when it falls due in words
 * and its date once known, and what was invoiced, received and is still outstanding; the totals under them.
 */
export function PaymentTermsTable({ terms }: { terms: PaymentTerm[] }) {
  const t = useT();
  const { locale } = useLocale();
  const mobile = useIsMobile();
  const today = firmToday();
  const rows = [...terms].sort((a, b) => a.position - b.position);
  const totals = {
    amount: sumMoney(rows.map((r) => r.amount)),
    invoiced: sumMoney(rows.map((r) => r.invoiced)),
    received: sumMoney(rows.map((r) => r.received)),
    outstanding: sumMoney(rows.map((r) => r.outstanding)),
  };
  const columns: TableProps<PaymentTerm>['columns'] = [
    {
      key: 'kind',
      title: t('contract.termKind'),
      render: (_, term) => (
        <Flex vertical>
          <Typography.Text strong data-testid="term-kind-label">
            {termKindLabel(t, term.kind)}
          </Typography.Text>
          {term.note && (
            <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'normal' }}>
              {term.note}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    { key: 'amount', title: t('contract.termAmount'), align: 'right', render: (_, term) => <TermAmount term={term} /> },
    {
      key: 'trigger',
      title: t('contract.trigger'),
      render: (_, term) => <span data-testid="term-trigger-text">{triggerText(t, locale, term)}</span>,
    },
    {
      key: 'dueOn',
      title: t('contract.dueOn'),
      render: (_, term) => (
        <span data-testid="term-due">
          <DueDate term={term} today={today} />
        </span>
      ),
    },
    {
      key: 'invoiced',
      title: t('contract.invoiced'),
      align: 'right',
      render: (_, term) => <MoneyCell value={term.invoiced} />,
    },
    {
      key: 'received',
      title: t('contract.received'),
      align: 'right',
      render: (_, term) => <MoneyCell value={term.received} />,
    },
    {
      key: 'outstanding',
      title: t('contract.termOutstanding'),
      align: 'right',
      render: (_, term) => (
        <span data-testid="term-outstanding">
          <MoneyCell value={term.outstanding} strong={term.outstanding !== '0.00'} />
        </span>
      ),
    },
  ];
  return (
    <Flex vertical gap={8}>
      {mobile && rows.length > 0 && (
        <Typography.Text type="secondary" style={{ fontSize: 13 }} data-testid="terms-totals">
          {t('contract.termsTotals', {
            amount: formatMoney(totals.amount),
            received: formatMoney(totals.received),
            outstanding: formatMoney(totals.outstanding),
          })}
        </Typography.Text>
      )}
      <DataTable<PaymentTerm>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={rows}
        columns={columns}
        data-testid="terms-table"
        cards={{ fields: ['amount', 'trigger', 'dueOn', 'received', 'outstanding'] }}
        summary={() =>
          rows.length > 1 ? (
            <Table.Summary.Row data-testid="terms-summary">
              <Table.Summary.Cell index={0}>
                <Typography.Text strong>{t('contract.termsSum')}</Typography.Text>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">
                <MoneyCell value={totals.amount} strong />
              </Table.Summary.Cell>
              <Table.Summary.Cell index={2} colSpan={2} />
              <Table.Summary.Cell index={4} align="right">
                <MoneyCell value={totals.invoiced} strong />
              </Table.Summary.Cell>
              <Table.Summary.Cell index={5} align="right">
                <MoneyCell value={totals.received} strong />
              </Table.Summary.Cell>
              <Table.Summary.Cell index={6} align="right">
                <MoneyCell value={totals.outstanding} strong />
              </Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
      />
    </Flex>
  );
}
