import { App, Alert, DatePicker, Flex, Form, Modal, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import type { Contract, Order, PaymentTermInput } from '../../../common/schemas/contracts';
import { ApiError, isApiError } from '../../api/client';
import { useWrite } from '../../api/queries';
import { contractsApi, ordersApi } from '../../api/resources';
import { errorText } from '../../components/errors';
import { firmToday } from '../../components/format';
import { useT, type WebMessageKey } from '../../i18n';
import { testId } from '../opportunities/opportunity-ui';
import { AmountWithCapitals, CONTRACT_INVALIDATES } from './contract-ui';
import { PaymentTermsEditor } from './PaymentTermsEditor';
import { defaultTermRows, termFieldOf, toTermInputs, toTermRows, type TermRow } from './terms-form';

type Values = { signedOn?: Dayjs; terms: TermRow[] };
type Settled = { signedOn?: string; terms: PaymentTermInput[] };

/** Puts the server's per-term issues onto the editor's fields; true when every issue found its field. */
function applyTermIssues(form: ReturnType<typeof Form.useForm<Values>>[0], error: unknown, rows: TermRow[]): boolean {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION_FAILED') return false;
  const issues = (error.details as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [];
  const placed = issues.flatMap((issue) => {
    const name = issue.path.endsWith('signedOn') ? ['signedOn'] : termFieldOf(issue.path, rows);
    return name ? [{ name, errors: [issue.message] }] : [];
  });
  if (placed.length === 0) return false;
  form.setFields(placed as Parameters<typeof form.setFields>[0]);
  return placed.length === issues.length;
}

/**
 * The payment terms (any number, each an amount or a percentage, with a kind and a trigger), which must add up to
 * the amount, entered at the step that fixes them and gives the number: signing a contract (with its date), or
 * confirming an order made without one. `name` prefixes the test ids (`<name>-dialog`, `-submit`, `-date`, `-error`).
 */
function TermsModal({
  name,
  title,
  hint,
  okText,
  refusedText,
  mismatchText,
  amountLabel,
  subject,
  withDate,
  open,
  onClose,
  settle,
}: {
  name: string;
  title: WebMessageKey;
  hint: WebMessageKey;
  okText: WebMessageKey;
  refusedText: WebMessageKey;
  /** The title when the terms do not add up to the amount. */
  mismatchText: WebMessageKey;
  amountLabel: WebMessageKey;
  subject: { title: string; amount: string; terms: Contract['terms'] };
  withDate: boolean;
  open: boolean;
  onClose: () => void;
  /** Sends the terms (and date); resolves to the success message. */
  settle: (values: Settled) => Promise<string>;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [refused, setRefused] = useState<unknown>(null);
  const send = useWrite(settle, CONTRACT_INVALIDATES);

  useEffect(() => {
    if (!open) return;
    setRefused(null);
    form.resetFields();
    form.setFieldsValue({
      signedOn: withDate ? dayjs(firmToday()) : undefined,
      terms: subject.terms.length ? toTermRows(subject.terms) : defaultTermRows(),
    });
  }, [open, subject, withDate, form]);

  const submit = async (values: Values) => {
    setRefused(null);
    try {
      const done = await send.mutateAsync({
        signedOn: values.signedOn?.format('YYYY-MM-DD'),
        terms: toTermInputs(values.terms),
      });
      void message.success(done);
      onClose();
    } catch (error) {
      // Field issues go to their fields; anything else — the terms not adding up above all — stays in view here.
      if (!applyTermIssues(form, error, values.terms)) setRefused(error);
    }
  };

  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t(okText)}
      confirmLoading={send.isPending}
      title={t(title)}
      width={860}
      destroyOnHidden
      okButtonProps={{ ...testId(`${name}-submit`) }}
      data-testid={`${name}-dialog`}
    >
      <Form<Values> form={form} layout="vertical" name={`${name}-terms`} onFinish={submit}>
        <Flex vertical gap={12}>
          <Typography.Text strong>{subject.title}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t(hint)}
          </Typography.Paragraph>
          <Flex gap="8px 24px" wrap align="flex-end">
            {withDate && (
              <Form.Item
                name="signedOn"
                label={t('contract.signedOn')}
                rules={[{ required: true, message: t('contract.signedOnRequired') }]}
                style={{ marginBottom: 0 }}
              >
                <DatePicker allowClear={false} data-testid={`${name}-date`} />
              </Form.Item>
            )}
            <div style={{ paddingBottom: 4 }}>
              <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                {t(amountLabel)}
              </Typography.Text>
              <AmountWithCapitals amount={subject.amount} size={15} />
            </div>
          </Flex>
          <Typography.Title level={5} style={{ margin: '8px 0 0' }}>
            {t('contract.terms')}
          </Typography.Title>
          <PaymentTermsEditor form={form} amount={subject.amount} amountLabel={amountLabel} />
          {refused !== null && (
            <Alert
              type="error"
              showIcon
              role="alert"
              data-testid={`${name}-error`}
              data-code={isApiError(refused) ? refused.code : undefined}
              title={isApiError(refused, 'CONTRACT_TERMS_MISMATCH') ? t(mismatchText) : t(refusedText)}
              description={errorText(t, refused)}
            />
          )}
        </Flex>
      </Form>
    </Modal>
  );
}

/** 签订合同: the date and the payment terms. Signing gives the contract its number. */
export function SignContractModal({
  contract,
  open,
  onClose,
}: {
  contract: Contract;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  return (
    <TermsModal
      name="sign"
      title="contract.signAction"
      hint="contract.signHint"
      okText="contract.signAction"
      refusedText="contract.signRefused"
      mismatchText="contract.termsRefused"
      amountLabel="contract.amount"
      subject={contract}
      withDate
      open={open}
      onClose={onClose}
      settle={async (v) => {
        const signed = await contractsApi.sign(contract.id, { signedOn: v.signedOn, terms: v.terms });
        return t('contract.signed', { number: signed.number ?? '' });
      }}
    />
  );
}

/** 确认订单 without a contract: its own payment terms (those due on signing fall due on confirmation), then its number. */
export function ConfirmOrderModal({ order, open, onClose }: { order: Order; open: boolean; onClose: () => void }) {
  const t = useT();
  return (
    <TermsModal
      name="order-confirm"
      title="order.confirm"
      hint="order.confirmTermsHint"
      okText="order.confirm"
      refusedText="order.confirmRefused"
      mismatchText="order.termsRefused"
      amountLabel="order.amount"
      subject={order}
      withDate={false}
      open={open}
      onClose={onClose}
      settle={async (v) => {
        const confirmed = await ordersApi.confirm(order.id, { terms: v.terms });
        return t('order.confirmed', { number: confirmed.number ?? '' });
      }}
    />
  );
}
