import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Flex, Form, Input, InputNumber, Row, Skeleton, Typography } from 'antd';
import type { InputRef } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  CUSTOMER_TIERS,
  MERGE_FIELDS,
  type InactiveDays,
  type MailTemplateUpdate,
  type MergeField,
} from '../../../common/schemas/suggestions';
import { customersApi, suggestionsApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { firmToday, formatDateTime } from '../../components/format';
import { useRules } from '../../components/rules';
import { useLocale, useT } from '../../i18n';

const SETTINGS_KEY = [customersApi.path, 'settings'];
const RULE_KEYS = [...CUSTOMER_TIERS, 'none'] as const;
type RuleKey = (typeof RULE_KEYS)[number];

/**
 * 不活跃客户提醒: after how many days without contact a customer counts as going quiet — per value
 * tier A/B/C/D and for customers not yet evaluated; empty = never. Its salesperson then gets a
 * follow-up suggestion with an e-mail drafted from the template below.
 */
export function InactiveRuleCard() {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: SETTINGS_KEY, queryFn: customersApi.settings });
  const [days, setDays] = useState<InactiveDays | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => setDays(settings.data?.inactiveDays ?? null), [settings.data]);
  const saved = settings.data?.inactiveDays;
  const dirty = Boolean(days && saved && RULE_KEYS.some((k) => days[k] !== saved[k]));

  const save = async () => {
    if (!days) return;
    setSaving(true);
    try {
      const next = await customersApi.saveSettings({ inactiveDays: days });
      queryClient.setQueryData(SETTINGS_KEY, next);
      void message.success(t('common.saved'));
    } catch (error) {
      toast(error);
    } finally {
      setSaving(false);
    }
  };
  const label = (key: RuleKey) => (key === 'none' ? t('inactive.unrated') : t('inactive.tier', { tier: key }));

  return (
    <Card
      size="small"
      title={t('inactive.title')}
      data-testid="inactive-rule"
      extra={
        <Button
          type="primary"
          size="small"
          onClick={() => void save()}
          loading={saving}
          disabled={!dirty}
          data-testid="inactive-save"
        >
          {t('common.save')}
        </Button>
      }
    >
      <Typography.Paragraph style={{ marginTop: 0 }}>{t('inactive.intro')}</Typography.Paragraph>
      {failedWithoutData(settings) ? (
        <LoadError query={settings} compact />
      ) : !days ? (
        <Skeleton active paragraph={{ rows: 1 }} />
      ) : (
        <Row gutter={[12, 12]}>
          {RULE_KEYS.map((key) => (
            <Col key={key} xs={12} md={8} lg={4}>
              <Flex vertical gap={4}>
                <Typography.Text type="secondary">{label(key)}</Typography.Text>
                <InputNumber
                  min={1}
                  max={3650}
                  precision={0}
                  value={days[key]}
                  onChange={(v) => setDays((d) => (d ? { ...d, [key]: v ?? null } : d))}
                  placeholder={t('inactive.never')}
                  suffix={t('inactive.days')}
                  style={{ width: '100%' }}
                  aria-label={label(key)}
                  data-testid={`inactive-days-${key}`}
                />
              </Flex>
            </Col>
          ))}
        </Row>
      )}
      <Typography.Paragraph type="secondary" style={{ margin: '12px 0 0' }}>
        {t('inactive.help')}
      </Typography.Paragraph>
    </Card>
  );
}

/** Fills {{字段}} like the server does (unknown fields stay as written). */
function fill(text: string, values: Record<MergeField, string>): string {
  return text.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (whole, name: string) => values[name as MergeField] ?? whole);
}

/** Merge fields written in a text that are not in MERGE_FIELDS (a typo would reach the customer as written). */
function unknownFields(text: string): string[] {
  const out = new Set<string>();
  for (const match of text.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g))
    if (!(MERGE_FIELDS as readonly string[]).includes(match[1])) out.add(match[1]);
  return [...out];
}

type Field = 'subject' | 'body';
const SAMPLE_DAYS = 75;
const TEMPLATE_FIELDS: FormFields = { names: ['subject', 'body'] };

/**
 * 跟进邮件模板: the e-mail drafted for a customer gone quiet. The buttons insert merge fields at the
 * cursor of the field last edited; the preview fills them with sample values as the template is typed.
 */
export function FollowUpTemplateCard() {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const rules = useRules();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<MailTemplateUpdate>();
  const onError = useFormSubmitError(form, TEMPLATE_FIELDS);
  const template = useQuery({ queryKey: [suggestionsApi.path, 'template'], queryFn: suggestionsApi.template });
  const [saving, setSaving] = useState(false);
  const subjectRef = useRef<InputRef>(null);
  const bodyRef = useRef<TextAreaRef>(null);
  const lastField = useRef<Field>('body');
  const subject = Form.useWatch('subject', form) ?? '';
  const body = Form.useWatch('body', form) ?? '';

  useEffect(() => {
    if (template.data) form.setFieldsValue({ subject: template.data.subject, body: template.data.body });
  }, [template.data, form]);

  // Sample data, not UI text: the e-mail goes to the customer as the firm wrote it, so the values are in Chinese
  // in either UI language, and the date is written the way the server fills it in (YYYY-MM-DD, firm time zone).
  const samples = useMemo<Record<MergeField, string>>(
    () => ({
      客户名称: '北京华达科技有限公司',
      联系人: '王会计',
      业务员: me.user.displayName,
      业务员电话: me.user.phone ?? '010-8888 6666',
      业务员邮箱: me.user.email ?? 'sales@example.com',
      上次联系日期: firmToday(new Date(Date.now() - SAMPLE_DAYS * 86_400_000)),
      未联系天数: String(SAMPLE_DAYS),
    }),
    [me],
  );

  const elementOf = (field: Field): HTMLInputElement | HTMLTextAreaElement | null | undefined =>
    field === 'subject' ? subjectRef.current?.input : bodyRef.current?.resizableTextArea?.textArea;

  /** Puts {{字段}} where the cursor was (or over the selection) in the field last edited, and puts the cursor after it. */
  const insert = (name: MergeField) => {
    const field = lastField.current;
    const element = elementOf(field);
    const value: string = form.getFieldValue(field) ?? '';
    const token = `{{${name}}}`;
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? start;
    form.setFieldValue(field, value.slice(0, start) + token + value.slice(end));
    void form.validateFields([field]).catch(() => undefined);
    requestAnimationFrame(() => {
      const el = elementOf(field);
      if (!el) return;
      el.focus();
      el.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const submit = async (values: MailTemplateUpdate) => {
    setSaving(true);
    try {
      const saved = await suggestionsApi.saveTemplate({ subject: values.subject.trim(), body: values.body });
      queryClient.setQueryData([suggestionsApi.path, 'template'], saved);
      void message.success(t('template.saved'));
    } catch (error) {
      onError(error);
    } finally {
      setSaving(false);
    }
  };

  const unknown = unknownFields(`${subject}\n${body}`);
  const updatedAt = template.data?.updatedAt;

  return (
    <Card
      size="small"
      title={t('template.title')}
      data-testid="template-card"
      extra={
        <Button
          type="primary"
          size="small"
          onClick={() => form.submit()}
          loading={saving}
          disabled={!template.data}
          data-testid="template-save"
        >
          {t('common.save')}
        </Button>
      }
    >
      <Typography.Paragraph style={{ marginTop: 0 }}>
        {t('template.intro')}{' '}
        <Typography.Text type="secondary">
          {updatedAt ? t('template.updatedAt', { time: formatDateTime(updatedAt, locale) }) : t('template.builtin')}
        </Typography.Text>
      </Typography.Paragraph>
      {failedWithoutData(template) ? (
        <LoadError query={template} compact />
      ) : template.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={13}>
            <Form<MailTemplateUpdate> form={form} layout="vertical" onFinish={submit} name="template">
              <Flex gap={6} wrap align="center" style={{ marginBottom: 12 }} data-testid="merge-fields">
                <Typography.Text type="secondary">{t('template.insert')}</Typography.Text>
                {MERGE_FIELDS.map((name) => (
                  // Keep the cursor in the field: the button must not take the focus on mouse down.
                  <Button
                    key={name}
                    size="small"
                    onMouseDown={(e) => e.preventDefault()}
                    onClick={() => insert(name)}
                    data-testid={`merge-field-${name}`}
                  >
                    {`{{${name}}}`}
                  </Button>
                ))}
              </Flex>
              <Form.Item
                name="subject"
                label={t('template.subject')}
                rules={[rules.required('template.subject'), { max: 200 }]}
              >
                <Input
                  ref={subjectRef}
                  onFocus={() => {
                    lastField.current = 'subject';
                  }}
                  maxLength={200}
                  autoComplete="off"
                  data-testid="template-subject"
                />
              </Form.Item>
              <Form.Item
                name="body"
                label={t('template.body')}
                rules={[rules.required('template.body'), { max: 20_000 }]}
                style={{ marginBottom: 0 }}
              >
                <Input.TextArea
                  ref={bodyRef}
                  onFocus={() => {
                    lastField.current = 'body';
                  }}
                  autoSize={{ minRows: 10, maxRows: 24 }}
                  data-testid="template-body"
                />
              </Form.Item>
              <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, marginTop: 4 }}>
                {t('template.insertHint')}
              </Typography.Text>
            </Form>
          </Col>
          <Col xs={24} lg={11}>
            <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8 }}>
              {t('template.preview')}
            </Typography.Text>
            <Card size="small" styles={{ body: { background: '#fafafa' } }} data-testid="template-preview">
              <Typography.Text
                strong
                style={{ display: 'block', marginBottom: 8 }}
                data-testid="template-preview-subject"
              >
                {fill(subject, samples) || '—'}
              </Typography.Text>
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }} data-testid="template-preview-body">
                {fill(body, samples)}
              </Typography.Paragraph>
            </Card>
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, marginTop: 4 }}>
              {t('template.sampleHint')}
            </Typography.Text>
            {unknown.length > 0 && (
              <Alert
                type="warning"
                showIcon
                style={{ marginTop: 8 }}
                title={t('template.unknown', { fields: unknown.map((f) => `{{${f}}}`).join(' ') })}
                data-testid="template-unknown"
              />
            )}
          </Col>
        </Row>
      )}
    </Card>
  );
}
