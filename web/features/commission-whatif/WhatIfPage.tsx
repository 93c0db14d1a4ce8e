import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, DatePicker, Flex, Progress, Select, Space, Statistic, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import type { WhatIfResult } from '../../../common/schemas/commissions';
import { formatMoney } from '../../components/money';
import { errorText } from '../../components/errors';
import { firmToday } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useT } from '../../i18n';
import { whatIfApi } from './resources';

type PersonRow = WhatIfResult['byPerson'][number];
type LineRow = WhatIfResult['byBusinessLine'][number];

const differenceColor = (value: string) =>
  Number(value) > 0 ? 'var(--ant-color-success)' : Number(value) < 0 ? 'var(--ant-color-error)' : undefined;

/** A difference coloured: green a gain, red a loss. */
function Difference({ value }: { value: string }) {
  const n = Number(value);
  return (
    <Typography.Text type={n > 0 ? 'success' : n < 0 ? 'danger' : undefined}>
      {n > 0 ? '+' : ''}
      {formatMoney(value)}
    </Typography.Text>
  );
}

function useMoneyColumns<T extends { current: string; proposed: string; difference: string }>() {
  const t = useT();
  const columns: NonNullable<TableProps<T>['columns']> = [
    {
      key: 'current',
      title: t('commissionWhatIf.current'),
      align: 'right',
      render: (_, r) => formatMoney(r.current),
    },
    {
      key: 'proposed',
      title: t('commissionWhatIf.proposed'),
      align: 'right',
      render: (_, r) => formatMoney(r.proposed),
    },
    {
      key: 'difference',
      title: t('commissionWhatIf.difference'),
      align: 'right',
      render: (_, r) => <Difference value={r.difference} />,
    },
  ];
  return columns;
}

function PeopleTable({ rows, testId }: { rows: PersonRow[]; testId: string }) {
  const t = useT();
  const money = useMoneyColumns<PersonRow>();
  return (
    <Table<PersonRow>
      data-testid={testId}
      rowKey="userId"
      size="small"
      pagination={rows.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      scroll={{ x: 'max-content' }}
      dataSource={rows}
      locale={{ emptyText: t('commissionWhatIf.none') }}
      columns={[
        {
          key: 'person',
          title: t('commissionWhatIf.person'),
          fixed: 'left',
          render: (_, p) => (
            <Flex vertical>
              <Typography.Text strong>{p.name}</Typography.Text>
              {p.departmentName && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {p.departmentName}
                </Typography.Text>
              )}
            </Flex>
          ),
        },
        ...money,
      ]}
    />
  );
}

function Result({ result }: { result: WhatIfResult }) {
  const t = useT();
  const money = useMoneyColumns<LineRow>();
  if (result.subjects === 0) return <Alert type="info" showIcon message={t('commissionWhatIf.empty')} />;
  return (
    <Flex vertical gap={16}>
      <Card size="small" data-testid="whatif-totals">
        <Flex gap={24} wrap>
          <Statistic title={t('commissionWhatIf.current')} value={formatMoney(result.totals.current)} />
          <Statistic title={t('commissionWhatIf.proposed')} value={formatMoney(result.totals.proposed)} />
          <Statistic
            title={t('commissionWhatIf.difference')}
            value={`${Number(result.totals.difference) > 0 ? '+' : ''}${formatMoney(result.totals.difference)}`}
            styles={{ content: { color: differenceColor(result.totals.difference) } }}
          />
        </Flex>
        <Typography.Text type="secondary">{t('commissionWhatIf.subjects', { count: result.subjects })}</Typography.Text>
      </Card>
      <Flex gap={16} wrap>
        <Card size="small" title={t('commissionWhatIf.winners')} style={{ flex: '1 1 320px', minWidth: 0 }}>
          <PeopleTable rows={result.winners} testId="whatif-winners" />
        </Card>
        <Card size="small" title={t('commissionWhatIf.losers')} style={{ flex: '1 1 320px', minWidth: 0 }}>
          <PeopleTable rows={result.losers} testId="whatif-losers" />
        </Card>
      </Flex>
      <Card size="small" title={t('commissionWhatIf.byBusinessLine')}>
        <Table<LineRow>
          data-testid="whatif-by-line"
          rowKey="businessLineId"
          size="small"
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={result.byBusinessLine}
          columns={[{ key: 'name', title: t('commissionWhatIf.businessLine'), dataIndex: 'name' }, ...money]}
        />
      </Card>
      <Card size="small" title={t('commissionWhatIf.byPerson')}>
        <PeopleTable rows={result.byPerson} testId="whatif-by-person" />
      </Card>
    </Flex>
  );
}

/** The running (or finished) what-if of the address's `job`: a progress bar while it runs, then the comparison. */
function Run({ id }: { id: string }) {
  const t = useT();
  const query = useQuery({
    queryKey: [whatIfApi.path, id],
    queryFn: () => whatIfApi.get(id),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 1000 : false),
  });
  return (
    <Loaded query={query}>
      {() => {
        const w = query.data!;
        if (w.status === 'failed') return <Alert type="error" showIcon message={t('commissionWhatIf.failed')} />;
        if (w.status === 'running')
          return (
            <Card size="small" data-testid="whatif-progress">
              <Progress percent={w.total ? Math.floor((w.done / w.total) * 100) : 0} status="active" />
              <Typography.Text type="secondary">
                {t('commissionWhatIf.progress', { done: w.done, total: w.total })}
              </Typography.Text>
            </Card>
          );
        return <Result result={w.result!} />;
      }}
    </Loaded>
  );
}

/**
 * 佣金模拟 (commissions:configure): choose a policy version and a range of past months, run it on the server's job
 * queue, follow its progress, then compare it with the policy in force then — totals, biggest gains and losses, by
 * business line and by person. The job's id stays in the address, so a reload keeps following it.
 */
export function WhatIfPage() {
  const t = useT();
  const [search, setSearch] = useSearchParams();
  const job = search.get('job');
  const thisMonth = dayjs(firmToday()).startOf('month');
  const [policyId, setPolicyId] = useState<string | undefined>(search.get('policyId') ?? undefined);
  const [range, setRange] = useState<[Dayjs, Dayjs]>([thisMonth.subtract(12, 'month'), thisMonth.subtract(1, 'month')]);
  const policies = useQuery({ queryKey: [whatIfApi.policiesPath], queryFn: whatIfApi.policies });
  const start = useMutation({
    mutationFn: () => whatIfApi.start(policyId!, { from: range[0].format('YYYY-MM'), to: range[1].format('YYYY-MM') }),
    onSuccess: ({ id }) => setSearch({ job: id, policyId: policyId! }),
  });

  return (
    <PageContainer title={t('commissionWhatIf.nav')} hint={t('commissionWhatIf.pageHint')}>
      <Card size="small">
        <Loaded query={policies}>
          {() => (
            <Flex vertical gap={8}>
              <Space wrap>
                <Select
                  data-testid="whatif-version"
                  aria-label={t('commissionWhatIf.version')}
                  placeholder={t('commissionWhatIf.version')}
                  style={{ minWidth: 260, maxWidth: '100%' }}
                  value={policyId}
                  onChange={setPolicyId}
                  options={policies.data!.items.map((p) => ({
                    value: p.id,
                    label: t('commissionWhatIf.versionOption', {
                      version: p.version,
                      name: p.name,
                      status: t(`commissionWhatIf.status.${p.status}`),
                    }),
                  }))}
                />
                <DatePicker.RangePicker
                  data-testid="whatif-range"
                  aria-label={t('commissionWhatIf.range')}
                  picker="month"
                  allowClear={false}
                  value={range}
                  disabledDate={(d) => d.isAfter(thisMonth, 'month')}
                  onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
                />
                <Button
                  type="primary"
                  data-testid="whatif-start"
                  disabled={!policyId}
                  loading={start.isPending}
                  onClick={() => start.mutate()}
                >
                  {t('commissionWhatIf.start')}
                </Button>
              </Space>
              {start.error && <Alert type="error" showIcon message={errorText(t, start.error)} />}
            </Flex>
          )}
        </Loaded>
      </Card>
      {job && (
        <div style={{ marginTop: 16 }}>
          <Run id={job} />
        </div>
      )}
    </PageContainer>
  );
}
