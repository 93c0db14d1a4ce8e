import {
  WORKFLOW_SUBJECTS,
  type CONDITION_OPERATORS,
  type StepAssignee,
  type Workflow,
  type WorkflowInput,
  type WorkflowRelation,
  type WorkflowSubjectKind,
} from '../../../common/schemas/workflows';

/**
 * The approval flow editor's values and their way to and from the API (no React here: the pure part,
 * unit-tested in workflow-form.test.ts).
 */

export type Operator = (typeof CONDITION_OPERATORS)[number];
export type AssigneeKind = StepAssignee['kind'];

export type ConditionValues = { field?: string; op?: Operator; value?: string | string[] | null };
/** Who decides, with every kind's field side by side: only the chosen kind's are sent. */
export type AssigneeValues = {
  kind: AssigneeKind;
  userId?: string;
  roleCode?: string;
  relation?: WorkflowRelation;
  departmentId?: string;
};
export type StepValues = {
  nameZh?: string;
  nameEn?: string;
  assignee: AssigneeValues;
  mode: 'any' | 'all';
  timeLimitHours?: number | null;
  /** Earlier steps (1-based positions) it may return to. */
  returnTo: number[];
};
export type FlowValues = {
  subjectKind: WorkflowSubjectKind;
  nameZh?: string;
  nameEn?: string;
  priority: number;
  active: boolean;
  fallbackUserId?: string;
  conditions: ConditionValues[];
  steps: StepValues[];
};

/** Comparisons that fit a field: amounts and percentages are compared, people's units are matched. */
export function operatorsFor(kind: WorkflowSubjectKind, field: string | undefined): Operator[] {
  const type = field ? WORKFLOW_SUBJECTS[kind].fields[field] : undefined;
  if (!type) return [];
  return type === 'money' || type === 'percent' ? ['gte', 'gt', 'lte', 'lt', 'eq', 'ne'] : ['eq', 'ne', 'in'];
}

export const newStep = (): StepValues => ({ assignee: { kind: 'user' }, mode: 'any', returnTo: [] });

export function toValues(workflow: Workflow | null, subjectKind: WorkflowSubjectKind): FlowValues {
  if (!workflow) return { subjectKind, priority: 100, active: true, conditions: [], steps: [newStep()] };
  return {
    subjectKind: workflow.subjectKind,
    nameZh: workflow.nameZh,
    nameEn: workflow.nameEn,
    priority: workflow.priority,
    active: workflow.active,
    fallbackUserId: workflow.fallbackUserId,
    conditions: workflow.conditions.map((c) => ({ ...c })),
    steps: workflow.steps.map((s) => ({
      nameZh: s.nameZh,
      nameEn: s.nameEn,
      assignee: { ...s.assignee, roleCode: 'roleCode' in s.assignee ? (s.assignee.roleCode ?? undefined) : undefined },
      mode: s.mode,
      timeLimitHours: s.timeLimitHours ?? null,
      returnTo: [...s.returnTo],
    })),
  };
}

function assigneeOf(a: AssigneeValues): StepAssignee {
  switch (a.kind) {
    case 'user':
      return { kind: 'user', userId: a.userId ?? '' };
    case 'role':
    case 'role-in-department':
      return { kind: a.kind, roleCode: a.roleCode ?? '' };
    case 'relation':
      return { kind: 'relation', relation: a.relation! };
    case 'department':
      return { kind: 'department', departmentId: a.departmentId ?? '', roleCode: a.roleCode || null };
  }
}

/** The body of POST / PUT /api/v1/workflows. */
export function toInput(v: FlowValues): WorkflowInput {
  return {
    subjectKind: v.subjectKind,
    nameZh: (v.nameZh ?? '').trim(),
    nameEn: (v.nameEn ?? '').trim(),
    priority: v.priority,
    active: v.active,
    fallbackUserId: v.fallbackUserId ?? '',
    conditions: v.conditions.map((c) => ({ field: c.field ?? '', op: c.op ?? 'eq', value: c.value ?? '' })),
    steps: v.steps.map((s, i) => ({
      nameZh: (s.nameZh ?? '').trim(),
      nameEn: (s.nameEn ?? '').trim(),
      assignee: assigneeOf(s.assignee),
      mode: s.mode,
      timeLimitHours: s.timeLimitHours ?? null,
      returnTo: [...s.returnTo].filter((p) => p <= i).sort((a, b) => a - b),
    })),
  };
}

/** Positions renumbered by `map` (null drops one); each step keeps only earlier steps to return to. */
function renumber(steps: StepValues[], map: (position: number) => number | null): StepValues[] {
  return steps.map((s, i) => ({
    ...s,
    returnTo: s.returnTo
      .map(map)
      .filter((p): p is number => p !== null && p <= i)
      .sort((a, b) => a - b),
  }));
}

/** The steps with one moved up (-1) or down (1); "return to" keeps pointing at the same steps where it still can. */
export function moveStep(steps: StepValues[], index: number, by: -1 | 1): StepValues[] {
  const other = index + by;
  if (other < 0 || other >= steps.length) return steps;
  const next = [...steps];
  [next[index], next[other]] = [next[other], next[index]];
  const [a, b] = [index + 1, other + 1];
  return renumber(next, (p) => (p === a ? b : p === b ? a : p));
}

/** The steps without one; those after it move up, and nothing returns to it any more. */
export function removeStep(steps: StepValues[], index: number): StepValues[] {
  const removed = index + 1;
  return renumber(
    steps.filter((_, i) => i !== index),
    (p) => (p === removed ? null : p > removed ? p - 1 : p),
  );
}

/** The form field of a step's "who decides" that an error about the assignee as a whole belongs on. */
const ASSIGNEE_FIELD: Record<AssigneeKind, keyof AssigneeValues> = {
  user: 'userId',
  role: 'roleCode',
  'role-in-department': 'roleCode',
  relation: 'relation',
  department: 'departmentId',
};

/**
 * Where a server validation issue belongs in the form: `steps.2.assignee` (the service's checks) or
 * `body.steps.2.nameZh` (the schema's) → the field's name path; null for a path the form has no field for.
 */
export function formFieldOf(path: string, values: FlowValues): (string | number)[] | null {
  const parts = path
    .replace(/^body\.?/, '')
    .split('.')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [head, index, field, sub] = parts;
  if (head === 'steps' || head === 'conditions') {
    if (index === undefined) return [head];
    if (typeof index !== 'number') return null;
    if (head === 'conditions') return [head, index, field === 'field' || field === 'op' ? field : 'value'];
    const step = values.steps[index];
    if (!step || field === undefined) return null;
    if (field === 'assignee')
      return ['steps', index, 'assignee', typeof sub === 'string' ? sub : ASSIGNEE_FIELD[step.assignee.kind]];
    return ['steps', index, field];
  }
  const top = ['subjectKind', 'nameZh', 'nameEn', 'priority', 'active', 'fallbackUserId'];
  return typeof head === 'string' && top.includes(head) ? [head] : null;
}
