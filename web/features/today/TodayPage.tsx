import {
  BellOutlined,
  CalendarOutlined,
  CarryOutOutlined,
  CheckOutlined,
  ClockCircleOutlined,
  InboxOutlined,
  MailOutlined,
  MoneyCollectOutlined,
  PhoneOutlined,
  ProfileOutlined,
  UserAddOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Badge,
  Button,
  Card,
  Col,
  Dropdown,
  Flex,
  Input,
  List,
  Modal,
  Popconfirm,
  Row,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Activity } from '../../../common/schemas/activities';
import type { Reminder } from '../../../common/schemas/reminders';
import type { CallDue, MyProjectTask, PaymentDue } from '../../../common/schemas/today';
import { useWrite } from '../../api/queries';
import {
  activitiesApi,
  customersApi,
  opportunitiesApi,
  remindersApi,
  suggestionsApi,
  todayApi,
} from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { ReschedulePopover } from '../../components/ReschedulePopover';
import { formatDate, formatDateTime, hourInFirmZone } from '../../components/format';
import { formatMoney } from '../../components/money';
import { useLocale, useT, type WebMessageKey } from '../../i18n';
import { CategoryTag } from '../activities/activity-ui';
import { WorkOrderList } from '../engagements/WorkOrderList';
import { KnowledgeSuggestionCard } from '../knowledge-related/SuggestionCard';
import { ChatMentionsCard } from '../chat-extras/ChatMentionsCard';
import { RenewalsTodayCard } from '../renewals/RenewalsTodayCard';
import { TodayCrossSellCard } from '../cross-sell/TodayCrossSellCard';

// The dialogs open on a click: their forms (the contact log's upload, the e-mail draft) are loaded then,
// not with the page.
const LogModal = lazy(() => import('../customers/ContactLogCard').then((m) => ({ default: m.LogModal })));
const SuggestionModal = lazy(() => import('./SuggestionModal').then((m) => ({ default: m.SuggestionModal })));

/** Everything Today shows changes with these collections. */
const TODAY = [todayApi.path, remindersApi.path, activitiesApi.path, customersApi.path, suggestionsApi.path];

function greetingKey(hour: number): WebMessageKey {
  if (hour < 12) return 'home.morning';
  if (hour < 18) return 'home.afternoon';
  return 'home.evening';
}

/** Where an activity, reminder or suggestion lives. */
function recordLink(
  r: { opportunityId?: string | null; leadId?: string | null; customerId?: string | null },
  label: ReactNode,
) {
  const to = r.opportunityId
    ? `/opportunities/${r.opportunityId}`
    : r.leadId
      ? `/leads/${r.leadId}`
      : r.customerId
        ? `/customers/${r.customerId}`
        : null;
  return to ? <Link to={to}>{label}</Link> : label;
}

function TaskList({ items, overdue }: { items: Activity[]; overdue: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [completing, setCompleting] = useState<Activity | null>(null);
  const [notes, setNotes] = useState('');
  const complete = useWrite((a: Activity) => activitiesApi.complete(a.id, { notes: notes || undefined }), TODAY);
  const reschedule = useWrite(
    ({ id, dueAt }: { id: string; dueAt: string }) => activitiesApi.update(id, { dueAt }),
    TODAY,
  );
  return (
    <>
      <List
        dataSource={items}
        split
        renderItem={(a) => (
          <List.Item
            data-testid="today-task"
            actions={[
              <Button
                key="done"
                size="small"
                type="primary"
                ghost
                icon={<CheckOutlined />}
                onClick={() => {
                  setNotes('');
                  setCompleting(a);
                }}
                data-testid="today-task-complete"
              >
                {t('today.complete')}
              </Button>,
              <ReschedulePopover
                title={t('today.rescheduleTo')}
                key="move"
                withTime
                testId="today-task-reschedule"
                onPick={(value) =>
                  reschedule
                    .mutateAsync({ id: a.id, dueAt: value.toISOString() })
                    .then(() => message.success(t('today.rescheduled')), toast)
                }
              >
                <Button size="small" icon={<CalendarOutlined />}>
                  {t('today.reschedule')}
                </Button>
              </ReschedulePopover>,
            ]}
          >
            <List.Item.Meta
              title={
                <Space size={8} wrap>
                  <CategoryTag category={a.category} />
                  <Typography.Text strong>{a.subject}</Typography.Text>
                  {overdue && (
                    <Tag color="red" icon={<WarningOutlined />}>
                      {t('today.overdue')}
                    </Tag>
                  )}
                </Space>
              }
              description={
                <Space size={12} wrap>
                  <span>
                    <ClockCircleOutlined /> {formatDateTime(a.dueAt, locale)}
                  </span>
                  {recordLink(a, a.opportunityName ?? a.leadName ?? a.customerName)}
                  {a.contactName && <span>{a.contactName}</span>}
                </Space>
              }
            />
          </List.Item>
        )}
      />
      <Modal
        open={completing !== null}
        title={t('today.completeTitle', { subject: completing?.subject ?? '' })}
        onCancel={() => setCompleting(null)}
        okText={t('today.complete')}
        okButtonProps={{ loading: complete.isPending, 'data-testid': 'today-complete-submit' }}
        onOk={async () => {
          try {
            await complete.mutateAsync(completing!);
            void message.success(t('today.completed'));
            setCompleting(null);
          } catch (error) {
            toast(error);
          }
        }}
        destroyOnHidden
      >
        <Input.TextArea
          rows={3}
          value={notes}
          maxLength={4000}
          onChange={(e) => setNotes(e.target.value)}
          placeholder={t('today.outcomePlaceholder')}
        />
      </Modal>
    </>
  );
}

/**
 * 项目任务: tasks of projects given to me. Their status is changed here (the assignee may, even
 * without the right to change the opportunity); the project opens only for those who may see it.
 */
function ProjectTasks({ items, today }: { items: MyProjectTask[]; today: string }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const setStatus = useWrite(
    ({ task, status }: { task: MyProjectTask; status: 'doing' | 'done' }) =>
      opportunitiesApi.updateTask(task.opportunityId, task.id, { status }),
    [...TODAY, opportunitiesApi.path],
  );
  const change = (task: MyProjectTask, status: 'doing' | 'done') =>
    setStatus
      .mutateAsync({ task, status })
      .then(() => message.success(t(status === 'done' ? 'today.completed' : 'today.projectTaskStarted')), toast);
  return (
    <List
      dataSource={items}
      renderItem={(task) => (
        <List.Item
          data-testid="today-project-task"
          actions={[
            ...(task.status === 'todo'
              ? [
                  <Button
                    key="start"
                    size="small"
                    onClick={() => void change(task, 'doing')}
                    data-testid="today-project-task-start"
                  >
                    {t('today.projectTaskStart')}
                  </Button>,
                ]
              : []),
            <Button
              key="done"
              size="small"
              type="primary"
              ghost
              icon={<CheckOutlined />}
              onClick={() => void change(task, 'done')}
              data-testid="today-project-task-done"
            >
              {t('today.complete')}
            </Button>,
          ]}
        >
          <List.Item.Meta
            title={
              <Space size={8} wrap>
                <Typography.Text strong>{task.title}</Typography.Text>
                {task.status === 'doing' && <Tag color="blue">{t('today.projectTaskDoing')}</Tag>}
                {task.dueOn && task.dueOn < today && (
                  <Tag color="red" icon={<WarningOutlined />}>
                    {t('today.overdue')}
                  </Tag>
                )}
              </Space>
            }
            description={
              <Space size={12} wrap>
                {task.opportunityVisible ? (
                  <Link to={`/opportunities/${task.opportunityId}?tab=project`}>{task.opportunityName}</Link>
                ) : (
                  <span>{task.opportunityName}</span>
                )}
                {task.milestoneName && <span>{task.milestoneName}</span>}
                {task.dueOn && (
                  <span>
                    <ClockCircleOutlined /> {t('today.projectTaskDue', { date: formatDate(task.dueOn, locale) })}
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

/** Payments due on my contracts and orders: whom to ask for the money, how much, since when. */
function PaymentsDue({ items }: { items: PaymentDue[] }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <List
      dataSource={items}
      renderItem={(p) => (
        <List.Item data-testid="today-payment">
          <List.Item.Meta
            title={
              <Space size={8} wrap>
                <Link to={`/customers/${p.customerId}`}>{p.customerName}</Link>
                <Typography.Text strong>{formatMoney(p.outstanding)}</Typography.Text>
                {p.daysOverdue > 0 ? (
                  <Tag color="red" icon={<WarningOutlined />}>
                    {t('today.paymentOverdue', { days: p.daysOverdue })}
                  </Tag>
                ) : (
                  <Tag color="blue">{t('today.paymentDueToday')}</Tag>
                )}
              </Space>
            }
            description={
              <Space size={12} wrap>
                <span>
                  {p.subjectNumber && <Typography.Text>{p.subjectNumber} </Typography.Text>}
                  {p.subjectTitle}
                </span>
                <span>{t(`today.paymentKind.${p.kind}`, { position: p.position })}</span>
                <span>
                  <ClockCircleOutlined /> {formatDate(p.dueOn, locale)}
                </span>
              </Space>
            }
          />
        </List.Item>
      )}
    />
  );
}

function CallsDue({ items, today }: { items: CallDue[]; today: string }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [logging, setLogging] = useState<CallDue | null>(null);
  const move = useWrite(({ id, on }: { id: string; on: string }) => customersApi.setNextContact(id, on), TODAY);
  return (
    <>
      <List
        dataSource={items}
        renderItem={(c) => (
          <List.Item
            data-testid="today-call"
            actions={[
              <Button
                key="log"
                size="small"
                type="primary"
                ghost
                icon={<PhoneOutlined />}
                onClick={() => setLogging(c)}
                data-testid="today-call-log"
              >
                {t('today.logCall')}
              </Button>,
              <ReschedulePopover
                title={t('today.rescheduleTo')}
                key="move"
                withTime={false}
                testId="today-call-reschedule"
                onPick={(value) =>
                  move
                    .mutateAsync({ id: c.customerId, on: value.format('YYYY-MM-DD') })
                    .then(() => message.success(t('today.rescheduled')), toast)
                }
              >
                <Button size="small" icon={<CalendarOutlined />}>
                  {t('today.reschedule')}
                </Button>
              </ReschedulePopover>,
            ]}
          >
            <List.Item.Meta
              title={
                <Space size={8} wrap>
                  <Link to={`/customers/${c.customerId}`}>{c.customerName}</Link>
                  {c.nextContactOn < today && (
                    <Tag color="red">{t('today.since', { date: formatDate(c.nextContactOn, locale) })}</Tag>
                  )}
                </Space>
              }
              description={
                <Space size={12} wrap>
                  {c.contactName && <span>{c.contactName}</span>}
                  {c.phone && (
                    <a href={`tel:${c.phone}`}>
                      <PhoneOutlined /> {c.phone}
                    </a>
                  )}
                  <Typography.Text type="secondary">
                    {c.lastContactAt
                      ? t('today.lastContact', { date: formatDate(c.lastContactAt, locale) })
                      : t('today.neverContacted')}
                  </Typography.Text>
                </Space>
              }
            />
          </List.Item>
        )}
      />
      {logging && (
        <Suspense fallback={null}>
          <LogModal
            customerId={logging.customerId}
            contactId={logging.contactId}
            open
            onClose={() => setLogging(null)}
          />
        </Suspense>
      )}
    </>
  );
}

function Reminders({ items }: { items: Reminder[] }) {
  const t = useT();
  const { locale } = useLocale();
  const toast = useErrorToast();
  const dismiss = useWrite((id: string) => remindersApi.dismiss(id), TODAY);
  const snooze = useWrite(
    ({ id, until }: { id: string; until: Date }) => remindersApi.snooze(id, until.toISOString()),
    TODAY,
  );
  const later = (id: string, until: Dayjs) => snooze.mutateAsync({ id, until: until.toDate() }).catch(toast);
  return (
    <List
      dataSource={items}
      renderItem={(r) => (
        <List.Item
          data-testid="today-reminder"
          actions={[
            <Button
              key="ok"
              size="small"
              type="link"
              onClick={() => dismiss.mutateAsync(r.id).catch(toast)}
              data-testid="today-reminder-dismiss"
            >
              {t('today.dismiss')}
            </Button>,
            <Dropdown
              key="snooze"
              trigger={['click']}
              menu={{
                items: [
                  {
                    key: 'hour',
                    label: t('today.snoozeHour'),
                    onClick: () => void later(r.id, dayjs().add(1, 'hour')),
                  },
                  {
                    key: 'tomorrow',
                    label: t('today.snoozeTomorrow'),
                    onClick: () => void later(r.id, dayjs().add(1, 'day').hour(9).minute(0).second(0)),
                  },
                  {
                    key: 'week',
                    label: t('today.snoozeWeek'),
                    onClick: () => void later(r.id, dayjs().add(7, 'day').hour(9).minute(0).second(0)),
                  },
                ],
              }}
            >
              <Button size="small" type="link" data-testid="today-reminder-snooze">
                {t('today.snooze')}
              </Button>
            </Dropdown>,
          ]}
        >
          <List.Item.Meta
            avatar={<BellOutlined style={{ color: '#fa8c16' }} />}
            title={recordLink(r, r.title || r.customerName)}
            description={
              <Space orientation="vertical" size={0}>
                <Typography.Text type="secondary">
                  {t(`reminder.kind.${r.kind}`)} · {formatDateTime(r.remindAt, locale)}
                </Typography.Text>
                {r.note && <Typography.Text>{r.note}</Typography.Text>}
              </Space>
            }
          />
        </List.Item>
      )}
    />
  );
}

function Section({
  title,
  count,
  icon,
  children,
  empty,
  testId,
}: {
  title: string;
  count: number;
  icon: ReactNode;
  children: ReactNode;
  empty: string;
  testId: string;
}) {
  return (
    <Card
      size="small"
      title={
        <Space>
          {icon}
          {title}
          <Badge count={count} showZero color={count ? '#1677ff' : '#d9d9d9'} />
        </Space>
      }
      data-testid={testId}
    >
      {count === 0 ? <EmptyState title={empty} /> : children}
    </Card>
  );
}

/**
 * Today 今日 — the salesperson's start page: overdue and today's tasks, reminders that went off,
 * customers to call today (with the phone number), customers going quiet (with a drafted e-mail),
 * audits and other services due soon, and new leads — each with its one-click action.
 */
export function TodayPage() {
  const t = useT();
  const me = useMe();
  const { locale } = useLocale();
  const query = useQuery({ queryKey: [todayApi.path], queryFn: todayApi.get, refetchInterval: 5 * 60_000 });
  const [drafting, setDrafting] = useState<string | null>(null);
  const toast = useErrorToast();
  const dismissSuggestion = useWrite((id: string) => suggestionsApi.dismiss(id), TODAY);
  if (failedWithoutData(query)) return <LoadError query={query} />;
  if (!query.data) return <Skeleton active />;
  const d = query.data;
  const tasks = d.overdue.length + d.today.length;
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="today">
      <Card>
        <Flex justify="space-between" align="center" wrap gap={8}>
          <div>
            <Typography.Title level={3} style={{ margin: 0 }} data-testid="greeting">
              {t(greetingKey(hourInFirmZone()), { name: me.user.displayName })}
            </Typography.Title>
            <Typography.Text type="secondary" data-testid="today-summary">
              {t('today.summary', {
                date: formatDate(d.date, locale),
                tasks,
                calls: d.callsDue.length,
                reminders: d.reminders.length,
              })}
            </Typography.Text>
          </div>
          <Link to="/calendar">
            <Button icon={<CalendarOutlined />}>{t('nav.calendar')}</Button>
          </Link>
        </Flex>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Section
              title={t('today.tasks')}
              count={tasks}
              icon={<CheckOutlined />}
              empty={t('today.noTasks')}
              testId="today-tasks"
            >
              {d.overdue.length > 0 && <TaskList items={d.overdue} overdue />}
              {d.today.length > 0 && <TaskList items={d.today} overdue={false} />}
            </Section>
            {d.projectTasks.length > 0 && (
              <Section
                title={t('today.projectTasks')}
                count={d.projectTasks.length}
                icon={<CarryOutOutlined />}
                empty={t('today.noTasks')}
                testId="today-project-tasks"
              >
                <ProjectTasks items={d.projectTasks} today={d.date} />
              </Section>
            )}
            {d.workOrders.length > 0 && (
              <Section
                title={t('today.workOrders')}
                count={d.workOrders.length}
                icon={<ProfileOutlined />}
                empty={t('today.noTasks')}
                testId="today-work-orders"
              >
                <WorkOrderList items={d.workOrders} today={d.date} />
              </Section>
            )}
            {d.paymentsDue.length > 0 && (
              <Section
                title={t('today.payments')}
                count={d.paymentsDue.length}
                icon={<MoneyCollectOutlined />}
                empty={t('today.noTasks')}
                testId="today-payments"
              >
                <PaymentsDue items={d.paymentsDue} />
              </Section>
            )}
            {d.renewals.length > 0 && <RenewalsTodayCard items={d.renewals} today={d.date} />}
            <Section
              title={t('today.calls')}
              count={d.callsDue.length}
              icon={<PhoneOutlined />}
              empty={t('today.noCalls')}
              testId="today-calls"
            >
              <CallsDue items={d.callsDue} today={d.date} />
            </Section>
            <Section
              title={t('today.inactive')}
              count={d.inactive.length}
              icon={<MailOutlined />}
              empty={t('today.noInactive')}
              testId="today-inactive"
            >
              <List
                dataSource={d.inactive}
                renderItem={(s) => (
                  <List.Item
                    data-testid="today-suggestion"
                    actions={[
                      <Button
                        key="draft"
                        size="small"
                        type="primary"
                        ghost
                        icon={<MailOutlined />}
                        onClick={() => setDrafting(s.id)}
                        data-testid="today-suggestion-draft"
                      >
                        {t('suggestion.openDraft')}
                      </Button>,
                      <Popconfirm
                        key="dismiss"
                        title={t('suggestion.dismissConfirm')}
                        onConfirm={() => dismissSuggestion.mutateAsync(s.id).catch(toast)}
                      >
                        <Button size="small" type="link">
                          {t('today.dismiss')}
                        </Button>
                      </Popconfirm>,
                    ]}
                  >
                    <List.Item.Meta
                      title={
                        <Space size={8}>
                          <Link to={`/customers/${s.customerId}`}>{s.customerName}</Link>
                          {s.customerTier && <Tag>{t('suggestion.tier', { tier: s.customerTier })}</Tag>}
                        </Space>
                      }
                      description={t('suggestion.quiet', { days: s.days })}
                    />
                  </List.Item>
                )}
              />
            </Section>
          </Space>
        </Col>
        <Col xs={24} xl={9}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            {can(me, 'chat:use') && <ChatMentionsCard count={d.chatMentions.count} items={d.chatMentions.items} />}
            <KnowledgeSuggestionCard article={d.knowledgeSuggestion} />
            <TodayCrossSellCard items={d.crossSell} />
            <Section
              title={t('today.reminders')}
              count={d.reminders.length}
              icon={<BellOutlined />}
              empty={t('today.noReminders')}
              testId="today-reminders"
            >
              <Reminders items={d.reminders} />
            </Section>
            {can(me, 'leads:assign', 'department') && (
              <Section
                title={t('today.queuedLeads')}
                count={d.queuedLeads.length}
                icon={<InboxOutlined />}
                empty={t('today.noQueuedLeads')}
                testId="today-queue"
              >
                <List
                  dataSource={d.queuedLeads}
                  renderItem={(l) => (
                    <List.Item data-testid="today-queued-lead">
                      <List.Item.Meta
                        title={<Link to={`/leads/${l.id}`}>{l.companyName}</Link>}
                        description={
                          <Space size={12} wrap>
                            {l.queueDepartmentName && <Tag>{l.queueDepartmentName}</Tag>}
                            {l.contactName && <span>{l.contactName}</span>}
                            {l.assignedAt && (
                              <Typography.Text type="secondary">
                                {t('today.arrived', { time: formatDateTime(l.assignedAt, locale) })}
                              </Typography.Text>
                            )}
                          </Space>
                        }
                      />
                    </List.Item>
                  )}
                />
              </Section>
            )}
            {can(me, 'leads:read') && (
              <Section
                title={t('today.newLeads')}
                count={d.newLeads.length}
                icon={<UserAddOutlined />}
                empty={t('today.noLeads')}
                testId="today-leads"
              >
                <List
                  dataSource={d.newLeads}
                  renderItem={(l) => (
                    <List.Item data-testid="today-lead">
                      <List.Item.Meta
                        title={<Link to={`/leads/${l.id}`}>{l.companyName}</Link>}
                        description={
                          <Space size={12} wrap>
                            {l.contactName && <span>{l.contactName}</span>}
                            {l.phone && (
                              <a href={`tel:${l.phone}`}>
                                <PhoneOutlined /> {l.phone}
                              </a>
                            )}
                            {l.assignedAt && (
                              <Typography.Text type="secondary">{formatDateTime(l.assignedAt, locale)}</Typography.Text>
                            )}
                          </Space>
                        }
                      />
                    </List.Item>
                  )}
                />
              </Section>
            )}
            <Section
              title={t('today.services')}
              count={d.servicesDue.length}
              icon={<CalendarOutlined />}
              empty={t('today.noServices')}
              testId="today-services"
            >
              <List
                dataSource={d.servicesDue}
                renderItem={(s) => {
                  const days = dayjs(s.nextDueOn).diff(dayjs(d.date), 'day');
                  return (
                    <List.Item data-testid="today-service">
                      <List.Item.Meta
                        title={<Link to={`/customers/${s.customerId}`}>{s.customerName}</Link>}
                        description={
                          <Space size={8} wrap>
                            <Tag color="blue">{s.businessLineName}</Tag>
                            <span>{formatDate(s.nextDueOn, locale)}</span>
                            <Tag color={days < 0 ? 'red' : days <= 7 ? 'orange' : 'default'}>
                              {days < 0 ? t('today.serviceOverdue', { days: -days }) : t('today.serviceIn', { days })}
                            </Tag>
                          </Space>
                        }
                      />
                    </List.Item>
                  );
                }}
              />
            </Section>
          </Space>
        </Col>
      </Row>
      {drafting && (
        <Suspense fallback={null}>
          <SuggestionModal suggestion={d.inactive.find((s) => s.id === drafting)!} onClose={() => setDrafting(null)} />
        </Suspense>
      )}
    </Space>
  );
}
