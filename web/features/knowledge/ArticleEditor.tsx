import { UploadOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Form, Input, Select, Tabs, Typography, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useRef, useState } from 'react';
import {
  KNOWLEDGE_BODY_MAX,
  KNOWLEDGE_KINDS,
  KNOWLEDGE_TITLE_MAX,
  KNOWLEDGE_VISIBILITIES,
  TEMPLATE_USES,
  type KnowledgeArticle,
  type KnowledgeKind,
  type KnowledgeVisibility,
  type TemplateUse,
} from '../../../common/schemas/knowledge';
import { useAllBusinessLines, useDirectory, useWrite } from '../../api/queries';
import { useMe } from '../../auth/session';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { useErrorToast, useFormSubmitError } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { Markdown } from '../../components/Markdown';
import { fileReference } from '../../components/markdown';
import { useT } from '../../i18n';
import { knowledgeApi } from './api';
import { KNOWLEDGE_INVALIDATES } from './knowledge-ui';

type Values = {
  title: string;
  kind: KnowledgeKind;
  templateUse?: TemplateUse | null;
  businessLineIds: string[];
  tags: string[];
  visibility: KnowledgeVisibility;
  departmentId?: string | null;
  ownerId: string;
  reviewOn?: Dayjs | null;
  body: string;
  note?: string;
};

const FIELDS = {
  names: [
    'title',
    'kind',
    'templateUse',
    'businessLineIds',
    'tags',
    'visibility',
    'departmentId',
    'ownerId',
    'reviewOn',
    'body',
    'note',
  ],
} as const;

/**
 * The article editor (a wide drawer; a phone's whole width): title, kind, lines, tags, who sees it, owner and
 * review date, the Markdown body with a preview tab, uploads that insert their reference, and the change note.
 */
export function ArticleEditor({
  open,
  article,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** null: a new article. */
  article: KnowledgeArticle | null;
  onClose: () => void;
  onSaved?: (a: KnowledgeArticle) => void;
}) {
  const t = useT();
  const me = useMe();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch('kind', form);
  const visibility = Form.useWatch('visibility', form);
  const body = Form.useWatch('body', form) ?? '';
  const lines = useAllBusinessLines();
  const directory = useDirectory(open);
  const onError = useFormSubmitError(form, FIELDS);
  const textArea = useRef<HTMLTextAreaElement | null>(null);
  const [uploading, setUploading] = useState(false);

  const save = useWrite(async (v: Values) => {
    const content = {
      title: v.title,
      kind: v.kind,
      templateUse: v.kind === 'template' ? (v.templateUse ?? null) : null,
      businessLineIds: v.businessLineIds ?? [],
      tags: v.tags ?? [],
      visibility: v.visibility,
      departmentId: v.visibility === 'department' ? (v.departmentId ?? null) : null,
      body: v.body ?? '',
      note: v.note ?? '',
    };
    const reviewOn = v.reviewOn ? v.reviewOn.format('YYYY-MM-DD') : null;
    if (!article) return knowledgeApi.create({ ...content, ownerId: v.ownerId, reviewOn });
    const saved = await knowledgeApi.update(article.id, { ...content, version: article.version });
    if (v.ownerId !== article.owner.id || reviewOn !== article.reviewOn)
      return knowledgeApi.stewardship(article.id, { ownerId: v.ownerId, reviewOn });
    return saved;
  }, KNOWLEDGE_INVALIDATES);

  const insertAtCursor = (text: string) => {
    const current: string = form.getFieldValue('body') ?? '';
    const el = textArea.current;
    const at = el ? el.selectionStart : current.length;
    const next = `${current.slice(0, at)}${text}${current.slice(at)}`;
    form.setFieldValue('body', next);
  };

  const upload = async (file: File) => {
    if (!article) return;
    setUploading(true);
    try {
      const stored = await knowledgeApi.upload(article.id, file);
      insertAtCursor(`\n${fileReference(stored, knowledgeApi.fileUrl(article.id, stored.id))}\n`);
      void message.success(t('knowledge.uploaded', { name: stored.filename }));
    } catch (error) {
      toast(error);
    } finally {
      setUploading(false);
    }
  };

  const initial: Partial<Values> = article
    ? {
        title: article.title,
        kind: article.kind,
        templateUse: article.templateUse,
        businessLineIds: article.businessLines.map((l) => l.id),
        tags: article.tags,
        visibility: article.visibility,
        departmentId: article.departmentId,
        ownerId: article.owner.id,
        reviewOn: article.reviewOn ? dayjs(article.reviewOn) : null,
        body: article.body,
      }
    : {
        kind: 'experience',
        businessLineIds: [],
        tags: [],
        visibility: 'firm',
        departmentId: me.user.departmentId ?? null,
        ownerId: me.user.id,
        reviewOn: dayjs().add(1, 'year'),
        body: '',
      };

  return (
    <FormDrawer
      open={open}
      width={960}
      title={article ? t('knowledge.editTitle', { title: article.title }) : t('knowledge.createTitle')}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="knowledge-save"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={(v) =>
          save.mutateAsync(v).then((saved) => {
            void message.success(t('knowledge.saved'));
            onClose();
            onSaved?.(saved);
          }, onError)
        }
      >
        <Form.Item name="title" label={t('knowledge.title')} rules={[{ required: true, max: KNOWLEDGE_TITLE_MAX }]}>
          <Input
            placeholder={t('knowledge.titlePlaceholder')}
            maxLength={KNOWLEDGE_TITLE_MAX}
            data-testid="knowledge-title-input"
          />
        </Form.Item>
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))', columnGap: 16 }}>
          <Form.Item name="kind" label={t('knowledge.kind')} rules={[{ required: true }]}>
            <Select options={KNOWLEDGE_KINDS.map((k) => ({ value: k, label: t(`knowledge.kind.${k}`) }))} />
          </Form.Item>
          {kind === 'template' && (
            <Form.Item name="templateUse" label={t('knowledge.templateUse')}>
              <Select
                allowClear
                options={TEMPLATE_USES.map((u) => ({ value: u, label: t(`knowledge.templateUse.${u}`) }))}
              />
            </Form.Item>
          )}
          <Form.Item name="businessLineIds" label={t('knowledge.businessLines')}>
            <Select
              mode="multiple"
              allowClear
              optionFilterProp="label"
              options={(lines.data ?? []).filter((l) => l.active).map((l) => ({ value: l.id, label: l.name }))}
            />
          </Form.Item>
          <Form.Item name="tags" label={t('knowledge.tags')}>
            <Select mode="tags" tokenSeparators={[',', '，', ' ']} placeholder={t('knowledge.tagsPlaceholder')} />
          </Form.Item>
          <Form.Item name="visibility" label={t('knowledge.visibility')} tooltip={t('knowledge.visibilityHint')}>
            <Select
              options={KNOWLEDGE_VISIBILITIES.map((v) => ({ value: v, label: t(`knowledge.visibility.${v}`) }))}
            />
          </Form.Item>
          {visibility === 'department' && (
            <Form.Item name="departmentId" label={t('knowledge.department')} rules={[{ required: true }]}>
              <DepartmentTreeSelect />
            </Form.Item>
          )}
          <Form.Item name="ownerId" label={t('knowledge.owner')} rules={[{ required: true }]}>
            <Select
              showSearch
              optionFilterProp="label"
              options={(
                directory.data ?? [
                  { id: me.user.id, displayName: me.user.displayName, departmentName: null, username: '' },
                ]
              ).map((u) => ({
                value: u.id,
                label: u.departmentName ? `${u.displayName}（${u.departmentName}）` : u.displayName,
              }))}
            />
          </Form.Item>
          <Form.Item name="reviewOn" label={t('knowledge.reviewOn')}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        </div>
        <Tabs
          items={[
            {
              key: 'write',
              label: t('knowledge.write'),
              forceRender: true,
              children: (
                <Form.Item name="body" label={t('knowledge.body')} rules={[{ max: KNOWLEDGE_BODY_MAX }]}>
                  <Input.TextArea
                    ref={(r) => {
                      textArea.current = r?.resizableTextArea?.textArea ?? null;
                    }}
                    autoSize={{ minRows: 12, maxRows: 30 }}
                    placeholder={t('knowledge.bodyPlaceholder')}
                    style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' }}
                    data-testid="knowledge-body-input"
                  />
                </Form.Item>
              ),
            },
            {
              key: 'preview',
              label: t('knowledge.preview'),
              children: body.trim() ? (
                <Markdown source={body} data-testid="knowledge-preview" />
              ) : (
                <Typography.Text type="secondary">{t('knowledge.previewEmpty')}</Typography.Text>
              ),
            },
          ]}
        />
        {article ? (
          <Upload
            showUploadList={false}
            beforeUpload={(file) => {
              void upload(file);
              return false;
            }}
          >
            <Button icon={<UploadOutlined />} loading={uploading} data-testid="knowledge-upload">
              {t('knowledge.upload')}
            </Button>
            <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
              {t('knowledge.uploadHint')}
            </Typography.Text>
          </Upload>
        ) : (
          <Typography.Text type="secondary">{t('knowledge.uploadAfterSave')}</Typography.Text>
        )}
        <Form.Item
          name="note"
          label={article ? t('knowledge.note') : t('knowledge.noteFirst')}
          style={{ marginTop: 16 }}
          rules={[{ max: 500 }]}
        >
          <Input placeholder={t('knowledge.notePlaceholder')} maxLength={500} />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
