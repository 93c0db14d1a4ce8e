import { MailOutlined, PhoneOutlined, PlusOutlined, StarFilled, WechatOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Col,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Row,
  Select,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { Email, Phone } from '../../../common/schemas/common';
import type { Contact } from '../../../common/schemas/customers';
import { useAll, useWrite } from '../../api/queries';
import { contactsApi } from '../../api/resources';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';
import { useMe } from '../../auth/session';
import { ContactPrivacyMenu, ErasedTag, mayHandlePersonalData, useContactName } from './PrivacyActions';

type Values = {
  name: string;
  title?: string;
  department?: string;
  phones: string[];
  emails: string[];
  wechat?: string;
  isPrimary: boolean;
  notes?: string;
};
const FIELDS: FormFields = {
  names: ['name', 'title', 'department', 'phones', 'emails', 'wechat', 'isPrimary', 'notes'],
};
const INVALIDATES = [contactsApi.path, '/api/v1/answers'];

/** A customer's contacts, for pickers (the contact log form) and the list. */
export const customerContactsParams = (customerId: string) => ({ customerId, sort: 'name' as const });
export const useCustomerContacts = (customerId: string) => useAll(contactsApi, customerContactsParams(customerId));

function ContactModal({
  customerId,
  contact,
  open,
  onClose,
}: {
  customerId: string;
  contact: Contact | null;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const save = useWrite((v: Values) => {
    const fields = {
      name: v.name,
      title: v.title || null,
      department: v.department || null,
      phones: (v.phones ?? []).map((p) => p.trim()).filter(Boolean),
      emails: (v.emails ?? []).map((e) => e.trim()).filter(Boolean),
      wechat: v.wechat || null,
      isPrimary: v.isPrimary,
      notes: v.notes || null,
    };
    return contact ? contactsApi.update(contact.id, fields) : contactsApi.create({ customerId, ...fields });
  }, INVALIDATES);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      contact
        ? {
            ...contact,
            title: contact.title ?? undefined,
            department: contact.department ?? undefined,
            wechat: contact.wechat ?? undefined,
            notes: contact.notes ?? undefined,
          }
        : { phones: [], emails: [], isPrimary: false },
    );
  }, [open, contact, form]);

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t(contact ? 'common.saved' : 'common.created'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };
  /** The server's rule for each item of a multi-value field (phones, e-mails). */
  const each = (schema: typeof Phone | typeof Email) => {
    const rule = rules.schema(schema) as { validator: (rule: unknown, value: unknown) => Promise<void> };
    return {
      validator: async (_: unknown, values: string[] | undefined) => {
        for (const value of values ?? []) await rule.validator(_, value);
      },
    };
  };

  return (
    <Modal
      open={open}
      onCancel={onClose}
      width={640}
      destroyOnHidden
      forceRender
      title={contact ? t('contact.editTitle', { name: contact.name }) : t('contact.createTitle')}
      onOk={() => form.submit()}
      okText={t('common.save')}
      okButtonProps={{ loading: save.isPending, 'data-testid': 'contact-submit' }}
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} name="contact">
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="name" label={t('contact.name')} rules={[rules.required('contact.name'), { max: 50 }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="title" label={t('contact.jobTitle')} rules={[{ max: 50 }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="department" label={t('contact.department')} rules={[{ max: 50 }]}>
              <Input autoComplete="off" placeholder={t('contact.departmentPlaceholder')} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="wechat" label={t('contact.wechat')} rules={[{ max: 50 }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="phones" label={t('contact.phones')} extra={t('contact.multiHelp')} rules={[each(Phone)]}>
              <Select mode="tags" open={false} suffixIcon={null} maxCount={10} tokenSeparators={[',', '，', ' ']} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="emails" label={t('contact.emails')} extra={t('contact.multiHelp')} rules={[each(Email)]}>
              <Select mode="tags" open={false} suffixIcon={null} maxCount={10} tokenSeparators={[',', '，', ' ']} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="notes" label={t('contact.notes')} rules={[{ max: 2000 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="isPrimary" label={t('contact.isPrimary')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

export function ContactsCard({ customerId, editable }: { customerId: string; editable: boolean }) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const contacts = useCustomerContacts(customerId);
  const me = useMe();
  const privacy = mayHandlePersonalData(me);
  const nameOf = useContactName();
  const [editing, setEditing] = useState<Contact | null | undefined>(undefined);
  const remove = useWrite((id: string) => contactsApi.remove(id), INVALIDATES);
  const items = [...(contacts.data ?? [])].sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary));

  return (
    <Card
      title={t('contact.title')}
      size="small"
      data-testid="contacts-card"
      extra={
        editable && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setEditing(null)}>
            {t('contact.create')}
          </Button>
        )
      }
    >
      {failedWithoutData(contacts) ? (
        <LoadError query={contacts} compact />
      ) : contacts.isLoading ? null : items.length === 0 ? (
        <EmptyState title={t('contact.empty')} hint={editable ? t('contact.emptyHint') : undefined} />
      ) : (
        <Flex vertical>
          {items.map((c, i) => (
            <Flex
              key={c.id}
              justify="space-between"
              align="flex-start"
              gap={8}
              data-testid={`contact-${c.name}`}
              style={{ padding: '8px 0', borderTop: i ? '1px solid #f0f0f0' : undefined }}
            >
              <Flex vertical gap={2} style={{ minWidth: 0 }}>
                <Flex gap={6} align="center" wrap>
                  <Typography.Text strong>{nameOf(c)}</Typography.Text>
                  {c.erasedAt && <ErasedTag />}
                  {c.isPrimary && (
                    <Tag color="gold" icon={<StarFilled />} style={{ marginInlineEnd: 0 }}>
                      {t('contact.primary')}
                    </Tag>
                  )}
                  {(c.department || c.title) && (
                    <Typography.Text type="secondary">
                      {[c.department, c.title].filter(Boolean).join(' · ')}
                    </Typography.Text>
                  )}
                </Flex>
                {c.phones.length > 0 && (
                  <Typography.Text>
                    <PhoneOutlined />{' '}
                    {c.phones.map((phone, n) => (
                      <span key={phone}>
                        {n > 0 && '、'}
                        <a href={`tel:${phone}`}>{phone}</a>
                      </span>
                    ))}
                  </Typography.Text>
                )}
                {c.emails.length > 0 && (
                  <Typography.Text>
                    <MailOutlined /> {c.emails.join('、')}
                  </Typography.Text>
                )}
                {c.wechat && (
                  <Typography.Text>
                    <WechatOutlined /> {c.wechat}
                  </Typography.Text>
                )}
                {c.notes && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {c.notes}
                  </Typography.Text>
                )}
              </Flex>
              {(editable || privacy) && (
                <Flex gap={0} align="center" style={{ flex: 'none' }}>
                  {editable && !c.erasedAt && (
                    <>
                      <Button type="link" size="small" onClick={() => setEditing(c)}>
                        {t('common.edit')}
                      </Button>
                      <Popconfirm
                        title={t('common.delete')}
                        description={<div style={{ maxWidth: 260 }}>{t('common.deleteConfirm', { name: c.name })}</div>}
                        okButtonProps={{ danger: true }}
                        onConfirm={() =>
                          remove.mutateAsync(c.id).then(() => void message.success(t('common.deleted')), toast)
                        }
                      >
                        <Button type="link" size="small" danger>
                          {t('common.delete')}
                        </Button>
                      </Popconfirm>
                    </>
                  )}
                  {privacy && <ContactPrivacyMenu contact={c} />}
                </Flex>
              )}
            </Flex>
          ))}
        </Flex>
      )}
      {editable && (
        <ContactModal
          customerId={customerId}
          contact={editing ?? null}
          open={editing !== undefined}
          onClose={() => setEditing(undefined)}
        />
      )}
    </Card>
  );
}
