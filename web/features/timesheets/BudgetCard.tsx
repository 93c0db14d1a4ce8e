import { WarningOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Card, Flex, List, Progress, Tag, Typography } from 'antd';
import type { BudgetWarning } from '../../../common/schemas/timesheets';
import { timesheetsApi } from '../../api/resources';
import { Loaded } from '../../components/QueryState';
import { useT } from '../../i18n';

const STROKE: Record<BudgetWarning, string | undefined> = {
  none: undefined,
  'over-80': '#faad14',
  'over-100': '#ff4d4f',
};

function WarningTag({ warning }: { warning: BudgetWarning }) {
  const t = useT();
  if (warning === 'none') return null;
  return (
    <Tag
      color={warning === 'over-100' ? 'red' : 'orange'}
      icon={<WarningOutlined />}
      data-testid="budget-warning"
      data-warning={warning}
    >
      {t(warning === 'over-100' ? 'timesheet.budgetOver100' : 'timesheet.budgetOver80')}
    </Tag>
  );
}

/** An engagement's hours budget: planned against logged, overall and per phase, warned from 80 % and 100 %. */
export function BudgetCard({ engagementId }: { engagementId: string }) {
  const t = useT();
  const query = useQuery({
    queryKey: [timesheetsApi.path, 'budget', engagementId],
    queryFn: () => timesheetsApi.budget(engagementId),
  });
  const hours = (value: string) => t('timesheet.hours', { hours: value });
  return (
    <Card size="small" title={t('timesheet.budget')} data-testid="engagement-budget">
      <Loaded query={query}>
        {() => {
          const b = query.data!;
          return (
            <Flex vertical gap={8}>
              <Flex gap={8} wrap align="center" justify="space-between">
                <Typography.Text>
                  {t('timesheet.budgetActual')} <Typography.Text strong>{hours(b.actualHours)}</Typography.Text>
                  {' / '}
                  {b.plannedHours ? (
                    <>
                      {t('timesheet.budgetPlanned')} {hours(b.plannedHours)}
                    </>
                  ) : (
                    <Typography.Text type="secondary">{t('timesheet.budgetNoPlan')}</Typography.Text>
                  )}
                </Typography.Text>
                <WarningTag warning={b.warning} />
              </Flex>
              {b.percent !== null && (
                <Progress
                  percent={Math.min(b.percent, 100)}
                  format={() => `${b.percent}%`}
                  strokeColor={STROKE[b.warning]}
                  size="small"
                />
              )}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('timesheet.budgetBillable', { hours: b.billableHours })}
                {b.unphasedHours !== '0' && <> · {t('timesheet.budgetUnphased', { hours: b.unphasedHours })}</>}
              </Typography.Text>
              <List
                size="small"
                dataSource={b.phases}
                renderItem={(p) => (
                  <List.Item style={{ paddingInline: 0 }}>
                    <Flex vertical style={{ width: '100%' }} gap={2}>
                      <Flex justify="space-between" gap={8}>
                        <Typography.Text ellipsis style={{ maxWidth: '60%' }}>
                          {p.name}
                        </Typography.Text>
                        <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
                          {p.actualHours} / {p.plannedHours ?? '—'}
                        </Typography.Text>
                      </Flex>
                      {p.percent !== null && (
                        <Progress
                          percent={Math.min(p.percent, 100)}
                          showInfo={false}
                          strokeColor={STROKE[p.warning]}
                          size="small"
                        />
                      )}
                    </Flex>
                  </List.Item>
                )}
              />
            </Flex>
          );
        }}
      </Loaded>
    </Card>
  );
}
