import { ApartmentOutlined, BranchesOutlined, SwapOutlined, UserSwitchOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Card, Flex, Skeleton, Timeline, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { LeadHistory } from '../../../common/schemas/leads';
import { leadsApi } from '../../api/resources';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { useLocale, useT, type Translate } from '../../i18n';
import { LeadStatusTag, queueName } from './lead-ui';

type Entry = {
  key: string;
  at: string;
  icon: ReactNode;
  color?: string;
  title: ReactNode;
  by: string | null;
  reason: string | null;
};

type Assignment = LeadHistory['assignments'][number];

/** One assignment in words: by a rule or by a person, to someone or into a queue. */
function assignmentText(t: Translate, a: Assignment): string {
  const target = a.toUserId ? (a.toUserName ?? '') : queueName(t, a.queueDepartmentName);
  if (a.ruleName) {
    const strategy = a.strategy ? t(`rule.strategy.${a.strategy}`) : '';
    if (!a.toUserId) return t('lead.historyRuleQueue', { rule: a.ruleName, queue: target });
    return t('lead.historyRule', { rule: a.ruleName, strategy, name: target });
  }
  if (!a.toUserId)
    return a.fromUserId
      ? t('lead.historyBackToQueue', { from: a.fromUserName ?? '', queue: target })
      : t('lead.historyToQueue', { queue: target });
  if (a.fromUserId) return t('lead.historyReassigned', { from: a.fromUserName ?? '', to: target });
  return t('lead.historyAssigned', { to: target });
}

export function useLeadHistory(leadId: string) {
  return useQuery({ queryKey: [leadsApi.path, 'history', leadId], queryFn: () => leadsApi.history(leadId) });
}

/** Status changes and assignments of a lead on one timeline, newest first. */
export function LeadHistoryCard({ leadId }: { leadId: string }) {
  const t = useT();
  const { locale } = useLocale();
  const history = useLeadHistory(leadId);

  const entries: Entry[] = [
    ...(history.data?.statuses ?? []).map((s) => ({
      key: `s-${s.id}`,
      at: s.at,
      icon: <SwapOutlined />,
      color: s.toStatus === 'disqualified' ? 'gray' : s.toStatus === 'converted' ? 'purple' : 'blue',
      title: s.fromStatus ? (
        <Flex gap={6} align="center" wrap>
          {t('lead.historyStatus')}
          <LeadStatusTag status={s.fromStatus} />→<LeadStatusTag status={s.toStatus} />
        </Flex>
      ) : (
        <Flex gap={6} align="center" wrap>
          {t('lead.historyCreated')}
          <LeadStatusTag status={s.toStatus} />
        </Flex>
      ),
      by: s.byUserName,
      reason: s.reason,
    })),
    ...(history.data?.assignments ?? []).map((a) => ({
      key: `a-${a.id}`,
      at: a.at,
      icon: a.ruleName ? <BranchesOutlined /> : a.toUserId ? <UserSwitchOutlined /> : <ApartmentOutlined />,
      color: a.toUserId ? 'green' : 'orange',
      title: <Typography.Text>{assignmentText(t, a)}</Typography.Text>,
      by: a.byUserName,
      reason: a.reason,
    })),
  ].sort((a, b) => b.at.localeCompare(a.at) || a.key.localeCompare(b.key));

  return (
    <Card title={t('lead.history')} size="small" data-testid="lead-history">
      {failedWithoutData(history) ? (
        <LoadError query={history} compact />
      ) : history.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : entries.length === 0 ? (
        <EmptyState title={t('lead.historyEmpty')} />
      ) : (
        <Timeline
          style={{ marginTop: 8 }}
          items={entries.map((e) => ({
            key: e.key,
            color: e.color,
            icon: e.icon,
            content: (
              <Flex vertical gap={2} data-testid="lead-history-entry">
                {e.title}
                {e.reason && (
                  <Typography.Text type="secondary">{t('lead.historyReason', { reason: e.reason })}</Typography.Text>
                )}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatDateTime(e.at, locale)} · {e.by ?? t('lead.historySystem')}
                </Typography.Text>
              </Flex>
            ),
          }))}
        />
      )}
    </Card>
  );
}
