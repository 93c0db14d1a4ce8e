import { App, DatePicker, Form, Input, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect } from 'react';
import type { Engagement } from '../../../common/schemas/engagements';
import { useWrite } from '../../api/queries';
import { engagementsApi } from '../../api/resources';
import { useFormSubmitError } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { useT } from '../../i18n';
import { ENGAGEMENT_INVALIDATES } from './engagement-ui';

type Values = { title: string; leadId: string; dueOn?: Dayjs | null; plannedHours?: string };
const FIELDS = { names: ['title', 'leadId', 'dueOn', 'plannedHours'] };

/** The engagement's name, its lead (one of the team), its planned end and its budget hours. */
export function EngagementFormDrawer({
  engagement,
  open,
  onClose,
}: {
  engagement: Engagement;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useWrite(
    (v: Values) =>
      engagementsApi.update(engagement.id, {
        title: v.title,
        leadId: v.leadId,
        dueOn: v.dueOn ? v.dueOn.format('YYYY-MM-DD') : null,
        plannedHours: v.plannedHours?.trim() ? v.plannedHours.trim() : null,
      }),
    ENGAGEMENT_INVALIDATES,
  );
  const onError = useFormSubmitError(form, FIELDS);
  useEffect(() => {
    if (!open) return;
    form.setFieldsValue({
      title: engagement.title,
      leadId: engagement.leadId,
      dueOn: engagement.dueOn ? dayjs(engagement.dueOn) : null,
      plannedHours: engagement.plannedHours ?? undefined,
    });
  }, [open, engagement, form]);
  return (
    <FormDrawer
      open={open}
      title={t('engagement.editTitle')}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={save.isPending}
      width={520}
      saveTestId="engagement-save"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        name="engagement"
        onFinish={(v) =>
          save.mutateAsync(v).then(() => {
            void message.success(t('common.saved'));
            onClose();
          }, onError)
        }
      >
        <Form.Item
          name="title"
          label={t('engagement.title')}
          rules={[
            { required: true, whitespace: true, message: t('form.required', { field: t('engagement.title') }) },
            { max: 200 },
          ]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="leadId" label={t('engagement.lead')} rules={[{ required: true }]}>
          <Select options={engagement.members.map((m) => ({ value: m.userId, label: m.name }))} />
        </Form.Item>
        <Form.Item name="dueOn" label={t('engagement.dueOn')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="plannedHours" label={t('engagement.plannedHours')}>
          <Input inputMode="decimal" />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
