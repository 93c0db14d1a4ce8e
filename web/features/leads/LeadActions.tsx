import { CheckCircleOutlined, PhoneOutlined, StopOutlined, UserSwitchOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Modal, Radio, Select, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { LEAD_TRANSITIONS, type Lead, type LeadStatus } from '../../../common/schemas/leads';
import { useDirectory, useWrite } from '../../api/queries';
import { leadsApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { personLabel } from '../../components/labels';
import { useRules } from '../../components/rules';
import { useLocale, useT, type WebMessageKey } from '../../i18n';
import { LEAD_INVALIDATES } from './LeadFormDrawer';
import { queueName } from './lead-ui';

type Move = Exclude<LeadStatus, 'converted' | 'new'>;

/** The button of each status move, by where the lead goes (and, for contacting, where it comes from). */
function moveLabel(from: LeadStatus, to: Move): WebMessageKey {
  if (to === 'contacting') return from === 'new' ? 'lead.action.start' : 'lead.action.reopen';
  if (to === 'qualified') return 'lead.action.qualify';
  return 'lead.action.disqualify';
}
const MOVE_ICONS = {
  contacting: <PhoneOutlined />,
  qualified: <CheckCircleOutlined />,
  disqualified: <StopOutlined />,
};

/** 开始跟进 / 确认线索 / 排除 (with its reason) / 重新跟进: the moves LEAD_TRANSITIONS allows from here. */
export function LeadStatusActions({ lead }: { lead: Lead }) {
  const t = useT();
  const rules = useRules();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const [disqualifying, setDisqualifying] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const onError = useFormSubmitError(form, { names: ['reason'] });
  const change = useWrite(
    (v: { status: Move; reason?: string }) =>
      leadsApi.setStatus(lead.id, { status: v.status, reason: v.reason || null }),
    LEAD_INVALIDATES,
  );
  const moves = LEAD_TRANSITIONS[lead.status].filter((s): s is Move => s !== 'new' && s !== 'converted');

  const move = (status: Move) => {
    if (status === 'disqualified') {
      form.resetFields();
      setDisqualifying(true);
      return;
    }
    change.mutateAsync({ status }).then(() => void message.success(t(`lead.moved.${status}`)), toast);
  };
  const disqualify = async ({ reason }: { reason: string }) => {
    try {
      await change.mutateAsync({ status: 'disqualified', reason });
      void message.success(t('lead.moved.disqualified'));
      setDisqualifying(false);
    } catch (error) {
      onError(error);
    }
  };

  return (
    <>
      {moves.map((status) => (
        <Button
          key={status}
          icon={MOVE_ICONS[status]}
          type={status === 'qualified' ? 'primary' : 'default'}
          danger={status === 'disqualified'}
          loading={change.isPending && change.variables?.status === status}
          onClick={() => move(status)}
          data-testid={`lead-move-${status}`}
        >
          {t(moveLabel(lead.status, status))}
        </Button>
      ))}
      <Modal
        open={disqualifying}
        title={t('lead.disqualifyTitle', { name: lead.companyName })}
        onCancel={() => setDisqualifying(false)}
        onOk={() => form.submit()}
        okText={t('lead.action.disqualify')}
        okButtonProps={{ danger: true, loading: change.isPending, 'data-testid': 'lead-disqualify-ok' }}
        destroyOnHidden
        forceRender
      >
        <Typography.Paragraph type="secondary">{t('lead.disqualifyHelp')}</Typography.Paragraph>
        <Form form={form} layout="vertical" name="lead-disqualify" onFinish={disqualify}>
          <Form.Item
            name="reason"
            label={t('lead.disqualifyReason')}
            rules={[rules.required('lead.disqualifyReason'), { max: 500 }]}
          >
            <Input.TextArea rows={3} placeholder={t('lead.disqualifyPlaceholder')} autoFocus />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

type AssignValues = { target: 'person' | 'queue'; ownerId?: string; queueDepartmentId?: string; reason?: string };
const ASSIGN_FIELDS: FormFields = {
  names: ['ownerId', 'queueDepartmentId', 'reason'],
  rename: { owner: 'ownerId', queueDepartment: 'queueDepartmentId' },
};

/** 分配 / 改派: to a person, or back to a department's queue, with a reason (leads:assign). */
export function LeadAssignAction({ lead }: { lead: Lead }) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const rules = useRules();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<AssignValues>();
  const onError = useFormSubmitError(form, ASSIGN_FIELDS);
  const target = Form.useWatch('target', form);
  const people = useDirectory(open && can(me, 'customers:write'));
  const options = useMemo(
    () =>
      (people.data ?? [])
        .filter((u) => u.id !== lead.ownerId)
        .map((u) => ({
          value: u.id,
          label: u.departmentName ? `${personLabel(locale, u)} · ${u.departmentName}` : personLabel(locale, u),
        })),
    [people.data, lead.ownerId, locale],
  );
  const assign = useWrite(
    (v: AssignValues) =>
      leadsApi.assign(
        lead.id,
        v.target === 'person'
          ? { ownerId: v.ownerId!, reason: v.reason || null }
          : { ownerId: null, queueDepartmentId: v.queueDepartmentId ?? null, reason: v.reason || null },
      ),
    LEAD_INVALIDATES,
  );
  const inQueue = lead.ownerId === null;

  const show = () => {
    form.resetFields();
    form.setFieldsValue({ target: 'person', queueDepartmentId: lead.queueDepartmentId ?? undefined });
    setOpen(true);
  };
  const submit = async (values: AssignValues) => {
    try {
      await assign.mutateAsync(values);
      void message.success(t(values.target === 'person' ? 'lead.assigned' : 'lead.returnedToQueue'));
      setOpen(false);
    } catch (error) {
      onError(error);
    }
  };

  return (
    <>
      <Button icon={<UserSwitchOutlined />} onClick={show} data-testid="lead-assign">
        {t(inQueue ? 'lead.action.assign' : 'lead.action.reassign')}
      </Button>
      <Modal
        open={open}
        title={t(inQueue ? 'lead.assignTitle' : 'lead.reassignTitle', { name: lead.companyName })}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('common.save')}
        okButtonProps={{ loading: assign.isPending, 'data-testid': 'lead-assign-ok' }}
        destroyOnHidden
        forceRender
      >
        <Form<AssignValues> form={form} layout="vertical" name="lead-assign" onFinish={submit}>
          <Typography.Paragraph type="secondary">
            {lead.ownerId
              ? t('lead.assignCurrent', { name: lead.ownerName ?? '' })
              : t('lead.assignCurrentQueue', { queue: queueName(t, lead.queueDepartmentName) })}
          </Typography.Paragraph>
          <Form.Item name="target">
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              options={[
                { value: 'person', label: t('lead.assignToPerson') },
                { value: 'queue', label: t('lead.assignToQueue') },
              ]}
            />
          </Form.Item>
          {target !== 'queue' ? (
            <Form.Item name="ownerId" label={t('lead.assignTo')} rules={[rules.required('lead.assignTo', 'select')]}>
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                options={options}
                loading={people.isLoading}
                data-testid="lead-assign-person"
              />
            </Form.Item>
          ) : (
            <Form.Item name="queueDepartmentId" label={t('lead.queueDepartment')} extra={t('lead.queueDepartmentHelp')}>
              <DepartmentTreeSelect style={{ width: '100%' }} />
            </Form.Item>
          )}
          <Form.Item name="reason" label={t('lead.reason')} rules={[{ max: 500 }]}>
            <Input.TextArea rows={2} placeholder={t('lead.reasonPlaceholder')} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
