import { Alert, App, DatePicker, Form, Radio, Select } from 'antd';
import { useQuery } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { isApiError } from '../../api/client';
import { useWrite } from '../../api/queries';
import { commissionSheetsApi, contractsApi, ordersApi } from '../../api/resources';
import { errorText } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { useDebounced } from '../../components/use-debounced';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';
import { COMMISSION_INVALIDATES } from './commission-ui';

type Values = { by: 'contract' | 'order'; contractId?: string; orderId?: string; period?: Dayjs | null };

/** The errors that say why no sheet was drafted: shown in the drawer, above the fields they concern. */
const SHEET_ERRORS = new Set([
  'COMMISSION_SHEET_EXISTS',
  'COMMISSION_SHEET_EMPTY',
  'COMMISSION_NO_POLICY',
  'COMMISSION_PERIOD_FUTURE',
  'COMMISSION_ORDER_OF_CONTRACT',
  'COMMISSION_SOURCE_COUNTED',
]);

/** Draft the month's sheet of a contract (or of an order without one), then open it. */
export function SheetCreateDrawer({ onClose }: { onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const by = Form.useWatch('by', form) ?? 'contract';
  const [q, setQ] = useState('');
  const search = useDebounced(q, 300);
  const contracts = useQuery({
    queryKey: [contractsApi.path, 'pick', search],
    queryFn: () => contractsApi.list({ q: search || undefined, pageSize: 20, sort: '-createdAt' }),
    enabled: by === 'contract',
  });
  const orders = useQuery({
    queryKey: [ordersApi.path, 'pick', search],
    queryFn: () => ordersApi.list({ q: search || undefined, pageSize: 20, sort: '-createdAt' }),
    enabled: by === 'order',
  });
  const [failure, setFailure] = useState<string | null>(null);
  const create = useWrite(
    (v: Values) =>
      commissionSheetsApi.create({
        ...(v.by === 'contract' ? { contractId: v.contractId } : { orderId: v.orderId }),
        period: v.period!.format('YYYY-MM'),
      }),
    COMMISSION_INVALIDATES,
  );
  const submit = (v: Values) => {
    setFailure(null);
    return create.mutateAsync(v).then(
      (sheet) => {
        void message.success(t('commission.sheet.created'));
        onClose();
        void navigate(`/commissions/sheets/${sheet.id}`);
      },
      (error: unknown) => {
        if (isApiError(error) && SHEET_ERRORS.has(error.code)) setFailure(error.message);
        else setFailure(errorText(t, error));
      },
    );
  };
  const orderOptions = (orders.data?.items ?? [])
    .filter((o) => !o.contractId)
    .map((o) => ({ value: o.id, label: `${o.number ?? ''} ${o.customerName} · ${o.title}`.trim() }));
  return (
    <FormDrawer
      open
      title={t('commission.sheet.createTitle')}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={create.isPending}
      width={520}
      saveTestId="sheet-create-save"
    >
      <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('commission.sheet.createHint')} />
      {failure && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={failure}
          role="alert"
          data-testid="sheet-create-error"
        />
      )}
      <Form<Values>
        form={form}
        layout="vertical"
        name="commission-sheet"
        initialValues={{ by: 'contract', period: dayjs().subtract(1, 'month').startOf('month') }}
        onFinish={submit}
        onValuesChange={() => setFailure(null)}
      >
        <Form.Item name="by" label={t('commission.sheet.createBy')}>
          <Radio.Group
            optionType="button"
            onChange={() => setQ('')}
            options={[
              { value: 'contract', label: t('commission.sheet.byContract') },
              { value: 'order', label: t('commission.sheet.byOrder') },
            ]}
          />
        </Form.Item>
        {by === 'contract' ? (
          <Form.Item
            name="contractId"
            label={t('commission.sheet.contract')}
            rules={[rules.required('commission.sheet.contract', 'select')]}
          >
            <Select
              showSearch={{ filterOption: false, onSearch: setQ }}
              placeholder={t('commission.sheet.pickContract')}
              loading={contracts.isFetching}
              options={(contracts.data?.items ?? []).map((c) => ({
                value: c.id,
                label: `${c.number ?? ''} ${c.customerName} · ${c.title}`.trim(),
              }))}
              data-testid="sheet-contract"
            />
          </Form.Item>
        ) : (
          <Form.Item
            name="orderId"
            label={t('commission.sheet.order')}
            rules={[rules.required('commission.sheet.order', 'select')]}
          >
            <Select
              showSearch={{ filterOption: false, onSearch: setQ }}
              placeholder={t('commission.sheet.pickOrder')}
              loading={orders.isFetching}
              options={orderOptions}
              data-testid="sheet-order"
            />
          </Form.Item>
        )}
        <Form.Item
          name="period"
          label={t('commission.sheet.period')}
          rules={[{ ...rules.required('commission.sheet.period', 'select'), type: 'object' }]}
        >
          <DatePicker picker="month" style={{ width: '100%' }} data-testid="sheet-period" />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
