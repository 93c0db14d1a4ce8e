import { DeleteOutlined, DownloadOutlined, MoreOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { App, Alert, Button, Dropdown, Flex, Form, Input, Modal, Switch, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import type { Contact, Customer } from '../../../common/schemas/customers';
import { api, apiFile } from '../../api/client';
import { useWrite } from '../../api/queries';
import { contactsApi, customersApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { useErrorToast } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { saveFile } from '../../components/save-file';
import { useLocale, useT } from '../../i18n';

/**
 * Personal-information requests (个人信息保护法) on the customer page: a contact's 导出个人信息 and 删除个人信息
 * (administrators), the erased tag, and the customer's 法律保全 switch (administrators and partners).
 */

/** Who may export or erase a contact's personal data (as the server decides: staff:manage). */
export const mayHandlePersonalData = (me: ReturnType<typeof useMe>) => can(me, 'staff:manage');

/** Who may set or clear a customer's legal hold (staff:manage, or customers:assign over every customer). */
export const mayHoldCustomers = (me: ReturnType<typeof useMe>) =>
  can(me, 'staff:manage') || can(me, 'customers:assign', 'all');

/** An erased contact's name, in the reader's language (stored as the Chinese marker). */
export function useContactName() {
  const t = useT();
  return (c: Pick<Contact, 'name' | 'erasedAt'>) => (c.erasedAt ? t('privacy.erasedName') : c.name);
}

export function ErasedTag() {
  const t = useT();
  return (
    <Tag color="default" style={{ marginInlineEnd: 0 }} data-testid="contact-erased-tag">
      {t('privacy.erasedTag')}
    </Tag>
  );
}

const INVALIDATES = [contactsApi.path, customersApi.path, '/api/v1/contact-logs', '/api/v1/answers'];

function EraseModal({ contact, open, onClose }: { contact: Contact; open: boolean; onClose: () => void }) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const [typed, setTyped] = useState('');
  const erase = useWrite(
    (confirmName: string) =>
      api<Contact>(`/api/v1/contacts/${contact.id}/erase`, { method: 'POST', body: { confirmName } }),
    INVALIDATES,
  );
  const matches = typed.trim() === contact.name.trim();
  return (
    <Modal
      open={open}
      title={t('privacy.eraseTitle')}
      okText={t('privacy.eraseOk')}
      okButtonProps={{ danger: true, disabled: !matches }}
      confirmLoading={erase.isPending}
      onCancel={onClose}
      afterClose={() => setTyped('')}
      destroyOnHidden
      onOk={() =>
        erase.mutateAsync(typed).then(() => {
          void message.success(t('privacy.erased'));
          onClose();
        }, toast)
      }
    >
      <Flex vertical gap={12}>
        <Alert type="warning" showIcon title={t('privacy.eraseWarning')} />
        <Typography.Text>{t('privacy.eraseTypeName', { name: contact.name })}</Typography.Text>
        <Form.Item style={{ marginBottom: 0 }}>
          <Input
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder={contact.name}
            autoComplete="off"
            data-testid="erase-name"
          />
        </Form.Item>
      </Flex>
    </Modal>
  );
}

/** The ⋯ menu of a contact for administrators: export, erase. Narrow enough for a phone. */
export function ContactPrivacyMenu({ contact }: { contact: Contact }) {
  const t = useT();
  const toast = useErrorToast();
  const [erasing, setErasing] = useState(false);
  const download = async () => {
    try {
      const file = await apiFile(`/api/v1/contacts/${contact.id}/personal-data`);
      saveFile(file.blob, file.filename ?? `${contact.name}.zip`);
    } catch (error) {
      toast(error);
    }
  };
  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            { key: 'export', icon: <DownloadOutlined />, label: t('privacy.export'), onClick: () => void download() },
            ...(contact.erasedAt
              ? []
              : [
                  {
                    key: 'erase',
                    icon: <DeleteOutlined />,
                    danger: true,
                    label: t('privacy.erase'),
                    onClick: () => setErasing(true),
                  },
                ]),
          ],
        }}
      >
        <Button
          type="text"
          size="small"
          icon={<MoreOutlined />}
          aria-label={t('privacy.menu')}
          data-testid={`contact-privacy-${contact.id}`}
        />
      </Dropdown>
      <EraseModal contact={contact} open={erasing} onClose={() => setErasing(false)} />
    </>
  );
}

/** The customer's 法律保全: a tag with the reason for every reader; the switch for those who may set it. */
export function LegalHoldControl({ customer }: { customer: Customer }) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const change = useWrite(
    (body: { held: boolean; reason?: string }) =>
      api<Customer>(`/api/v1/customers/${customer.id}/legal-hold`, { method: 'PUT', body }),
    INVALIDATES,
  );
  const held = Boolean(customer.legalHoldAt);
  const editable = mayHoldCustomers(me);
  if (!held && !editable) return null;
  const tag = held && (
    <Tooltip
      title={`${customer.legalHoldReason ?? ''} · ${formatDateTime(customer.legalHoldAt, locale)}`}
      trigger={['hover', 'click']}
    >
      <Tag color="gold" icon={<SafetyCertificateOutlined />} data-testid="legal-hold-tag">
        {t('privacy.legalHold')}
      </Tag>
    </Tooltip>
  );
  if (!editable) return tag || null;
  return (
    <Flex align="center" gap={6} wrap>
      {tag}
      <Switch
        size="small"
        checked={held}
        loading={change.isPending}
        aria-label={t('privacy.legalHold')}
        data-testid="legal-hold-switch"
        onChange={(on) =>
          on
            ? setAsking(true)
            : change.mutateAsync({ held: false }).then(() => void message.success(t('privacy.legalHoldCleared')), toast)
        }
      />
      {!held && <Typography.Text type="secondary">{t('privacy.legalHold')}</Typography.Text>}
      <Modal
        open={asking}
        title={t('privacy.legalHoldTitle')}
        okButtonProps={{ disabled: !reason.trim() }}
        confirmLoading={change.isPending}
        onCancel={() => setAsking(false)}
        afterClose={() => setReason('')}
        onOk={() =>
          change.mutateAsync({ held: true, reason: reason.trim() }).then(() => {
            void message.success(t('privacy.legalHoldSet'));
            setAsking(false);
          }, toast)
        }
      >
        <Flex vertical gap={8}>
          <Typography.Text type="secondary">{t('privacy.legalHoldHint')}</Typography.Text>
          <Input.TextArea
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={500}
            autoSize={{ minRows: 2, maxRows: 5 }}
            placeholder={t('privacy.legalHoldReason')}
            data-testid="legal-hold-reason"
          />
        </Flex>
      </Modal>
    </Flex>
  );
}
