import { DeleteOutlined, EditOutlined, FlagOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Progress,
  Row,
  Select,
  Skeleton,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { TASK_STATUSES, type Milestone, type Project, type ProjectTask } from '../../../common/schemas/opportunities';
import { useDirectory, useWrite } from '../../api/queries';
import { opportunitiesApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { LoadError } from '../../components/QueryState';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast, useFormSubmitError } from '../../components/errors';
import { firmToday, formatDate } from '../../components/format';
import { personLabel } from '../../components/labels';
import { useLocale, useT } from '../../i18n';
import { TASK_STATUS_COLORS, testId } from './opportunity-ui';

type TaskStatus = (typeof TASK_STATUSES)[number];
const DAY = 86_400_000;
const day = (iso: string) => new Date(`${iso}T00:00:00Z`).getTime() / DAY;
const iso = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : null);

function MilestoneModal({
  opportunityId,
  milestone,
  open,
  onClose,
}: {
  opportunityId: string;
  milestone: Milestone | null;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; dueOn?: Dayjs | null }>();
  const onError = useFormSubmitError(form, { names: ['name', 'dueOn'] });
  const save = useWrite(
    (v: { name: string; dueOn?: Dayjs | null }) => {
      const body = { name: v.name.trim(), dueOn: iso(v.dueOn) };
      return milestone
        ? opportunitiesApi.updateMilestone(opportunityId, milestone.id, body)
        : opportunitiesApi.createMilestone(opportunityId, body);
    },
    [opportunitiesApi.path],
  );
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (milestone)
      form.setFieldsValue({ name: milestone.name, dueOn: milestone.dueOn ? dayjs(milestone.dueOn) : null });
  }, [open, milestone, form]);
  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      okText={t('common.save')}
      title={t(milestone ? 'project.milestoneEdit' : 'project.milestoneNew')}
      destroyOnHidden
      okButtonProps={{ ...testId('milestone-submit') }}
    >
      <Form
        form={form}
        layout="vertical"
        name="milestone"
        onFinish={(v) =>
          save.mutateAsync(v).then(() => {
            void message.success(t('common.saved'));
            onClose();
          }, onError)
        }
      >
        <Form.Item
          name="name"
          label={t('project.milestoneName')}
          rules={[
            { required: true, whitespace: true, message: t('form.required', { field: t('project.milestoneName') }) },
            { max: 200 },
          ]}
        >
          <Input autoFocus placeholder={t('project.milestonePlaceholder')} data-testid="milestone-name" />
        </Form.Item>
        <Form.Item name="dueOn" label={t('project.dueOn')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

type TaskValues = {
  title: string;
  milestoneId?: string | null;
  assigneeId?: string | null;
  range?: [Dayjs | null, Dayjs | null] | null;
  status?: TaskStatus;
};

function TaskModal({
  opportunityId,
  task,
  milestones,
  open,
  onClose,
}: {
  opportunityId: string;
  task: ProjectTask | null;
  milestones: Milestone[];
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const directory = useDirectory(open);
  const [form] = Form.useForm<TaskValues>();
  const onError = useFormSubmitError(form, {
    names: ['title', 'milestoneId', 'assigneeId', 'range', 'status'],
    rename: { startsOn: 'range', dueOn: 'range' },
  });
  const save = useWrite(
    (v: TaskValues) => {
      const body = {
        title: v.title.trim(),
        milestoneId: v.milestoneId ?? null,
        assigneeId: v.assigneeId ?? null,
        startsOn: iso(v.range?.[0]),
        dueOn: iso(v.range?.[1]),
      };
      return task
        ? opportunitiesApi.updateTask(opportunityId, task.id, { ...body, status: v.status })
        : opportunitiesApi.createTask(opportunityId, body);
    },
    [opportunitiesApi.path],
  );
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (task)
      form.setFieldsValue({
        title: task.title,
        milestoneId: task.milestoneId,
        assigneeId: task.assigneeId,
        range: [task.startsOn ? dayjs(task.startsOn) : null, task.dueOn ? dayjs(task.dueOn) : null],
        status: task.status,
      });
  }, [open, task, form]);
  const people = (directory.data ?? []).map((u) => ({
    value: u.id,
    label: personLabel(locale, u) + (u.departmentName ? ` · ${u.departmentName}` : ''),
  }));
  if (task?.assigneeId && !people.some((p) => p.value === task.assigneeId))
    people.push({ value: task.assigneeId, label: task.assigneeName ?? '' });
  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      okText={t('common.save')}
      title={t(task ? 'project.taskEdit' : 'project.taskNew')}
      destroyOnHidden
      width={600}
      okButtonProps={{ ...testId('task-submit') }}
    >
      <Form
        form={form}
        layout="vertical"
        name="task"
        onFinish={(v) =>
          save.mutateAsync(v).then(() => {
            void message.success(t('common.saved'));
            onClose();
          }, onError)
        }
      >
        <Form.Item
          name="title"
          label={t('project.taskTitle')}
          rules={[
            { required: true, whitespace: true, message: t('form.required', { field: t('project.taskTitle') }) },
            { max: 200 },
          ]}
        >
          <Input autoFocus data-testid="task-title" />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="milestoneId" label={t('project.milestone')}>
              <Select
                allowClear
                options={milestones.map((m) => ({ value: m.id, label: m.name }))}
                placeholder={t('project.noMilestone')}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="assigneeId" label={t('project.assignee')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                options={people}
                loading={directory.isPending}
                data-testid="task-assignee"
              />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col span={task ? 16 : 24}>
            <Form.Item name="range" label={t('project.dates')}>
              <DatePicker.RangePicker
                allowEmpty={[true, true]}
                style={{ width: '100%' }}
                placeholder={[t('project.startsOn'), t('project.dueOn')]}
              />
            </Form.Item>
          </Col>
          {task && (
            <Col span={8}>
              <Form.Item name="status" label={t('common.status')}>
                <Select options={TASK_STATUSES.map((s) => ({ value: s, label: t(`project.taskStatus.${s}`) }))} />
              </Form.Item>
            </Col>
          )}
        </Row>
      </Form>
    </Modal>
  );
}

const BAR_COLORS: Record<TaskStatus, string> = { todo: '#8c8c8c', doing: '#1f5fbf', done: '#52c41a' };

/** A simple Gantt chart: a bar per task from its start to its due date, milestones as flags, today as a line. */
function Timeline({ project }: { project: Project }) {
  const t = useT();
  const { locale } = useLocale();
  const dated = project.tasks.filter((task) => task.startsOn || task.dueOn);
  const range = useMemo(() => {
    const days: number[] = [];
    for (const task of dated) {
      if (task.startsOn) days.push(day(task.startsOn));
      if (task.dueOn) days.push(day(task.dueOn));
    }
    for (const m of project.milestones) if (m.dueOn) days.push(day(m.dueOn));
    if (days.length === 0) return null;
    const start = Math.min(...days) - 1;
    const end = Math.max(...days) + 2;
    return { start, end, span: Math.max(end - start, 7) };
  }, [dated, project.milestones]);
  if (!range) return <EmptyState title={t('project.timelineEmpty')} hint={t('project.timelineEmptyHint')} />;

  const pct = (d: number) => `${((d - range.start) / range.span) * 100}%`;
  const today = day(firmToday());
  // Month ticks (or weekly ones for short projects).
  const ticks: { at: number; label: string }[] = [];
  const first = dayjs(new Date(range.start * DAY));
  const weekly = range.span <= 60;
  for (
    let d = weekly ? first.startOf('week') : first.startOf('month');
    d.valueOf() / DAY <= range.start + range.span;
    d = weekly ? d.add(1, 'week') : d.add(1, 'month')
  ) {
    const at = day(d.format('YYYY-MM-DD'));
    if (at >= range.start)
      ticks.push({
        at,
        label: weekly
          ? d.format(locale === 'zh-CN' ? 'M/D' : 'MMM D')
          : d.format(locale === 'zh-CN' ? 'YYYY年M月' : 'MMM YYYY'),
      });
  }
  const LABEL = 180;
  return (
    <div data-testid="project-gantt" style={{ overflowX: 'auto' }}>
      <div style={{ minWidth: 720 }}>
        <Flex style={{ height: 24, borderBottom: '1px solid #f0f0f0' }}>
          <div style={{ width: LABEL, flex: 'none' }} />
          <div style={{ position: 'relative', flex: 1 }}>
            {ticks.map((tick) => (
              <Typography.Text
                key={tick.at}
                type="secondary"
                style={{
                  position: 'absolute',
                  left: pct(tick.at),
                  fontSize: 11,
                  whiteSpace: 'nowrap',
                  paddingInlineStart: 2,
                  borderInlineStart: '1px solid #e8e8e8',
                }}
              >
                {tick.label}
              </Typography.Text>
            ))}
          </div>
        </Flex>
        {project.milestones.some((m) => m.dueOn) && (
          <Flex style={{ height: 26, alignItems: 'center' }}>
            <Typography.Text type="secondary" style={{ width: LABEL, flex: 'none', fontSize: 12 }}>
              {t('project.milestones')}
            </Typography.Text>
            <div style={{ position: 'relative', flex: 1, height: '100%' }}>
              {project.milestones
                .filter((m) => m.dueOn)
                .map((m) => (
                  <Tooltip key={m.id} title={`${m.name} · ${formatDate(m.dueOn, locale)} · ${m.progress}%`}>
                    <FlagOutlined
                      style={{
                        position: 'absolute',
                        left: pct(day(m.dueOn!)),
                        top: 5,
                        color: m.progress === 100 ? '#52c41a' : '#fa8c16',
                        transform: 'translateX(-50%)',
                      }}
                    />
                  </Tooltip>
                ))}
            </div>
          </Flex>
        )}
        {dated.map((task) => {
          const start = day(task.startsOn ?? task.dueOn!);
          const end = day(task.dueOn ?? task.startsOn!) + 1;
          const late = task.status !== 'done' && task.dueOn !== null && task.dueOn < firmToday();
          return (
            <Flex
              key={task.id}
              style={{ height: 28, alignItems: 'center', borderBottom: '1px dashed #f5f5f5' }}
              data-testid="gantt-row"
            >
              <Typography.Text
                ellipsis
                style={{ width: LABEL, flex: 'none', fontSize: 12, paddingInlineEnd: 8 }}
                title={task.title}
              >
                {task.title}
              </Typography.Text>
              <div style={{ position: 'relative', flex: 1, height: '100%' }}>
                {today >= range.start && today <= range.start + range.span && (
                  <div
                    style={{
                      position: 'absolute',
                      left: pct(today),
                      top: 0,
                      bottom: 0,
                      borderInlineStart: '1px dashed #ff4d4f',
                    }}
                  />
                )}
                <Tooltip
                  title={`${task.title} · ${formatDate(task.startsOn, locale) || '…'} – ${formatDate(task.dueOn, locale) || '…'} · ${t(`project.taskStatus.${task.status}`)}${task.assigneeName ? ` · ${task.assigneeName}` : ''}`}
                >
                  <div
                    style={{
                      position: 'absolute',
                      left: pct(start),
                      width: `max(6px, calc(${pct(end)} - ${pct(start)}))`,
                      top: 6,
                      height: 16,
                      borderRadius: 4,
                      background: BAR_COLORS[task.status],
                      outline: late ? '2px solid #ff4d4f' : undefined,
                      color: '#fff',
                      fontSize: 11,
                      lineHeight: '16px',
                      paddingInline: 4,
                      overflow: 'hidden',
                      whiteSpace: 'nowrap',
                    }}
                  >
                    {task.assigneeName}
                  </div>
                </Tooltip>
              </div>
            </Flex>
          );
        })}
        <Flex gap={16} style={{ marginTop: 8, fontSize: 12 }} wrap>
          {TASK_STATUSES.map((s) => (
            <Flex key={s} gap={4} align="center">
              <span
                style={{ display: 'inline-block', width: 12, height: 8, borderRadius: 2, background: BAR_COLORS[s] }}
              />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t(`project.taskStatus.${s}`)}
              </Typography.Text>
            </Flex>
          ))}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            <span style={{ color: '#ff4d4f' }}>┆</span> {t('project.today')}
          </Typography.Text>
        </Flex>
      </div>
    </div>
  );
}

/** 项目: a large opportunity run as a project — milestones, tasks across departments, progress and a timeline. */
export function ProjectTab({ opportunityId, editable }: { opportunityId: string; editable: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const me = useMe();
  const project = useQuery({
    queryKey: [opportunitiesApi.path, opportunityId, 'project'],
    queryFn: () => opportunitiesApi.project(opportunityId),
  });
  const [milestone, setMilestone] = useState<{ value: Milestone | null } | null>(null);
  const [task, setTask] = useState<{ value: ProjectTask | null } | null>(null);
  const removeMilestone = useWrite(
    (id: string) => opportunitiesApi.removeMilestone(opportunityId, id),
    [opportunitiesApi.path],
  );
  const removeTask = useWrite((id: string) => opportunitiesApi.removeTask(opportunityId, id), [opportunitiesApi.path]);
  const setStatus = useWrite(
    ({ id, status }: { id: string; status: TaskStatus }) => opportunitiesApi.updateTask(opportunityId, id, { status }),
    [opportunitiesApi.path],
  );

  if (project.isPending) return <Skeleton active />;
  if (!project.data) return <LoadError query={project} />;
  const p = project.data;
  const milestoneName = (id: string | null) => p.milestones.find((m) => m.id === id)?.name;
  const today = firmToday();

  return (
    <Flex vertical gap={16} data-testid="project-tab">
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={8}>
          <Card size="small" title={t('project.progress')} style={{ height: '100%' }}>
            <Flex vertical align="center" gap={8}>
              <Progress type="circle" percent={p.progress} size={110} data-testid="project-progress" />
              <Typography.Text type="secondary">
                {t('project.tasksDone', {
                  done: p.tasks.filter((x) => x.status === 'done').length,
                  total: p.tasks.length,
                })}
              </Typography.Text>
            </Flex>
          </Card>
        </Col>
        <Col xs={24} xl={16}>
          <Card
            size="small"
            title={t('project.milestones')}
            style={{ height: '100%' }}
            extra={
              editable && (
                <Button
                  size="small"
                  icon={<PlusOutlined />}
                  onClick={() => setMilestone({ value: null })}
                  data-testid="milestone-new"
                >
                  {t('project.milestoneNew')}
                </Button>
              )
            }
          >
            {p.milestones.length === 0 ? (
              <EmptyState
                title={t('project.milestonesEmpty')}
                hint={editable ? t('project.milestonesEmptyHint') : undefined}
              />
            ) : (
              <Flex vertical gap={8}>
                {[...p.milestones]
                  .sort((a, b) => a.position - b.position)
                  .map((m) => (
                    <Flex key={m.id} align="center" gap={12} data-testid="milestone">
                      <FlagOutlined style={{ color: m.progress === 100 ? '#52c41a' : '#fa8c16' }} />
                      <Typography.Text strong style={{ width: 180 }} ellipsis>
                        {m.name}
                      </Typography.Text>
                      <Typography.Text
                        type={m.dueOn && m.dueOn < today && m.progress < 100 ? 'danger' : 'secondary'}
                        style={{ width: 110, fontSize: 12 }}
                      >
                        {m.dueOn ? formatDate(m.dueOn, locale) : t('project.noDate')}
                      </Typography.Text>
                      <Progress percent={m.progress} size="small" style={{ flex: 1, margin: 0 }} />
                      {editable && (
                        <Flex gap={0}>
                          <Button
                            type="text"
                            size="small"
                            icon={<EditOutlined />}
                            aria-label={t('common.edit')}
                            onClick={() => setMilestone({ value: m })}
                          />
                          <Popconfirm
                            title={t('project.milestoneDeleteConfirm', { name: m.name })}
                            okButtonProps={{ danger: true }}
                            onConfirm={() =>
                              removeMilestone
                                .mutateAsync(m.id)
                                .then(() => void message.success(t('common.deleted')), toast)
                            }
                          >
                            <Button
                              type="text"
                              size="small"
                              icon={<DeleteOutlined />}
                              aria-label={t('common.delete')}
                            />
                          </Popconfirm>
                        </Flex>
                      )}
                    </Flex>
                  ))}
              </Flex>
            )}
          </Card>
        </Col>
      </Row>
      <Card
        size="small"
        title={t('project.tasks')}
        extra={
          editable && (
            <Button
              size="small"
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setTask({ value: null })}
              data-testid="task-new"
            >
              {t('project.taskNew')}
            </Button>
          )
        }
      >
        <Table<ProjectTask>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={p.tasks}
          data-testid="project-tasks"
          scroll={{ x: 'max-content' }}
          locale={{
            emptyText: (
              <EmptyState title={t('project.tasksEmpty')} hint={editable ? t('project.tasksEmptyHint') : undefined} />
            ),
          }}
          columns={[
            {
              key: 'title',
              title: t('project.taskTitle'),
              render: (_, x) => <Typography.Text delete={x.status === 'done'}>{x.title}</Typography.Text>,
            },
            {
              key: 'milestone',
              title: t('project.milestone'),
              render: (_, x) => milestoneName(x.milestoneId) ?? <Typography.Text type="secondary">—</Typography.Text>,
            },
            {
              key: 'assignee',
              title: t('project.assignee'),
              render: (_, x) =>
                x.assigneeName ? (
                  <>
                    {x.assigneeName}
                    {x.assigneeDepartmentName && (
                      <Typography.Text type="secondary"> · {x.assigneeDepartmentName}</Typography.Text>
                    )}
                  </>
                ) : (
                  <Typography.Text type="secondary">—</Typography.Text>
                ),
            },
            {
              key: 'startsOn',
              title: t('project.startsOn'),
              render: (_, x) => formatDate(x.startsOn, locale) || <Typography.Text type="secondary">—</Typography.Text>,
            },
            {
              key: 'dueOn',
              title: t('project.dueOn'),
              render: (_, x) => (
                <Typography.Text type={x.status !== 'done' && x.dueOn && x.dueOn < today ? 'danger' : undefined}>
                  {formatDate(x.dueOn, locale) || '—'}
                </Typography.Text>
              ),
            },
            {
              key: 'status',
              title: t('common.status'),
              // The task's assignee changes its status too (the server allows them that, and only that).
              render: (_, x) =>
                editable || x.assigneeId === me.user.id ? (
                  <Select<TaskStatus>
                    size="small"
                    value={x.status}
                    style={{ width: 100 }}
                    data-testid="task-status"
                    options={TASK_STATUSES.map((s) => ({
                      value: s,
                      label: (
                        <Tag color={TASK_STATUS_COLORS[s]} style={{ marginInlineEnd: 0 }}>
                          {t(`project.taskStatus.${s}`)}
                        </Tag>
                      ),
                    }))}
                    onChange={(status) => void setStatus.mutateAsync({ id: x.id, status }).catch(toast)}
                  />
                ) : (
                  <Tag color={TASK_STATUS_COLORS[x.status]}>{t(`project.taskStatus.${x.status}`)}</Tag>
                ),
            },
            ...(editable
              ? [
                  {
                    key: 'actions',
                    title: t('common.actions'),
                    render: (_: unknown, x: ProjectTask) => (
                      <Flex gap={0}>
                        <Button
                          type="text"
                          size="small"
                          icon={<EditOutlined />}
                          aria-label={t('common.edit')}
                          onClick={() => setTask({ value: x })}
                        />
                        <Popconfirm
                          title={t('project.taskDeleteConfirm', { name: x.title })}
                          okButtonProps={{ danger: true }}
                          onConfirm={() =>
                            removeTask.mutateAsync(x.id).then(() => void message.success(t('common.deleted')), toast)
                          }
                        >
                          <Button type="text" size="small" icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                        </Popconfirm>
                      </Flex>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Card size="small" title={t('project.timeline')}>
        <Timeline project={p} />
      </Card>
      {editable && (
        <MilestoneModal
          opportunityId={opportunityId}
          milestone={milestone?.value ?? null}
          open={milestone !== null}
          onClose={() => setMilestone(null)}
        />
      )}
      {editable && (
        <TaskModal
          opportunityId={opportunityId}
          task={task?.value ?? null}
          milestones={p.milestones}
          open={task !== null}
          onClose={() => setTask(null)}
        />
      )}
    </Flex>
  );
}
