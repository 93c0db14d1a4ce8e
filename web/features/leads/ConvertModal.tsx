import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Col,
  DatePicker,
  Divider,
  Flex,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Select,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Money } from '../../../common/schemas/common';
import type { DuplicateCandidate } from '../../../common/schemas/customers';
import { convertedOpportunityName, type Lead } from '../../../common/schemas/leads';
import { isApiError } from '../../api/client';
import { useAll, useAllBusinessLines, useWrite } from '../../api/queries';
import { contactsApi, customersApi, leadsApi } from '../../api/resources';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { useDebounced } from '../../components/use-debounced';
import { useT } from '../../i18n';
import { MoneyInput } from '../../components/MoneyInput';
import { LEAD_INVALIDATES } from './LeadFormDrawer';
import { activeOptions } from './lead-ui';

type Values = {
  mode: 'create' | 'link';
  customerId?: string;
  contactId?: string;
  name: string;
  businessLineId?: string;
  expectedAmount?: string | null;
  expectedCloseOn?: Dayjs | null;
};
/** A likely duplicate, as /customers/duplicates and the CUSTOMER_DUPLICATE_SUSPECTED error both give it. */
type Candidate = DuplicateCandidate;

const FIELDS: FormFields = {
  names: ['customerId', 'contactId', 'name', 'businessLineId', 'expectedAmount', 'expectedCloseOn'],
  rename: { customer: 'customerId', contact: 'contactId', businessLine: 'businessLineId' },
};
const INVALIDATES = [
  ...LEAD_INVALIDATES,
  customersApi.path,
  contactsApi.path,
  '/api/v1/opportunities',
  '/api/v1/answers',
];

/** "<company> · <business line>", the opportunity's default name (the server's too). */
const defaultName = (lead: Lead, businessLine: string | undefined) =>
  convertedOpportunityName(lead.companyName, businessLine);

/** Customers that look like the one the conversion would create; each visible one can be linked instead. */
function Candidates({
  candidates,
  onLink,
}: {
  candidates: Candidate[];
  onLink: (candidate: Candidate & { id: string }) => void;
}) {
  const t = useT();
  return (
    <Flex vertical gap={4}>
      {candidates.map((c, i) => (
        <Flex key={c.id ?? `${c.name}-${i}`} gap={8} align="center" wrap data-testid="convert-candidate">
          {c.id ? (
            <Link to={`/customers/${c.id}`} target="_blank">
              {c.name}
            </Link>
          ) : (
            <Typography.Text strong>{c.name}</Typography.Text>
          )}
          <Typography.Text type="secondary">
            · {t(`customer.duplicateReason.${c.reason}`)} ·{' '}
            {c.ownerName ? t('customer.duplicateOwner', { name: c.ownerName }) : t('lead.convertInPool')}
          </Typography.Text>
          {c.id ? (
            <Button
              size="small"
              type="link"
              onClick={() => onLink({ ...c, id: c.id! })}
              data-testid="convert-link-candidate"
            >
              {t('lead.convertLinkThis')}
            </Button>
          ) : (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('lead.convertNotVisible')}
            </Typography.Text>
          )}
        </Flex>
      ))}
    </Flex>
  );
}

type Props = { lead: Lead; open: boolean; onClose: () => void };

/**
 * 转为商机: link an existing customer or create one from the lead (warned about look-alikes while
 * deciding; a refused creation lists them to link one or create anyway), then open the opportunity.
 */
export function ConvertModal({ lead, open, onClose }: Props) {
  const t = useT();
  const rules = useRules();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const businessLines = useAllBusinessLines();
  const mode = Form.useWatch('mode', form) ?? 'create';
  const customerId = Form.useWatch('customerId', form);
  const businessLineId = Form.useWatch('businessLineId', form);
  const [nameEdited, setNameEdited] = useState(false);
  const [search, setSearch] = useState('');
  /** Customers the server found when it refused to create one (CUSTOMER_DUPLICATE_SUSPECTED). */
  const [suspected, setSuspected] = useState<Candidate[] | null>(null);
  /** Names of customers linked from a warning, for the select's label before a search finds them. */
  const [picked, setPicked] = useState<{ value: string; label: string }[]>([]);

  // While deciding: customers that look like the lead's company (firm-wide, like the customer form's warning).
  const duplicates = useQuery({
    queryKey: [customersApi.path, 'duplicates', { name: lead.companyName }],
    queryFn: () => customersApi.duplicates({ name: lead.companyName }),
    enabled: open,
  });
  const q = useDebounced(search.trim(), 300);
  const found = useQuery({
    queryKey: [customersApi.path, 'convert-search', q || lead.companyName],
    queryFn: () => customersApi.list({ q: q || lead.companyName.slice(0, 4), pageSize: 20, sort: 'name' }),
    enabled: open && mode === 'link',
  });
  const contacts = useAll(
    contactsApi,
    { customerId: customerId ?? '', sort: 'name' },
    open && mode === 'link' && Boolean(customerId),
  );
  const customerOptions = useMemo(() => {
    const list = (found.data?.items ?? []).map((c) => ({
      value: c.id,
      label: c.ownerName ? `${c.name} · ${c.ownerName}` : c.name,
    }));
    for (const p of picked) if (!list.some((o) => o.value === p.value)) list.unshift(p);
    return list;
  }, [found.data, picked]);

  const convert = useWrite((v: Values & { ignoreDuplicates?: boolean }) => {
    const opportunity = {
      name: v.name,
      businessLineId: v.businessLineId,
      expectedAmount: v.expectedAmount || null,
      expectedCloseOn: v.expectedCloseOn ? v.expectedCloseOn.format('YYYY-MM-DD') : null,
    };
    return v.mode === 'link'
      ? leadsApi.convert(lead.id, { customerId: v.customerId, contactId: v.contactId, opportunity })
      : leadsApi.convert(lead.id, { ignoreDuplicates: v.ignoreDuplicates ?? false, opportunity });
  }, INVALIDATES);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    const line = businessLines.data?.find((b) => b.id === lead.businessLineId);
    form.setFieldsValue({
      mode: 'create',
      businessLineId: lead.businessLineId ?? undefined,
      name: defaultName(lead, line?.name),
    });
    setNameEdited(false);
    setSuspected(null);
    setPicked([]);
    setSearch('');
    // The defaults are set when the modal opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- defaults only when the modal opens
  }, [open, form, lead]);

  // The name follows the business line until the user writes their own.
  useEffect(() => {
    if (!open || nameEdited) return;
    const line = businessLines.data?.find((b) => b.id === businessLineId);
    form.setFieldValue('name', defaultName(lead, line?.name));
  }, [businessLineId, businessLines.data, nameEdited, open, lead, form]);

  // A linked customer's contact with the lead's contact name is the likely one.
  useEffect(() => {
    if (mode !== 'link' || !contacts.data || form.getFieldValue('contactId')) return;
    const same = contacts.data.find((c) => lead.contactName && c.name === lead.contactName);
    if (same) form.setFieldValue('contactId', same.id);
  }, [contacts.data, mode, lead.contactName, form]);

  const link = (candidate: { id: string; name: string }) => {
    setPicked((p) => [...p, { value: candidate.id, label: candidate.name }]);
    form.setFieldsValue({ mode: 'link', customerId: candidate.id, contactId: undefined });
    setSuspected(null);
  };

  const submit = async (values: Values, ignoreDuplicates = false) => {
    try {
      const result = await convert.mutateAsync({ ...values, ignoreDuplicates });
      void message.success(t(result.customerCreated ? 'lead.convertedNewCustomer' : 'lead.converted'));
      onClose();
      navigate(`/opportunities/${result.opportunityId}`);
    } catch (error) {
      if (isApiError(error, 'CUSTOMER_DUPLICATE_SUSPECTED')) {
        const details = error.details as { candidates?: Candidate[] } | undefined;
        setSuspected(details?.candidates ?? []);
        return;
      }
      // Issues of the nested opportunity (body.opportunity.name …) belong to this form's fields of that name.
      if (isApiError(error, 'VALIDATION_FAILED')) {
        const issues = ((error.details as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [])
          .map((i) => ({ name: i.path.replace(/^body\.(opportunity\.)?/, ''), errors: [i.message] }))
          .filter((i) => (FIELDS.names as readonly string[]).includes(i.name));
        if (issues.length) {
          form.setFields(issues as { name: keyof Values; errors: string[] }[]);
          return;
        }
      }
      onError(error);
    }
  };
  const createAnyway = async () => {
    const values = await form.validateFields();
    await submit({ ...values, mode: 'create' }, true);
  };

  const lines = activeOptions(businessLines.data, lead.businessLineId);
  const warning = mode === 'create' && !suspected && (duplicates.data?.length ?? 0) > 0;

  return (
    <Modal
      open={open}
      width={680}
      title={t('lead.convertTitle', { name: lead.companyName })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('lead.action.convert')}
      okButtonProps={{
        loading: convert.isPending,
        'data-testid': 'lead-convert-ok',
        disabled: Boolean(suspected) && mode === 'create',
      }}
      destroyOnHidden
      forceRender
    >
      <Form<Values>
        form={form}
        layout="vertical"
        name="lead-convert"
        onFinish={(v) => void submit(v)}
        data-testid="lead-convert-form"
      >
        <Divider titlePlacement="start" plain style={{ marginTop: 0 }}>
          {t('lead.convertCustomer')}
        </Divider>
        <Form.Item name="mode">
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            onChange={() => setSuspected(null)}
            options={[
              { value: 'create', label: t('lead.convertCreate') },
              { value: 'link', label: t('lead.convertLink') },
            ]}
          />
        </Form.Item>
        {mode === 'create' && (
          <Typography.Paragraph type="secondary" style={{ marginTop: -12 }}>
            {t('lead.convertCreateHelp', { name: lead.companyName, contact: lead.contactName ?? '—' })}
          </Typography.Paragraph>
        )}
        {warning && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="convert-duplicate-warning"
            title={t('lead.convertDuplicatesTitle')}
            description={<Candidates candidates={duplicates.data ?? []} onLink={link} />}
          />
        )}
        {suspected && mode === 'create' && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="convert-duplicate-suspected"
            title={t('lead.convertSuspectedTitle')}
            description={
              <Flex vertical gap={8}>
                <Candidates candidates={suspected} onLink={link} />
                <Flex gap={8} wrap>
                  <Button
                    danger
                    onClick={() => void createAnyway()}
                    loading={convert.isPending}
                    data-testid="convert-create-anyway"
                  >
                    {t('lead.convertCreateAnyway')}
                  </Button>
                </Flex>
              </Flex>
            }
          />
        )}
        {mode === 'link' && (
          <Row gutter={16}>
            <Col span={14}>
              <Form.Item
                name="customerId"
                label={t('lead.convertCustomerPick')}
                rules={[rules.required('lead.convertCustomerPick', 'select')]}
              >
                <Select
                  showSearch={{ filterOption: false, onSearch: setSearch }}
                  options={customerOptions}
                  loading={found.isFetching}
                  placeholder={t('lead.convertCustomerSearch')}
                  onChange={() => form.setFieldValue('contactId', undefined)}
                  notFoundContent={found.isFetching ? undefined : t('lead.convertNoCustomer')}
                  data-testid="convert-customer"
                />
              </Form.Item>
            </Col>
            <Col span={10}>
              <Form.Item name="contactId" label={t('lead.convertContact')}>
                <Select
                  allowClear
                  disabled={!customerId}
                  loading={contacts.isFetching}
                  placeholder={
                    lead.contactName
                      ? t('lead.convertContactNew', { name: lead.contactName })
                      : t('lead.convertContactNone')
                  }
                  options={(contacts.data ?? []).map((c) => ({
                    value: c.id,
                    label: c.title ? `${c.name}（${c.title}）` : c.name,
                  }))}
                />
              </Form.Item>
            </Col>
          </Row>
        )}

        <Divider titlePlacement="start" plain>
          {t('lead.convertOpportunity')}
        </Divider>
        <Row gutter={16}>
          <Col span={24}>
            <Form.Item
              name="name"
              label={t('lead.convertOpportunityName')}
              rules={[rules.required('lead.convertOpportunityName'), { max: 200 }]}
            >
              <Input autoComplete="off" onChange={() => setNameEdited(true)} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="businessLineId"
              label={t('lead.businessLine')}
              rules={[rules.required('lead.businessLine', 'select')]}
            >
              <Select showSearch={{ optionFilterProp: 'label' }} options={lines} loading={businessLines.isLoading} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="expectedAmount" label={t('lead.convertAmount')} rules={[rules.schema(Money)]}>
              <MoneyInput style={{ width: '100%' }} data-testid="convert-amount" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="expectedCloseOn" label={t('lead.convertCloseOn')}>
              <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isBefore(dayjs().startOf('day'))} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
