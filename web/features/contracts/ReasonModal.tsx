import { Alert, DatePicker, Form, Input, Modal } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState, type ReactNode } from 'react';
import { errorText } from '../../components/errors';
import { firmToday } from '../../components/format';
import { useT } from '../../i18n';
import { testId } from '../opportunities/opportunity-ui';

/**
 * A change that cannot be undone and needs its reason (terminate or void a contract, cancel an order): what
 * it does, the reason, and a button that says it. The server's refusal stays in view.
 */
export function ReasonModal({
  open,
  title,
  warning,
  okText,
  onClose,
  onSubmit,
  testIdPrefix,
}: {
  open: boolean;
  title: ReactNode;
  /** What the change does, in a sentence or two. */
  warning: ReactNode;
  okText: string;
  onClose: () => void;
  /** Resolves when done (the modal closes), rejects with the server's error (shown). */
  onSubmit: (reason: string) => Promise<unknown>;
  testIdPrefix: string;
}) {
  const t = useT();
  const [form] = Form.useForm<{ reason: string }>();
  const [saving, setSaving] = useState(false);
  const [refused, setRefused] = useState<unknown>(null);
  useEffect(() => {
    if (open) setRefused(null);
  }, [open]);
  const submit = async ({ reason }: { reason: string }) => {
    setSaving(true);
    setRefused(null);
    try {
      await onSubmit(reason.trim());
      onClose();
    } catch (error) {
      setRefused(error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={okText}
      okButtonProps={{ danger: true, ...testId(`${testIdPrefix}-submit`) }}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={warning} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" name={`${testIdPrefix}-reason`} onFinish={submit}>
        <Form.Item
          name="reason"
          label={t('contract.reason')}
          rules={[{ required: true, whitespace: true, message: t('contract.reasonRequired') }, { max: 500 }]}
        >
          <Input.TextArea rows={3} data-testid={`${testIdPrefix}-reason`} />
        </Form.Item>
      </Form>
      {refused !== null && <Alert type="error" showIcon role="alert" title={errorText(t, refused)} />}
    </Modal>
  );
}

/**
 * 结项: the order's engagement is done on a date (default today). It makes the completion-triggered terms due
 * and reminds the owner — said before the button is pressed.
 */
export function CompleteOrderModal({
  open,
  onClose,
  onSubmit,
}: {
  open: boolean;
  onClose: () => void;
  onSubmit: (completedOn: string) => Promise<unknown>;
}) {
  const t = useT();
  const [form] = Form.useForm<{ completedOn: Dayjs }>();
  const [saving, setSaving] = useState(false);
  const [refused, setRefused] = useState<unknown>(null);
  useEffect(() => {
    if (!open) return;
    setRefused(null);
    form.setFieldsValue({ completedOn: dayjs(firmToday()) });
  }, [open, form]);
  const submit = async ({ completedOn }: { completedOn: Dayjs }) => {
    setSaving(true);
    setRefused(null);
    try {
      await onSubmit(completedOn.format('YYYY-MM-DD'));
      onClose();
    } catch (error) {
      setRefused(error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t('order.completeTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('order.completeAction')}
      okButtonProps={{ ...testId('order-complete-submit') }}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Alert type="info" showIcon title={t('order.completeWarning')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" name="order-complete" onFinish={submit}>
        <Form.Item
          name="completedOn"
          label={t('order.completedOn')}
          rules={[{ required: true, message: t('order.completedOnRequired') }]}
        >
          <DatePicker allowClear={false} data-testid="order-complete-date" />
        </Form.Item>
      </Form>
      {refused !== null && <Alert type="error" showIcon role="alert" title={errorText(t, refused)} />}
    </Modal>
  );
}
