import { DeleteOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Row,
  Select,
  Timeline,
  Typography,
  Upload,
  type UploadFile,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import {
  CONTACT_CHANNELS,
  CONTACT_DIRECTIONS,
  OVERVIEW_LOG_PAGE_SIZE,
  type ContactLog,
} from '../../../common/schemas/customers';
import { MAX_FILE_BYTES } from '../../../common/schemas/files';
import { usePage, useWrite } from '../../api/queries';
import { contactLogsApi, customersApi, remindersApi, todayApi } from '../../api/resources';
import { contactNameLabel } from '../../components/labels';
import { AttachmentLink } from '../../components/AttachmentLink';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { formatDate, formatDateTime } from '../../components/format';
import { useRules } from '../../components/rules';
import { useLocale, useT } from '../../i18n';
import { InsightAction, useInsightMarks } from '../knowledge-capture/InsightAction';
import { useCustomerContacts } from './ContactsCard';
import { CHANNEL_ICONS, DIRECTION_COLORS, DirectionTag } from './customer-ui';

type Values = {
  direction: (typeof CONTACT_DIRECTIONS)[number];
  channel: (typeof CONTACT_CHANNELS)[number];
  contactId?: string;
  occurredAt: Dayjs;
  summary: string;
  nextContactOn?: Dayjs;
  files?: UploadFile[];
};
const FIELDS: FormFields = { names: ['direction', 'channel', 'contactId', 'occurredAt', 'summary', 'nextContactOn'] };
const INVALIDATES = [contactLogsApi.path, customersApi.path, '/api/v1/answers', todayApi.path, remindersApi.path];

/** Logging a contact with a customer (also from Today: "log the call"); `contactId` preselects who was called. */
export function LogModal({
  customerId,
  contactId,
  open,
  onClose,
}: {
  customerId: string;
  contactId?: string | null;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const contacts = useCustomerContacts(customerId);
  const save = useWrite(async (v: Values) => {
    const log = await contactLogsApi.create({
      customerId,
      contactId: v.contactId ?? null,
      direction: v.direction,
      channel: v.channel,
      occurredAt: v.occurredAt.toISOString(),
      summary: v.summary,
      nextContactOn: v.nextContactOn ? v.nextContactOn.format('YYYY-MM-DD') : null,
    });
    const files = (v.files ?? []).map((f) => f.originFileObj).filter((f): f is NonNullable<typeof f> => Boolean(f));
    // One request per file (the server takes one at a time); a file that fails (too large, over the quota) does not stop the others.
    for (const file of files) {
      try {
        await contactLogsApi.attach(log.id, [file]);
      } catch (error) {
        void message.error(t('log.attachmentFailed', { name: file.name, reason: (error as Error).message }));
      }
    }
    return log;
  }, INVALIDATES);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    const primary = contacts.data?.find((c) => c.isPrimary && !c.erasedAt);
    form.setFieldsValue({
      direction: 'outbound',
      channel: 'phone',
      occurredAt: dayjs(),
      contactId: contactId ?? primary?.id,
    });
    // The defaults are set when the form opens, not again when the contacts reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- defaults only when the form opens
  }, [open, form]);

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t('log.saved'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  return (
    <Modal
      open={open}
      onCancel={onClose}
      width={600}
      destroyOnHidden
      forceRender
      title={t('log.create')}
      onOk={() => form.submit()}
      okText={t('common.save')}
      okButtonProps={{ loading: save.isPending, 'data-testid': 'log-submit' }}
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} name="log">
        <Form.Item name="direction" label={t('log.direction')} rules={[rules.required('log.direction', 'select')]}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            options={CONTACT_DIRECTIONS.map((d) => ({ value: d, label: t(`log.direction.${d}`) }))}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="channel" label={t('log.channel')} rules={[rules.required('log.channel', 'select')]}>
              <Select
                options={CONTACT_CHANNELS.map((c) => ({
                  value: c,
                  label: (
                    <Flex gap={6}>
                      {CHANNEL_ICONS[c]}
                      {t(`log.channel.${c}`)}
                    </Flex>
                  ),
                }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="contactId" label={t('log.contact')}>
              <Select
                allowClear
                loading={contacts.isLoading}
                options={(contacts.data ?? [])
                  // An erased contact is read-only: nothing new is logged with them.
                  .filter((c) => !c.erasedAt)
                  .map((c) => ({
                    value: c.id,
                    label: c.department ? `${c.name}（${c.department}）` : c.name,
                  }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="occurredAt"
              label={t('log.occurredAt')}
              rules={[{ ...rules.required('log.occurredAt', 'select'), type: 'object' }]}
            >
              <DatePicker
                showTime={{ format: 'HH:mm' }}
                format="YYYY-MM-DD HH:mm"
                style={{ width: '100%' }}
                disabledDate={(d) => d.isAfter(dayjs().endOf('day'))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="nextContactOn" label={t('log.nextContactOn')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="summary" label={t('log.summary')} rules={[rules.required('log.summary'), { max: 5000 }]}>
              <Input.TextArea rows={3} placeholder={t('log.summaryPlaceholder')} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item
              name="files"
              label={t('log.attachments')}
              valuePropName="fileList"
              getValueFromEvent={(e: { fileList: UploadFile[] }) => e.fileList}
              extra={t('log.attachmentsHint', { maxMb: MAX_FILE_BYTES / 1024 / 1024 })}
            >
              <Upload multiple maxCount={10} beforeUpload={() => false} data-testid="log-files">
                <Button icon={<UploadOutlined />}>{t('log.attachmentsPick')}</Button>
              </Upload>
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

/** The first page the customer page shows (its /overview answer carries exactly this page). */
export const FIRST_LOG_PAGE = { page: 1, pageSize: OVERVIEW_LOG_PAGE_SIZE };

/** The contact log 联系记录, newest first, with the form to add to it. */
export function ContactLogCard({ customerId, editable }: { customerId: string; editable: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [pageSize, setPageSize] = useState(FIRST_LOG_PAGE.pageSize);
  const logs = usePage(contactLogsApi, { customerId, pageSize, page: 1 });
  const remove = useWrite((id: string) => contactLogsApi.remove(id), INVALIDATES);
  const items = logs.data?.items ?? [];
  const insights = useInsightMarks({ customerId });

  return (
    <Card
      title={t('log.title')}
      size="small"
      data-testid="contact-log"
      extra={
        editable && (
          <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
            {t('log.create')}
          </Button>
        )
      }
    >
      {failedWithoutData(logs) ? (
        <LoadError query={logs} compact />
      ) : logs.isPending ? null : items.length === 0 ? (
        <EmptyState title={t('log.empty')} hint={editable ? t('log.emptyHint') : undefined} />
      ) : (
        <Timeline
          style={{ marginTop: 8 }}
          items={items.map((log: ContactLog) => ({
            key: log.id,
            icon: (
              <span style={{ color: DIRECTION_COLORS[log.direction], fontSize: 16 }}>{CHANNEL_ICONS[log.channel]}</span>
            ),
            content: (
              <Flex vertical gap={4} data-testid="log-entry">
                <Flex gap={8} align="center" wrap>
                  <DirectionTag direction={log.direction} />
                  <Typography.Text strong>{t(`log.channel.${log.channel}`)}</Typography.Text>
                  {log.contactName && <Typography.Text>· {contactNameLabel(t, log.contactName)}</Typography.Text>}
                  <Typography.Text type="secondary">{formatDateTime(log.occurredAt, locale)}</Typography.Text>
                  <Typography.Text type="secondary">{t('log.by', { name: log.userName })}</Typography.Text>
                  <InsightAction sourceType="contact-log" sourceId={log.id} mark={insights.get(log.id)} />
                  {editable && (
                    <Popconfirm
                      title={t('log.deleteConfirm')}
                      okButtonProps={{ danger: true }}
                      onConfirm={() =>
                        remove.mutateAsync(log.id).then(() => void message.success(t('common.deleted')), toast)
                      }
                    >
                      <Button type="text" size="small" icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                    </Popconfirm>
                  )}
                </Flex>
                <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{log.summary}</Typography.Paragraph>
                {log.nextContactOn && (
                  <Typography.Text type="secondary">
                    {t('log.next', { date: formatDate(log.nextContactOn, locale) })}
                  </Typography.Text>
                )}
                {log.attachments.length > 0 && (
                  <Flex gap={12} wrap data-testid="log-attachments">
                    {log.attachments.map((a) => (
                      <AttachmentLink key={a.id} href={contactLogsApi.attachmentUrl(log.id, a.id)} attachment={a} />
                    ))}
                  </Flex>
                )}
              </Flex>
            ),
          }))}
        />
      )}
      {(logs.data?.total ?? 0) > items.length && (
        <Button block type="link" loading={logs.isFetching} onClick={() => setPageSize((s) => Math.min(s + 20, 100))}>
          {t('common.more')}
        </Button>
      )}
      {editable && <LogModal customerId={customerId} open={open} onClose={() => setOpen(false)} />}
    </Card>
  );
}
