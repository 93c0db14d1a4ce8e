import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Col,
  Flex,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Row,
  Select,
  Switch,
  Tooltip,
  Typography,
  type FormInstance,
} from 'antd';
import { useEffect } from 'react';
import {
  ENGAGEMENT_CYCLES,
  ENGAGEMENT_ROLES,
  Hours,
  PHASE_KINDS,
  QUALIFICATIONS,
  type EngagementCycle,
  type EngagementRole,
  type EngagementTemplate,
  type EngagementTemplateInput,
  type PhaseKind,
  type Qualification,
} from '../../../common/schemas/engagements';
import { ApiError } from '../../api/client';
import { useAllBusinessLines, useSaveEngagementTemplate } from '../../api/queries';
import { FormDrawer } from '../../components/FormDrawer';
import { applyServerErrors, useErrorToast, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';

type TaskValues = { title?: string; role?: EngagementRole; plannedHours?: string };
type PhaseValues = {
  name?: string;
  kind: PhaseKind;
  durationDays?: number | null;
  roles?: EngagementRole[];
  qualification?: Qualification;
  tasks?: TaskValues[];
};
type Values = {
  name: string;
  businessLineId: string;
  cycle: EngagementCycle;
  active: boolean;
  note?: string;
  phases?: PhaseValues[];
};

const FIELDS: FormFields = {
  names: ['name', 'businessLineId', 'cycle', 'active', 'note', 'phases'],
  rename: { businessLine: 'businessLineId' },
};
/** The fields a path of the server's issues ends at (`phases.2.tasks.0.plannedHours`, `phases.4.kind`). */
const LEAVES = new Set([
  'name',
  'businessLineId',
  'cycle',
  'active',
  'note',
  'kind',
  'durationDays',
  'roles',
  'qualification',
  'title',
  'role',
  'plannedHours',
]);
/** Kinds a template has at most once. */
const SINGLE_KINDS: readonly PhaseKind[] = ['review', 'report', 'archive'];

/**
 * The server's validation issues onto the fields of the phases and their tasks they name (a path as
 * `body.phases.1.tasks.0.plannedHours`, or a service's own `phases.4.kind`). False when none is of this form.
 */
function applyIssues(form: FormInstance, error: unknown): boolean {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION_FAILED') return false;
  const issues = (error.details as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [];
  const byName = new Map<string, { name: (string | number)[]; errors: string[] }>();
  for (const issue of issues) {
    const parts = issue.path.split('.');
    if (parts[0] === 'body') parts.shift();
    if (!FIELDS.names.includes(parts[0])) continue;
    const leaf = parts.findIndex((part) => LEAVES.has(part));
    const name = (leaf >= 0 ? parts.slice(0, leaf + 1) : parts).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const key = name.join('.');
    byName.set(key, { name, errors: [...(byName.get(key)?.errors ?? []), issue.message] });
  }
  if (byName.size === 0) return false;
  const fields = [...byName.values()];
  form.setFields(fields);
  form.scrollToField(fields[0].name, { block: 'center' });
  return true;
}

/** Hours ("6.5") as hundredths, exactly; null when not quarter hours. */
function hundredths(hours: string | undefined): number | null {
  if (!hours || !Hours.safeParse(hours).success) return null;
  const [whole, fraction = ''] = hours.trim().split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}
function hoursText(value: number): string {
  const fraction = String(value % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return fraction ? `${Math.floor(value / 100)}.${fraction}` : String(Math.floor(value / 100));
}

function toValues(template: EngagementTemplate | null): Partial<Values> {
  if (!template)
    return { cycle: 'once', active: true, phases: [{ kind: 'work', durationDays: 5, roles: [], tasks: [] }] };
  return {
    name: template.name,
    businessLineId: template.businessLineId,
    cycle: template.cycle,
    active: template.active,
    note: template.note ?? undefined,
    phases: template.phases.map((p) => ({
      name: p.name,
      kind: p.kind,
      durationDays: p.durationDays,
      roles: p.roles,
      qualification: p.qualification ?? undefined,
      tasks: p.tasks.map((task) => ({
        title: task.title,
        role: task.role,
        plannedHours: task.plannedHours ?? undefined,
      })),
    })),
  };
}

function toInput(v: Values): EngagementTemplateInput {
  return {
    businessLineId: v.businessLineId,
    name: v.name.trim(),
    cycle: v.cycle,
    active: v.active,
    note: v.note?.trim() || null,
    phases: (v.phases ?? []).map((p) => ({
      name: (p.name ?? '').trim(),
      kind: p.kind,
      durationDays: p.durationDays ?? 0,
      roles: p.roles ?? [],
      qualification: p.qualification ?? null,
      tasks: (p.tasks ?? []).map((task) => ({
        title: (task.title ?? '').trim(),
        role: task.role ?? 'assistant',
        ...(task.plannedHours?.trim() ? { plannedHours: task.plannedHours.trim() } : {}),
      })),
    })),
  };
}

type Props = {
  open: boolean;
  /** null: a new template. */
  template: EngagementTemplate | null;
  onClose: () => void;
};

/** Creates or edits (replaces as a whole) an engagement template: its header, then the ordered phases with their tasks. */
export function EngagementTemplateDrawer({ open, template, onClose }: Props) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [form] = Form.useForm<Values>();
  const save = useSaveEngagementTemplate(template?.id);
  const lines = useAllBusinessLines();
  const phases = Form.useWatch('phases', form) as PhaseValues[] | undefined;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(toValues(template));
  }, [open, template, form]);

  const lineOptions = (lines.data ?? [])
    .filter((l) => l.active || l.id === template?.businessLineId)
    .map((l) => ({ value: l.id, label: l.name, disabled: !l.active }));
  const roleOptions = ENGAGEMENT_ROLES.map((r) => ({ value: r, label: t(`engagementRole.${r}`) }));
  const kindOptions = (index: number) =>
    PHASE_KINDS.map((k) => ({
      value: k,
      label: t(`phaseKind.${k}`),
      // Review, report and archive once each: taken by another phase.
      disabled: SINGLE_KINDS.includes(k) && (phases ?? []).some((p, i) => i !== index && p?.kind === k),
    }));
  const totals = (phases ?? [])
    .flatMap((p) => p?.tasks ?? [])
    .reduce((sum, task) => sum + (hundredths(task?.plannedHours) ?? 0), 0);

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(toInput(values));
      void message.success(t(template ? 'common.saved' : 'common.created'));
      onClose();
    } catch (error) {
      if (!applyIssues(form, error) && !applyServerErrors(form, error, FIELDS)) toast(error);
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      width={860}
      title={
        template ? t('engagementTemplate.editTitle', { name: template.name }) : t('engagementTemplate.createTitle')
      }
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="engagement-template-save"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        name="engagement-template"
        onFinish={submit}
        scrollToFirstError={{ block: 'center' }}
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name="name"
              label={t('engagementTemplate.name')}
              rules={[rules.required('engagementTemplate.name'), { max: 100 }]}
            >
              <Input autoComplete="off" placeholder={t('engagementTemplate.namePlaceholder')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="businessLineId"
              label={t('engagementTemplate.businessLine')}
              rules={[rules.required('engagementTemplate.businessLine', 'select')]}
            >
              <Select options={lineOptions} showSearch={{ optionFilterProp: 'label' }} loading={lines.isPending} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="cycle" label={t('engagementTemplate.cycle')}>
              <Select options={ENGAGEMENT_CYCLES.map((c) => ({ value: c, label: t(`engagementCycle.${c}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item
              name="active"
              label={t('engagementTemplate.active')}
              valuePropName="checked"
              tooltip={t('engagementTemplate.activeHint')}
            >
              <Switch />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="note" label={t('engagementTemplate.note')} rules={[{ max: 500 }]}>
              <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} />
            </Form.Item>
          </Col>
        </Row>

        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {t('engagementTemplate.phases')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('engagementTemplate.phasesHint')}</Typography.Paragraph>
        <Form.List
          name="phases"
          rules={[
            {
              validator: async (_rule, value: unknown[] | undefined) => {
                if (!value?.length) throw new Error(t('engagementTemplate.phasesRequired'));
              },
            },
          ]}
        >
          {(fields, { add, remove, move }, { errors }) => (
            <Flex vertical gap={12}>
              {fields.map((field, index) => {
                const phase = phases?.[index];
                return (
                  <Card
                    key={field.key}
                    size="small"
                    data-testid="engagement-template-phase"
                    title={t('engagementTemplate.phaseN', { n: index + 1 })}
                    extra={
                      <Flex gap={0}>
                        <Tooltip title={t('engagementTemplate.moveUp')}>
                          <Button
                            type="text"
                            size="small"
                            icon={<ArrowUpOutlined />}
                            aria-label={t('engagementTemplate.moveUp')}
                            disabled={index === 0}
                            onClick={() => move(index, index - 1)}
                          />
                        </Tooltip>
                        <Tooltip title={t('engagementTemplate.moveDown')}>
                          <Button
                            type="text"
                            size="small"
                            icon={<ArrowDownOutlined />}
                            aria-label={t('engagementTemplate.moveDown')}
                            disabled={index === fields.length - 1}
                            onClick={() => move(index, index + 1)}
                          />
                        </Tooltip>
                        <Popconfirm
                          title={t('engagementTemplate.removePhaseConfirm', {
                            name: phase?.name || t('engagementTemplate.phaseN', { n: index + 1 }),
                            count: phase?.tasks?.length ?? 0,
                          })}
                          okText={t('common.delete')}
                          okButtonProps={{ danger: true }}
                          onConfirm={() => remove(field.name)}
                        >
                          <Button
                            type="text"
                            size="small"
                            danger
                            icon={<DeleteOutlined />}
                            aria-label={t('engagementTemplate.removePhase')}
                          />
                        </Popconfirm>
                      </Flex>
                    }
                  >
                    <Row gutter={12}>
                      <Col xs={24} md={12}>
                        <Form.Item
                          name={[field.name, 'name']}
                          label={t('engagementTemplate.phaseName')}
                          rules={[rules.required('engagementTemplate.phaseName'), { max: 100 }]}
                        >
                          <Input autoComplete="off" placeholder={t('engagementTemplate.phaseNamePlaceholder')} />
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={6}>
                        <Form.Item name={[field.name, 'kind']} label={t('engagementTemplate.kind')}>
                          <Select options={kindOptions(index)} />
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={6}>
                        <Form.Item
                          name={[field.name, 'durationDays']}
                          label={t('engagementTemplate.durationDays')}
                          // A number: `required` without the text rule's whitespace check.
                          rules={[
                            {
                              required: true,
                              message: t('form.required', { field: t('engagementTemplate.durationDays') }),
                            },
                          ]}
                        >
                          <InputNumber
                            min={0}
                            max={366}
                            precision={0}
                            suffix={t('engagementTemplate.days')}
                            style={{ width: '100%' }}
                          />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={12}>
                        <Form.Item name={[field.name, 'roles']} label={t('engagementTemplate.roles')}>
                          <Select mode="multiple" allowClear options={roleOptions} />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={12}>
                        <Form.Item name={[field.name, 'qualification']} label={t('engagementTemplate.qualification')}>
                          <Select
                            allowClear
                            placeholder={t('engagementTemplate.noQualification')}
                            options={QUALIFICATIONS.map((q) => ({ value: q, label: t(`qualification.${q}`) }))}
                          />
                        </Form.Item>
                      </Col>
                    </Row>
                    <Typography.Text strong style={{ display: 'block', marginBottom: 8 }}>
                      {t('engagementTemplate.tasks')}
                    </Typography.Text>
                    <Form.List name={[field.name, 'tasks']}>
                      {(tasks, taskOps, { errors: taskErrors }) => (
                        <>
                          {tasks.map((task) => (
                            <Flex key={task.key} gap={8} wrap align="flex-start" data-testid="engagement-template-task">
                              <Form.Item
                                name={[task.name, 'title']}
                                rules={[rules.required('engagementTemplate.taskTitle'), { max: 200 }]}
                                style={{ flex: '1 1 220px', marginBottom: 8 }}
                              >
                                <Input
                                  autoComplete="off"
                                  placeholder={t('engagementTemplate.taskTitle')}
                                  aria-label={t('engagementTemplate.taskTitle')}
                                />
                              </Form.Item>
                              <Flex gap={8} align="flex-start">
                                <Form.Item
                                  name={[task.name, 'role']}
                                  rules={[rules.required('engagementTemplate.taskRole', 'select')]}
                                  style={{ width: 150, marginBottom: 8 }}
                                >
                                  <Select
                                    options={roleOptions}
                                    placeholder={t('engagementTemplate.taskRole')}
                                    aria-label={t('engagementTemplate.taskRole')}
                                  />
                                </Form.Item>
                                <Form.Item
                                  name={[task.name, 'plannedHours']}
                                  rules={[rules.schema(Hours)]}
                                  style={{ width: 110, marginBottom: 8 }}
                                >
                                  <Input
                                    inputMode="decimal"
                                    placeholder={t('engagementTemplate.hoursPlaceholder')}
                                    aria-label={t('engagementTemplate.taskHours')}
                                  />
                                </Form.Item>
                                <Tooltip title={t('engagementTemplate.removeTask')}>
                                  <Button
                                    type="text"
                                    icon={<DeleteOutlined />}
                                    aria-label={t('engagementTemplate.removeTask')}
                                    onClick={() => taskOps.remove(task.name)}
                                  />
                                </Tooltip>
                              </Flex>
                            </Flex>
                          ))}
                          <Form.ErrorList errors={taskErrors} />
                          <Button
                            type="dashed"
                            size="small"
                            icon={<PlusOutlined />}
                            onClick={() => taskOps.add({ role: phase?.roles?.[0] ?? 'assistant' })}
                          >
                            {t('engagementTemplate.addTask')}
                          </Button>
                        </>
                      )}
                    </Form.List>
                  </Card>
                );
              })}
              <Form.ErrorList errors={errors} />
              <Flex justify="space-between" align="center" gap={8} wrap>
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  // A new phase goes before the archiving, which stays last.
                  onClick={() =>
                    add(
                      { kind: 'work', durationDays: 5, roles: [], tasks: [] },
                      phases?.at(-1)?.kind === 'archive' ? fields.length - 1 : undefined,
                    )
                  }
                  data-testid="engagement-template-add-phase"
                >
                  {t('engagementTemplate.addPhase')}
                </Button>
                <Typography.Text type="secondary" data-testid="engagement-template-total">
                  {t('common.labelValue', {
                    label: t('engagementTemplate.plannedHours'),
                    value: t('engagementTemplate.hoursValue', { hours: hoursText(totals) }),
                  })}
                </Typography.Text>
              </Flex>
            </Flex>
          )}
        </Form.List>
      </Form>
    </FormDrawer>
  );
}
