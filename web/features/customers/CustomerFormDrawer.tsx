import { useQuery } from '@tanstack/react-query';
import { Alert, App, Col, Divider, Flex, Form, Input, Row, Select, Typography } from 'antd';
import { FormDrawer } from '../../components/FormDrawer';
import { useEffect } from 'react';
import { Link } from 'react-router';
import { Email, Phone } from '../../../common/schemas/common';
import { COMPANY_SIZES, CreditCode, CUSTOMER_STATUSES, type Customer } from '../../../common/schemas/customers';
import { useAllBranches, useAllRegions, useWrite } from '../../api/queries';
import { customersApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { useDebounced } from '../../components/use-debounced';
import { useT } from '../../i18n';

type Values = {
  name: string;
  creditCode?: string;
  industry?: string;
  size?: (typeof COMPANY_SIZES)[number];
  regionId?: string;
  branchId?: string;
  address?: string;
  email?: string;
  phone?: string;
  status: (typeof CUSTOMER_STATUSES)[number];
  source?: string;
  tags: string[];
  owner: 'me' | 'pool';
};

const FIELDS: FormFields = {
  names: [
    'name',
    'creditCode',
    'industry',
    'size',
    'regionId',
    'branchId',
    'address',
    'email',
    'phone',
    'status',
    'source',
    'tags',
    'owner',
  ],
  rename: { region: 'regionId', branch: 'branchId', ownerId: 'owner' },
};

/** Options of an active-only picker; an inactive value already on the record stays visible. */
function pickerOptions(items: { id: string; name: string; active: boolean }[] | undefined, current?: string | null) {
  return (items ?? [])
    .filter((i) => i.active || i.id === current)
    .map((i) => ({ value: i.id, label: i.name, disabled: !i.active }));
}

/** Warns, while typing, about customers that may be the same company (firm-wide). */
function DuplicateWarning({ name, creditCode, excludeId }: { name?: string; creditCode?: string; excludeId?: string }) {
  const t = useT();
  const debouncedName = useDebounced(name?.trim() ?? '', 400);
  const debouncedCode = useDebounced(creditCode?.trim() ?? '', 400);
  const query = { name: debouncedName || undefined, creditCode: debouncedCode || undefined, excludeId };
  const enabled = (query.name?.length ?? 0) >= 2 || query.creditCode?.length === 18;
  const found = useQuery({
    queryKey: [customersApi.path, 'duplicates', query],
    queryFn: () => customersApi.duplicates(query),
    enabled,
  });
  const candidates = enabled ? (found.data ?? []) : [];
  if (candidates.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="duplicate-warning"
      title={t('customer.duplicatesTitle')}
      description={
        <Flex vertical gap={2}>
          {candidates.map((c, i) => (
            <Typography.Text key={c.id ?? i}>
              {c.id ? <Link to={`/customers/${c.id}`}>{c.name}</Link> : c.name}
              <Typography.Text type="secondary">
                {' '}
                · {t(`customer.duplicateReason.${c.reason}`)} ·{' '}
                {c.ownerName ? t('customer.duplicateOwner', { name: c.ownerName }) : t('customer.ownerPool')}
              </Typography.Text>
            </Typography.Text>
          ))}
        </Flex>
      }
    />
  );
}

type Props = {
  open: boolean;
  customer: Customer | null;
  onClose: () => void;
  onCreated?: (customer: Customer) => void;
};

/** Creates a customer (customer = null) or edits one's profile. */
export function CustomerFormDrawer({ open, customer, onClose, onCreated }: Props) {
  const t = useT();
  const me = useMe();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const onError = useFormSubmitError(form, FIELDS);
  const branches = useAllBranches();
  const regions = useAllRegions();
  const watchedName = Form.useWatch('name', form);
  const watchedCode = Form.useWatch('creditCode', form);
  const save = useWrite(
    (values: Values) => {
      const fields = {
        name: values.name,
        creditCode: values.creditCode || null,
        industry: values.industry || null,
        size: values.size ?? null,
        regionId: values.regionId ?? null,
        branchId: values.branchId ?? null,
        address: values.address || null,
        email: values.email || null,
        phone: values.phone || null,
        status: values.status,
        source: values.source || null,
        tags: values.tags ?? [],
      };
      return customer
        ? customersApi.update(customer.id, fields)
        : customersApi.create({ ...fields, ownerId: values.owner === 'pool' ? null : me.user.id });
    },
    [customersApi.path, '/api/v1/answers'],
  );

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      customer
        ? {
            name: customer.name,
            creditCode: customer.creditCode ?? undefined,
            industry: customer.industry ?? undefined,
            size: customer.size ?? undefined,
            regionId: customer.regionId ?? undefined,
            branchId: customer.branchId ?? undefined,
            address: customer.address ?? undefined,
            email: customer.email ?? undefined,
            phone: customer.phone ?? undefined,
            status: customer.status,
            source: customer.source ?? undefined,
            tags: customer.tags,
          }
        : {
            status: 'prospect',
            tags: [],
            owner: 'me',
            regionId: me.user.regionId ?? undefined,
            branchId: me.user.branchId ?? undefined,
          },
    );
  }, [open, customer, form, me]);

  const submit = async (values: Values) => {
    try {
      const saved = await save.mutateAsync(values);
      void message.success(t(customer ? 'common.saved' : 'common.created'));
      onClose();
      if (!customer) onCreated?.(saved);
    } catch (error) {
      onError(error);
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={customer ? t('customer.editTitle', { name: customer.name }) : t('customer.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="customer-form-submit"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        name="customer"
        scrollToFirstError={{ block: 'center' }}
      >
        <Divider titlePlacement="start" plain style={{ marginTop: 0 }}>
          {t('customer.sectionBasic')}
        </Divider>
        <Row gutter={16}>
          <Col span={24}>
            <Form.Item name="name" label={t('customer.name')} rules={[rules.required('customer.name'), { max: 100 }]}>
              <Input autoComplete="off" />
            </Form.Item>
            {open && <DuplicateWarning name={watchedName} creditCode={watchedCode} excludeId={customer?.id} />}
          </Col>
          <Col span={12}>
            <Form.Item name="creditCode" label={t('customer.creditCode')} rules={[rules.schema(CreditCode)]}>
              <Input autoComplete="off" maxLength={18} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="status" label={t('customer.status')} rules={[rules.required('customer.status', 'select')]}>
              <Select options={CUSTOMER_STATUSES.map((s) => ({ value: s, label: t(`customer.status.${s}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="industry" label={t('customer.industry')} rules={[{ max: 50 }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="size" label={t('customer.size')}>
              <Select allowClear options={COMPANY_SIZES.map((s) => ({ value: s, label: t(`customer.size.${s}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="regionId" label={t('customer.region')}>
              <Select
                allowClear
                options={pickerOptions(regions.data, customer?.regionId)}
                loading={regions.isLoading}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="branchId" label={t('customer.branch')}>
              <Select
                allowClear
                options={pickerOptions(branches.data, customer?.branchId)}
                loading={branches.isLoading}
              />
            </Form.Item>
          </Col>
        </Row>

        <Divider titlePlacement="start" plain>
          {t('customer.sectionContact')}
        </Divider>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="phone" label={t('customer.phone')} rules={[rules.schema(Phone)]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="email" label={t('customer.email')} rules={[rules.schema(Email)]}>
              <Input type="email" autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="address" label={t('customer.address')} rules={[{ max: 200 }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
        </Row>

        <Divider titlePlacement="start" plain>
          {t('customer.sectionSales')}
        </Divider>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="source" label={t('customer.source')} rules={[{ max: 50 }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          {!customer && (
            <Col span={12}>
              <Form.Item name="owner" label={t('customer.owner')}>
                <Select
                  options={[
                    { value: 'me', label: t('customer.ownerMe', { name: me.user.displayName }) },
                    { value: 'pool', label: t('customer.ownerPool') },
                  ]}
                />
              </Form.Item>
            </Col>
          )}
          <Col span={24}>
            <Form.Item name="tags" label={t('customer.tags')} extra={t('customer.tagsHelp')}>
              <Select mode="tags" open={false} suffixIcon={null} maxCount={20} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </FormDrawer>
  );
}
