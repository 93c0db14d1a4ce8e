import { App, Checkbox, Col, DatePicker, Form, Input, Row, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { Money } from '../../../common/schemas/common';
import type { ReceivableTerm } from '../../../common/schemas/receivables';
import { useWrite } from '../../api/queries';
import { receiptsApi } from '../../api/resources';
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
  receivedOn: Dayjs;
  amount: string;
  payer: string;
  bankReference?: string;
  note?: string;
  allocation: AllocationValue;
  holdExcess: boolean;
};

const FIELDS: FormFields = {
  names: ['subject', 'receivedOn', 'amount', 'payer', 'bankReference', 'note', 'allocation', 'holdExcess'],
  rename: { contractId: 'subject', orderId: 'subject' },
  codes: {
    RECEIPT_EXCEEDS_OUTSTANDING: 'amount',
    RECEIPT_ALLOCATION_EXCEEDS: 'allocation',
    RECEIPT_CONTRACT_CLOSED: 'subject',
  },
};

const outstandingOf = (term: ReceivableTerm) => term.outstanding;

/** 登记到款: a contract (or order), the money, and how it goes to the terms; the excess refused or held. */
export function ReceiptFormDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const subject = Form.useWatch('subject', form);
  const amount = Form.useWatch('amount', form);
  const terms = useSubjectTerms(subject, 'open');
  // The picker knows a contract's or an order's id, not which: its terms tell.
  const side = terms.data?.items[0]?.orderId ? 'order' : 'contract';

  const save = useWrite(
    (v: Values) =>
      receiptsApi.create({
        ...(side === 'contract' ? { contractId: v.subject } : { orderId: v.subject }),
        receivedOn: v.receivedOn.format('YYYY-MM-DD'),
        amount: v.amount,
        payer: v.payer,
        bankReference: v.bankReference?.trim() || null,
        note: v.note?.trim() || null,
        allocation: allocationBody(v.allocation),
        holdExcess: v.holdExcess,
      }),
    MONEY_INVALIDATES,
  );

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t('receipts.created'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  const outstanding = (terms.data?.items ?? []).reduce<bigint>((n, term) => n + (toCents(term.outstanding) ?? 0n), 0n);

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={t('receipts.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      width={720}
      saveTestId="receipt-form-submit"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        name="receipt"
        scrollToFirstError={{ block: 'center' }}
        // The drawer mounts its form afresh each time it opens.
        initialValues={{ receivedOn: dayjs(firmToday()), allocation: { mode: 'auto', lines: {} }, holdExcess: false }}
      >
        <Form.Item
          name="subject"
          label={t('receivables.subject')}
          extra={t('receivables.subjectHint')}
          rules={[rules.required('receivables.subject', 'select')]}
        >
          <SubjectPicker
            onChange={(key, picked) => {
              form.setFieldsValue({ subject: key, allocation: { mode: 'auto', lines: {} } });
              if (!form.getFieldValue('payer') && picked.detail) form.setFieldValue('payer', picked.detail);
            }}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item
              name="receivedOn"
              label={t('receipts.receivedOn')}
              rules={[{ ...rules.required('receipts.receivedOn', 'select'), type: 'object' }]}
            >
              <DatePicker
                style={{ width: '100%' }}
                disabledDate={(d) => d.format('YYYY-MM-DD') > firmToday()}
                allowClear={false}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="amount"
              label={t('receipts.amount')}
              rules={[rules.required('receipts.amount'), rules.schema(Money)]}
              extra={
                subject && terms.data ? (
                  <Typography.Text type="secondary">
                    {t('receivables.outstanding')} {formatMoney(fromCents(outstanding))}
                  </Typography.Text>
                ) : undefined
              }
            >
              <MoneyInput aria-label={t('receipts.amount')} data-testid="receipt-amount" style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="payer"
              label={t('receipts.payer')}
              rules={[rules.required('receipts.payer'), { max: 200 }]}
            >
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="bankReference" label={t('receipts.bankReference')} rules={[{ max: 100 }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item label={t('receivables.allocation')} required>
          {subject ? (
            <Form.Item name="allocation" noStyle>
              <AllocationEditor
                terms={terms.data?.items ?? []}
                amount={amount}
                open={outstandingOf}
                loading={terms.isFetching}
              />
            </Form.Item>
          ) : (
            <Typography.Text type="secondary">{t('receivables.chooseSubjectFirst')}</Typography.Text>
          )}
        </Form.Item>
        <Form.Item name="holdExcess" valuePropName="checked" extra={t('receipts.holdExcessHelp')}>
          <Checkbox data-testid="receipt-hold-excess">{t('receipts.holdExcess')}</Checkbox>
        </Form.Item>
        <Form.Item name="note" label={t('receipts.note')} rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
