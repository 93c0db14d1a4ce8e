import { App, Alert, DatePicker, Flex, Form, Modal, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import type { Contract } from '../../../common/schemas/contracts';
import { ApiError, isApiError } from '../../api/client';
import { useWrite } from '../../api/queries';
import { contractsApi } from '../../api/resources';
import { errorText } from '../../components/errors';
import { firmToday } from '../../components/format';
import { useT } from '../../i18n';
import { testId } from '../opportunities/opportunity-ui';
import { AmountWithCapitals, CONTRACT_INVALIDATES } from './contract-ui';
import { PaymentTermsEditor } from './PaymentTermsEditor';
import { defaultTermRows, termFieldOf, toTermInputs, toTermRows, type TermRow } from './terms-form';

type Values = { signedOn: Dayjs; terms: TermRow[] };

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
 * 签订合同: the date and the payment terms (any number, each an amount or a percentage, with a kind and a
 * trigger), which must add up to the contract amount. Signing gives the contract its number.
 */
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
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [refused, setRefused] = useState<unknown>(null);
  const sign = useWrite(
    (v: Values) =>
      contractsApi.sign(contract.id, { signedOn: v.signedOn.format('YYYY-MM-DD'), terms: toTermInputs(v.terms) }),
    CONTRACT_INVALIDATES,
  );

  useEffect(() => {
    if (!open) return;
    setRefused(null);
    form.resetFields();
    form.setFieldsValue({
      signedOn: dayjs(firmToday()),
      terms: contract.terms.length ? toTermRows(contract.terms) : defaultTermRows(),
    });
  }, [open, contract, form]);

  const submit = async (values: Values) => {
    setRefused(null);
    try {
      const signed = await sign.mutateAsync(values);
      void message.success(t('contract.signed', { number: signed.number ?? '' }));
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
      okText={t('contract.signAction')}
      confirmLoading={sign.isPending}
      title={t('contract.signAction')}
      width={860}
      destroyOnHidden
      okButtonProps={{ ...testId('sign-submit') }}
      data-testid="sign-dialog"
    >
      <Form<Values> form={form} layout="vertical" name="sign-contract" onFinish={submit}>
        <Flex vertical gap={12}>
          <Typography.Text strong>{contract.title}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t('contract.signHint')}
          </Typography.Paragraph>
          <Flex gap="8px 24px" wrap align="flex-end">
            <Form.Item
              name="signedOn"
              label={t('contract.signedOn')}
              rules={[{ required: true, message: t('contract.signedOnRequired') }]}
              style={{ marginBottom: 0 }}
            >
              <DatePicker allowClear={false} data-testid="sign-date" />
            </Form.Item>
            <div style={{ paddingBottom: 4 }}>
              <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                {t('contract.amount')}
              </Typography.Text>
              <AmountWithCapitals amount={contract.amount} size={15} />
            </div>
          </Flex>
          <Typography.Title level={5} style={{ margin: '8px 0 0' }}>
            {t('contract.terms')}
          </Typography.Title>
          <PaymentTermsEditor form={form} amount={contract.amount} />
          {refused !== null && (
            <Alert
              type="error"
              showIcon
              role="alert"
              data-testid="sign-error"
              data-code={isApiError(refused) ? refused.code : undefined}
              title={
                isApiError(refused, 'CONTRACT_TERMS_MISMATCH') ? t('contract.termsRefused') : t('contract.signRefused')
              }
              description={errorText(t, refused)}
            />
          )}
        </Flex>
      </Form>
    </Modal>
  );
}
