import {
  ArrowLeftOutlined,
  AuditOutlined,
  CloseCircleOutlined,
  EditOutlined,
  FileDoneOutlined,
  InboxOutlined,
  PlusOutlined,
  TeamOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Flex, List, Popconfirm, Row, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Engagement, Phase, Task } from '../../../common/schemas/engagements';
import { useWrite } from '../../api/queries';
import { engagementsApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { useRecordTitle } from '../../components/document-title';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDate, firmToday } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { RecordDiscussion } from '../chat-extras/RecordDiscussion';
import { RecordQueryResult } from '../../components/Results';
import { listSeparator } from '../../components/labels';
import { useLocale, useT } from '../../i18n';
import { ApprovalTimeline } from '../approvals/ApprovalTimeline';
import { MoneyCell } from '../contracts/contract-ui';
import { ReasonModal } from '../contracts/ReasonModal';
import { BudgetCard } from '../timesheets/BudgetCard';
import { EngagementInsight } from '../knowledge-capture/InsightAction';
import { EngagementFormDrawer } from './EngagementFormDrawer';
import { ENGAGEMENT_INVALIDATES, EngagementStatusTag, PhaseStatusTag, ProgressBar, roleLabel } from './engagement-ui';
import { ReportModal } from './ReportModal';
import { StaffingModal } from './StaffingModal';
import { testId } from '../opportunities/opportunity-ui';
import { TaskActions } from './TaskActions';
import { TaskDrawer } from './TaskDrawer';

/** 业务项目: its phases and work orders, its team (人员安排), its order and contract. */
export function EngagementPage() {
  const { id = '' } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const query = useQuery({
    queryKey: [engagementsApi.path, 'one', id],
    queryFn: () => engagementsApi.get(id),
    retry: false,
  });
  const [staffing, setStaffing] = useState(false);
  const [editing, setEditing] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [reporting, setReporting] = useState(false);
  const [task, setTask] = useState<{ task: Task | null; phase: Phase } | null>(null);
  const cancel = useWrite((reason: string) => engagementsApi.cancel(id, { reason }), ENGAGEMENT_INVALIDATES);
  const review = useWrite(() => engagementsApi.review(id), ENGAGEMENT_INVALIDATES);
  const archive = useWrite(() => engagementsApi.archive(id), ENGAGEMENT_INVALIDATES);
  const toast = useErrorToast();
  const e = query.data;
  useRecordTitle(e?.title);
  if (!e) return <RecordQueryResult query={query} />;

  const colon = locale === 'zh-CN' ? '：' : ': ';
  const open = e.status === 'in-progress';
  const mayPlan = e.mayChange && open;
  const date = (value: string | null) => (value ? formatDate(value, locale) : '—');
  const hours = (value: string | null) => (value ? t('engagement.hoursValue', { hours: value }) : '—');
  const sendForReview = () =>
    review
      .mutateAsync(undefined)
      .then(
        (after) =>
          void message.success(t(after.reviewPassed ? 'engagement.reviewPassedAtOnce' : 'engagement.reviewSent')),
        toast,
      );
  const archiveIt = () =>
    archive.mutateAsync(undefined).then(() => void message.success(t('engagement.archived')), toast);
  const mayReport = e.mayChange && e.status === 'in-review' && e.reviewPassed;

  return (
    <PageContainer
      title={
        <Flex align="center" gap={8} wrap>
          <Link to="/engagements" aria-label={t('engagement.back')}>
            <ArrowLeftOutlined />
          </Link>
          <span data-testid="engagement-title">{e.title}</span>
          <EngagementStatusTag status={e.status} />
          {e.cycle === 'monthly' && <Tag>{t('engagement.cycle.monthly')}</Tag>}
        </Flex>
      }
      hint={
        <>
          {t('engagement.customer')}
          {colon}
          <Link to={`/customers/${e.customerId}`}>{e.customerName}</Link>
          {' · '}
          {t('engagement.order')}
          {colon}
          <Link to={`/orders/${e.orderId}`} data-testid="engagement-order-link">
            {e.orderNumber ?? t('engagement.orderOpen')}
          </Link>
          {e.contractId && (
            <>
              {' · '}
              {t('engagement.contract')}
              {colon}
              <Link to={`/contracts/${e.contractId}`}>{e.contractNumber ?? e.contractId.slice(0, 8)}</Link>
            </>
          )}
          {' · '}
          {t('engagement.lead')}
          {colon}
          <Typography.Text strong>{e.leadName}</Typography.Text>
        </>
      }
      extra={
        <>
          {open && (e.mayReview || e.mayChange) ? (
            <>
              {e.mayReview && (
                <Popconfirm
                  title={t('engagement.reviewConfirmTitle')}
                  description={<div style={{ maxWidth: 320 }}>{t('engagement.reviewConfirm')}</div>}
                  okText={t('engagement.review')}
                  onConfirm={sendForReview}
                  okButtonProps={testId('engagement-review-confirm')}
                >
                  <Button
                    type="primary"
                    icon={<AuditOutlined />}
                    loading={review.isPending}
                    data-testid="engagement-review"
                  >
                    {t('engagement.review')}
                  </Button>
                </Popconfirm>
              )}
              {e.mayChange && (
                <>
                  <Button icon={<TeamOutlined />} onClick={() => setStaffing(true)} data-testid="engagement-staff">
                    {t('engagement.staff')}
                  </Button>
                  <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="engagement-edit">
                    {t('engagement.edit')}
                  </Button>
                  <Button
                    danger
                    icon={<CloseCircleOutlined />}
                    onClick={() => setCancelling(true)}
                    data-testid="engagement-cancel"
                  >
                    {t('engagement.cancel')}
                  </Button>
                </>
              )}
            </>
          ) : mayReport ? (
            <Button
              type="primary"
              icon={<FileDoneOutlined />}
              onClick={() => setReporting(true)}
              data-testid="engagement-report"
            >
              {t('engagement.report')}
            </Button>
          ) : e.mayChange && e.status === 'reported' ? (
            <Popconfirm
              title={t('engagement.archiveConfirmTitle')}
              description={<div style={{ maxWidth: 320 }}>{t('engagement.archiveConfirm')}</div>}
              okText={t('engagement.archive')}
              onConfirm={archiveIt}
              okButtonProps={testId('engagement-archive-confirm')}
            >
              <Button
                type="primary"
                icon={<InboxOutlined />}
                loading={archive.isPending}
                data-testid="engagement-archive"
              >
                {t('engagement.archive')}
              </Button>
            </Popconfirm>
          ) : null}
          <EngagementInsight engagementId={e.id} />
          <RecordDiscussion recordType="engagement" recordId={e.id} />
        </>
      }
    >
      {e.status === 'cancelled' && (
        <Alert
          type="warning"
          showIcon
          title={t('engagement.cancelledAlert')}
          description={e.statusReason && <span style={{ whiteSpace: 'pre-wrap' }}>{e.statusReason}</span>}
        />
      )}
      {e.status === 'in-review' && (
        <Alert
          type={e.reviewPassed ? 'success' : 'info'}
          showIcon
          title={t(e.reviewPassed ? 'engagement.reviewPassedAlert' : 'engagement.reviewPendingAlert')}
          data-testid="engagement-review-state"
          data-passed={e.reviewPassed}
        />
      )}
      <Card size="small" data-testid="engagement-summary">
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2, xl: 4 }}
          items={[
            { key: 'progress', label: t('engagement.progress'), children: <ProgressBar percent={e.progress} /> },
            { key: 'amount', label: t('engagement.amount'), children: <MoneyCell value={e.amount} strong /> },
            { key: 'startsOn', label: t('engagement.startsOn'), children: date(e.startsOn) },
            { key: 'dueOn', label: t('engagement.dueOn'), children: date(e.dueOn) },
            { key: 'line', label: t('engagement.businessLine'), children: e.businessLineName },
            { key: 'template', label: t('engagement.template'), children: e.templateName ?? '—' },
            { key: 'planned', label: t('engagement.plannedHours'), children: hours(e.plannedHours) },
            { key: 'department', label: t('engagement.department'), children: e.departmentName },
            { key: 'sales', label: t('engagement.salesOwner'), children: e.salesOwnerName },
            {
              key: 'report',
              label: t('engagement.reportNumber'),
              children: <span data-testid="engagement-report-number">{e.reportNumber ?? '—'}</span>,
            },
            ...(e.reportNumber
              ? [
                  { key: 'reportOn', label: t('engagement.reportIssuedOn'), children: date(e.reportIssuedOn) },
                  {
                    key: 'signers',
                    label: t('engagement.reportSigners'),
                    children: e.reportSigners.map((m) => m.name).join(listSeparator(locale)),
                  },
                ]
              : []),
            ...(e.closedOn ? [{ key: 'closed', label: t('engagement.closedOn'), children: date(e.closedOn) }] : []),
          ]}
        />
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          {e.reviewStatus && (
            <Card
              size="small"
              title={t('engagement.reviewCard')}
              data-testid="engagement-review-card"
              style={{ marginBottom: 12 }}
            >
              <ApprovalTimeline subjectKind="engagement-review" subjectId={e.id} />
            </Card>
          )}
          <Flex vertical gap={12} data-testid="engagement-phases">
            {e.phases.map((phase) => (
              <PhaseCard
                key={phase.id}
                engagement={e}
                phase={phase}
                mayPlan={mayPlan}
                onOpen={(task) => setTask({ task, phase })}
              />
            ))}
          </Flex>
        </Col>
        <Col xs={24} xl={8}>
          <Flex vertical gap={12}>
            <TeamCard engagement={e} />
            <BudgetCard engagementId={e.id} />
            <Card size="small" title={t('engagement.lines')} data-testid="engagement-lines">
              <List
                size="small"
                dataSource={e.lines}
                renderItem={(l) => (
                  <List.Item extra={<MoneyCell value={l.amount} />}>
                    <span style={{ whiteSpace: 'normal' }}>{l.description}</span>
                  </List.Item>
                )}
              />
            </Card>
          </Flex>
        </Col>
      </Row>
      {task && <TaskDrawer engagement={e} phase={task.phase} task={task.task} onClose={() => setTask(null)} />}
      {e.mayChange && <StaffingModal engagement={e} open={staffing} onClose={() => setStaffing(false)} />}
      {e.mayChange && <EngagementFormDrawer engagement={e} open={editing} onClose={() => setEditing(false)} />}
      {reporting && <ReportModal engagement={e} open onClose={() => setReporting(false)} />}
      <ReasonModal
        open={cancelling}
        title={t('engagement.cancelTitle', { title: e.title })}
        warning={t('engagement.cancelWarning')}
        okText={t('engagement.cancelConfirm')}
        onClose={() => setCancelling(false)}
        onSubmit={(reason) => cancel.mutateAsync(reason).then(() => void message.success(t('engagement.cancelled')))}
        testIdPrefix="engagement-cancel"
      />
    </PageContainer>
  );
}

/** A phase: its status, dates, the roles it needs and its work orders. */
function PhaseCard({
  engagement,
  phase,
  mayPlan,
  onOpen,
}: {
  engagement: Engagement;
  phase: Phase;
  mayPlan: boolean;
  onOpen: (task: Task | null) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const today = firmToday();
  const list = locale === 'zh-CN' ? '、' : ', ';
  return (
    <Card
      size="small"
      data-testid="engagement-phase"
      data-phase={phase.name}
      title={
        <Flex gap={8} align="center" wrap>
          <span>
            {phase.position}. {phase.name}
          </span>
          <PhaseStatusTag status={phase.status} />
        </Flex>
      }
      extra={
        mayPlan && (
          <Button size="small" type="link" icon={<PlusOutlined />} onClick={() => onOpen(null)} data-testid="task-add">
            {t('engagement.addTask')}
          </Button>
        )
      }
    >
      <Space size={12} wrap style={{ marginBottom: phase.tasks.length ? 4 : 0 }}>
        {phase.startsOn && phase.dueOn && (
          <Typography.Text type="secondary">
            {t('engagement.phaseDates', {
              from: formatDate(phase.startsOn, locale),
              to: formatDate(phase.dueOn, locale),
            })}
          </Typography.Text>
        )}
        {phase.roles.length > 0 && (
          <Typography.Text type="secondary">
            {t('engagement.phaseNeeds', { roles: phase.roles.map((r) => roleLabel(t, r)).join(list) })}
          </Typography.Text>
        )}
      </Space>
      {phase.tasks.length === 0 ? (
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('engagement.noTasks')}
        </Typography.Paragraph>
      ) : (
        <List
          size="small"
          dataSource={phase.tasks}
          renderItem={(task) => (
            <List.Item
              data-testid="engagement-task"
              data-task={task.title}
              actions={[
                <TaskActions
                  key="actions"
                  task={task}
                  mayChange={engagement.mayChange}
                  open={engagement.status === 'in-progress'}
                />,
              ]}
            >
              <List.Item.Meta
                title={
                  <Space size={8} wrap>
                    <Typography.Link onClick={() => onOpen(task)} data-testid="task-open">
                      {task.title}
                    </Typography.Link>
                    {task.status !== 'done' && task.dueOn && task.dueOn < today && (
                      <Tag color="red" icon={<WarningOutlined />}>
                        {t('engagement.overdue')}
                      </Tag>
                    )}
                  </Space>
                }
                description={
                  <Space size={12} wrap>
                    <span data-testid="task-assignee">{task.assigneeName ?? t('engagement.unassigned')}</span>
                    {task.role && <span>{roleLabel(t, task.role)}</span>}
                    {task.dueOn && (
                      <span>
                        {t('engagement.taskDue')} {formatDate(task.dueOn, locale)}
                      </span>
                    )}
                    {task.plannedHours && <span>{t('engagement.hoursValue', { hours: task.plannedHours })}</span>}
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

function TeamCard({ engagement }: { engagement: Engagement }) {
  const t = useT();
  const me = useMe();
  return (
    <Card size="small" title={t('engagement.team')} data-testid="engagement-team">
      {engagement.members.length === 0 ? (
        <EmptyState title={t('engagement.teamEmpty')} />
      ) : (
        <List
          size="small"
          dataSource={engagement.members}
          renderItem={(m) => (
            <List.Item data-testid="engagement-member" data-user={m.userId}>
              <Flex vertical gap={4}>
                <Space size={6} wrap>
                  <Typography.Text strong={m.userId === me.user.id}>{m.name}</Typography.Text>
                  {m.departmentName && <Typography.Text type="secondary">{m.departmentName}</Typography.Text>}
                  {m.isPracticingCpa && <Tag color="gold">{t('engagement.practising')}</Tag>}
                </Space>
                <Space size={4} wrap>
                  {m.roles.map((r) => (
                    <Tag key={r} style={{ marginInlineEnd: 0 }}>
                      {roleLabel(t, r)}
                    </Tag>
                  ))}
                </Space>
              </Flex>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
