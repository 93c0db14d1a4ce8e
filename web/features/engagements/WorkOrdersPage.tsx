import { WarningOutlined } from '@ant-design/icons';
import { Card, Drawer, Flex, Segmented, Space, Tag, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import type { WorkOrder } from '../../../common/schemas/engagements';
import { usePage } from '../../api/queries';
import { workOrdersApi, type WorkOrderListParams } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { firmToday, formatDate } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useIsMobile } from '../../components/responsive';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { roleLabel } from './engagement-ui';
import { TaskActions } from './TaskActions';
import { TaskNotes } from './TaskDrawer';

const FIRST_PAGE: WorkOrderListParams = { page: 1, pageSize: 20, sort: 'dueOn', status: 'open' };

/** 我的工单: the work orders given to me across engagements, earliest due first. */
export function WorkOrdersPage() {
  const t = useT();
  const { locale } = useLocale();
  const mobile = useIsMobile();
  const [params, setParams] = useState<WorkOrderListParams>(FIRST_PAGE);
  const [opened, setOpened] = useState<WorkOrder | null>(null);
  const page = usePage(workOrdersApi, params);
  const table = useServerTable<WorkOrder, WorkOrderListParams>(params, setParams, page.data?.total);
  const today = firmToday();

  const columns: TableProps<WorkOrder>['columns'] = [
    {
      key: 'title',
      title: t('engagement.task'),
      fixed: 'left',
      render: (_, w) => (
        <Flex vertical>
          <Typography.Link onClick={() => setOpened(w)} data-testid="work-order-open" style={{ whiteSpace: 'normal' }}>
            {w.title}
          </Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {w.phaseName}
            {w.role ? ` · ${roleLabel(t, w.role)}` : ''}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'engagement',
      title: t('workOrder.engagement'),
      render: (_, w) => (
        <Flex vertical>
          <Link to={`/engagements/${w.engagementId}`} style={{ whiteSpace: 'normal' }}>
            {w.engagementTitle}
          </Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {w.customerName}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'dueOn',
      title: t('engagement.taskDue'),
      sorter: true,
      render: (_, w) =>
        w.dueOn ? (
          <Space size={4} wrap>
            {formatDate(w.dueOn, locale)}
            {w.status !== 'done' && w.dueOn < today && (
              <Tag color="red" icon={<WarningOutlined />}>
                {t('engagement.overdue')}
              </Tag>
            )}
          </Space>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      key: 'hours',
      title: t('engagement.taskHours'),
      render: (_, w) => (w.plannedHours ? t('engagement.hoursValue', { hours: w.plannedHours }) : '—'),
    },
    {
      key: 'actions',
      title: t('common.status'),
      render: (_, w) => <TaskActions task={w} mayChange={false} open={w.engagementStatus === 'in-progress'} />,
    },
  ];

  return (
    <PageContainer title={t('workOrder.nav')} hint={t('workOrder.pageHint')}>
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }}>
          <Segmented
            value={params.status ?? 'open'}
            onChange={(status) =>
              setParams((p) => ({ ...p, status: status as WorkOrderListParams['status'], page: 1 }))
            }
            options={(['open', 'in-progress', 'done', 'all'] as const).map((s) => ({
              value: s,
              label: s === 'open' || s === 'all' ? t(`workOrder.filter.${s}`) : t(`engagement.taskStatus.${s}`),
            }))}
            data-testid="work-order-status"
          />
        </Flex>
        <DataTable<WorkOrder>
          data-testid="work-orders-table"
          cards={{ fields: ['engagement', 'dueOn', 'hours'] }}
          {...table.props(page, columns, <EmptyState title={t('workOrder.empty')} hint={t('workOrder.emptyHint')} />)}
        />
      </Card>
      <Drawer
        open={opened !== null}
        onClose={() => setOpened(null)}
        size={mobile ? '100%' : 560}
        destroyOnHidden
        title={opened?.title}
      >
        {opened && (
          <Flex vertical gap={12}>
            <Typography.Text type="secondary">
              <Link to={`/engagements/${opened.engagementId}`}>{opened.engagementTitle}</Link> · {opened.phaseName}
            </Typography.Text>
            <TaskNotes taskId={opened.id} mayAdd={opened.engagementStatus === 'in-progress'} />
          </Flex>
        )}
      </Drawer>
    </PageContainer>
  );
}
