import { Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { CommissionRole, FormulaStep, Policy, RuleInput, SheetStatus } from '../../../common/schemas/commissions';
import { approvalsApi, commissionPoliciesApi, commissionSheetsApi, workflowInstancesApi } from '../../api/resources';
import { useAllBranches, useAllBusinessLines, useAllDepartments } from '../../api/queries';
import { formatDate } from '../../components/format';
import { categoryKey } from '../../components/labels';
import { formatMoney } from '../../components/money';
import { useLocale, useT, type Translate } from '../../i18n';

/** What a sheet's or a policy's write makes stale: the sheets, the policies, the approvals it went into. */
export const COMMISSION_INVALIDATES = [
  commissionSheetsApi.path,
  commissionPoliciesApi.path,
  workflowInstancesApi.path,
  approvalsApi.path,
];

const SHEET_STATUS_COLORS: Record<SheetStatus, string> = {
  draft: 'default',
  'in-approval': 'processing',
  approved: 'cyan',
  paid: 'success',
  cancelled: 'error',
};

export function SheetStatusTag({ status }: { status: SheetStatus }) {
  const t = useT();
  return (
    <Tag
      color={SHEET_STATUS_COLORS[status]}
      style={{ marginInlineEnd: 0 }}
      data-testid="sheet-status"
      data-status={status}
    >
      {t(`commission.sheet.status.${status}`)}
    </Tag>
  );
}

export function PolicyStatusTag({ policy, inForce }: { policy: Policy; inForce?: boolean }) {
  const t = useT();
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      <Tag
        color={policy.status === 'adopted' ? 'blue' : 'default'}
        data-testid="policy-status"
        data-status={policy.status}
      >
        {t(`commission.policy.status.${policy.status}`)}
      </Tag>
      {inForce && (
        <Tag color="green" data-testid="policy-in-force">
          {t('commission.policy.inForce')}
        </Tag>
      )}
    </span>
  );
}

export const roleText = (t: Translate, role: CommissionRole) => t(`commission.role.${role}`);

/** Names of the business lines, departments and branches a rule may name. */
export function useMatchNames() {
  const lines = useAllBusinessLines();
  const departments = useAllDepartments();
  const branches = useAllBranches();
  const map = (items: { id: string; name: string }[] | undefined) => new Map((items ?? []).map((i) => [i.id, i.name]));
  return {
    businessLines: map(lines.data),
    departments: map(departments.data),
    branches: map(branches.data),
  };
}
export type MatchNames = ReturnType<typeof useMatchNames>;

/** One match field as "label: value", "any" when the rule does not set it. */
export function matchParts(
  t: Translate,
  match: RuleInput['match'],
  names: MatchNames,
): { key: string; label: string; value: string | null }[] {
  const idName = (map: Map<string, string>, id: string | null | undefined) =>
    id ? (map.get(id) ?? id.slice(0, 8)) : null;
  return [
    {
      key: 'businessLine',
      label: t('commission.rule.businessLine'),
      value: idName(names.businessLines, match.businessLineId),
    },
    { key: 'role', label: t('commission.rule.role'), value: match.role ? roleText(t, match.role) : null },
    {
      key: 'staffCategory',
      label: t('commission.rule.staffCategory'),
      value: match.staffCategory ? t(categoryKey(match.staffCategory)) : null,
    },
    {
      key: 'practising',
      label: t('commission.rule.practising'),
      value:
        match.practising === true
          ? t('commission.rule.practising.yes')
          : match.practising === false
            ? t('commission.rule.practising.no')
            : null,
    },
    { key: 'department', label: t('commission.rule.department'), value: idName(names.departments, match.departmentId) },
    { key: 'branch', label: t('commission.rule.branch'), value: idName(names.branches, match.branchId) },
  ];
}

/** What a rule matches, as tags of the fields it sets (the others: any). */
export function MatchTags({ match, names }: { match: RuleInput['match']; names: MatchNames }) {
  const t = useT();
  const set = matchParts(t, match, names).filter((p) => p.value !== null);
  if (set.length === 0) return <Typography.Text type="secondary">{t('commission.rule.anyone')}</Typography.Text>;
  return (
    <span style={{ display: 'inline-flex', flexWrap: 'wrap', gap: 4, whiteSpace: 'normal', maxWidth: 360 }}>
      {set.map((p) => (
        <Tag key={p.key} style={{ marginInlineEnd: 0 }} data-testid="rule-match" data-field={p.key}>
          {p.key === 'role' ? p.value : t('common.labelValue', { label: p.label, value: p.value! })}
        </Tag>
      ))}
    </span>
  );
}

/** One step of a line's formula in the reader's language: 到款 ¥30,000.00 × 5% = ¥1,500.00. */
export function FormulaStepText({ step, contractId }: { step: FormulaStep; contractId: string | null }) {
  const t = useT();
  const { locale } = useLocale();
  switch (step.kind) {
    case 'received': {
      const [before, after] = t('commission.formula.received', {
        date: '\u0000',
        base: formatMoney(step.base),
        percent: step.percent,
        value: formatMoney(step.value),
      }).split('\u0000');
      const date = formatDate(step.receivedOn, locale);
      return (
        <span data-testid="formula-step" data-kind="received">
          {before}
          {contractId ? (
            <Link to={`/contracts/${contractId}`} data-testid="formula-receipt" data-receipt={step.receiptId}>
              {date}
            </Link>
          ) : (
            date
          )}
          {after}
        </span>
      );
    }
    case 'hours':
      return (
        <span data-testid="formula-step" data-kind="hours">
          {t('commission.formula.hours', {
            hours: step.hours,
            rate: formatMoney(step.rate),
            value: formatMoney(step.value),
          })}
        </span>
      );
    case 'pool':
      return (
        <span data-testid="formula-step" data-kind="pool">
          {t('commission.formula.pool', {
            base: formatMoney(step.base),
            percent: step.percent,
            pool: formatMoney(step.pool),
          })}
        </span>
      );
    case 'share':
      return (
        <span data-testid="formula-step" data-kind="share">
          {t(`commission.formula.share.${step.split}`, {
            weight: step.weight,
            total: step.total,
            value: formatMoney(step.value),
          })}
        </span>
      );
  }
}
