import { CheckOutlined, PlayCircleOutlined, RollbackOutlined } from '@ant-design/icons';
import { App, Button, Space } from 'antd';
import type { Task, TaskStatus } from '../../../common/schemas/engagements';
import { useWrite } from '../../api/queries';
import { workOrdersApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';
import { ENGAGEMENT_INVALIDATES, TaskStatusTag } from './engagement-ui';

/** Start / finish / reopen a work order: its assignee, or whoever may plan the engagement. */
export function TaskActions({
  task,
  mayChange,
  open,
}: {
  task: Pick<Task, 'id' | 'status' | 'assigneeId'>;
  mayChange: boolean;
  open: boolean;
}) {
  const t = useT();
  const me = useMe();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const setStatus = useWrite((status: TaskStatus) => workOrdersApi.setStatus(task.id, status), ENGAGEMENT_INVALIDATES);
  if (!open || !(mayChange || task.assigneeId === me.user.id)) return <TaskStatusTag status={task.status} />;
  const change = (status: TaskStatus, done: string) =>
    setStatus.mutateAsync(status).then(() => void message.success(t(done as 'engagement.taskStarted')), toast);
  return (
    <Space size={4} wrap>
      <TaskStatusTag status={task.status} />
      {task.status === 'todo' && (
        <Button
          size="small"
          icon={<PlayCircleOutlined />}
          loading={setStatus.isPending}
          onClick={() => void change('in-progress', 'engagement.taskStarted')}
          data-testid="task-start"
        >
          {t('engagement.taskStart')}
        </Button>
      )}
      {task.status !== 'done' ? (
        <Button
          size="small"
          type="primary"
          ghost
          icon={<CheckOutlined />}
          loading={setStatus.isPending}
          onClick={() => void change('done', 'engagement.taskFinished')}
          data-testid="task-finish"
        >
          {t('engagement.taskFinish')}
        </Button>
      ) : (
        <Button
          size="small"
          type="text"
          icon={<RollbackOutlined />}
          loading={setStatus.isPending}
          onClick={() => void change('in-progress', 'engagement.taskReopened')}
          data-testid="task-reopen"
        >
          {t('engagement.taskReopen')}
        </Button>
      )}
    </Space>
  );
}
