import { useCallback, useMemo } from 'react';
import {
  WORKFLOW_SUBJECTS,
  type StepAssignee,
  type WorkflowCondition,
  type WorkflowSubjectKind,
} from '../../../common/schemas/workflows';
import { useAllBusinessLines, useAllDepartments, useAllRoles, useDirectory } from '../../api/queries';
import { listSeparator, roleLabel } from '../../components/labels';
import { formatMoney } from '../../components/money';
import { useLocale, useT } from '../../i18n';
import { fieldLabel } from './approval-ui';

/**
 * Names for what a flow refers to by id or code (people, roles, departments, business lines), and a flow's
 * conditions and "who decides" as text: the settings list and the version history read the same words.
 */
export function useWorkflowWords() {
  const t = useT();
  const { locale } = useLocale();
  const people = useDirectory();
  const roles = useAllRoles();
  const departments = useAllDepartments();
  const lines = useAllBusinessLines();
  const names = useMemo(
    () => ({
      people: new Map((people.data ?? []).map((u) => [u.id, u.displayName])),
      roles: new Map((roles.data ?? []).map((r) => [r.code, roleLabel(t, locale, r)])),
      departments: new Map((departments.data ?? []).map((d) => [d.id, d.name])),
      lines: new Map((lines.data ?? []).map((l) => [l.id, l.name])),
    }),
    [people.data, roles.data, departments.data, lines.data, t, locale],
  );
  const person = useCallback((id: string) => names.people.get(id) ?? t('workflow.unknownPerson'), [names.people, t]);
  const role = useCallback((code: string) => names.roles.get(code) ?? code, [names.roles]);

  const assignee = useCallback(
    (a: StepAssignee): string => {
      switch (a.kind) {
        case 'user':
          return person(a.userId);
        case 'role':
          return t('workflow.who.roleText', { role: role(a.roleCode) });
        case 'role-in-department':
          return t('workflow.who.roleInDepartmentText', { role: role(a.roleCode) });
        case 'relation':
          return t(`workflow.relation.${a.relation}`);
        case 'department': {
          const department = names.departments.get(a.departmentId) ?? '—';
          return a.roleCode ? t('workflow.who.departmentRoleText', { department, role: role(a.roleCode) }) : department;
        }
      }
    },
    [person, role, names.departments, t],
  );

  const condition = useCallback(
    (kind: WorkflowSubjectKind, c: WorkflowCondition): string => {
      const type = WORKFLOW_SUBJECTS[kind].fields[c.field];
      const one = (v: string) =>
        type === 'money'
          ? formatMoney(v)
          : type === 'percent'
            ? `${v}%`
            : type === 'businessLine'
              ? (names.lines.get(v) ?? '—')
              : type === 'department'
                ? (names.departments.get(v) ?? '—')
                : v;
      const value = Array.isArray(c.value) ? c.value.map(one).join(listSeparator(locale)) : one(c.value);
      return `${fieldLabel(t, c.field)} ${t(`workflow.op.${c.op}`)} ${value}`;
    },
    [names.lines, names.departments, t, locale],
  );

  return { person, assignee, condition };
}
