import { FileWordOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Form, Input, Select, Typography, Upload, type UploadFile } from 'antd';
import { useEffect, useState } from 'react';
import type { ContractTemplate } from '../../../common/schemas/contract-templates';
import { MAX_FILE_BYTES } from '../../../common/schemas/files';
import { ApiError } from '../../api/client';
import { useWrite } from '../../api/queries';
import { contractTemplatesApi } from '../../api/resources';
import { applyServerErrors, errorText, type FormFields } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';

/** What is uploaded: a new template of a business line, or the next version of one. */
export type UploadTarget =
  { kind: 'create'; businessLineId?: string } | { kind: 'version'; template: ContractTemplate };

type Values = { businessLineId: string; name: string };
const FIELDS: FormFields = { names: ['businessLineId', 'name'] };
/** Refusals that concern the document itself: shown above the file, in the server's words. */
const DOCUMENT_ERRORS = new Set([
  'TEMPLATE_UNKNOWN_FIELDS',
  'TEMPLATE_BROKEN',
  'TEMPLATE_NOT_DOCX',
  'FILE_TOO_LARGE',
  'FILE_MISSING',
]);

/**
 * Uploads a .docx: a new template (business line and name) or a new version. A refused document — a placeholder
 * outside the field list, a template that cannot be parsed, not a .docx — is explained in the drawer, the
 * unknown placeholders listed one by one, with the field list a click away; nothing was saved.
 */
export function TemplateUploadDrawer({
  target,
  lines,
  onClose,
  onUploaded,
  onShowFields,
}: {
  target: UploadTarget | null;
  lines: { id: string; name: string }[];
  onClose: () => void;
  onUploaded: (template: ContractTemplate) => void;
  onShowFields: () => void;
}) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [fileMissing, setFileMissing] = useState(false);
  const [refusal, setRefusal] = useState<ApiError | null>(null);
  const save = useWrite(
    ({ values, file }: { values: Values; file: File }) =>
      target?.kind === 'version'
        ? contractTemplatesApi.addVersion(target.template.id, file)
        : contractTemplatesApi.create({ businessLineId: values.businessLineId, name: values.name.trim(), file }),
    [contractTemplatesApi.path],
  );

  useEffect(() => {
    if (!target) return;
    form.resetFields();
    if (target.kind === 'create') form.setFieldsValue({ businessLineId: target.businessLineId });
    setFiles([]);
    setFileMissing(false);
    setRefusal(null);
  }, [target, form]);

  const submit = async (values: Values) => {
    const file = files[0]?.originFileObj;
    if (!file) {
      setFileMissing(true);
      return;
    }
    setRefusal(null);
    try {
      const template = await save.mutateAsync({ values, file });
      void message.success(t('contractTemplate.uploaded', { version: template.versions[0].version }));
      onUploaded(template);
    } catch (error) {
      if (error instanceof ApiError && DOCUMENT_ERRORS.has(error.code)) setRefusal(error);
      else if (!applyServerErrors(form, error, FIELDS)) void message.error(errorText(t, error));
    }
  };

  const unknown =
    refusal?.code === 'TEMPLATE_UNKNOWN_FIELDS' ? ((refusal.details as { fields?: string[] })?.fields ?? []) : [];
  const creating = target?.kind === 'create';
  return (
    <FormDrawer
      open={target !== null}
      width={560}
      title={
        target?.kind === 'version'
          ? t('contractTemplate.uploadVersionTitle', { name: target.template.name })
          : t('contractTemplate.createTitle')
      }
      onClose={onClose}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="template-upload-submit"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(values) => void submit(values)}
        onFinishFailed={() => setFileMissing(files.length === 0)}
        name="contract-template"
        data-testid="template-upload-form"
      >
        {creating && (
          <>
            <Form.Item
              name="businessLineId"
              label={t('contractTemplate.businessLine')}
              rules={[rules.required('contractTemplate.businessLine', 'select')]}
            >
              <Select
                options={lines.map((l) => ({ value: l.id, label: l.name }))}
                showSearch={{ optionFilterProp: 'label' }}
                data-testid="template-line"
              />
            </Form.Item>
            <Form.Item
              name="name"
              label={t('contractTemplate.name')}
              rules={[rules.required('contractTemplate.name'), { max: 100 }]}
            >
              <Input
                autoComplete="off"
                maxLength={100}
                placeholder={t('contractTemplate.namePlaceholder')}
                data-testid="template-name"
              />
            </Form.Item>
          </>
        )}
        {target?.kind === 'version' && (
          <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('contractTemplate.versionHint')} />
        )}
        <Form.Item
          label={t('contractTemplate.file')}
          required
          extra={t('contractTemplate.fileHint', { maxMb: MAX_FILE_BYTES / 1024 / 1024 })}
          validateStatus={fileMissing ? 'error' : undefined}
          help={fileMissing ? t('contractTemplate.fileRequired') : undefined}
        >
          <Upload
            accept=".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            maxCount={1}
            fileList={files}
            beforeUpload={() => false}
            onChange={({ fileList }) => {
              setFiles(fileList.slice(-1));
              setFileMissing(false);
              setRefusal(null);
            }}
            data-testid="template-file"
          >
            <Button icon={<UploadOutlined />}>{t('contractTemplate.chooseFile')}</Button>
          </Upload>
        </Form.Item>
        {refusal && (
          <Alert
            type="error"
            showIcon
            icon={<FileWordOutlined />}
            title={t('contractTemplate.refusedTitle')}
            data-testid="template-refusal"
            description={
              <Flex vertical gap={8}>
                {unknown.length > 0 ? (
                  <>
                    <span>{t('contractTemplate.unknownFields')}</span>
                    <Flex gap={6} wrap data-testid="template-unknown-fields">
                      {unknown.map((field) => (
                        <Typography.Text code key={field} type="danger">
                          {field}
                        </Typography.Text>
                      ))}
                    </Flex>
                  </>
                ) : (
                  <span>{refusal.message}</span>
                )}
                {(unknown.length > 0 || refusal.code === 'TEMPLATE_BROKEN') && (
                  <Button
                    size="small"
                    type="link"
                    style={{ padding: 0, alignSelf: 'flex-start' }}
                    onClick={onShowFields}
                  >
                    {t('contractTemplate.openFields')}
                  </Button>
                )}
              </Flex>
            }
          />
        )}
      </Form>
    </FormDrawer>
  );
}
