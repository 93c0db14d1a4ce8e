import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Flex, Progress, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableProps } from 'antd';
import dayjs from 'dayjs';
import { Link, useSearchParams } from 'react-router';
import {
  MAX_WORKLOAD_WEEKS,
  type WorkloadPerson,
  type WorkloadState,
  type WorkloadWeek,
} from '../../../common/schemas/workload';
import { workloadApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { EmptyState } from '../../components/EmptyState';
import { firmToday } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useT } from '../../i18n';

/** The Monday of a date's week (YYYY-MM-DD). */
function mondayOf(date: string): string {
  const d = dayjs(date);
  return d.subtract((d.day() + 6) % 7, 'day').format('YYYY-MM-DD');
}
const addDays = (date: string, days: number) => dayjs(date).add(days, 'day').format('YYYY-MM-DD');
const DEFAULT_WEEKS = 4;
const WEEK_OPTIONS = [1, 2, 4, 6, 8, 13] as const;

const STATE_COLORS: Record<WorkloadState, string> = { under: 'default', ok: 'success', over: 'error' };
const BAR_COLORS: Record<WorkloadState, string> = { under: '#bfbfbf', ok: '#52c41a', over: '#ff4d4f' };

/** One person's week: hours / capacity, a bar coloured by the state, the planned and billable hours beneath. */
function WeekCell({ week, capacity, userId }: { week: WorkloadWeek; capacity: string; userId: string }) {
  const t = useT();
  return (
    <Flex vertical gap={2} style={{ minWidth: 112 }} data-testid={`workload-cell-${userId}-${week.weekStart}`}>
      <Flex gap={4} align="center" justify="space-between">
        <Link to={`/timesheet?week=${week.weekStart}&userId=${userId}`}>
          {t('workload.cell', { hours: week.hours, capacity })}
        </Link>
        <Tag color={STATE_COLORS[week.state]} style={{ marginInlineEnd: 0 }}>
          {t(`workload.state.${week.state}`)}
        </Tag>
      </Flex>
      <Progress
        percent={Math.min(week.percent, 100)}
        showInfo={false}
        size="small"
        strokeColor={BAR_COLORS[week.state]}
        aria-label={`${week.percent}%`}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {week.percent}%{week.planned !== '0' && ` · ${t('workload.planned', { hours: week.planned })}`}
      </Typography.Text>
    </Flex>
  );
}

/**
 * 工作负荷: per person (rows) and week (columns) the hours logged against the weekly capacity — under 50 % grey,
 * over 100 % red, green in between —, the planned hours of open work orders due that week, and the totals. Managers
 * see their department, partners and finance everyone (with a department filter). The table scrolls sideways in its
 * card on a phone, the person column staying put.
 */
export function WorkloadPage() {
  const t = useT();
  const me = useMe();
  const [search, setSearch] = useSearchParams();
  const weeksAsked = Number(search.get('weeks'));
  const weeks =
    Number.isInteger(weeksAsked) && weeksAsked >= 1 && weeksAsked <= MAX_WORKLOAD_WEEKS ? weeksAsked : DEFAULT_WEEKS;
  const thisWeek = mondayOf(firmToday());
  const asked = search.get('from');
  const from =
    asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) && dayjs(asked).isValid()
      ? mondayOf(asked)
      : addDays(thisWeek, -7 * (weeks - 1));
  const departmentId = search.get('departmentId') || undefined;
  const mayFilter = can(me, 'engagements:read', 'all') && can(me, 'staff:read', 'department');

  const query = useQuery({
    queryKey: [workloadApi.path, from, weeks, departmentId],
    queryFn: () => workloadApi.get({ from, weeks, departmentId }),
  });

  const go = (next: Record<string, string | undefined>) => {
    const params = new URLSearchParams(search);
    for (const [key, value] of Object.entries(next)) {
      if (value === undefined) params.delete(key);
      else params.set(key, value);
    }
    setSearch(params);
  };

  const data = query.data;
  const columns: TableProps<WorkloadPerson>['columns'] = [
    {
      key: 'person',
      title: t('workload.person'),
      fixed: 'left',
      width: 120,
      render: (_, p) => (
        <Flex vertical>
          <Typography.Text strong ellipsis style={{ maxWidth: 110 }}>
            {p.name}
          </Typography.Text>
          {p.departmentName && (
            <Typography.Text type="secondary" ellipsis style={{ fontSize: 12, maxWidth: 110 }}>
              {p.departmentName}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    ...(data?.weeks ?? []).map((weekStart, i) => ({
      key: weekStart,
      title: t('workload.week', { date: dayjs(weekStart).format('MM-DD') }),
      render: (_: unknown, p: WorkloadPerson) => <WeekCell week={p.weeks[i]} capacity={p.capacity} userId={p.userId} />,
    })),
    {
      key: 'total',
      title: t('workload.total'),
      align: 'right',
      render: (_, p) => (
        <Flex vertical align="flex-end">
          <Typography.Text strong>{p.total}</Typography.Text>
          {p.planned !== '0' && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('workload.planned', { hours: p.planned })}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
  ];

  return (
    <PageContainer title={t('workload.nav')} hint={t('workload.pageHint')}>
      <Card size="small">
        <Flex gap={8} wrap align="center">
          <Space.Compact>
            <Tooltip title={t('timesheet.prevWeek')}>
              <Button
                icon={<LeftOutlined />}
                aria-label={t('timesheet.prevWeek')}
                onClick={() => go({ from: addDays(from, -7) })}
              />
            </Tooltip>
            <DatePicker
              picker="week"
              allowClear={false}
              value={dayjs(from)}
              format={(value) => mondayOf(value.format('YYYY-MM-DD'))}
              onChange={(value) => value && go({ from: mondayOf(value.format('YYYY-MM-DD')) })}
              aria-label={t('workload.from')}
              style={{ width: 140 }}
              data-testid="workload-from"
            />
            <Tooltip title={t('timesheet.nextWeek')}>
              <Button
                icon={<RightOutlined />}
                aria-label={t('timesheet.nextWeek')}
                onClick={() => go({ from: addDays(from, 7) })}
              />
            </Tooltip>
          </Space.Compact>
          <Select
            value={weeks}
            onChange={(value: number) => go({ weeks: String(value) })}
            aria-label={t('workload.weeks')}
            style={{ width: 100 }}
            data-testid="workload-weeks"
            options={WEEK_OPTIONS.map((count) => ({ value: count, label: t('workload.weeksOption', { count }) }))}
          />
          {mayFilter && (
            <DepartmentTreeSelect
              allowInactive
              placeholder={t('workload.allDepartments')}
              aria-label={t('workload.department')}
              style={{ width: 200, maxWidth: '100%' }}
              value={departmentId}
              onChange={(value) => go({ departmentId: value })}
            />
          )}
        </Flex>
      </Card>
      <Loaded query={query}>
        {() => (
          <Card size="small" styles={{ body: { padding: 0 } }}>
            <Table<WorkloadPerson>
              rowKey="userId"
              size="small"
              columns={columns}
              dataSource={data!.people}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: <EmptyState title={t('workload.empty')} /> }}
              data-testid="workload-table"
              summary={() =>
                data!.people.length > 0 && (
                  <Table.Summary fixed="bottom">
                    <Table.Summary.Row>
                      <Table.Summary.Cell index={0}>
                        <Typography.Text strong>{t('workload.totals')}</Typography.Text>
                      </Table.Summary.Cell>
                      {data!.totals.map((w, i) => (
                        <Table.Summary.Cell index={i + 1} key={w.weekStart}>
                          <Flex vertical>
                            <Typography.Text strong>
                              {t('workload.cell', { hours: w.hours, capacity: w.capacity })}
                            </Typography.Text>
                            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                              {t('workload.billable', { hours: w.billable })}
                              {w.planned !== '0' && ` · ${t('workload.planned', { hours: w.planned })}`}
                            </Typography.Text>
                          </Flex>
                        </Table.Summary.Cell>
                      ))}
                      <Table.Summary.Cell index={data!.totals.length + 1} align="right">
                        <Typography.Text strong>{data!.total.hours}</Typography.Text>
                      </Table.Summary.Cell>
                    </Table.Summary.Row>
                  </Table.Summary>
                )
              }
            />
          </Card>
        )}
      </Loaded>
    </PageContainer>
  );
}
