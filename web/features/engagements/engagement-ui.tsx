import { Progress, Tag } from 'antd';
import type { EngagementRole, EngagementStatus, PhaseStatus, TaskStatus } from '../../../common/schemas/engagements';
import { engagementsApi, ordersApi, todayApi, workOrdersApi } from '../../api/resources';
import { useT, type Translate } from '../../i18n';

/** What a change to an engagement or a work order may show elsewhere: lists, 我的工单, Today, the order. */
export const ENGAGEMENT_INVALIDATES = [engagementsApi.path, workOrdersApi.path, todayApi.path, ordersApi.path];

export const ENGAGEMENT_STATUS_COLORS: Record<EngagementStatus, string> = {
  'in-progress': 'processing',
  'in-review': 'purple',
  reported: 'cyan',
  closed: 'success',
  cancelled: 'error',
};
const TASK_COLORS: Record<TaskStatus, string> = { todo: 'default', 'in-progress': 'blue', done: 'success' };
const PHASE_COLORS: Record<PhaseStatus, string> = { pending: 'default', 'in-progress': 'blue', done: 'success' };

export function EngagementStatusTag({ status }: { status: EngagementStatus }) {
  const t = useT();
  return (
    <Tag
      color={ENGAGEMENT_STATUS_COLORS[status]}
      style={{ marginInlineEnd: 0 }}
      data-testid="engagement-status"
      data-status={status}
    >
      {t(`engagement.status.${status}`)}
    </Tag>
  );
}

export function TaskStatusTag({ status }: { status: TaskStatus }) {
  const t = useT();
  return (
    <Tag color={TASK_COLORS[status]} style={{ marginInlineEnd: 0 }} data-testid="task-status" data-status={status}>
      {t(`engagement.taskStatus.${status}`)}
    </Tag>
  );
}

export function PhaseStatusTag({ status }: { status: PhaseStatus }) {
  const t = useT();
  return (
    <Tag color={PHASE_COLORS[status]} style={{ marginInlineEnd: 0 }} data-testid="phase-status" data-status={status}>
      {t(`engagement.phaseStatus.${status}`)}
    </Tag>
  );
}

export const roleLabel = (t: Translate, role: EngagementRole) => t(`engagementRole.${role}`);

export function ProgressBar({ percent }: { percent: number }) {
  return <Progress percent={percent} size="small" style={{ minWidth: 90, margin: 0 }} />;
}
