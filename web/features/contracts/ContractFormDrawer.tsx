import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Col, DatePicker, Flex, Form, Input, Row, Select, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import type { Contract } from '../../../common/schemas/contracts';
import type { RecurringCycle } from '../../../common/schemas/renewals';
import { useAll, useAllBranches, useAllBusinessLines, useWrite } from '../../api/queries';
import { contactsApi, contractsApi, contractTemplatesApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { formatMoney, sumMoney } from '../../components/money';
import { MoneyInput } from '../../components/MoneyInput';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';
import { PersonSelect } from '../approvals/approval-ui';
import { customerContactsParams } from '../customers/ContactsCard';
import { CustomerSelect } from '../opportunities/OpportunityFormDrawer';
import { TemplateTools } from '../knowledge-capture/TemplatePicker';
import { capitalsOf, CONTRACT_INVALIDATES } from './contract-ui';
import { recurringOptions } from './RecurringControl';

type Line = { description?: string; amount?: string | null };
type Values = {
  customerId?: string;
  businessLineId?: string;
  title?: string;
  contactId?: string | null;
  branchId?: string | null;
  signatoryId?: string | null;
  templateId?: string;
  startOn?: Dayjs | null;
  endOn?: Dayjs | null;
  /** '' : not recurring. */
  recurringCycle?: RecurringCycle | '';
  note?: string;
  lines: Line[];
};

const FIELDS: FormFields = {
  names: [
    'customerId',
    'businessLineId',
    'title',
    'contactId',
    'branchId',
    'signatoryId',
    'templateId',
    'startOn',
    'endOn',
    'recurringCycle',
    'note',
    'lines',
  ],
};

const day = (value: Dayjs | null | undefined) => (value ? value.format('YYYY-MM-DD') : null);

/** 服务及费用: a description and a fee per line; their sum is the contract amount. */
function LinesEditor({ lines }: { lines: Line[] }) {
  const t = useT();
  const total = sumMoney(lines.map((l) => l?.amount));
  const capitals = capitalsOf(total);
  return (
    <Form.List
      name="lines"
      rules={[
        {
          validator: async (_, value: Line[] | undefined) => {
            if (!value?.length) throw new Error(t('contract.linesRequired'));
          },
        },
      ]}
    >
      {(fields, { add, remove }, { errors }) => (
        <Flex vertical gap={0}>
          {fields.map((field) => (
            <Flex key={field.key} gap={8} align="flex-start" data-testid="contract-line">
              <Form.Item
                name={[field.name, 'description']}
                style={{ flex: '1 1 auto', minWidth: 0 }}
                rules={[
                  { required: true, whitespace: true, message: t('contract.lineDescriptionRequired') },
                  { max: 200 },
                ]}
              >
                <Input placeholder={t('contract.lineDescription')} data-testid="contract-line-description" />
              </Form.Item>
              <Form.Item
                name={[field.name, 'amount']}
                style={{ flex: '0 0 38%' }}
                rules={[{ required: true, message: t('contract.amountRequired') }]}
              >
                <MoneyInput aria-label={t('contract.lineAmount')} data-testid="contract-line-amount" />
              </Form.Item>
              <Button
                type="text"
                icon={<DeleteOutlined />}
                aria-label={t('common.delete')}
                disabled={fields.length === 1}
                onClick={() => remove(field.name)}
              />
            </Flex>
          ))}
          <Form.ErrorList errors={errors} />
          <Flex justify="space-between" align="flex-start" gap={8} wrap style={{ marginBottom: 16 }}>
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              onClick={() => add({})}
              disabled={fields.length >= 100}
              data-testid="contract-line-add"
            >
              {t('contract.lineAdd')}
            </Button>
            <Flex vertical align="flex-end">
              <Typography.Text strong>
                {t('contract.amount')} <span data-testid="contract-lines-total">{formatMoney(total)}</span>
              </Typography.Text>
              {capitals && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {capitals}
                </Typography.Text>
              )}
            </Flex>
          </Flex>
        </Flex>
      )}
    </Form.List>
  );
}

type Props = {
  open: boolean;
  /** null: a new, blank contract. */
  contract: Contract | null;
  onClose: () => void;
  onCreated?: (contract: Contract) => void;
};

/**
 * A blank contract (customer, business line, services and fees …) or a draft's changes. A contract made from
 * a won opportunity is created at once from it (the opportunity page's 「创建合同」) and edited here.
 */
export function ContractFormDrawer({ open, contract, onClose, onCreated }: Props) {
  const t = useT();
  const me = useMe();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const businessLines = useAllBusinessLines();
  const branches = useAllBranches();
  const [customerName, setCustomerName] = useState('');
  const customerId = Form.useWatch('customerId', form) ?? contract?.customerId;
  const lines = (Form.useWatch('lines', form) as Line[] | undefined) ?? [];
  const contacts = useAll(contactsApi, customerContactsParams(customerId ?? ''), Boolean(customerId) && open);
  const lineId = (Form.useWatch('businessLineId', form) as string | undefined) ?? contract?.businessLineId;
  // The line's published templates; none chosen: the line's newest (the server's default).
  const templates = useQuery({
    queryKey: [contractTemplatesApi.path, 'published', lineId],
    queryFn: () => contractTemplatesApi.list({ businessLineId: lineId, active: 'true' }),
    enabled: open && Boolean(lineId),
  });
  const templateOptions = (templates.data ?? [])
    .filter((tpl) => tpl.publishedVersion !== null)
    .map((tpl) => ({ value: tpl.id, label: `${tpl.name} · V${tpl.publishedVersion}` }));

  const lineOptions = useMemo(
    () =>
      (businessLines.data ?? [])
        .filter((l) => l.active)
        .sort((a, b) => a.sortOrder - b.sortOrder)
        .map((l) => ({ value: l.id, label: l.name })),
    [businessLines.data],
  );
  const branchOptions = (branches.data ?? [])
    .filter((b) => b.active || b.id === contract?.branchId)
    .map((b) => ({ value: b.id, label: b.name }));

  const save = useWrite((v: Values) => {
    const common = {
      title: v.title?.trim() || undefined,
      contactId: v.contactId ?? null,
      branchId: v.branchId ?? null,
      signatoryId: v.signatoryId ?? null,
      // Sent only when chosen: a draft keeps the version it was made from otherwise.
      ...(v.templateId ? { templateId: v.templateId } : {}),
      startOn: day(v.startOn),
      endOn: day(v.endOn),
      recurringCycle: v.recurringCycle || null,
      note: v.note?.trim() || null,
      lines: v.lines.map((l) => ({ description: (l.description ?? '').trim(), amount: l.amount ?? '' })),
    };
    if (contract) return contractsApi.update(contract.id, common);
    return contractsApi.create({ ...common, customerId: v.customerId, businessLineId: v.businessLineId });
  }, CONTRACT_INVALIDATES);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setCustomerName(contract?.customerName ?? '');
    form.setFieldsValue(
      contract
        ? {
            title: contract.title,
            contactId: contract.contactId,
            branchId: contract.branchId,
            signatoryId: contract.signatoryId,
            startOn: contract.startOn ? dayjs(contract.startOn) : null,
            endOn: contract.endOn ? dayjs(contract.endOn) : null,
            recurringCycle: contract.recurringCycle ?? '',
            note: contract.note ?? undefined,
            lines: [...contract.lines]
              .sort((a, b) => a.position - b.position)
              .map((l) => ({ description: l.description, amount: l.amount })),
          }
        : { businessLineId: me.user.businessLineIds[0], recurringCycle: '', lines: [{}] },
    );
  }, [open, contract, form, me]);

  const submit = async (values: Values) => {
    try {
      const saved = await save.mutateAsync(values);
      void message.success(t(contract ? 'common.saved' : 'contract.createdBlank'));
      onClose();
      if (!contract) onCreated?.(saved);
    } catch (error) {
      onError(error);
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={contract ? t('contract.editTitle', { title: contract.title }) : t('contract.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="contract-form-submit"
      width={720}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        name="contract"
        onFinish={submit}
        scrollToFirstError={{ block: 'center' }}
      >
        {contract ? (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('contract.editCustomerLine', { customer: contract.customerName, line: contract.businessLineName })}
          />
        ) : (
          <Row gutter={16}>
            <Col xs={24} md={14}>
              <Form.Item
                name="customerId"
                label={t('contract.customer')}
                rules={[rules.required('contract.customer', 'select')]}
              >
                <CustomerSelect
                  initialLabel={customerName}
                  onChange={(id, name) => {
                    form.setFieldsValue({ customerId: id, contactId: null });
                    setCustomerName(name);
                  }}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={10}>
              <Form.Item
                name="businessLineId"
                label={t('contract.businessLine')}
                rules={[rules.required('contract.businessLine', 'select')]}
              >
                <Select options={lineOptions} loading={businessLines.isPending} data-testid="contract-line-select" />
              </Form.Item>
            </Col>
          </Row>
        )}
        <Form.Item name="title" label={t('contract.title')} rules={[{ max: 200 }]} extra={t('contract.titleHint')}>
          <Input autoComplete="off" data-testid="contract-title" />
        </Form.Item>
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {t('contract.lines')}
        </Typography.Title>
        <LinesEditor lines={lines} />
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="contactId" label={t('contract.contact')}>
              <Select
                allowClear
                disabled={!customerId}
                placeholder={customerId ? undefined : t('contract.contactPickCustomer')}
                loading={contacts.isFetching}
                options={(contacts.data ?? []).map((c) => ({
                  value: c.id,
                  label: c.title ? `${c.name} · ${c.title}` : c.name,
                }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="branchId" label={t('contract.branch')} extra={t('contract.branchHint')}>
              <Select allowClear options={branchOptions} loading={branches.isPending} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="signatoryId" label={t('contract.signatory')} extra={t('contract.signatoryHint')}>
              <PersonSelect
                known={contract?.signatoryId ? { id: contract.signatoryId, name: contract.signatoryName ?? '' } : null}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="templateId" label={t('contract.template')} extra={t('contract.templateHint')}>
              <Select
                allowClear
                loading={templates.isFetching}
                options={templateOptions}
                placeholder={
                  contract?.templateName
                    ? `${contract.templateName} · V${contract.templateVersion ?? 1}`
                    : t('contract.templateDefault')
                }
                notFoundContent={t('contract.templateNone')}
                data-testid="contract-template"
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="startOn" label={t('contract.startOn')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item
              name="endOn"
              label={t('contract.endOn')}
              dependencies={['startOn']}
              rules={[
                ({ getFieldValue }) => ({
                  validator: async (_, end: Dayjs | null) => {
                    const start = getFieldValue('startOn') as Dayjs | null;
                    if (start && end && end.isBefore(start, 'day')) throw new Error(t('contract.endBeforeStart'));
                  },
                }),
              ]}
            >
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="recurringCycle" label={t('contract.recurring')} extra={t('contract.recurringHint')}>
              <Select options={recurringOptions(t)} data-testid="contract-recurring-select" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="note"
          label={t('contract.note')}
          rules={[{ max: 2000 }]}
          extra={
            <TemplateTools
              form={form}
              field="note"
              use="engagement-letter"
              context={{ customerId, businessLineId: lineId }}
            />
          }
        >
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
