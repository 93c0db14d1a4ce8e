import { Alert, DatePicker, Form, Modal, Result, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import type { Engagement } from '../../../common/schemas/engagements';
import { useWrite } from '../../api/queries';
import { engagementsApi } from '../../api/resources';
import { applyServerErrors, errorText, type FormFields } from '../../components/errors';
import { firmToday } from '../../components/format';
import { listSeparator } from '../../components/labels';
import { useLocale, useT } from '../../i18n';
import { testId } from '../opportunities/opportunity-ui';
import { ENGAGEMENT_INVALIDATES, roleLabel } from './engagement-ui';

type Values = { signers?: string[]; issuedOn?: Dayjs };
const FIELDS: FormFields = {
  names: ['signers', 'issuedOn'],
  codes: { REPORT_SIGNER_NOT_PRACTISING: 'signers' },
};

/**
 * 出具报告: two different practising CPAs of the team sign the report (签字注册会计师); once issued, the report number
 * 报告文号 the business line's series gave is shown here. Render it only while open (it starts afresh each time).
 */
export function ReportModal({
  engagement,
  open,
  onClose,
}: {
  engagement: Engagement;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const [form] = Form.useForm<Values>();
  const [refused, setRefused] = useState<unknown>(null);
  const [issued, setIssued] = useState<string | null>(null);
  const issue = useWrite(
    (v: Values) =>
      engagementsApi.report(engagement.id, {
        signers: v.signers ?? [],
        issuedOn: v.issuedOn?.format('YYYY-MM-DD'),
      }),
    ENGAGEMENT_INVALIDATES,
  );
  // The practising members; those already staffed as signing CPAs first, and chosen at the start when there are two.
  const candidates = useMemo(
    () =>
      engagement.members
        .filter((m) => m.isPracticingCpa)
        .sort((a, b) => Number(b.roles.includes('signing-cpa')) - Number(a.roles.includes('signing-cpa'))),
    [engagement.members],
  );
  // Mounted when opened (the page renders it only then): the two staffed signing CPAs, if there are two, and today.
  const [initialValues] = useState<Values>(() => {
    const staffed = candidates.filter((m) => m.roles.includes('signing-cpa')).map((m) => m.userId);
    return { signers: staffed.length === 2 ? staffed : [], issuedOn: dayjs(firmToday()) };
  });

  const submit = async (values: Values) => {
    setRefused(null);
    try {
      const after = await issue.mutateAsync(values);
      setIssued(after.reportNumber);
    } catch (error) {
      if (!applyServerErrors(form, error, FIELDS)) setRefused(error);
    }
  };

  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={issued ? onClose : () => form.submit()}
      okText={issued ? t('common.close') : t('engagement.reportIssue')}
      cancelButtonProps={issued ? { style: { display: 'none' } } : undefined}
      confirmLoading={issue.isPending}
      title={t('engagement.reportTitle', { title: engagement.title })}
      width={560}
      destroyOnHidden
      okButtonProps={testId(issued ? 'report-close' : 'report-submit')}
      data-testid="report-dialog"
    >
      {issued ? (
        <Result
          status="success"
          title={t('engagement.reportIssued')}
          subTitle={
            <Typography.Text strong copyable style={{ fontSize: 16 }} data-testid="report-number">
              {issued}
            </Typography.Text>
          }
        />
      ) : (
        <Form<Values> form={form} layout="vertical" name="report" initialValues={initialValues} onFinish={submit}>
          <Typography.Paragraph type="secondary">{t('engagement.reportHint')}</Typography.Paragraph>
          {candidates.length < 2 && (
            <Alert
              type="warning"
              showIcon
              title={t('engagement.reportFewCpas')}
              style={{ marginBottom: 12 }}
              data-testid="report-few-cpas"
            />
          )}
          <Form.Item
            name="signers"
            label={t('engagement.reportSigners')}
            rules={[
              {
                validator: (_, value: string[] | undefined) =>
                  value?.length === 2 ? Promise.resolve() : Promise.reject(new Error(t('engagement.reportSignersTwo'))),
              },
            ]}
          >
            <Select
              mode="multiple"
              maxCount={2}
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('engagement.reportSignersPlaceholder')}
              options={candidates.map((m) => ({
                value: m.userId,
                label: t('engagement.reportSignerOption', {
                  name: m.name,
                  roles: m.roles.map((r) => roleLabel(t, r)).join(listSeparator(locale)),
                }),
              }))}
              data-testid="report-signers"
            />
          </Form.Item>
          <Form.Item
            name="issuedOn"
            label={t('engagement.reportIssuedOn')}
            rules={[{ required: true, message: t('form.select', { field: t('engagement.reportIssuedOn') }) }]}
          >
            <DatePicker
              allowClear={false}
              disabledDate={(d) => d.format('YYYY-MM-DD') > firmToday()}
              data-testid="report-date"
            />
          </Form.Item>
          {refused !== null && (
            <Alert type="error" showIcon role="alert" title={errorText(t, refused)} data-testid="report-error" />
          )}
        </Form>
      )}
    </Modal>
  );
}
