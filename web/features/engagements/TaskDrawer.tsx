import { PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, DatePicker, Divider, Flex, Form, Input, List, Select, Space, Typography, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { ENGAGEMENT_ROLES, type Engagement, type Phase, type Task } from '../../../common/schemas/engagements';
import { useWrite } from '../../api/queries';
import { engagementsApi, workOrdersApi } from '../../api/resources';
import { useErrorToast, useFormSubmitError } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { FormDrawer } from '../../components/FormDrawer';
import { LoadError } from '../../components/QueryState';
import { useLocale, useT } from '../../i18n';
import { ENGAGEMENT_INVALIDATES, roleLabel, TaskStatusTag } from './engagement-ui';

type Values = {
  title: string;
  role?: Task['role'];
  assigneeId?: string | null;
  startsOn?: Dayjs | null;
  dueOn?: Dayjs | null;
  plannedHours?: string;
};
const FIELDS = { names: ['title', 'role', 'assigneeId', 'startsOn', 'dueOn', 'plannedHours'] };
const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : null);

/**
 * A work order: planners edit it (or make a new one in the phase); everyone who sees the engagement reads its
 * comments and working papers, and the assignee and the team add theirs.
 */
export function TaskDrawer({
  engagement,
  phase,
  task,
  onClose,
}: {
  engagement: Engagement;
  phase: Phase;
  task: Task | null;
  onClose: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const plans = engagement.mayChange && engagement.status === 'in-progress';
  const save = useWrite((v: Values) => {
    const body = {
      title: v.title,
      role: v.role ?? null,
      assigneeId: v.assigneeId ?? null,
      startsOn: day(v.startsOn),
      dueOn: day(v.dueOn),
      plannedHours: v.plannedHours?.trim() ? v.plannedHours.trim() : null,
    };
    return task
      ? workOrdersApi.update(task.id, body)
      : engagementsApi.createTask(engagement.id, { ...body, phaseId: phase.id });
  }, ENGAGEMENT_INVALIDATES);
  const onError = useFormSubmitError(form, FIELDS);
  useEffect(() => {
    form.resetFields();
    if (task)
      form.setFieldsValue({
        title: task.title,
        role: task.role,
        assigneeId: task.assigneeId,
        startsOn: task.startsOn ? dayjs(task.startsOn) : null,
        dueOn: task.dueOn ? dayjs(task.dueOn) : null,
        plannedHours: task.plannedHours ?? undefined,
      });
    else
      form.setFieldsValue({
        startsOn: phase.startsOn ? dayjs(phase.startsOn) : null,
        dueOn: phase.dueOn ? dayjs(phase.dueOn) : null,
      });
  }, [task, phase, form]);

  const submit = (v: Values) =>
    save.mutateAsync(v).then(() => {
      void message.success(t('engagement.taskSaved'));
      onClose();
    }, onError);

  const title = task ? (plans ? t('engagement.taskEdit') : task.title) : t('engagement.taskNew');
  return (
    <FormDrawer
      open
      title={title}
      onClose={onClose}
      onSave={() => (plans ? form.submit() : onClose())}
      saving={save.isPending}
      saveTestId="task-save"
    >
      <Typography.Paragraph type="secondary">
        {t('engagement.taskPhase')}: {phase.position}. {phase.name}
      </Typography.Paragraph>
      {plans ? (
        <Form<Values> form={form} layout="vertical" name="engagement-task" onFinish={submit}>
          <Form.Item
            name="title"
            label={t('engagement.taskTitle')}
            rules={[
              { required: true, whitespace: true, message: t('form.required', { field: t('engagement.taskTitle') }) },
              { max: 200 },
            ]}
          >
            <Input data-testid="task-title" />
          </Form.Item>
          <Flex gap={12} wrap>
            <Form.Item name="assigneeId" label={t('engagement.assignee')} style={{ flex: '1 1 200px' }}>
              <Select
                allowClear
                placeholder={t('engagement.unassigned')}
                options={engagement.members.map((m) => ({ value: m.userId, label: m.name }))}
                data-testid="task-assignee-select"
              />
            </Form.Item>
            <Form.Item name="role" label={t('engagement.taskRole')} style={{ flex: '1 1 160px' }}>
              <Select allowClear options={ENGAGEMENT_ROLES.map((r) => ({ value: r, label: roleLabel(t, r) }))} />
            </Form.Item>
          </Flex>
          <Flex gap={12} wrap>
            <Form.Item name="startsOn" label={t('engagement.taskStarts')} style={{ flex: '1 1 140px' }}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="dueOn" label={t('engagement.taskDue')} style={{ flex: '1 1 140px' }}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="plannedHours" label={t('engagement.taskHours')} style={{ flex: '1 1 120px' }}>
              <Input inputMode="decimal" placeholder="8" />
            </Form.Item>
          </Flex>
        </Form>
      ) : (
        task && (
          <Space size={12} wrap>
            <TaskStatusTag status={task.status} />
            <span>{task.assigneeName ?? t('engagement.unassigned')}</span>
          </Space>
        )
      )}
      {task && (
        <>
          <Divider />
          <TaskNotes taskId={task.id} mayAdd={engagement.status === 'in-progress'} />
        </>
      )}
    </FormDrawer>
  );
}

/** A work order's comments and working papers 底稿, oldest first; add one or upload a file. */
export function TaskNotes({ taskId, mayAdd }: { taskId: string; mayAdd: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [body, setBody] = useState('');
  const notes = useQuery({
    queryKey: [workOrdersApi.path, 'notes', taskId],
    queryFn: () => workOrdersApi.notes(taskId),
  });
  const add = useWrite((text: string) => workOrdersApi.addNote(taskId, { body: text }), [workOrdersApi.path]);
  const attach = useWrite((file: File) => workOrdersApi.attach(taskId, file), [workOrdersApi.path]);
  return (
    <Flex vertical gap={8} data-testid="task-notes">
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t('engagement.notes')}
      </Typography.Title>
      {notes.error ? (
        <LoadError query={notes} compact />
      ) : (
        <List
          size="small"
          loading={notes.isPending}
          locale={{ emptyText: t('engagement.notesEmpty') }}
          dataSource={notes.data ?? []}
          renderItem={(n) => (
            <List.Item data-testid="task-note">
              <List.Item.Meta
                title={
                  <Space size={8} wrap>
                    <Typography.Text strong>{n.authorName}</Typography.Text>
                    <Typography.Text type="secondary">{formatDateTime(n.createdAt, locale)}</Typography.Text>
                  </Space>
                }
                description={
                  <Flex vertical gap={4}>
                    {n.body && <span style={{ whiteSpace: 'pre-wrap', color: 'inherit' }}>{n.body}</span>}
                    {n.fileId && (
                      <Typography.Link
                        href={workOrdersApi.fileUrl(taskId, n.fileId)}
                        download={n.fileName ?? undefined}
                      >
                        <PaperClipOutlined /> {n.fileName}
                      </Typography.Link>
                    )}
                  </Flex>
                }
              />
            </List.Item>
          )}
        />
      )}
      {mayAdd && (
        <Flex vertical gap={8}>
          <Input.TextArea
            value={body}
            onChange={(e) => setBody(e.target.value)}
            maxLength={2000}
            autoSize={{ minRows: 2, maxRows: 6 }}
            placeholder={t('engagement.notePlaceholder')}
            data-testid="task-note-body"
          />
          <Flex gap={8} wrap>
            <Button
              type="primary"
              disabled={!body.trim()}
              loading={add.isPending}
              onClick={() =>
                add.mutateAsync(body.trim()).then(() => {
                  setBody('');
                  void message.success(t('common.saved'));
                }, toast)
              }
              data-testid="task-note-add"
            >
              {t('engagement.noteAdd')}
            </Button>
            <Upload
              showUploadList={false}
              customRequest={({ file }) =>
                void attach.mutateAsync(file as File).then(() => void message.success(t('engagement.attached')), toast)
              }
            >
              <Button icon={<UploadOutlined />} loading={attach.isPending} data-testid="task-attach">
                {t('engagement.attach')}
              </Button>
            </Upload>
          </Flex>
        </Flex>
      )}
    </Flex>
  );
}
