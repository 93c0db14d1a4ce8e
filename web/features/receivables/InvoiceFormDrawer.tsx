import { App, Col, DatePicker, Form, Input, Row, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { Money } from '../../../common/schemas/common';
import { INVOICE_KINDS, type InvoiceKind, type ReceivableTerm } from '../../../common/schemas/receivables';
import { useWrite } from '../../api/queries';
import { invoicesApi } from '../../api/resources';
import { FormDrawer } from '../../components/FormDrawer';
import { firmToday } from '../../components/format';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { formatMoney, fromCents, toCents } from '../../components/money';
import { MoneyInput } from '../../components/MoneyInput';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';
import {
  AllocationEditor,
  allocationBody,
  MONEY_INVALIDATES,
  SubjectPicker,
  useSubjectTerms,
  type AllocationValue,
} from './receivable-ui';

type Values = {
  subject: string;
  number: string;
  kind: InvoiceKind;
  amount: string;
  issuedOn: Dayjs;
  note?: string;
  allocation: AllocationValue;
};

const FIELDS: FormFields = {
  names: ['subject', 'number', 'kind', 'amount', 'issuedOn', 'note', 'allocation'],
  rename: { contractId: 'subject', orderId: 'subject', invoiceNumber: 'number' },
  codes: { INVOICE_EXCEEDS: 'allocation', RECEIPT_CONTRACT_CLOSED: 'subject' },
};

/** What a term has left to invoice. */
const notInvoiced = (term: ReceivableTerm) => fromCents((toCents(term.amount) ?? 0n) - (toCents(term.invoiced) ?? 0n));

/** 登记发票: number, kind, amount and date, against the terms of a contract (or order). */
export function InvoiceFormDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const subject = Form.useWatch('subject', form);
  const amount = Form.useWatch('amount', form);
  const terms = useSubjectTerms(subject, 'all');
  const side = terms.data?.items[0]?.orderId ? 'order' : 'contract';
  const left = (terms.data?.items ?? []).reduce<bigint>((n, term) => n + (toCents(notInvoiced(term)) ?? 0n), 0n);

  const save = useWrite(
    (v: Values) =>
      invoicesApi.create({
        ...(side === 'contract' ? { contractId: v.subject } : { orderId: v.subject }),
        number: v.number,
        kind: v.kind,
        amount: v.amount,
        issuedOn: v.issuedOn.format('YYYY-MM-DD'),
        note: v.note?.trim() || null,
        allocation: allocationBody(v.allocation),
      }),
    MONEY_INVALIDATES,
  );

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t('invoices.created'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={t('invoices.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      width={720}
      saveTestId="invoice-form-submit"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        name="invoice"
        scrollToFirstError={{ block: 'center' }}
        // The drawer mounts its form afresh each time it opens.
        initialValues={{ issuedOn: dayjs(firmToday()), kind: 'ordinary', allocation: { mode: 'auto', lines: {} } }}
      >
        <Form.Item
          name="subject"
          label={t('receivables.subject')}
          extra={t('receivables.subjectHint')}
          rules={[rules.required('receivables.subject', 'select')]}
        >
          <SubjectPicker
            onChange={(key) => form.setFieldsValue({ subject: key, allocation: { mode: 'auto', lines: {} } })}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item
              name="number"
              label={t('invoices.number')}
              rules={[rules.required('invoices.number'), { max: 50 }]}
            >
              <Input autoComplete="off" data-testid="invoice-number" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="kind" label={t('invoices.kind')} rules={[rules.required('invoices.kind', 'select')]}>
              <Select options={INVOICE_KINDS.map((k) => ({ value: k, label: t(`invoices.kind.${k}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="amount"
              label={t('invoices.amount')}
              rules={[rules.required('invoices.amount'), rules.schema(Money)]}
              extra={
                subject && terms.data ? (
                  <Typography.Text type="secondary">
                    {t('invoices.left', { amount: formatMoney(fromCents(left)) })}
                  </Typography.Text>
                ) : undefined
              }
            >
              <MoneyInput aria-label={t('invoices.amount')} data-testid="invoice-amount" style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="issuedOn"
              label={t('invoices.issuedOn')}
              rules={[{ ...rules.required('invoices.issuedOn', 'select'), type: 'object' }]}
            >
              <DatePicker
                style={{ width: '100%' }}
                disabledDate={(d) => d.format('YYYY-MM-DD') > firmToday()}
                allowClear={false}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item label={t('receivables.allocation')} required>
          {subject ? (
            <Form.Item name="allocation" noStyle>
              <AllocationEditor
                terms={terms.data?.items ?? []}
                amount={amount}
                open={notInvoiced}
                openLabel={t('receivables.notInvoiced')}
                loading={terms.isFetching}
              />
            </Form.Item>
          ) : (
            <Typography.Text type="secondary">{t('receivables.chooseSubjectFirst')}</Typography.Text>
          )}
        </Form.Item>
        <Form.Item name="note" label={t('invoices.note')} rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
