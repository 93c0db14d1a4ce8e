import { App, Form, Input, Modal, Typography } from 'antd';
import type { Suggestion } from '../../../common/schemas/suggestions';
import { useWrite } from '../../api/queries';
import { contactLogsApi, customersApi, suggestionsApi, todayApi } from '../../api/resources';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';
import { TemplateTools } from '../knowledge-capture/TemplatePicker';

type Values = { to: string; subject: string; body: string };
const FIELDS: FormFields = { names: ['to', 'subject', 'body'] };

/**
 * The follow-up e-mail drafted for a customer gone quiet: the salesperson edits it and sends it
 * (it goes through the outbox, and is logged as an outbound e-mail with the customer).
 */
export function SuggestionModal({ suggestion: s, onClose }: { suggestion: Suggestion; onClose: () => void }) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const send = useWrite(
    (v: Values) => suggestionsApi.send(s.id, v),
    [todayApi.path, suggestionsApi.path, contactLogsApi.path, customersApi.path],
  );
  const submit = async (values: Values) => {
    try {
      await send.mutateAsync(values);
      void message.success(t('suggestion.sent'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };
  return (
    <Modal
      open
      width={720}
      title={t('suggestion.draftTitle', { customer: s.customerName })}
      onCancel={onClose}
      okText={t('suggestion.send')}
      onOk={() => form.submit()}
      okButtonProps={{ loading: send.isPending, 'data-testid': 'suggestion-send' }}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('suggestion.draftHint', { days: s.days })}</Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="vertical"
        name="suggestion"
        initialValues={{ to: s.toAddress ?? '', subject: s.subject, body: s.body }}
        onFinish={submit}
      >
        <Form.Item
          name="to"
          label={t('suggestion.to')}
          rules={[rules.required('suggestion.to'), { type: 'email', message: t('form.emailInvalid') }]}
        >
          <Input placeholder="name@example.cn" />
        </Form.Item>
        <Form.Item
          name="subject"
          label={t('suggestion.subject')}
          rules={[rules.required('suggestion.subject'), { max: 200 }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="body"
          label={t('suggestion.body')}
          rules={[rules.required('suggestion.body')]}
          extra={<TemplateTools form={form} field="body" use="email" context={{ customerId: s.customerId }} />}
        >
          <Input.TextArea rows={12} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
