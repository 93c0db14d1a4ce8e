import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Flex, Form, Input, Modal, Radio, Statistic, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { Customer, EvaluationSheet, ValueTier } from '../../../common/schemas/customers';
import { useWrite } from '../../api/queries';
import { customersApi } from '../../api/resources';
import { allOf, failedWithoutData, LoadError } from '../../components/QueryState';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { useLocale, useT } from '../../i18n';

export const TIER_COLORS: Record<ValueTier, string> = { A: 'gold', B: 'green', C: 'blue', D: 'default' };

export function TierTag({ tier, score }: { tier: ValueTier | null; score?: string | null }) {
  if (!tier) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Tag color={TIER_COLORS[tier]} title={score ?? undefined}>
      {tier}
      {score ? ` · ${score}` : ''}
    </Tag>
  );
}

type Values = { answers: Record<string, number>; notes?: string };
const FIELDS: FormFields = { names: ['notes'] };

function EvaluateModal({
  customer,
  sheet,
  open,
  onClose,
}: {
  customer: Customer;
  sheet: EvaluationSheet;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const save = useWrite((v: Values) => customersApi.evaluate(customer.id, v.answers, v.notes), [customersApi.path]);
  const submit = async (values: Values) => {
    try {
      const result = await save.mutateAsync(values);
      void message.success(t('value.saved', { score: result.score, tier: result.tier }));
      onClose();
    } catch (error) {
      onError(error);
    }
  };
  return (
    <Modal
      open={open}
      onCancel={onClose}
      title={t('value.evaluateTitle', { name: customer.name })}
      width={640}
      destroyOnHidden
      onOk={() => form.submit()}
      okText={t('common.save')}
      okButtonProps={{ loading: save.isPending, 'data-testid': 'evaluate-submit' }}
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} name="evaluate">
        {sheet.factors.map((f) => (
          <Form.Item
            key={f.key}
            name={['answers', f.key]}
            label={`${f.name}（${t('value.weight', { weight: f.weight })}）`}
            rules={[{ required: true, message: t('value.choose') }]}
          >
            <Radio.Group options={f.options.map((o, i) => ({ value: i, label: `${o.label}（${o.score}）` }))} />
          </Form.Item>
        ))}
        <Form.Item name="notes" label={t('value.notes')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 客户价值: the latest value score and tier, the evaluations so far, and the way to evaluate again. */
export function ValueCard({ customer, editable }: { customer: Customer; editable: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const [open, setOpen] = useState(false);
  const sheet = useQuery({ queryKey: [customersApi.path, 'evaluation-sheet'], queryFn: customersApi.evaluationSheet });
  const history = useQuery({
    queryKey: [customersApi.path, customer.id, 'evaluations', customer.valueScore],
    queryFn: () => customersApi.evaluations(customer.id),
  });
  return (
    <Card
      size="small"
      title={t('value.title')}
      data-testid="value-card"
      extra={
        editable &&
        sheet.data && (
          <Button size="small" onClick={() => setOpen(true)} data-testid="evaluate-open">
            {t('value.evaluate')}
          </Button>
        )
      }
    >
      <Flex gap={32} align="center">
        <Statistic title={t('value.score')} value={customer.valueScore ?? '—'} />
        <Flex vertical gap={4}>
          <Typography.Text type="secondary">{t('value.tier')}</Typography.Text>
          <TierTag tier={customer.valueTier} />
        </Flex>
      </Flex>
      {failedWithoutData(allOf(sheet, history)) && (
        <div style={{ marginTop: 12 }}>
          <LoadError query={allOf(sheet, history)} compact />
        </div>
      )}
      {!sheet.isPending && !sheet.error && !sheet.data && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {t('value.noSheet')}
        </Typography.Paragraph>
      )}
      {(history.data?.length ?? 0) > 0 && (
        <Table
          style={{ marginTop: 12 }}
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={history.data}
          columns={[
            { key: 'at', title: t('audit.at'), render: (_, e) => formatDateTime(e.evaluatedAt, locale) },
            { key: 'score', title: t('value.score'), render: (_, e) => <TierTag tier={e.tier} score={e.score} /> },
            { key: 'by', dataIndex: 'evaluatedByName', title: t('audit.actor') },
          ]}
        />
      )}
      {editable && sheet.data && (
        <EvaluateModal customer={customer} sheet={sheet.data} open={open} onClose={() => setOpen(false)} />
      )}
    </Card>
  );
}
