import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Button,
  Card,
  Col,
  Flex,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Switch,
  Typography,
  type FormInstance,
} from 'antd';
import { useEffect, useMemo } from 'react';
import {
  STEP_MODES,
  WORKFLOW_SUBJECT_KINDS,
  WORKFLOW_SUBJECTS,
  type StepAssignee,
  type Workflow,
  type WorkflowSubjectKind,
} from '../../../common/schemas/workflows';
import { isApiError } from '../../api/client';
import { useAllBusinessLines, useAllRoles, useWrite } from '../../api/queries';
import { workflowsApi } from '../../api/resources';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { useErrorToast } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { localName, roleLabel } from '../../components/labels';
import { MoneyInput } from '../../components/MoneyInput';
import { useIsMobile } from '../../components/responsive';
import { useRules } from '../../components/rules';
import { useLocale, useT } from '../../i18n';
import { fieldLabel, PersonSelect, subjectKindLabel } from './approval-ui';
import {
  formFieldOf,
  moveStep,
  newStep,
  operatorsFor,
  removeStep,
  toInput,
  toValues,
  type AssigneeKind,
  type FlowValues,
  type StepValues,
} from './workflow-form';

const ASSIGNEE_KINDS: AssigneeKind[] = ['user', 'role', 'role-in-department', 'relation', 'department'];

/** Puts a 400's issues on the fields they name; false when none fits (the caller shows a toast). */
function applyIssues(form: FormInstance<FlowValues>, error: unknown): boolean {
  if (!isApiError(error, 'VALIDATION_FAILED')) return false;
  const issues = (error.details as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [];
  const values = form.getFieldsValue(true) as FlowValues;
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
  for (const issue of issues) {
    const name = formFieldOf(issue.path, values);
    if (!name) return false;
    const key = name.join('.');
    byField.set(key, { name, errors: [...(byField.get(key)?.errors ?? []), issue.message] });
  }
  if (byField.size === 0) return false;
  const fields = [...byField.values()];
  form.setFields(fields as Parameters<typeof form.setFields>[0]);
  form.scrollToField(fields[0].name, { block: 'center' });
  return true;
}

/** One condition: a field of the kind, a comparison that fits it, and a value of its type. */
function ConditionRow({
  form,
  index,
  kind,
  onRemove,
}: {
  form: FormInstance<FlowValues>;
  index: number;
  kind: WorkflowSubjectKind;
  onRemove: () => void;
}) {
  const t = useT();
  const mobile = useIsMobile();
  const lines = useAllBusinessLines();
  const field = Form.useWatch(['conditions', index, 'field'], form) as string | undefined;
  const op = Form.useWatch(['conditions', index, 'op'], form);
  const chosen = Form.useWatch(['conditions', index, 'value'], form) as string | string[] | null | undefined;
  const type = field ? WORKFLOW_SUBJECTS[kind].fields[field] : undefined;
  const required = {
    required: true,
    type: op === 'in' ? ('array' as const) : ('string' as const),
    message: t('workflow.conditionValueRequired'),
  };
  const value =
    type === 'money' ? (
      <MoneyInput data-testid="condition-money" />
    ) : type === 'percent' ? (
      <InputNumber<string> stringMode min="0" max="100" precision={2} suffix="%" style={{ width: '100%' }} />
    ) : type === 'businessLine' ? (
      <Select
        mode={op === 'in' ? 'multiple' : undefined}
        // Active lines, and any already chosen (a line switched off later still shows).
        options={(lines.data ?? [])
          .filter((l) => l.active || [chosen].flat().includes(l.id))
          .map((l) => ({ value: l.id, label: l.name }))}
        loading={lines.isPending}
        showSearch={{ optionFilterProp: 'label' }}
      />
    ) : type === 'department' ? (
      op === 'in' ? (
        <DepartmentTreeSelect multiple style={{ width: '100%' }} />
      ) : (
        <DepartmentTreeSelect style={{ width: '100%' }} />
      )
    ) : (
      <Input disabled />
    );
  return (
    <Row gutter={8} align="top" data-testid="workflow-condition">
      <Col xs={24} sm={8}>
        <Form.Item
          name={[index, 'field']}
          rules={[{ required: true, message: t('form.select', { field: t('workflow.conditionField') }) }]}
          style={{ marginBottom: mobile ? 8 : undefined }}
        >
          <Select
            placeholder={t('workflow.conditionField')}
            options={Object.keys(WORKFLOW_SUBJECTS[kind].fields).map((f) => ({ value: f, label: fieldLabel(t, f) }))}
            onChange={(f: string) =>
              form.setFieldValue(['conditions', index], { field: f, op: operatorsFor(kind, f)[0], value: null })
            }
            data-testid="condition-field"
          />
        </Form.Item>
      </Col>
      <Col xs={24} sm={6}>
        <Form.Item name={[index, 'op']} style={{ marginBottom: mobile ? 8 : undefined }}>
          <Select
            options={operatorsFor(kind, field).map((o) => ({ value: o, label: t(`workflow.op.${o}`) }))}
            onChange={(next: string) => {
              const current = form.getFieldValue(['conditions', index, 'value']) as string | string[] | null;
              // "in" takes several values, the others one: keep what fits.
              const kept =
                next === 'in'
                  ? current && !Array.isArray(current)
                    ? [current]
                    : current
                  : Array.isArray(current)
                    ? (current[0] ?? null)
                    : current;
              form.setFieldValue(['conditions', index, 'value'], kept);
            }}
            data-testid="condition-op"
          />
        </Form.Item>
      </Col>
      <Col xs={21} sm={9}>
        <Form.Item name={[index, 'value']} rules={[required]}>
          {value}
        </Form.Item>
      </Col>
      <Col xs={3} sm={1}>
        <Button
          type="text"
          icon={<DeleteOutlined />}
          aria-label={t('workflow.removeCondition')}
          onClick={onRemove}
          data-testid="condition-remove"
        />
      </Col>
    </Row>
  );
}

/** One step: its names, who decides it, one or all of them, its time limit, and where it may send the request back. */
function StepCard({
  form,
  index,
  count,
  kind,
  steps,
  onMove,
  onRemove,
}: {
  form: FormInstance<FlowValues>;
  index: number;
  count: number;
  kind: WorkflowSubjectKind;
  steps: StepValues[];
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const rules = useRules();
  const roles = useAllRoles();
  const who = Form.useWatch(['steps', index, 'assignee', 'kind'], form) as StepAssignee['kind'] | undefined;
  const roleOptions = useMemo(
    () => (roles.data ?? []).map((r) => ({ value: r.code, label: roleLabel(t, locale, r) })),
    [roles.data, t, locale],
  );
  const roleSelect = (
    <Select
      options={roleOptions}
      loading={roles.isPending}
      showSearch={{ optionFilterProp: 'label' }}
      placeholder={t('workflow.pickRole')}
    />
  );
  const earlier = steps.slice(0, index).map((s, i) => ({
    value: i + 1,
    label: t('workflow.stepLabel', {
      step: i + 1,
      name: localName({ nameZh: s?.nameZh ?? '', nameEn: s?.nameEn ?? '' }, locale),
    }),
  }));
  const name = (field: string | string[]) => (Array.isArray(field) ? [index, ...field] : [index, field]);
  return (
    <Card
      size="small"
      data-testid="workflow-step"
      styles={{ body: { paddingBottom: 0 } }}
      title={t('workflow.stepN', { step: index + 1 })}
      extra={
        <Flex gap={0}>
          <Button
            type="text"
            size="small"
            icon={<ArrowUpOutlined />}
            disabled={index === 0}
            aria-label={t('workflow.moveUp')}
            onClick={() => onMove(-1)}
            data-testid="step-up"
          />
          <Button
            type="text"
            size="small"
            icon={<ArrowDownOutlined />}
            disabled={index === count - 1}
            aria-label={t('workflow.moveDown')}
            onClick={() => onMove(1)}
            data-testid="step-down"
          />
          <Button
            type="text"
            size="small"
            icon={<DeleteOutlined />}
            disabled={count === 1}
            aria-label={t('workflow.removeStep')}
            onClick={onRemove}
            data-testid="step-remove"
          />
        </Flex>
      }
    >
      <Row gutter={12}>
        <Col xs={24} sm={12}>
          <Form.Item
            name={name('nameZh')}
            label={t('workflow.stepNameZh')}
            rules={[rules.required('workflow.stepNameZh'), { max: 50 }]}
          >
            <Input placeholder={t('workflow.stepNameZhPlaceholder')} data-testid="step-name-zh" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item
            name={name('nameEn')}
            label={t('workflow.stepNameEn')}
            rules={[rules.required('workflow.stepNameEn'), { max: 50 }]}
          >
            <Input placeholder={t('workflow.stepNameEnPlaceholder')} data-testid="step-name-en" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={10}>
          <Form.Item name={name(['assignee', 'kind'])} label={t('workflow.who')}>
            <Select
              options={ASSIGNEE_KINDS.map((k) => ({ value: k, label: t(`workflow.who.${k}`) }))}
              data-testid="step-who"
            />
          </Form.Item>
        </Col>
        <Col xs={24} sm={14}>
          {who === 'user' && (
            <Form.Item
              name={name(['assignee', 'userId'])}
              label={t('workflow.who.person')}
              rules={[rules.required('workflow.who.person', 'select')]}
            >
              <PersonSelect placeholder={t('approval.pickColleague')} data-testid="step-user" />
            </Form.Item>
          )}
          {(who === 'role' || who === 'role-in-department') && (
            <Form.Item
              name={name(['assignee', 'roleCode'])}
              label={t('workflow.who.roleField')}
              extra={t(who === 'role' ? 'workflow.who.roleHelp' : 'workflow.who.roleInDepartmentHelp')}
              rules={[rules.required('workflow.who.roleField', 'select')]}
            >
              {roleSelect}
            </Form.Item>
          )}
          {who === 'relation' && (
            <Form.Item
              name={name(['assignee', 'relation'])}
              label={t('workflow.who.relationField')}
              rules={[rules.required('workflow.who.relationField', 'select')]}
            >
              <Select
                options={WORKFLOW_SUBJECTS[kind].relations.map((r) => ({
                  value: r,
                  label: t(`workflow.relation.${r}`),
                }))}
              />
            </Form.Item>
          )}
          {who === 'department' && (
            <Row gutter={8}>
              <Col span={13}>
                <Form.Item
                  name={name(['assignee', 'departmentId'])}
                  label={t('workflow.who.departmentField')}
                  rules={[rules.required('workflow.who.departmentField', 'select')]}
                >
                  <DepartmentTreeSelect style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col span={11}>
                <Form.Item name={name(['assignee', 'roleCode'])} label={t('workflow.who.departmentRole')}>
                  {roleSelect}
                </Form.Item>
              </Col>
            </Row>
          )}
        </Col>
        <Col xs={24} sm={10}>
          <Form.Item name={name('mode')} label={t('workflow.mode')}>
            <Radio.Group
              options={STEP_MODES.map((m) => ({ value: m, label: t(`workflow.mode.${m}`) }))}
              data-testid="step-mode"
            />
          </Form.Item>
        </Col>
        <Col xs={24} sm={6}>
          <Form.Item name={name('timeLimitHours')} label={t('workflow.timeLimit')}>
            <InputNumber
              min={1}
              max={24 * 90}
              precision={0}
              suffix={t('workflow.hours')}
              placeholder={t('workflow.noLimit')}
              style={{ width: '100%' }}
              data-testid="step-time-limit"
            />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name={name('returnTo')} label={t('workflow.returnTo')} extra={t('workflow.returnToHelp')}>
            <Select
              mode="multiple"
              options={earlier}
              disabled={index === 0}
              placeholder={t('workflow.returnToSubmitterOnly')}
              data-testid="step-return-to"
            />
          </Form.Item>
        </Col>
      </Row>
    </Card>
  );
}

type Props = {
  open: boolean;
  /** The flow to edit, or null for a new one of `kind`. */
  workflow: Workflow | null;
  kind: WorkflowSubjectKind;
  onClose: () => void;
};

/** Creates an approval flow or saves a flow as its next version (running approvals keep theirs). */
export function WorkflowFormDrawer({ open, workflow, kind: newKind, onClose }: Props) {
  const t = useT();
  const { locale } = useLocale();
  const rules = useRules();
  const toast = useErrorToast();
  const [form] = Form.useForm<FlowValues>();
  const kind = (Form.useWatch('subjectKind', form) as WorkflowSubjectKind | undefined) ?? newKind;
  const steps = (Form.useWatch('steps', form) as StepValues[] | undefined) ?? [];
  const save = useWrite(
    (v: FlowValues) => (workflow ? workflowsApi.update(workflow.id, toInput(v)) : workflowsApi.create(toInput(v))),
    [workflowsApi.path],
  );

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(toValues(workflow, newKind));
  }, [open, workflow, newKind, form]);

  const setSteps = (next: StepValues[]) => {
    form.setFieldValue('steps', next);
    // Errors were on the fields by position: they no longer say where.
    form.setFields(next.flatMap((_, i) => [{ name: ['steps', i, 'returnTo'], errors: [] }]));
  };

  const submit = async () => {
    try {
      await form.validateFields();
    } catch {
      return; // the form shows what is missing
    }
    try {
      await save.mutateAsync(form.getFieldsValue(true) as FlowValues);
      onClose();
    } catch (error) {
      if (!applyIssues(form, error)) toast(error);
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={
        workflow
          ? t('workflow.editTitle', { name: localName(workflow, locale), version: workflow.version + 1 })
          : t('workflow.createTitle', { kind: subjectKindLabel(t, newKind) })
      }
      onSave={() => void submit()}
      saving={save.isPending}
      width={880}
      saveTestId="workflow-save"
    >
      <Form<FlowValues> form={form} layout="vertical" name="workflow" scrollToFirstError={{ block: 'center' }}>
        <Row gutter={12}>
          <Col xs={24} sm={10}>
            <Form.Item name="subjectKind" label={t('workflow.kind')} extra={workflow ? t('workflow.kindFixed') : null}>
              <Select
                disabled={Boolean(workflow)}
                options={WORKFLOW_SUBJECT_KINDS.map((k) => ({ value: k, label: subjectKindLabel(t, k) }))}
                onChange={() => form.setFieldValue('conditions', [])}
              />
            </Form.Item>
          </Col>
          <Col xs={12} sm={7}>
            <Form.Item name="priority" label={t('workflow.priority')} extra={t('workflow.priorityHelp')}>
              <InputNumber min={0} max={1000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={7}>
            <Form.Item name="active" label={t('workflow.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="nameZh"
              label={t('workflow.nameZh')}
              rules={[rules.required('workflow.nameZh'), { max: 100 }]}
            >
              <Input placeholder={t('workflow.nameZhPlaceholder')} data-testid="workflow-name-zh" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="nameEn"
              label={t('workflow.nameEn')}
              rules={[rules.required('workflow.nameEn'), { max: 100 }]}
            >
              <Input placeholder={t('workflow.nameEnPlaceholder')} data-testid="workflow-name-en" />
            </Form.Item>
          </Col>
        </Row>

        <Typography.Title level={5}>{t('workflow.conditions')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('workflow.conditionsHelp')}</Typography.Paragraph>
        <Form.List name="conditions">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field) => (
                <ConditionRow
                  key={field.key}
                  form={form}
                  index={field.name}
                  kind={kind}
                  onRemove={() => remove(field.name)}
                />
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ value: null })}
                disabled={fields.length >= 10}
                style={{ marginBottom: 24 }}
                data-testid="condition-add"
              >
                {t('workflow.addCondition')}
              </Button>
            </>
          )}
        </Form.List>

        <Typography.Title level={5}>{t('workflow.steps')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('workflow.stepsHelp')}</Typography.Paragraph>
        <Form.List name="steps">
          {(fields, _ops, { errors }) => (
            <Flex vertical gap={12} style={{ marginBottom: 16 }}>
              {fields.map((field) => (
                <StepCard
                  key={field.key}
                  form={form}
                  index={field.name}
                  count={fields.length}
                  kind={kind}
                  steps={steps}
                  onMove={(by) => setSteps(moveStep(steps, field.name, by))}
                  onRemove={() => setSteps(removeStep(steps, field.name))}
                />
              ))}
              <Form.ErrorList errors={errors} />
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => setSteps([...steps, newStep()])}
                disabled={fields.length >= 20}
                data-testid="step-add"
              >
                {t('workflow.addStep')}
              </Button>
            </Flex>
          )}
        </Form.List>

        <Form.Item
          name="fallbackUserId"
          label={t('workflow.fallback')}
          extra={t('workflow.fallbackHelp')}
          rules={[rules.required('workflow.fallback', 'select')]}
        >
          <PersonSelect
            known={workflow?.fallbackUserName ? { id: workflow.fallbackUserId, name: workflow.fallbackUserName } : null}
            placeholder={t('approval.pickColleague')}
            data-testid="workflow-fallback"
          />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
