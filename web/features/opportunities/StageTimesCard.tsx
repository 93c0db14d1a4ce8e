import { useQuery } from '@tanstack/react-query';
import { Card, Flex, Progress, Segmented, Skeleton, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import type { ActivityCounts, StageTimeTotal, StageVisit } from '../../../common/schemas/stage-times';
import { opportunitiesApi, stageTimesApi } from '../../api/resources';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { formatDateTime } from '../../components/format';
import { listSeparator } from '../../components/labels';
import { useLocale, useT, type Translate } from '../../i18n';
import { useCategoryLabel } from '../activities/activity-ui';
import { stageName } from './opportunity-ui';

/** A duration in whole seconds as days and hours ("2 天 3 小时" / "2 d 3 h"); hours and minutes under a day, minutes under an hour. */
export function formatDuration(t: Translate, seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  if (d > 0) return h > 0 ? t('stageTime.daysHours', { d, h }) : t('stageTime.days', { d });
  if (h > 0) return m > 0 ? t('stageTime.hoursMinutes', { h, m }) : t('stageTime.hours', { h });
  return m > 0 ? t('stageTime.minutes', { m }) : t('stageTime.underMinute');
}

const KIND_COLORS = { open: '#1677ff', won: '#52c41a', lost: '#bfbfbf' } as const;

/** "电话沟通 2、会议 1" — the done activities of a stay or a stage by category, most first. */
function useActivitiesText() {
  const t = useT();
  const { locale } = useLocale();
  const label = useCategoryLabel();
  return (counts: ActivityCounts) => {
    if (counts.total === 0) return t('stageTime.noActivities');
    const parts = Object.entries(counts.byCategory)
      .sort(([, a], [, b]) => b - a)
      .map(([code, n]) => `${label(code)} ${n}`);
    return t('stageTime.activities', { count: counts.total, list: parts.join(listSeparator(locale)) });
  };
}

function StageRow({ stage, total }: { stage: StageTimeTotal; total: number }) {
  const t = useT();
  const { locale } = useLocale();
  const activities = useActivitiesText();
  const percent = total > 0 ? Math.round((stage.seconds / total) * 1000) / 10 : 0;
  return (
    <Flex
      vertical
      gap={0}
      data-testid="stage-time"
      data-stage-id={stage.stageId}
      data-current={stage.current || undefined}
    >
      <Flex justify="space-between" align="baseline" gap={8}>
        <Flex gap={6} align="center" style={{ minWidth: 0 }}>
          <Typography.Text strong={stage.current} ellipsis>
            {stageName({ nameZh: stage.stageNameZh, nameEn: stage.stageNameEn }, locale)}
          </Typography.Text>
          {stage.current && (
            <Tag color="blue" variant="filled" style={{ marginInlineEnd: 0 }} data-testid="stage-time-current">
              {t('stageTime.current')}
            </Tag>
          )}
        </Flex>
        <Typography.Text strong style={{ whiteSpace: 'nowrap' }} data-testid="stage-time-total">
          {formatDuration(t, stage.seconds)}
        </Typography.Text>
      </Flex>
      <Progress
        percent={percent}
        size="small"
        showInfo={false}
        strokeColor={KIND_COLORS[stage.stageKind]}
        style={{ margin: 0 }}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('stageTime.visits', { count: stage.visits })} · {activities(stage.activities)}
      </Typography.Text>
    </Flex>
  );
}

function VisitEntry({ visit }: { visit: StageVisit }) {
  const t = useT();
  const { locale } = useLocale();
  const activities = useActivitiesText();
  return (
    <Flex vertical gap={0} data-testid="stage-visit">
      <Flex gap={6} align="center" wrap>
        <Typography.Text strong>
          {stageName({ nameZh: visit.stageNameZh, nameEn: visit.stageNameEn }, locale)}
        </Typography.Text>
        <Typography.Text>· {formatDuration(t, visit.seconds)}</Typography.Text>
        {visit.leftAt === null && (
          <Tag color="blue" variant="filled" style={{ marginInlineEnd: 0 }}>
            {t('stageTime.current')}
          </Tag>
        )}
      </Flex>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {formatDateTime(visit.enteredAt, locale)} →{' '}
        {visit.leftAt ? formatDateTime(visit.leftAt, locale) : t('stageTime.now')}
      </Typography.Text>
      {visit.activities.total > 0 && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {activities(visit.activities)}
        </Typography.Text>
      )}
    </Flex>
  );
}

/**
 * 阶段用时: how long the opportunity spent in each stage (all its stays added up), how often it entered
 * it and the work done there; and the stays one by one, oldest first. The current stage is marked.
 */
export function StageTimesCard({ opportunityId }: { opportunityId: string }) {
  const t = useT();
  const [tab, setTab] = useState<'stages' | 'visits'>('stages');
  // Under the opportunity's key: a move, a close or an activity refreshes it with the opportunity.
  const times = useQuery({
    queryKey: [opportunitiesApi.path, opportunityId, 'stage-times'],
    queryFn: () => stageTimesApi.forOpportunity(opportunityId),
  });
  const data = times.data;
  const outside = data?.activitiesOutsideVisits.total ?? 0;
  return (
    <Card
      size="small"
      title={
        <Flex gap={8} align="baseline">
          <span>{t('stageTime.title')}</span>
          {data && data.seconds > 0 && (
            <Typography.Text
              type="secondary"
              style={{ fontSize: 12, fontWeight: 'normal' }}
              data-testid="stage-time-sum"
            >
              {t('stageTime.sum', { time: formatDuration(t, data.seconds) })}
            </Typography.Text>
          )}
        </Flex>
      }
      extra={
        <Segmented<'stages' | 'visits'>
          size="small"
          value={tab}
          onChange={setTab}
          options={[
            { value: 'stages', label: t('stageTime.byStage') },
            { value: 'visits', label: t('stageTime.timeline') },
          ]}
          data-testid="stage-times-view"
        />
      }
      data-testid="stage-times"
    >
      {failedWithoutData(times) ? (
        <LoadError query={times} compact />
      ) : times.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : !data || data.visits.length === 0 ? (
        <Typography.Text type="secondary">{t('stageTime.empty')}</Typography.Text>
      ) : tab === 'stages' ? (
        <Flex vertical gap={10}>
          {data.stages.map((s) => (
            <StageRow key={s.stageId} stage={s} total={data.seconds} />
          ))}
        </Flex>
      ) : (
        <Timeline
          style={{ marginTop: 8, marginBottom: -12 }}
          items={data.visits.map((v, i) => ({
            key: `${v.stageId}-${i}`,
            color:
              v.stageKind === 'won' ? 'green' : v.stageKind === 'lost' ? 'gray' : v.leftAt === null ? 'blue' : 'gray',
            content: <VisitEntry visit={v} />,
          }))}
        />
      )}
      {outside > 0 && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
          {t('stageTime.outside', { count: outside })}
        </Typography.Paragraph>
      )}
    </Card>
  );
}
