import { useQuery } from '@tanstack/react-query';
import { Card, DatePicker, Flex, Segmented, Statistic, Typography, type TableProps } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { RENEWAL_RATE_GROUPS, type RenewalRateRow } from '../../../common/schemas/renewals';
import { renewalsApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { formatMoney } from '../../components/money';
import { useT } from '../../i18n';
import { rateTotals, yearOf } from './renewal-logic';

type Group = (typeof RENEWAL_RATE_GROUPS)[number];

const figure = { fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' } as const;

/** 续约率: the renewals whose season falls in a period (this year at first), by business line, owner or branch. */
export function RenewalRateCard() {
  const t = useT();
  const [period, setPeriod] = useState(() => yearOf(dayjs().format('YYYY-MM-DD')));
  const [groupBy, setGroupBy] = useState<Group>('businessLine');
  const query = useQuery({
    queryKey: [renewalsApi.path, 'rate', period, groupBy],
    queryFn: () => renewalsApi.rate({ ...period, groupBy }),
  });
  const rows = query.data ?? [];
  const totals = rateTotals(rows);
  const percent = (rate: string | null) =>
    rate === null ? <Typography.Text type="secondary">—</Typography.Text> : <span style={figure}>{rate}%</span>;

  const columns: TableProps<RenewalRateRow>['columns'] = [
    {
      key: 'name',
      title: t(`renewal.rateName.${groupBy}`),
      render: (_, r) => (r.key === null ? t('renewal.rateUnassigned') : r.name),
    },
    { key: 'raised', dataIndex: 'raised', title: t('renewal.rateRaised'), align: 'right' },
    { key: 'won', dataIndex: 'won', title: t('renewal.rateWon'), align: 'right' },
    { key: 'lost', dataIndex: 'lost', title: t('renewal.rateLost'), align: 'right' },
    { key: 'open', dataIndex: 'open', title: t('renewal.rateOpen'), align: 'right' },
    { key: 'rate', title: t('renewal.ratePercent'), align: 'right', render: (_, r) => percent(r.rate) },
    {
      key: 'wonAmount',
      title: t('renewal.rateWonAmount'),
      align: 'right',
      render: (_, r) => <span style={figure}>{formatMoney(r.wonAmount)}</span>,
    },
    {
      key: 'previousAmount',
      title: t('renewal.ratePreviousAmount'),
      align: 'right',
      render: (_, r) => <span style={figure}>{formatMoney(r.previousAmount)}</span>,
    },
  ];

  return (
    <Card title={t('renewal.rate')} data-testid="renewal-rate">
      <Typography.Paragraph type="secondary">{t('renewal.rateHint')}</Typography.Paragraph>
      <Flex gap={8} wrap style={{ marginBottom: 16 }}>
        <DatePicker.RangePicker
          allowClear={false}
          aria-label={t('renewal.ratePeriod')}
          style={{ width: 250, maxWidth: '100%' }}
          value={[dayjs(period.from), dayjs(period.to)]}
          onChange={(range) => {
            if (range?.[0] && range[1])
              setPeriod({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') });
          }}
          data-testid="renewal-rate-period"
        />
        <Segmented<Group>
          value={groupBy}
          onChange={setGroupBy}
          options={RENEWAL_RATE_GROUPS.map((g) => ({ value: g, label: t(`renewal.rateGroup.${g}`) }))}
          data-testid="renewal-rate-group"
        />
      </Flex>
      {rows.length > 0 && (
        <Flex gap={32} wrap style={{ marginBottom: 16 }} data-testid="renewal-rate-totals">
          <Statistic
            title={t('renewal.ratePercent')}
            value={totals.rate === null ? '—' : `${totals.rate}%`}
            data-testid="renewal-rate-total"
          />
          <Statistic
            title={t('renewal.rateDecided')}
            value={`${totals.won} / ${totals.won + totals.lost}`}
            data-testid="renewal-rate-decided"
          />
          <Statistic title={t('renewal.rateOpen')} value={totals.open} />
          <Statistic title={t('renewal.rateWonAmount')} value={formatMoney(totals.wonAmount)} />
        </Flex>
      )}
      <DataTable<RenewalRateRow>
        data-testid="renewal-rate-table"
        rowKey={(r) => r.key ?? ''}
        columns={columns}
        dataSource={query.data}
        query={query}
        pagination={false}
        cards={{ fields: ['raised', 'won', 'lost', 'rate', 'wonAmount'] }}
        empty={<EmptyState title={t('renewal.rateEmpty')} hint={t('renewal.rateEmptyHint')} />}
        size="small"
      />
    </Card>
  );
}
