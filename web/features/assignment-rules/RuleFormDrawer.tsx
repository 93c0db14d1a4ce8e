import { Col, Form, Input, Radio, Row, Select, Switch, Typography } from 'antd';
import { useEffect, useMemo } from 'react';
import { ASSIGNMENT_STRATEGIES, type AssignmentRule, type AssignmentStrategy } from '../../../common/schemas/leads';
import { useAllBusinessLines, useAllRegions, useDirectory, useWrite } from '../../api/queries';
import { assignmentRulesApi } from '../../api/resources';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { personLabel } from '../../components/labels';
import { useRules } from '../../components/rules';
import { useLocale, useT } from '../../i18n';
import { activeOptions, SourceSelect } from '../leads/lead-ui';

type Values = {
  name: string;
  businessLineId?: string;
  regionId?: string;
  source?: string;
  strategy: AssignmentStrategy;
  memberIds: string[];
  queueDepartmentId?: string;
  active: boolean;
};

const FIELDS: FormFields = {
  names: ['name', 'businessLineId', 'regionId', 'source', 'strategy', 'memberIds', 'queueDepartmentId', 'active'],
  rename: {
    businessLine: 'businessLineId',
    region: 'regionId',
    queueDepartment: 'queueDepartmentId',
    members: 'memberIds',
  },
  codes: { ASSIGNMENT_RULE_NO_MEMBERS: 'memberIds' },
};
export const RULE_INVALIDATES = [assignmentRulesApi.path];

type Props = { open: boolean; rule: AssignmentRule | null; onClose: () => void };

/** Creates a rule (appended at the end of the order) or edits one. */
export function RuleFormDrawer({ open, rule, onClose }: Props) {
  const t = useT();
  const { locale } = useLocale();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const businessLines = useAllBusinessLines();
  const regions = useAllRegions();
  const people = useDirectory(open);

  // Active colleagues from the directory; members who have left stay listed, flagged, so they can be removed.
  const memberOptions = useMemo(() => {
    const options: { value: string; label: string }[] = (people.data ?? []).map((u) => ({
      value: u.id,
      label: u.departmentName ? `${personLabel(locale, u)} · ${u.departmentName}` : personLabel(locale, u),
    }));
    for (const m of rule?.members ?? []) {
      if (!options.some((o) => o.value === m.id))
        options.push({ value: m.id, label: m.active ? m.name : t('rule.memberInactive', { name: m.name }) });
    }
    return options;
  }, [people.data, rule, locale, t]);

  const save = useWrite((v: Values) => {
    const body = {
      name: v.name,
      businessLineId: v.businessLineId ?? null,
      regionId: v.regionId ?? null,
      source: v.source || null,
      strategy: v.strategy,
      memberIds: v.memberIds ?? [],
      queueDepartmentId: v.queueDepartmentId ?? null,
      active: v.active,
    };
    if (!rule) return assignmentRulesApi.create(body);
    // Members are sent only when they changed: a new member list restarts the round-robin turn.
    const same =
      body.memberIds.length === rule.members.length && body.memberIds.every((id, i) => rule.members[i]?.id === id);
    const { memberIds, ...rest } = body;
    return assignmentRulesApi.update(rule.id, same ? rest : { ...rest, memberIds });
  }, RULE_INVALIDATES);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      rule
        ? {
            name: rule.name,
            businessLineId: rule.businessLineId ?? undefined,
            regionId: rule.regionId ?? undefined,
            source: rule.source ?? undefined,
            strategy: rule.strategy,
            memberIds: rule.members.map((m) => m.id),
            queueDepartmentId: rule.queueDepartmentId ?? undefined,
            active: rule.active,
          }
        : { strategy: 'round-robin', memberIds: [], active: true },
    );
  }, [open, rule, form]);

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={rule ? t('rule.editTitle', { name: rule.name }) : t('rule.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="rule-form-submit"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        name="rule"
        scrollToFirstError={{ block: 'center' }}
      >
        <Form.Item name="name" label={t('rule.name')} rules={[rules.required('rule.name'), { max: 100 }]}>
          <Input autoComplete="off" placeholder={t('rule.namePlaceholder')} />
        </Form.Item>
        <Typography.Title level={5}>{t('rule.conditions')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('rule.conditionsHelp')}</Typography.Paragraph>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="businessLineId" label={t('rule.businessLine')}>
              <Select
                allowClear
                placeholder={t('rule.any')}
                options={activeOptions(businessLines.data, rule?.businessLineId)}
                loading={businessLines.isLoading}
              />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="regionId" label={t('rule.region')}>
              <Select
                allowClear
                placeholder={t('rule.any')}
                options={activeOptions(regions.data, rule?.regionId)}
                loading={regions.isLoading}
              />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="source" label={t('rule.source')}>
              <SourceSelect placeholder={t('rule.any')} popupMatchSelectWidth={false} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Title level={5}>{t('rule.who')}</Typography.Title>
        <Form.Item name="strategy" label={t('rule.strategy')} rules={[rules.required('rule.strategy', 'select')]}>
          <Radio.Group>
            {ASSIGNMENT_STRATEGIES.map((s) => (
              <Radio key={s} value={s} style={{ display: 'flex', marginBottom: 4 }}>
                {t(`rule.strategy.${s}`)}{' '}
                <Typography.Text type="secondary">— {t(`rule.strategyHelp.${s}`)}</Typography.Text>
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="memberIds"
          label={t('rule.members')}
          extra={t('rule.membersHelp')}
          rules={[
            { ...rules.required('rule.members', 'select'), type: 'array', min: 1 },
            { type: 'array', max: 200 },
          ]}
        >
          <Select
            mode="multiple"
            showSearch={{ optionFilterProp: 'label' }}
            options={memberOptions}
            loading={people.isLoading}
            placeholder={t('rule.membersPlaceholder')}
            data-testid="rule-members"
          />
        </Form.Item>
        <Form.Item name="queueDepartmentId" label={t('rule.queue')} extra={t('rule.queueHelp')}>
          <DepartmentTreeSelect style={{ width: '100%' }} placeholder={t('rule.queueDefault')} />
        </Form.Item>
        <Form.Item name="active" label={t('rule.active')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
