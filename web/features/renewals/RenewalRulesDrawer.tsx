import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Flex, Form, InputNumber, Skeleton, Switch, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { RENEWAL_DEFAULT_LEAD_DAYS, type RenewalRule } from '../../../common/schemas/renewals';
import { renewalRulesApi } from '../../api/resources';
import { EmptyState } from '../../components/EmptyState';
import { errorText } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { LoadError } from '../../components/QueryState';
import { useT } from '../../i18n';
import { changedRules, type RuleValues } from './renewal-logic';
import { RENEWAL_INVALIDATES } from './renewal-ui';

type Values = { rules: RuleValues[] };

/** 续约规则 (sales:configure): per business line, how many days before the season to raise, and on or off. */
export function RenewalRulesDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const rules = useQuery({ queryKey: [renewalRulesApi.path], queryFn: renewalRulesApi.list, enabled: open });
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);

  const save = async (values: Values) => {
    const changes = changedRules(rules.data ?? [], values.rules);
    if (changes.length === 0) {
      void message.info(t('renewal.rulesNoChange'));
      return onClose();
    }
    setSaving(true);
    // One PUT per business line: a line the server refuses shows its reason on its own field, the others are saved.
    const failed: { index: number; error: unknown }[] = [];
    for (const change of changes) {
      try {
        await renewalRulesApi.update(change.businessLineId, change.body);
      } catch (error) {
        failed.push({ index: values.rules.findIndex((r) => r.businessLineId === change.businessLineId), error });
      }
    }
    setSaving(false);
    await Promise.all(RENEWAL_INVALIDATES.map((path) => queryClient.invalidateQueries({ queryKey: [path] })));
    const saved = changes.length - failed.length;
    if (saved > 0) void message.success(t('renewal.rulesSaved', { count: saved }));
    if (failed.length === 0) return onClose();
    form.setFields(failed.map((f) => ({ name: ['rules', f.index, 'leadDays'], errors: [errorText(t, f.error)] })));
  };

  return (
    <FormDrawer
      open={open}
      title={t('renewal.rulesTitle')}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={saving}
      width={560}
      saveTestId="renewal-rules-save"
    >
      <Typography.Paragraph type="secondary">{t('renewal.rulesHint')}</Typography.Paragraph>
      {rules.error ? (
        <LoadError query={rules} />
      ) : !rules.data ? (
        <Skeleton active />
      ) : rules.data.length === 0 ? (
        <EmptyState title={t('renewal.rulesEmpty')} />
      ) : (
        <RulesForm rules={rules.data} form={form} onFinish={save} />
      )}
    </FormDrawer>
  );
}

function RulesForm({
  rules,
  form,
  onFinish,
}: {
  rules: RenewalRule[];
  form: ReturnType<typeof Form.useForm<Values>>[0];
  onFinish: (values: Values) => Promise<void>;
}) {
  const t = useT();
  return (
    <Form<Values>
      form={form}
      layout="vertical"
      onFinish={onFinish}
      initialValues={{
        rules: rules.map((r) => ({ businessLineId: r.businessLineId, leadDays: r.leadDays, active: r.active })),
      }}
      data-testid="renewal-rules-form"
    >
      <Form.List name="rules">
        {(fields) =>
          fields.map((field) => {
            const rule = rules[field.name];
            return (
              <Flex
                key={field.key}
                gap={12}
                wrap
                align="flex-start"
                style={{ paddingBlock: 8, borderBottom: '1px solid rgba(5, 5, 5, 0.06)' }}
                data-testid="renewal-rule"
              >
                <Form.Item name={[field.name, 'businessLineId']} hidden>
                  <input />
                </Form.Item>
                <Flex vertical style={{ flex: '1 1 140px', minWidth: 0, paddingTop: 4 }}>
                  <Typography.Text strong>{rule.businessLineName}</Typography.Text>
                  {!rule.saved && (
                    <Tooltip title={t('renewal.ruleDefaultHint', { days: RENEWAL_DEFAULT_LEAD_DAYS })}>
                      <Tag style={{ width: 'fit-content' }}>{t('renewal.ruleDefault')}</Tag>
                    </Tooltip>
                  )}
                </Flex>
                <Form.Item
                  name={[field.name, 'leadDays']}
                  aria-label={t('renewal.leadDays')}
                  style={{ marginBottom: 0, width: 170 }}
                  rules={[
                    { required: true, message: t('renewal.leadDaysRequired') },
                    { type: 'integer', min: 1, max: 365, message: t('renewal.leadDaysRange') },
                  ]}
                >
                  <InputNumber
                    precision={0}
                    style={{ width: '100%' }}
                    aria-label={`${rule.businessLineName} ${t('renewal.leadDays')}`}
                    suffix={t('renewal.leadDaysSuffix')}
                    data-testid="renewal-rule-days"
                  />
                </Form.Item>
                <Flex gap={8} align="center" style={{ paddingTop: 4 }}>
                  <Form.Item name={[field.name, 'active']} valuePropName="checked" noStyle>
                    <Switch
                      aria-label={`${rule.businessLineName} ${t('renewal.ruleActive')}`}
                      data-testid="renewal-rule-active"
                    />
                  </Form.Item>
                  <Typography.Text>{t('renewal.ruleActive')}</Typography.Text>
                </Flex>
              </Flex>
            );
          })
        }
      </Form.List>
    </Form>
  );
}
