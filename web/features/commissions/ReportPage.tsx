import { useQuery } from '@tanstack/react-query';
import { Card, DatePicker, Flex, Segmented, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import type { CommissionReport } from '../../../common/schemas/commissions';
import { commissionReportApi } from '../../api/resources';
import { firmToday } from '../../components/format';
import { formatMoney } from '../../components/money';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useT } from '../../i18n';

type Row = CommissionReport['rows'][number];
type GroupBy = CommissionReport['groupBy'];
const GROUPS: GroupBy[] = ['person', 'department', 'businessLine', 'month'];

/**
 * 佣金汇总 (/commissions/report, commissions:read): the sheets' lines of a range of months (this year so far by
 * default) by person, department, business line or month — accrued and not yet paid against paid — as the reader may
 * see them (their own lines; their department's; the firm's). The table scrolls sideways on a phone.
 */
export function ReportPage() {
  const t = useT();
  const today = dayjs(firmToday());
  const [range, setRange] = useState<[Dayjs, Dayjs]>([today.startOf('year'), today.startOf('month')]);
  const [groupBy, setGroupBy] = useState<GroupBy>('person');
  const query = {
    from: range[0].format('YYYY-MM'),
    to: range[1].format('YYYY-MM'),
    groupBy,
  };
  const report = useQuery({
    queryKey: [commissionReportApi.path, query],
    queryFn: () => commissionReportApi.get(query),
  });
  const money = (value: string) => formatMoney(value);
  const columns: NonNullable<TableProps<Row>['columns']> = [
    {
      key: 'label',
      title: t(`commission.report.col.${groupBy}`),
      render: (_, r) => r.label ?? t('commission.report.noDepartment'),
      fixed: 'left',
    },
    { key: 'lines', title: t('commission.report.lines'), dataIndex: 'lines', align: 'right' },
    { key: 'accrued', title: t('commission.report.accrued'), align: 'right', render: (_, r) => money(r.accrued) },
    { key: 'paid', title: t('commission.report.paid'), align: 'right', render: (_, r) => money(r.paid) },
    {
      key: 'total',
      title: t('commission.report.total'),
      align: 'right',
      render: (_, r) => <Typography.Text strong>{money(r.total)}</Typography.Text>,
    },
  ];
  return (
    <PageContainer title={t('commission.report.title')} hint={t('commission.report.hint')}>
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <DatePicker.RangePicker
            picker="month"
            allowClear={false}
            value={range}
            onChange={(value) => value?.[0] && value[1] && setRange([value[0], value[1]])}
            aria-label={t('commission.report.range')}
            data-testid="commission-report-range"
          />
          {/* Four choices: on a phone they scroll sideways rather than spill out of the card. */}
          <div style={{ maxWidth: '100%', overflowX: 'auto' }}>
            <Segmented<GroupBy>
              value={groupBy}
              onChange={setGroupBy}
              options={GROUPS.map((g) => ({ value: g, label: t(`commission.report.by.${g}`) }))}
              data-testid="commission-report-group"
            />
          </div>
        </Flex>
        <Loaded query={report}>
          {() => {
            const data = report.data!;
            return (
              <Table<Row>
                rowKey={(r) => r.key ?? 'none'}
                columns={columns}
                dataSource={data.rows}
                pagination={false}
                scroll={{ x: 640 }}
                locale={{ emptyText: t('commission.report.empty') }}
                data-testid="commission-report-table"
                summary={() =>
                  data.rows.length > 0 && (
                    <Table.Summary.Row>
                      <Table.Summary.Cell index={0}>
                        <Typography.Text strong>{t('commission.report.total')}</Typography.Text>
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={1} align="right">
                        {data.totals.lines}
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={2} align="right">
                        {money(data.totals.accrued)}
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={3} align="right">
                        {money(data.totals.paid)}
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={4} align="right">
                        <Typography.Text strong data-testid="commission-report-total">
                          {money(data.totals.total)}
                        </Typography.Text>
                      </Table.Summary.Cell>
                    </Table.Summary.Row>
                  )
                }
              />
            );
          }}
        </Loaded>
      </Card>
    </PageContainer>
  );
}
