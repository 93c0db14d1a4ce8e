import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, DatePicker, Flex, Form, Input, Row, Select, Space, Typography } from 'antd';
import type { FormInstance } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import type { z } from 'zod';
import { STAFF_CATEGORIES } from '../../../common/schemas/staff';
import {
  COMMISSION_METHODS,
  RatePercent,
  SALE_ROLES,
  WORK_ROLES,
  type Policy,
  type PolicyInput,
} from '../../../common/schemas/commissions';
import { ApiError } from '../../api/client';
import { useAllBranches, useAllBusinessLines, useAllDepartments, useWrite } from '../../api/queries';
import { commissionPoliciesApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { categoryKey } from '../../components/labels';
import { MoneyInput } from '../../components/MoneyInput';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';
import { COMMISSION_INVALIDATES, roleText } from './commission-ui';
import { fromFormRule, issueTargets, NEW_RULE, toFormRule, type FormRule, type Issue } from './policy-form';

type Values = { name?: string; effectiveFrom?: Dayjs | null; note?: string; rules?: FormRule[] };

/**
 * The server's issues onto the form: the version's own fields, a rule's inputs (rules.3.hourlyRate,
 * rules.0.tiers.1.percent, rules.2.match.role), and what concerns a rule as a whole (rules.3.match, rules.0.tiers)
 * as that rule's alert. Returns the rule alerts, or null when the error concerns no field (a toast then).
 */
export function placeIssues(
  form: FormInstance,
  error: unknown,
): { rules: Record<number, string[]>; general: string[] } | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code === 'COMMISSION_POLICY_DATE') {
    form.setFields([{ name: 'effectiveFrom', errors: [error.message] }]);
    return { rules: {}, general: [] };
  }
  const issues = (error.details as { issues?: Issue[] } | undefined)?.issues;
  if (error.code !== 'VALIDATION_FAILED' || !Array.isArray(issues)) return null;
  const { fields, rules, general } = issueTargets(issues);
  form.setFields(fields);
  return { rules, general };
}

/**
 * A draft version of the policy: its name, effective date, note, and the rules — added, removed, reordered, each
 * with the numbers of its method (tiers, hourly rate, pool). A new version starts from the latest version's rules.
 */
export function PolicyFormDrawer({
  policy,
  copyFrom,
  onClose,
  onSaved,
}: {
  /** The draft to edit; null for a new version. */
  policy: Policy | null;
  /** A new version copies this version's rules. */
  copyFrom: Policy | null;
  onClose: () => void;
  onSaved: (policy: Policy) => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [form] = Form.useForm<Values>();
  const [ruleErrors, setRuleErrors] = useState<Record<number, string[]>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const save = useWrite(
    (body: z.input<typeof PolicyInput>) =>
      policy ? commissionPoliciesApi.replace(policy.id, body) : commissionPoliciesApi.create(body),
    COMMISSION_INVALIDATES,
  );
  const source = policy ?? copyFrom;
  const [initial] = useState<Values>(() => ({
    name: source?.name ?? '',
    effectiveFrom: policy ? dayjs(policy.effectiveFrom) : dayjs().add(1, 'month').startOf('month'),
    note: policy?.note ?? '',
    rules: source ? source.rules.map(toFormRule) : [{ ...NEW_RULE, key: 'S1' }],
  }));
  const submit = (v: Values) => {
    setRuleErrors({});
    setGeneral([]);
    const body = {
      name: (v.name ?? '').trim(),
      effectiveFrom: v.effectiveFrom ? v.effectiveFrom.format('YYYY-MM-DD') : '',
      note: v.note?.trim() ? v.note.trim() : null,
      rules: (v.rules ?? []).map(fromFormRule),
    };
    return save.mutateAsync(body).then(
      (saved) => {
        void message.success(t('common.saved'));
        onSaved(saved);
        onClose();
      },
      (error: unknown) => {
        const placed = placeIssues(form, error);
        if (!placed) return toast(error);
        setRuleErrors(placed.rules);
        setGeneral(placed.general);
        // Show the first rule in error (a long list scrolls).
        const first = Object.keys(placed.rules)
          .map(Number)
          .sort((a, b) => a - b)[0];
        if (first !== undefined)
          setTimeout(() =>
            document
              .querySelector(`[data-testid="rule-card"][data-index="${first}"]`)
              ?.scrollIntoView({ behavior: 'smooth', block: 'start' }),
          );
      },
    );
  };
  const rules = useRules();
  return (
    <FormDrawer
      open
      title={
        policy ? t('commission.policy.editTitle', { version: policy.version }) : t('commission.policy.createTitle')
      }
      onClose={onClose}
      onSave={() => form.submit()}
      saving={save.isPending}
      width={880}
      saveTestId="policy-save"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        name="commission-policy"
        initialValues={initial}
        onFinish={submit}
        scrollToFirstError
      >
        {!policy && copyFrom && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('commission.policy.createHint', { version: copyFrom.version })}
          />
        )}
        <Row gutter={12}>
          <Col xs={24} md={14}>
            <Form.Item
              name="name"
              label={t('commission.policy.name')}
              rules={[rules.required('commission.policy.name'), { max: 100 }]}
            >
              <Input data-testid="policy-name" />
            </Form.Item>
          </Col>
          <Col xs={24} md={10}>
            <Form.Item
              name="effectiveFrom"
              label={t('commission.policy.effectiveFrom')}
              rules={[{ ...rules.required('commission.policy.effectiveFrom', 'select'), type: 'object' }]}
            >
              <DatePicker style={{ width: '100%' }} data-testid="policy-effective" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="note" label={t('commission.policy.note')} rules={[{ max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} />
        </Form.Item>
        {general.length > 0 && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={general.join(' ')} />}
        <Typography.Title level={5}>{t('commission.policy.rules')}</Typography.Title>
        <Form.List name="rules">
          {(fields, { add, remove, move }) => (
            <Flex vertical gap={12} data-testid="rule-list">
              {fields.map((field, index) => (
                <RuleCard
                  key={field.key}
                  form={form}
                  index={index}
                  name={field.name}
                  count={fields.length}
                  errors={ruleErrors[index]}
                  onRemove={() => {
                    remove(field.name);
                    setRuleErrors({});
                  }}
                  onMove={(to) => {
                    move(index, to);
                    setRuleErrors({});
                  }}
                />
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ ...NEW_RULE, key: `R${fields.length + 1}` })}
                data-testid="rule-add"
              >
                {t('commission.rule.add')}
              </Button>
            </Flex>
          )}
        </Form.List>
      </Form>
    </FormDrawer>
  );
}

/** One rule in the editor: key, name, side, what it matches, the method and its numbers. */
function RuleCard({
  form,
  index,
  name,
  count,
  errors,
  onRemove,
  onMove,
}: {
  form: FormInstance<Values>;
  index: number;
  name: number;
  count: number;
  errors?: string[];
  onRemove: () => void;
  onMove: (to: number) => void;
}) {
  const t = useT();
  const rules = useRules();
  const lines = useAllBusinessLines();
  const departments = useAllDepartments();
  const branches = useAllBranches();
  const side = Form.useWatch(['rules', name, 'side'], form);
  const method = Form.useWatch(['rules', name, 'method'], form);
  const roles = side === 'sale' ? SALE_ROLES : side === 'work' ? WORK_ROLES : [...SALE_ROLES, ...WORK_ROLES];
  const any = t('commission.rule.any');
  const percentRules = [rules.schema(RatePercent)];
  const select = (
    label: string,
    field: keyof FormRule,
    options: { value: string; label: string }[],
    testId?: string,
  ) => (
    <Col xs={12} md={8}>
      <Form.Item name={[name, field]} label={label} style={{ marginBottom: 8 }}>
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={any}
          options={options}
          data-testid={testId}
        />
      </Form.Item>
    </Col>
  );
  return (
    <Card
      size="small"
      data-testid="rule-card"
      data-index={index}
      style={errors?.length ? { borderColor: '#ff4d4f' } : undefined}
      title={t('commission.rule.nth', { n: index + 1 })}
      extra={
        <Space size={0}>
          <Button
            size="small"
            type="text"
            icon={<ArrowUpOutlined />}
            disabled={index === 0}
            onClick={() => onMove(index - 1)}
            aria-label={t('commission.rule.up')}
            title={t('commission.rule.up')}
          />
          <Button
            size="small"
            type="text"
            icon={<ArrowDownOutlined />}
            disabled={index === count - 1}
            onClick={() => onMove(index + 1)}
            aria-label={t('commission.rule.down')}
            title={t('commission.rule.down')}
          />
          <Button
            size="small"
            type="text"
            danger
            icon={<DeleteOutlined />}
            disabled={count <= 1}
            onClick={onRemove}
            aria-label={t('commission.rule.remove')}
            title={t('commission.rule.remove')}
            data-testid="rule-remove"
          />
        </Space>
      }
    >
      {errors && errors.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 8 }}
          title={t('commission.rule.errors')}
          description={errors.join(' ')}
          data-testid="rule-errors"
        />
      )}
      <Row gutter={12}>
        <Col xs={8} md={4}>
          <Form.Item
            name={[name, 'key']}
            label={t('commission.rule.key')}
            tooltip={t('commission.rule.keyHint')}
            style={{ marginBottom: 8 }}
            rules={[
              rules.required('commission.rule.key'),
              { pattern: /^[A-Za-z0-9_-]{1,20}$/, message: t('commission.rule.keyHint') },
            ]}
          >
            <Input data-testid="rule-key" />
          </Form.Item>
        </Col>
        <Col xs={16} md={12}>
          <Form.Item
            name={[name, 'name']}
            label={t('commission.rule.name')}
            style={{ marginBottom: 8 }}
            rules={[rules.required('commission.rule.name'), { max: 100 }]}
          >
            <Input data-testid="rule-name" />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name={[name, 'side']} label={t('commission.rule.side')} style={{ marginBottom: 8 }}>
            <Select
              options={(['sale', 'work'] as const).map((v) => ({ value: v, label: t(`commission.side.${v}`) }))}
              data-testid="rule-side"
            />
          </Form.Item>
        </Col>
      </Row>
      <Typography.Text type="secondary">{t('commission.rule.match')}</Typography.Text>
      <Row gutter={12}>
        {select(
          t('commission.rule.businessLine'),
          'businessLineId',
          (lines.data ?? []).map((l) => ({ value: l.id, label: l.name })),
        )}
        {select(
          t('commission.rule.role'),
          'role',
          roles.map((r) => ({ value: r, label: roleText(t, r) })),
          'rule-role',
        )}
        {select(
          t('commission.rule.staffCategory'),
          'staffCategory',
          STAFF_CATEGORIES.map((c) => ({ value: c, label: t(categoryKey(c)) })),
        )}
        {select(t('commission.rule.practising'), 'practising', [
          { value: 'yes', label: t('commission.rule.practising.yes') },
          { value: 'no', label: t('commission.rule.practising.no') },
        ])}
        {select(
          t('commission.rule.department'),
          'departmentId',
          (departments.data ?? []).map((d) => ({ value: d.id, label: d.name })),
        )}
        {select(
          t('commission.rule.branch'),
          'branchId',
          (branches.data ?? []).map((b) => ({ value: b.id, label: b.name })),
        )}
      </Row>
      <Row gutter={12}>
        <Col xs={24} md={8}>
          <Form.Item name={[name, 'method']} label={t('commission.rule.method')} style={{ marginBottom: 8 }}>
            <Select
              options={COMMISSION_METHODS.map((m) => ({ value: m, label: t(`commission.method.${m}`) }))}
              data-testid="rule-method-select"
            />
          </Form.Item>
        </Col>
        {method === 'hours' && (
          <Col xs={24} md={8}>
            <Form.Item
              name={[name, 'hourlyRate']}
              label={t('commission.rule.hourlyRate')}
              style={{ marginBottom: 8 }}
              rules={[rules.required('commission.rule.hourlyRate', 'input')]}
            >
              <MoneyInput data-testid="rule-rate" />
            </Form.Item>
          </Col>
        )}
        {method === 'pool' && (
          <>
            <Col xs={12} md={8}>
              <Form.Item
                name={[name, 'percent']}
                label={t('commission.rule.percent')}
                style={{ marginBottom: 8 }}
                rules={[rules.required('commission.rule.percent'), ...percentRules]}
              >
                <Input inputMode="decimal" suffix="%" data-testid="rule-percent" />
              </Form.Item>
            </Col>
            <Col xs={12} md={8}>
              <Form.Item name={[name, 'split']} label={t('commission.rule.split')} style={{ marginBottom: 8 }}>
                <Select
                  options={(['hours', 'shares'] as const).map((s) => ({ value: s, label: t(`commission.split.${s}`) }))}
                  data-testid="rule-split"
                />
              </Form.Item>
            </Col>
          </>
        )}
      </Row>
      {method === 'amount' && <TiersEditor name={name} />}
    </Card>
  );
}

/** The tiers of a by-amount rule: up to a cumulative received amount, a percentage; the last one without a limit. */
function TiersEditor({ name }: { name: number }) {
  const t = useT();
  const rules = useRules();
  return (
    <Form.List name={[name, 'tiers']}>
      {(tiers, { add, remove }) => (
        <Flex vertical gap={4} data-testid="rule-tiers">
          <Typography.Text type="secondary">
            {t('commission.rule.tiers')} · {t('commission.rule.tiersHint')}
          </Typography.Text>
          {tiers.map((tier, i) => (
            <Flex key={tier.key} gap={8} align="flex-start" wrap>
              <Form.Item
                name={[tier.name, 'upTo']}
                style={{ marginBottom: 4, flex: '1 1 180px' }}
                aria-label={t('commission.rule.tierUpToLabel')}
              >
                <MoneyInput
                  placeholder={
                    i === tiers.length - 1 ? t('commission.rule.tierAboveLabel') : t('commission.rule.tierUpToLabel')
                  }
                  aria-label={t('commission.rule.tierUpToLabel')}
                  data-testid="tier-upto"
                />
              </Form.Item>
              <Form.Item
                name={[tier.name, 'percent']}
                style={{ marginBottom: 4, flex: '0 1 120px' }}
                rules={[rules.required('commission.rule.tierPercent'), rules.schema(RatePercent)]}
              >
                <Input
                  inputMode="decimal"
                  suffix="%"
                  placeholder={t('commission.rule.tierPercent')}
                  aria-label={t('commission.rule.tierPercent')}
                  data-testid="tier-percent"
                />
              </Form.Item>
              <Button
                type="text"
                danger
                icon={<DeleteOutlined />}
                disabled={tiers.length <= 1}
                onClick={() => remove(tier.name)}
                aria-label={t('common.delete')}
              />
            </Flex>
          ))}
          {tiers.length < 10 && (
            <Button
              size="small"
              type="link"
              icon={<PlusOutlined />}
              onClick={() => add({ upTo: null })}
              style={{ alignSelf: 'flex-start' }}
            >
              {t('commission.rule.tierAdd')}
            </Button>
          )}
        </Flex>
      )}
    </Form.List>
  );
}
