import { useQuery } from '@tanstack/react-query';
import { App, Flex, Form, Input, Modal, Select, Typography } from 'antd';
import { useState } from 'react';
import type { Suggestion } from '../../../common/schemas/suggestions';
import { useWrite } from '../../api/queries';
import { contactLogsApi, customersApi, suggestionsApi, todayApi } from '../../api/resources';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { can, useMe } from '../../auth/session';
import { useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';
import { captureApi } from '../knowledge-capture/api';
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
  const me = useMe();
  const toast = useErrorToast();
  const [templateId, setTemplateId] = useState<string | undefined>();
  const mayUseTemplates = can(me, 'knowledge:read');
  // The knowledge library's templates 模板 the user may read, most used first.
  const templates = useQuery({
    queryKey: [captureApi.path, 'templates', 'suggestion'],
    queryFn: () => captureApi.templates({}),
    enabled: mayUseTemplates,
  });
  const redraft = useWrite(
    (articleId: string) => suggestionsApi.redraft(s.id, articleId),
    [suggestionsApi.path, todayApi.path, captureApi.path],
  );
  const chooseTemplate = async (articleId: string) => {
    try {
      const drafted = await redraft.mutateAsync(articleId);
      setTemplateId(articleId);
      form.setFieldsValue({ subject: drafted.subject, body: drafted.body });
      const title = templates.data?.find((tpl) => tpl.id === articleId)?.title ?? '';
      void message.success(t('suggestion.redrafted', { title }));
    } catch (error) {
      toast(error);
    }
  };
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
      {mayUseTemplates && (
        <Flex vertical gap={4} style={{ marginBottom: 16 }}>
          <Typography.Text>{t('suggestion.template')}</Typography.Text>
          <Select
            allowClear={false}
            showSearch={{ optionFilterProp: 'label' }}
            value={templateId}
            placeholder={t('suggestion.templatePlaceholder')}
            loading={templates.isFetching || redraft.isPending}
            disabled={redraft.isPending}
            options={(templates.data ?? []).map((tpl) => ({ value: tpl.id, label: tpl.title }))}
            onChange={(id: string) => void chooseTemplate(id)}
            aria-label={t('suggestion.template')}
            data-testid="suggestion-template"
          />
        </Flex>
      )}
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
