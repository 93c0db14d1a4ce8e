import { FileTextOutlined, SaveOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Empty, Flex, Form, Input, List, Modal, Select, Space, Typography, type FormInstance } from 'antd';
import { useState } from 'react';
import { TEMPLATE_USES, type TemplateUse } from '../../../common/schemas/knowledge';
import { useWrite } from '../../api/queries';
import { can, useMe } from '../../auth/session';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { useDebounced } from '../../components/use-debounced';
import { useT } from '../../i18n';
import { captureApi } from './api';

/** The record a template's placeholders are filled from ({客户名称} {联系人} {业务线}); {我的姓名} {今天} always. */
export type TemplateContext = { customerId?: string; opportunityId?: string; businessLineId?: string };

/**
 * 从模板插入: lists the templates for this screen (`use`) and business line, most used first; choosing one counts
 * the use and hands its text, placeholders filled, to `onInsert`.
 */
export function TemplatePicker({
  use,
  context = {},
  onInsert,
}: {
  use: TemplateUse;
  context?: TemplateContext;
  onInsert: (text: string) => void;
}) {
  const t = useT();
  const me = useMe();
  const toast = useErrorToast();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const query = useDebounced(q, 300);
  const templates = useQuery({
    queryKey: [captureApi.path, 'templates', use, context.businessLineId, query],
    queryFn: () => captureApi.templates({ use, businessLineId: context.businessLineId, q: query.trim() || undefined }),
    enabled: open,
  });
  const apply = useWrite(
    (id: string) =>
      captureApi.useTemplate(id, { customerId: context.customerId, opportunityId: context.opportunityId }),
    [captureApi.path],
  );
  if (!can(me, 'knowledge:read')) return null;

  const choose = async (id: string) => {
    try {
      const filled = await apply.mutateAsync(id);
      onInsert(filled.body);
      setOpen(false);
    } catch (error) {
      toast(error);
    }
  };

  return (
    <>
      <Button size="small" icon={<FileTextOutlined />} onClick={() => setOpen(true)} data-testid="template-pick">
        {t('capture.fromTemplate')}
      </Button>
      <Modal
        open={open}
        width={600}
        title={t('capture.pickTemplate')}
        onCancel={() => setOpen(false)}
        footer={null}
        destroyOnHidden
      >
        <Input.Search
          allowClear
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t('capture.searchTemplates')}
          maxLength={100}
          style={{ marginBottom: 8 }}
        />
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('capture.placeholdersHint')}
        </Typography.Paragraph>
        <List
          loading={templates.isLoading || apply.isPending}
          dataSource={templates.data ?? []}
          locale={{
            emptyText: templates.isError ? (
              <Button type="link" onClick={() => void templates.refetch()}>
                {t('common.retry')}
              </Button>
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('capture.noTemplates')} />
            ),
          }}
          style={{ maxHeight: '50vh', overflowY: 'auto' }}
          renderItem={(tpl) => (
            <List.Item
              key={tpl.id}
              style={{ cursor: 'pointer', paddingInline: 4 }}
              onClick={() => void choose(tpl.id)}
              data-testid="template-option"
            >
              <Flex vertical gap={2} style={{ minWidth: 0, width: '100%' }}>
                <Flex justify="space-between" gap={8} wrap>
                  <Typography.Text strong>{tpl.title}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {tpl.ownerName} · {t('capture.useCount', { count: tpl.useCount })}
                  </Typography.Text>
                </Flex>
                <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: 0 }}>
                  {tpl.excerpt}
                </Typography.Paragraph>
              </Flex>
            </List.Item>
          )}
        />
      </Modal>
    </>
  );
}

type SaveValues = { title: string; templateUse: TemplateUse };
const SAVE_FIELDS: FormFields = { names: ['title', 'templateUse'] };

/** 存为模板: saves the text (as it is now) as a template for the whole firm. */
export function SaveAsTemplateButton({
  use,
  text,
  businessLineIds,
}: {
  use: TemplateUse;
  /** The text to save, read when the button is pressed. */
  text: () => string | null | undefined;
  businessLineIds?: string[];
}) {
  const t = useT();
  const me = useMe();
  const { message } = App.useApp();
  const [body, setBody] = useState<string | null>(null);
  const [form] = Form.useForm<SaveValues>();
  const onError = useFormSubmitError(form, SAVE_FIELDS);
  const save = useWrite(
    (v: SaveValues) =>
      captureApi.saveTemplate({ title: v.title.trim(), templateUse: v.templateUse, body: body ?? '', businessLineIds }),
    [captureApi.path],
  );
  if (!can(me, 'knowledge:write')) return null;

  const start = () => {
    const current = text()?.trim();
    if (!current) {
      void message.info(t('capture.templateEmpty'));
      return;
    }
    setBody(current);
  };
  const submit = async (values: SaveValues) => {
    try {
      await save.mutateAsync(values);
      void message.success(t('capture.templateSaved'));
      setBody(null);
    } catch (error) {
      onError(error);
    }
  };

  return (
    <>
      <Button size="small" icon={<SaveOutlined />} onClick={start} data-testid="template-save">
        {t('capture.saveAsTemplate')}
      </Button>
      <Modal
        open={body !== null}
        title={t('capture.saveAsTemplate')}
        onCancel={() => setBody(null)}
        onOk={() => form.submit()}
        okText={t('common.save')}
        okButtonProps={{ loading: save.isPending, 'data-testid': 'template-save-submit' }}
        destroyOnHidden
      >
        <Form<SaveValues>
          form={form}
          layout="vertical"
          name="save-template"
          initialValues={{ templateUse: use }}
          onFinish={submit}
        >
          <Form.Item
            name="title"
            label={t('capture.templateName')}
            rules={[{ required: true, whitespace: true, message: t('capture.templateNameRequired') }, { max: 200 }]}
          >
            <Input autoFocus />
          </Form.Item>
          <Form.Item name="templateUse" label={t('capture.templateUse')}>
            <Select options={TEMPLATE_USES.map((u) => ({ value: u, label: t(`capture.templateUse.${u}`) }))} />
          </Form.Item>
          <Typography.Paragraph type="secondary" ellipsis={{ rows: 4 }} style={{ whiteSpace: 'pre-wrap' }}>
            {body}
          </Typography.Paragraph>
        </Form>
      </Modal>
    </>
  );
}

/**
 * Both buttons for one text field of a form: insert a template's filled text (after what is there) and save the
 * field's text as a template. Put it in the field's Form.Item `extra`.
 */
export function TemplateTools({
  form,
  field,
  use,
  context,
}: {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any form: only one text field is read and set
  form: FormInstance<any>;
  field: string;
  use: TemplateUse;
  context?: TemplateContext;
}) {
  const t = useT();
  const { message } = App.useApp();
  const read = () => form.getFieldValue(field) as string | null | undefined;
  return (
    <Space size={8} wrap style={{ marginTop: 4 }}>
      <TemplatePicker
        use={use}
        context={context}
        onInsert={(text) => {
          const current = read()?.trimEnd();
          form.setFieldValue(field, current ? `${current}\n\n${text}` : text);
          void form.validateFields([field]).catch(() => undefined);
          void message.success(t('capture.inserted'));
        }}
      />
      <SaveAsTemplateButton
        use={use}
        text={read}
        businessLineIds={context?.businessLineId ? [context.businessLineId] : undefined}
      />
    </Space>
  );
}
