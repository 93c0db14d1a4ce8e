import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Flex, Form, Input, InputNumber, Row, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { EvaluationSheetInput } from '../../../common/schemas/customers';
import { customersApi } from '../../api/resources';
import { isApiError } from '../../api/client';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { useErrorToast } from '../../components/errors';
import { PageContainer } from '../../components/PageContainer';
import { AttachmentQuotaCard } from './AttachmentQuotaCard';
import { FollowUpTemplateCard, InactiveRuleCard } from './FollowUpSettings';
import { useT } from '../../i18n';

const EMPTY_FACTOR = {
  key: '',
  name: '',
  weight: 0,
  options: [
    { label: '', score: 100 },
    { label: '', score: 0 },
  ],
};

/** The inactive-customer rule: after how many days without contact a customer returns to the pool. */
function PoolRuleCard() {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const settings = useQuery({ queryKey: [customersApi.path, 'settings'], queryFn: customersApi.settings });
  const [days, setDays] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => setDays(settings.data?.poolReturnDays ?? null), [settings.data]);
  const save = async () => {
    setSaving(true);
    try {
      await customersApi.saveSettings({ poolReturnDays: days });
      void message.success(t('common.saved'));
    } catch (error) {
      toast(error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Card size="small" title={t('poolRule.title')}>
      {/* Not loaded, the rule must not look like "never" (and be saved as such). */}
      {failedWithoutData(settings) ? (
        <LoadError query={settings} compact />
      ) : (
        <Flex gap={12} align="center" wrap>
          <Typography.Text>{t('poolRule.before')}</Typography.Text>
          <InputNumber
            min={7}
            max={3650}
            precision={0}
            value={days}
            onChange={(v) => setDays(v)}
            placeholder={t('poolRule.never')}
            style={{ width: 140 }}
            addonAfter={t('poolRule.days')}
            data-testid="pool-days"
          />
          <Typography.Text>{t('poolRule.after')}</Typography.Text>
          <Button onClick={() => void save()} loading={saving}>
            {t('common.save')}
          </Button>
        </Flex>
      )}
      <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
        {t('poolRule.help')}
      </Typography.Paragraph>
    </Card>
  );
}

/** 客户价值评估表: factors with weights (adding up to 100%), each with a scale of options, and the tier thresholds. */
export function EvaluationSheetPage() {
  const t = useT();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<EvaluationSheetInput>();
  const toast = useErrorToast();
  const sheet = useQuery({ queryKey: [customersApi.path, 'evaluation-sheet'], queryFn: customersApi.evaluationSheet });
  const factors = Form.useWatch('factors', form) ?? [];
  const weightSum = factors.reduce((sum, f) => sum + Math.round((f?.weight ?? 0) * 100), 0) / 100;

  useEffect(() => {
    if (sheet.data) form.setFieldsValue({ factors: sheet.data.factors, tiers: sheet.data.tiers });
    else if (sheet.isSuccess) form.setFieldsValue({ factors: [EMPTY_FACTOR], tiers: { A: 80, B: 60, C: 40 } });
  }, [sheet.data, sheet.isSuccess, form]);

  const submit = async (values: EvaluationSheetInput) => {
    try {
      const saved = await customersApi.saveEvaluationSheet(values);
      await queryClient.invalidateQueries({ queryKey: [customersApi.path] });
      void message.success(t('sheet.saved', { version: saved.version }));
    } catch (error) {
      // Sheet-wide rules (weights total, tier order) are best said in the server's own words.
      const issues = isApiError(error, 'VALIDATION_FAILED')
        ? (error.details as { issues?: { message: string }[] })?.issues
        : undefined;
      if (issues?.length) void message.error(issues.map((i) => i.message).join('；'));
      else toast(error);
    }
  };

  return (
    <PageContainer title={t('nav.customerSettings')}>
      <Flex vertical gap={16}>
        <PoolRuleCard />
        <InactiveRuleCard />
        <FollowUpTemplateCard />
        <AttachmentQuotaCard />
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('nav.evaluationSheet')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('sheet.help')} {sheet.data && t('sheet.version', { version: sheet.data.version })}
        </Typography.Paragraph>
        {/* Not loaded, the sheet must not look empty (and be saved as a new, empty version). */}
        {failedWithoutData(sheet) && <LoadError query={sheet} />}
        <Form<EvaluationSheetInput>
          form={form}
          layout="vertical"
          onFinish={submit}
          name="sheet"
          hidden={failedWithoutData(sheet)}
        >
          <Form.List name="factors">
            {(fields, { add, remove }) => (
              <Flex vertical gap={12}>
                {fields.map((field) => (
                  <Card
                    key={field.key}
                    size="small"
                    extra={
                      <Button
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('common.delete')}
                        onClick={() => remove(field.name)}
                        disabled={fields.length === 1}
                      />
                    }
                  >
                    <Row gutter={12}>
                      <Col span={10}>
                        <Form.Item
                          name={[field.name, 'name']}
                          label={t('sheet.factor')}
                          rules={[{ required: true, message: t('value.choose') }, { max: 50 }]}
                        >
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col span={8}>
                        <Form.Item
                          name={[field.name, 'key']}
                          label={t('sheet.key')}
                          rules={[{ required: true, pattern: /^[a-z][a-z0-9_-]{0,31}$/, message: t('sheet.keyRule') }]}
                        >
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col span={6}>
                        <Form.Item
                          name={[field.name, 'weight']}
                          label={t('sheet.weight')}
                          rules={[{ required: true, type: 'number', min: 0.01, max: 100 }]}
                        >
                          <InputNumber
                            min={0.01}
                            max={100}
                            step={5}
                            precision={2}
                            addonAfter="%"
                            style={{ width: '100%' }}
                          />
                        </Form.Item>
                      </Col>
                    </Row>
                    <Form.List name={[field.name, 'options']}>
                      {(options, { add: addOption, remove: removeOption }) => (
                        <Flex vertical gap={4}>
                          {options.map((option) => (
                            <Flex key={option.key} gap={8} align="baseline">
                              <Form.Item
                                name={[option.name, 'label']}
                                rules={[{ required: true, message: t('sheet.optionLabel') }, { max: 50 }]}
                                style={{ flex: 1, marginBottom: 8 }}
                              >
                                <Input placeholder={t('sheet.optionLabel')} />
                              </Form.Item>
                              <Form.Item
                                name={[option.name, 'score']}
                                rules={[{ required: true, type: 'number', min: 0, max: 100 }]}
                                style={{ width: 140, marginBottom: 8 }}
                              >
                                <InputNumber
                                  min={0}
                                  max={100}
                                  precision={0}
                                  addonAfter={t('sheet.points')}
                                  style={{ width: '100%' }}
                                />
                              </Form.Item>
                              <Button
                                type="text"
                                icon={<DeleteOutlined />}
                                aria-label={t('common.delete')}
                                onClick={() => removeOption(option.name)}
                                disabled={options.length <= 2}
                              />
                            </Flex>
                          ))}
                          <Button
                            type="dashed"
                            size="small"
                            icon={<PlusOutlined />}
                            onClick={() => addOption({ label: '', score: 0 })}
                            disabled={options.length >= 10}
                            style={{ alignSelf: 'flex-start' }}
                          >
                            {t('sheet.addOption')}
                          </Button>
                        </Flex>
                      )}
                    </Form.List>
                  </Card>
                ))}
                <Flex justify="space-between" align="center">
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => add({ ...EMPTY_FACTOR, key: `f${fields.length + 1}` })}
                    disabled={fields.length >= 20}
                  >
                    {t('sheet.addFactor')}
                  </Button>
                  <Typography.Text type={weightSum === 100 ? 'success' : 'danger'} data-testid="weight-sum">
                    {t('sheet.weightSum', { sum: weightSum })}
                  </Typography.Text>
                </Flex>
              </Flex>
            )}
          </Form.List>
          <Card
            size="small"
            title={t('sheet.tiers')}
            style={{ marginTop: 16 }}
            actions={[
              <Button key="save" type="primary" onClick={() => form.submit()} data-testid="sheet-save">
                {t('sheet.save')}
              </Button>,
            ]}
          >
            <Row gutter={12}>
              {(['A', 'B', 'C'] as const).map((tier) => (
                <Col span={8} key={tier}>
                  <Form.Item
                    name={['tiers', tier]}
                    label={t('sheet.tierMin', { tier })}
                    rules={[{ required: true, type: 'number', min: 0, max: 100 }]}
                  >
                    <InputNumber min={0} max={100} precision={2} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              ))}
            </Row>
            <Alert type="info" showIcon title={t('sheet.tierD')} />
          </Card>
        </Form>
      </Flex>
    </PageContainer>
  );
}
