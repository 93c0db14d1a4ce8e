import { ClockCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { List, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { WorkOrder } from '../../../common/schemas/engagements';
import { formatDate } from '../../components/format';
import { useLocale, useT } from '../../i18n';
import { TaskActions } from './TaskActions';

/** Work orders as Today shows them: what, of which engagement, when due, and start / finish at hand. */
export function WorkOrderList({ items, today }: { items: WorkOrder[]; today: string }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <List
      dataSource={items}
      renderItem={(w) => (
        <List.Item
          data-testid="today-work-order"
          data-task={w.title}
          actions={[
            <TaskActions key="actions" task={w} mayChange={false} open={w.engagementStatus === 'in-progress'} />,
          ]}
        >
          <List.Item.Meta
            title={
              <Space size={8} wrap>
                <Typography.Text strong>{w.title}</Typography.Text>
                {w.dueOn && w.dueOn < today && (
                  <Tag color="red" icon={<WarningOutlined />}>
                    {t('engagement.overdue')}
                  </Tag>
                )}
              </Space>
            }
            description={
              <Space size={12} wrap>
                <Link to={`/engagements/${w.engagementId}`}>{w.engagementTitle}</Link>
                <span>{w.phaseName}</span>
                {w.dueOn && (
                  <span>
                    <ClockCircleOutlined /> {t('engagement.taskDue')} {formatDate(w.dueOn, locale)}
                  </span>
                )}
              </Space>
            }
          />
        </List.Item>
      )}
    />
  );
}
