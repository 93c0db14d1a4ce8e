import { Select, Tag, Typography } from 'antd';
import { useMemo, type CSSProperties } from 'react';
import {
  WORKFLOW_SUBJECTS,
  type InstanceStatus,
  type InstanceSummary,
  type SubjectSummary,
  type WorkflowSubjectKind,
} from '../../../common/schemas/workflows';
import { useDirectory } from '../../api/queries';
import { approvalsApi, contractsApi, opportunitiesApi, workflowInstancesApi } from '../../api/resources';
import { formatDateTime } from '../../components/format';
import { dynamicKey, localName, personLabel } from '../../components/labels';
import { formatMoney } from '../../components/money';
import { useLocale, useT, type Translate } from '../../i18n';
import type { Locale } from '../../../common/i18n';

/** What a decision changes: the inbox and its badge, the approval itself, and the subjects that show approvals. */
export const DECISION_INVALIDATES = [
  approvalsApi.path,
  workflowInstancesApi.path,
  opportunitiesApi.path,
  contractsApi.path,
];

export const INSTANCE_STATUS_COLORS: Record<InstanceStatus, string> = {
  running: 'processing',
  returned: 'warning',
  approved: 'success',
  rejected: 'error',
  withdrawn: 'default',
};

export function InstanceStatusTag({ status }: { status: InstanceStatus }) {
  const t = useT();
  return (
    <Tag color={INSTANCE_STATUS_COLORS[status]} style={{ marginInlineEnd: 0 }} data-testid="approval-status">
      {t(`approval.status.${status}`)}
    </Tag>
  );
}

/** 报价折扣审批 / 独立性例外审批. */
export const subjectKindLabel = (t: Translate, kind: WorkflowSubjectKind) => t(`workflow.kind.${kind}`);

/** A fact's label: a condition field's or summary figure's name (workflow.field.*), else its key. */
export const fieldLabel = (t: Translate, key: string) => dynamicKey(t, `workflow.field.${key}`, key);

/** A fact's value as shown: money exactly formatted, a percent with its sign, anything else as sent. */
export function factValue(kind: WorkflowSubjectKind, fact: SubjectSummary['facts'][number]): string {
  if (fact.money) return formatMoney(fact.value);
  const type = WORKFLOW_SUBJECTS[kind].fields[fact.key];
  return type === 'percent' ? `${fact.value}%` : fact.value;
}

/** "What is being approved" in one line: 报价金额 ¥80,000.00 · 标准收费 ¥100,000.00 · 折扣率 20.00%. */
export function SubjectFacts({
  kind,
  summary,
  style,
}: {
  kind: WorkflowSubjectKind;
  summary: SubjectSummary;
  style?: CSSProperties;
}) {
  const t = useT();
  if (summary.facts.length === 0) return null;
  return (
    <Typography.Text
      type="secondary"
      style={{ fontSize: 13, fontWeight: 'normal', ...style }}
      data-testid="approval-facts"
    >
      {summary.facts.map((fact, i) => (
        // Figures stay on one line; text (a reason) wraps.
        <span key={fact.key} style={{ whiteSpace: fact.money || fact.value.length < 24 ? 'nowrap' : undefined }}>
          {i > 0 && ' · '}
          {fieldLabel(t, fact.key)} <Typography.Text strong={fact.money}>{factValue(kind, fact)}</Typography.Text>
        </span>
      ))}
    </Typography.Text>
  );
}

/** Where an approval stands: 第 2/3 步 · 部门经理审批 while it runs, else its final status. */
export function stepText(t: Translate, locale: Locale, i: InstanceSummary): string | null {
  if (i.currentStep === null || i.currentStepNameZh === null || i.currentStepNameEn === null) return null;
  return t('approval.stepOf', {
    step: i.currentStep,
    count: i.stepCount,
    name: localName({ nameZh: i.currentStepNameZh, nameEn: i.currentStepNameEn }, locale),
  });
}

/** The due time of the current step, red once it has passed. */
export function DueTime({ at }: { at: string | null }) {
  const t = useT();
  const { locale } = useLocale();
  if (!at) return null;
  const overdue = new Date(at).getTime() < Date.now();
  return (
    <Typography.Text type={overdue ? 'danger' : 'secondary'} style={{ fontSize: 12 }} data-testid="approval-due">
      {t(overdue ? 'approval.overdueSince' : 'approval.dueAt', { time: formatDateTime(at, locale) })}
    </Typography.Text>
  );
}

type PersonSelectProps = {
  id?: string;
  value?: string | null;
  onChange?: (value: string | undefined) => void;
  /** People who may not be chosen (oneself, the submitter). */
  exclude?: readonly string[];
  /** A person already chosen who may not be in the directory (left the firm): shown by name. */
  known?: { id: string; name: string } | null;
  placeholder?: string;
  style?: CSSProperties;
  status?: 'error';
  'data-testid'?: string;
  'aria-label'?: string;
};

/** One colleague from the staff directory (active people), searchable by name and username. */
export function PersonSelect({ value, onChange, exclude, known, style, ...rest }: PersonSelectProps) {
  const { locale } = useLocale();
  const directory = useDirectory();
  const options = useMemo(() => {
    const list = (directory.data ?? [])
      .filter((u) => !exclude?.includes(u.id))
      .map((u) => ({
        value: u.id,
        label: u.departmentName ? `${personLabel(locale, u)} · ${u.departmentName}` : personLabel(locale, u),
      }));
    if (known && !list.some((o) => o.value === known.id)) list.push({ value: known.id, label: known.name });
    return list;
  }, [directory.data, exclude, known, locale]);
  return (
    <Select
      {...rest}
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v)}
      options={options}
      loading={directory.isPending}
      showSearch={{ optionFilterProp: 'label' }}
      allowClear
      style={{ width: '100%', ...style }}
    />
  );
}
