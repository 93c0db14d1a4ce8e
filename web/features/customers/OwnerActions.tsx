import { App, Button, Form, Input, Modal, Select, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { Customer } from '../../../common/schemas/customers';
import { useDirectory, useWrite } from '../../api/queries';
import { customersApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { useErrorToast } from '../../components/errors';
import { personLabel } from '../../components/labels';
import { useLocale, useT } from '../../i18n';
import { useClaimFailedToast } from './claim-toast';

const INVALIDATES = [customersApi.path, '/api/v1/answers'];

type Dialog = 'release' | 'assign' | 'share' | null;

/** Claim / release / assign / share, each as the user's grants allow. */
export function OwnerActions({ customer }: { customer: Customer }) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const toast = useErrorToast();
  const { message, modal } = App.useApp();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [form] = Form.useForm<{ reason?: string; ownerId?: string; userIds?: string[] }>();
  const assigner = can(me, 'customers:assign');
  const writer = can(me, 'customers:write');
  const pooler = can(me, 'customers:pool');
  const inPool = customer.ownerId === null;
  const mine = customer.ownerId === me.user.id;
  const users = useDirectory(dialog === 'assign' || dialog === 'share');
  const userOptions = useMemo(
    () =>
      (users.data ?? [])
        .filter((u) => u.id !== customer.ownerId)
        .map((u) => ({ value: u.id, label: personLabel(locale, u) })),
    [users.data, customer.ownerId, locale],
  );

  const claim = useWrite(() => customersApi.claim(customer.id), INVALIDATES);
  const claimFailed = useClaimFailedToast();
  const release = useWrite((reason?: string) => customersApi.release(customer.id, reason), INVALIDATES);
  const assign = useWrite(
    (v: { ownerId: string; reason?: string }) => customersApi.assign(customer.id, v.ownerId, v.reason),
    INVALIDATES,
  );
  const share = useWrite((userIds: string[]) => customersApi.share(customer.id, userIds), INVALIDATES);

  const open = (which: Dialog) => {
    form.resetFields();
    if (which === 'share') form.setFieldsValue({ userIds: customer.sharedWith.map((p) => p.id) });
    setDialog(which);
  };
  const done = (text: string) => {
    void message.success(text);
    setDialog(null);
  };
  const submit = async () => {
    const values = await form.validateFields();
    try {
      if (dialog === 'release') {
        await release.mutateAsync(values.reason);
        done(t('customer.released'));
      } else if (dialog === 'assign') {
        await assign.mutateAsync({ ownerId: values.ownerId!, reason: values.reason });
        done(t('customer.assigned'));
      } else if (dialog === 'share') {
        await share.mutateAsync(values.userIds ?? []);
        done(t('customer.shared'));
      }
    } catch (error) {
      toast(error);
    }
  };
  const confirmClaim = () =>
    modal.confirm({
      title: t('customer.claim'),
      content: t('customer.claimConfirm', { name: customer.name }),
      okText: t('customer.claim'),
      onOk: () => claim.mutateAsync(undefined).then(() => void message.success(t('customer.claimed')), claimFailed),
    });

  const titles: Record<Exclude<Dialog, null>, string> = {
    release: t('customer.release'),
    assign: t('customer.assignTitle', { name: customer.name }),
    share: t('customer.shareTitle', { name: customer.name }),
  };

  return (
    <>
      {inPool && pooler && (
        <Button type="primary" onClick={confirmClaim} loading={claim.isPending} data-testid="customer-claim">
          {t('customer.claim')}
        </Button>
      )}
      {!inPool && (mine || assigner) && (pooler || assigner) && (
        <Button onClick={() => open('release')} data-testid="customer-release">
          {t('customer.release')}
        </Button>
      )}
      {assigner && (
        <Button onClick={() => open('assign')} data-testid="customer-assign">
          {t('customer.assign')}
        </Button>
      )}
      {writer && !inPool && (
        <Button onClick={() => open('share')} data-testid="customer-share">
          {t('customer.share')}
        </Button>
      )}
      <Modal
        open={dialog !== null}
        title={dialog ? titles[dialog] : undefined}
        onCancel={() => setDialog(null)}
        onOk={() => void submit()}
        okText={
          dialog
            ? t(dialog === 'release' ? 'customer.release' : dialog === 'assign' ? 'customer.assign' : 'common.save')
            : undefined
        }
        okButtonProps={{
          danger: dialog === 'release',
          loading: release.isPending || assign.isPending || share.isPending,
          'data-testid': 'owner-dialog-ok',
        }}
        destroyOnHidden
        forceRender
      >
        <Form form={form} layout="vertical" name="owner-action">
          {dialog === 'release' && (
            <Typography.Paragraph>{t('customer.releaseConfirm', { name: customer.name })}</Typography.Paragraph>
          )}
          {dialog === 'share' && (
            <Typography.Paragraph type="secondary">{t('customer.shareHelp')}</Typography.Paragraph>
          )}
          {dialog === 'assign' && (
            <Form.Item
              name="ownerId"
              label={t('customer.assignTo')}
              rules={[{ required: true, message: t('form.select', { field: t('customer.assignTo') }) }]}
            >
              <Select showSearch={{ optionFilterProp: 'label' }} options={userOptions} loading={users.isLoading} />
            </Form.Item>
          )}
          {dialog === 'share' && (
            <Form.Item name="userIds" label={t('customer.sharedWith')}>
              <Select
                mode="multiple"
                showSearch={{ optionFilterProp: 'label' }}
                options={[
                  ...userOptions,
                  ...customer.sharedWith
                    .filter((p) => !userOptions.some((o) => o.value === p.id))
                    .map((p) => ({ value: p.id, label: p.name })),
                ]}
                loading={users.isLoading}
              />
            </Form.Item>
          )}
          {(dialog === 'release' || dialog === 'assign') && (
            <Form.Item name="reason" label={t('customer.reason')} rules={[{ max: 200 }]}>
              <Input.TextArea rows={2} placeholder={t('customer.reasonPlaceholder')} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
