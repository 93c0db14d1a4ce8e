import { useQuery } from '@tanstack/react-query';
import { App, Button, Form, Modal, Select, Typography } from 'antd';
import { useState } from 'react';
import type { Customer } from '../../../common/schemas/customers';
import { useWrite } from '../../api/queries';
import { contactLogsApi, contactsApi, customersApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { useDebounced } from '../../components/use-debounced';
import { useT } from '../../i18n';

/** Merge another customer (a duplicate) into this one, after picking it and confirming. */
export function MergeAction({ customer }: { customer: Customer }) {
  const t = useT();
  const toast = useErrorToast();
  const { message, modal } = App.useApp();
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [duplicateId, setDuplicateId] = useState<string>();
  const q = useDebounced(search.trim(), 300);
  const candidates = useQuery({
    queryKey: [customersApi.path, 'merge-candidates', q],
    queryFn: () => customersApi.list({ q: q || undefined, pageSize: 20, sort: 'name' }),
    enabled: open,
  });
  const options = (candidates.data?.items ?? [])
    .filter((c) => c.id !== customer.id)
    .map((c) => ({ value: c.id, label: c.name }));
  const merge = useWrite(
    (id: string) => customersApi.merge(customer.id, id),
    [customersApi.path, contactsApi.path, contactLogsApi.path, '/api/v1/answers'],
  );

  const confirm = () => {
    const duplicate = options.find((o) => o.value === duplicateId);
    if (!duplicate) return;
    modal.confirm({
      title: t('customer.mergeTitle'),
      content: t('customer.mergeConfirm', { duplicate: duplicate.label, name: customer.name }),
      okText: t('customer.merge'),
      okButtonProps: { danger: true },
      onOk: () =>
        merge.mutateAsync(duplicate.value).then(() => {
          void message.success(t('customer.merged'));
          setOpen(false);
        }, toast),
    });
  };

  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="customer-merge">
        {t('customer.merge')}
      </Button>
      <Modal
        open={open}
        title={t('customer.mergeTitle')}
        onCancel={() => setOpen(false)}
        onOk={confirm}
        okText={t('customer.merge')}
        okButtonProps={{ danger: true, disabled: !duplicateId, loading: merge.isPending }}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('customer.mergeHelp', { name: customer.name })}</Typography.Paragraph>
        <Form layout="vertical">
          <Form.Item label={t('customer.mergeDuplicate')}>
            <Select
              showSearch={{ filterOption: false, onSearch: setSearch }}
              value={duplicateId}
              onChange={setDuplicateId}
              options={options}
              loading={candidates.isFetching}
              placeholder={t('customer.mergeSearch')}
            />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
