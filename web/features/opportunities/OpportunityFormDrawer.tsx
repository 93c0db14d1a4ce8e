import { useQuery } from '@tanstack/react-query';
import { Alert, App, Col, DatePicker, Form, Input, InputNumber, Row, Select, Switch, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { Money } from '../../../common/schemas/common';
import type { Opportunity } from '../../../common/schemas/opportunities';
import { useAll, useAllBusinessLines, useDirectory, useWrite } from '../../api/queries';
import { contactsApi, customersApi, opportunitiesApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { personLabel } from '../../components/labels';
import { useRules } from '../../components/rules';
import { useDebounced } from '../../components/use-debounced';
import { customerContactsParams } from '../customers/ContactsCard';
import { MoneyInput } from '../../components/MoneyInput';
import { useLocale, useT } from '../../i18n';

type Values = {
  customerId?: string;
  businessLineId?: string;
  name: string;
  expectedAmount?: string | null;
  expectedCloseOn?: Dayjs | null;
  contactId?: string | null;
  nextStep?: string;
  probability?: number;
  ownerId?: string;
  isProject: boolean;
};

const FIELDS: FormFields = {
  names: [
    'customerId',
    'businessLineId',
    'name',
    'expectedAmount',
    'expectedCloseOn',
    'contactId',
    'nextStep',
    'probability',
    'ownerId',
    'isProject',
  ],
};

/** A customer picker that searches the server (name, pinyin initials, phone …) as one types. */
export function CustomerSelect({
  value,
  onChange,
  initialLabel,
}: {
  value?: string;
  onChange?: (id: string, name: string) => void;
  initialLabel?: string;
}) {
  const t = useT();
  const [q, setQ] = useState('');
  const debounced = useDebounced(q.trim(), 300);
  const found = useQuery({
    queryKey: [customersApi.path, 'page', { q: debounced || undefined, pageSize: 20, view: 'visible' }],
    queryFn: () => customersApi.list({ q: debounced || undefined, pageSize: 20, view: 'visible' }),
  });
  const options = (found.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }));
  if (value && initialLabel && !options.some((o) => o.value === value)) options.unshift({ value, label: initialLabel });
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      placeholder={t('opp.customerSearch')}
      loading={found.isFetching}
      options={options}
      notFoundContent={found.isFetching ? null : t('opp.noCustomer')}
      onChange={(id: string) => onChange?.(id, options.find((o) => o.value === id)?.label ?? '')}
      data-testid="opp-customer"
    />
  );
}

type Props = {
  open: boolean;
  /** null: a new opportunity. */
  opportunity: Opportunity | null;
  onClose: () => void;
  onCreated?: (opportunity: Opportunity) => void;
  /** A new opportunity's business line (the board's). */
  defaultBusinessLineId?: string;
  defaultCustomer?: { id: string; name: string };
};

/** Creates an opportunity or edits one's details (amount, date, probability, next step, contact, owner, project). */
export function OpportunityFormDrawer({
  open,
  opportunity,
  onClose,
  onCreated,
  defaultBusinessLineId,
  defaultCustomer,
}: Props) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const lines = useAllBusinessLines();
  const directory = useDirectory(open && opportunity !== null);
  const [customerName, setCustomerName] = useState(defaultCustomer?.name ?? '');
  const customerId = Form.useWatch('customerId', form) ?? opportunity?.customerId;
  const contacts = useAll(contactsApi, customerContactsParams(customerId ?? ''), Boolean(customerId) && open);
  const [nameTouched, setNameTouched] = useState(false);

  const lineOptions = useMemo(
    () =>
      (lines.data ?? [])
        .filter((l) => l.active || l.id === opportunity?.businessLineId)
        .sort((a, b) => a.sortOrder - b.sortOrder)
        .map((l) => ({ value: l.id, label: l.name })),
    [lines.data, opportunity],
  );

  const save = useWrite(
    (v: Values) => {
      const common = {
        name: v.name.trim(),
        expectedAmount: v.expectedAmount || null,
        expectedCloseOn: v.expectedCloseOn ? v.expectedCloseOn.format('YYYY-MM-DD') : null,
        contactId: v.contactId ?? null,
        nextStep: v.nextStep?.trim() || null,
        isProject: v.isProject,
      };
      if (opportunity)
        return opportunitiesApi.update(opportunity.id, { ...common, probability: v.probability, ownerId: v.ownerId });
      return opportunitiesApi.create({ ...common, customerId: v.customerId!, businessLineId: v.businessLineId! });
    },
    [opportunitiesApi.path],
  );

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setNameTouched(Boolean(opportunity));
    setCustomerName(opportunity?.customerName ?? defaultCustomer?.name ?? '');
    form.setFieldsValue(
      opportunity
        ? {
            name: opportunity.name,
            expectedAmount: opportunity.expectedAmount,
            expectedCloseOn: opportunity.expectedCloseOn ? dayjs(opportunity.expectedCloseOn) : null,
            contactId: opportunity.contactId,
            nextStep: opportunity.nextStep ?? undefined,
            probability: opportunity.probability,
            ownerId: opportunity.ownerId,
            isProject: opportunity.isProject,
          }
        : {
            customerId: defaultCustomer?.id,
            businessLineId: defaultBusinessLineId ?? me.user.businessLineIds[0],
            isProject: false,
          },
    );
  }, [open, opportunity, form, defaultBusinessLineId, defaultCustomer, me]);

  /** A new opportunity is named after its customer and line until the user types a name. */
  const suggestName = (customer: string, lineId?: string) => {
    if (nameTouched || opportunity) return;
    const line = lineOptions.find((l) => l.value === lineId)?.label;
    if (customer) form.setFieldValue('name', line ? `${customer} · ${line}` : customer);
  };

  const submit = async (values: Values) => {
    try {
      const saved = await save.mutateAsync(values);
      void message.success(t(opportunity ? 'common.saved' : 'common.created'));
      onClose();
      if (!opportunity) onCreated?.(saved);
    } catch (error) {
      onError(error);
    }
  };

  const ownerOptions = (directory.data ?? []).map((u) => ({ value: u.id, label: personLabel(locale, u) }));
  if (opportunity && !ownerOptions.some((o) => o.value === opportunity.ownerId))
    ownerOptions.unshift({ value: opportunity.ownerId, label: opportunity.ownerName });

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={opportunity ? t('opp.editTitle', { name: opportunity.name }) : t('opp.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="opp-form-submit"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        name="opportunity"
        onFinish={submit}
        scrollToFirstError={{ block: 'center' }}
      >
        {!opportunity && (
          <Row gutter={16}>
            <Col xs={24} md={14}>
              <Form.Item name="customerId" label={t('opp.customer')} rules={[rules.required('opp.customer', 'select')]}>
                <CustomerSelect
                  initialLabel={customerName}
                  onChange={(id, name) => {
                    form.setFieldsValue({ customerId: id, contactId: null });
                    setCustomerName(name);
                    suggestName(name, form.getFieldValue('businessLineId'));
                  }}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={10}>
              <Form.Item
                name="businessLineId"
                label={t('opp.businessLine')}
                rules={[rules.required('opp.businessLine', 'select')]}
              >
                <Select
                  options={lineOptions}
                  loading={lines.isPending}
                  data-testid="opp-line"
                  onChange={(id: string) => suggestName(customerName, id)}
                />
              </Form.Item>
            </Col>
          </Row>
        )}
        {opportunity && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('opp.editCustomerLine', {
              customer: opportunity.customerName,
              line: opportunity.businessLineName,
            })}
          />
        )}
        <Form.Item name="name" label={t('opp.name')} rules={[rules.required('opp.name'), { max: 200 }]}>
          <Input autoComplete="off" onChange={() => setNameTouched(true)} data-testid="opp-name" />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name="expectedAmount"
              label={t('opp.amount')}
              rules={[rules.schema(Money)]}
              extra={t('opp.amountHint')}
            >
              <MoneyInput data-testid="opp-amount" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="expectedCloseOn" label={t('opp.closeOn')}>
              <DatePicker style={{ width: '100%' }} data-testid="opp-close" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="contactId" label={t('opp.contact')}>
              <Select
                allowClear
                disabled={!customerId}
                placeholder={customerId ? undefined : t('opp.contactPickCustomer')}
                loading={contacts.isFetching}
                options={(contacts.data ?? []).map((c) => ({
                  value: c.id,
                  label: c.title ? `${c.name}（${c.title}）` : c.name,
                }))}
                notFoundContent={t('opp.noContacts')}
                data-testid="opp-contact"
              />
            </Form.Item>
          </Col>
          {opportunity && (
            <Col xs={24} md={12}>
              <Form.Item name="probability" label={t('opp.probability')} extra={t('opp.probabilityHint')}>
                <InputNumber min={0} max={100} precision={0} suffix="%" style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          )}
        </Row>
        <Form.Item name="nextStep" label={t('opp.nextStep')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} placeholder={t('opp.nextStepPlaceholder')} />
        </Form.Item>
        {opportunity && (
          <Form.Item name="ownerId" label={t('opp.owner')} rules={[rules.required('opp.owner', 'select')]}>
            <Select showSearch={{ optionFilterProp: 'label' }} options={ownerOptions} loading={directory.isPending} />
          </Form.Item>
        )}
        <Form.Item
          name="isProject"
          label={t('opp.isProject')}
          valuePropName="checked"
          extra={<Typography.Text type="secondary">{t('opp.isProjectHint')}</Typography.Text>}
        >
          <Switch />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
