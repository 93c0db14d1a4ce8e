import type { STAFF_CATEGORIES } from '../../../common/schemas/staff';
import type { CommissionMethod, CommissionRole, Policy, RuleInput } from '../../../common/schemas/commissions';
import type { Translate } from '../../i18n';
import { firmToday } from '../../components/format';
import { formatMoney } from '../../components/money';
import type { Locale } from '../../../common/i18n';

/*
 * The policy editor's and the rules table's arithmetic, apart from React: the form's rule and the API's, where a
 * server issue belongs, the precedence of rules, and a rule's method in words.
 */

export type FormTier = { upTo?: string | null; percent?: string };
/** A rule as the form holds it: the match fields flat, every method's numbers (only the chosen method's are sent). */
export type FormRule = {
  key?: string;
  name?: string;
  side?: 'sale' | 'work';
  method?: CommissionMethod;
  businessLineId?: string | null;
  role?: CommissionRole | null;
  staffCategory?: (typeof STAFF_CATEGORIES)[number] | null;
  practising?: 'yes' | 'no' | null;
  departmentId?: string | null;
  branchId?: string | null;
  tiers?: FormTier[];
  hourlyRate?: string | null;
  percent?: string;
  split?: 'hours' | 'shares';
};
/** A stored rule as the form's. */
export function toFormRule(rule: RuleInput): FormRule {
  const m = rule.match;
  return {
    key: rule.key,
    name: rule.name,
    side: rule.side,
    method: rule.method,
    businessLineId: m.businessLineId ?? null,
    role: m.role ?? null,
    staffCategory: m.staffCategory ?? null,
    practising: m.practising === true ? 'yes' : m.practising === false ? 'no' : null,
    departmentId: m.departmentId ?? null,
    branchId: m.branchId ?? null,
    tiers: rule.method === 'amount' ? rule.tiers.map((x) => ({ upTo: x.upTo, percent: x.percent })) : [{ upTo: null }],
    hourlyRate: rule.method === 'hours' ? rule.hourlyRate : null,
    percent: rule.method === 'pool' ? rule.percent : undefined,
    split: rule.method === 'pool' ? rule.split : 'hours',
  };
}

/** The form's rule as the API takes it. */
export function fromFormRule(r: FormRule): RuleInput {
  const base = {
    key: (r.key ?? '').trim(),
    name: (r.name ?? '').trim(),
    side: r.side ?? 'work',
    match: {
      businessLineId: r.businessLineId ?? null,
      role: r.role ?? null,
      staffCategory: r.staffCategory ?? null,
      practising: r.practising === 'yes' ? true : r.practising === 'no' ? false : null,
      departmentId: r.departmentId ?? null,
      branchId: r.branchId ?? null,
    },
  };
  switch (r.method ?? 'amount') {
    case 'amount':
      return {
        ...base,
        method: 'amount',
        tiers: (r.tiers ?? []).map((x) => ({
          upTo: x.upTo === undefined || x.upTo === '' ? null : x.upTo,
          percent: (x.percent ?? '').trim(),
        })),
      };
    case 'hours':
      return { ...base, method: 'hours', hourlyRate: r.hourlyRate ?? '' };
    case 'pool':
      return { ...base, method: 'pool', percent: (r.percent ?? '').trim(), split: r.split ?? 'hours' };
  }
}

export const NEW_RULE: FormRule = { side: 'work', method: 'amount', tiers: [{ upTo: null }], split: 'hours' };
/** The rule's fields the form has inputs for (a server issue there goes onto the input). */
const RULE_LEAVES = new Set(['key', 'name', 'side', 'method', 'hourlyRate', 'percent', 'split']);
const MATCH_LEAVES: Record<string, keyof FormRule> = {
  businessLineId: 'businessLineId',
  role: 'role',
  staffCategory: 'staffCategory',
  practising: 'practising',
  departmentId: 'departmentId',
  branchId: 'branchId',
};

export type Issue = { path: string; message: string };

/** Where the server's issues go: a form field (its name path), a rule's alert, or the form's general alert. */
export function issueTargets(issues: readonly Issue[]): {
  fields: { name: (string | number)[]; errors: string[] }[];
  rules: Record<number, string[]>;
  general: string[];
} {
  const rules: Record<number, string[]> = {};
  const general: string[] = [];
  const fields = new Map<string, { name: (string | number)[]; errors: string[] }>();
  const onField = (name: (string | number)[], text: string) => {
    const k = name.join('.');
    fields.set(k, { name, errors: [...(fields.get(k)?.errors ?? []), text] });
  };
  for (const issue of issues) {
    const path = issue.path.replace(/^body\./, '');
    const m = /^rules\.(\d+)(?:\.(.*))?$/.exec(path);
    if (!m) {
      if (['name', 'effectiveFrom', 'note'].includes(path)) onField([path], issue.message);
      else general.push(issue.message);
      continue;
    }
    const i = Number(m[1]);
    const rest = m[2] ?? '';
    const tier = /^tiers\.(\d+)\.(upTo|percent)$/.exec(rest);
    const match = /^match\.(\w+)$/.exec(rest);
    if (RULE_LEAVES.has(rest)) onField(['rules', i, rest], issue.message);
    else if (tier) onField(['rules', i, 'tiers', Number(tier[1]), tier[2]], issue.message);
    else if (match && MATCH_LEAVES[match[1]]) {
      onField(['rules', i, MATCH_LEAVES[match[1]]], issue.message);
      rules[i] = [...(rules[i] ?? []), issue.message];
    } else rules[i] = [...(rules[i] ?? []), issue.message];
  }
  return { fields: [...fields.values()], rules, general };
}

/** How many of the match fields a rule sets: the more, the more specific (as server/domains/commissions/compute.ts). */
export function specificity(match: RuleInput['match']): number {
  return (['businessLineId', 'role', 'staffCategory', 'practising', 'departmentId', 'branchId'] as const).filter(
    (f) => match[f] !== null && match[f] !== undefined,
  ).length;
}

/** Rules in precedence order: the most specific first (stable: as written among equals). */
export function byPrecedence(rules: readonly RuleInput[]): { rule: RuleInput; specificity: number; index: number }[] {
  return rules
    .map((rule, index) => ({ rule, specificity: specificity(rule.match), index }))
    .sort((a, b) => b.specificity - a.specificity || a.index - b.index);
}

/** The adopted version in force today: the latest effective date not after today. */
export function inForceId(policies: readonly Policy[], today = firmToday()): string | null {
  const adopted = policies.filter((p) => p.status === 'adopted' && p.effectiveFrom <= today);
  adopted.sort((a, b) =>
    a.effectiveFrom === b.effectiveFrom ? b.version - a.version : a.effectiveFrom < b.effectiveFrom ? 1 : -1,
  );
  return adopted[0]?.id ?? null;
}

/** The method with its numbers: "≤ ¥100,000.00 3%，以上 5%", "¥150.00/小时", "奖金池 10%，按份额分配". */
export function methodText(t: Translate, locale: Locale, rule: RuleInput): string {
  const sep = locale === 'zh-CN' ? '，' : ', ';
  switch (rule.method) {
    case 'amount':
      if (rule.tiers.length === 1 && rule.tiers[0].upTo === null)
        return t('commission.rule.tierFlat', { percent: rule.tiers[0].percent });
      return rule.tiers
        .map((tier) =>
          tier.upTo === null
            ? t('commission.rule.tierAbove', { percent: tier.percent })
            : t('commission.rule.tierUpTo', { amount: formatMoney(tier.upTo), percent: tier.percent }),
        )
        .join(sep);
    case 'hours':
      return t('commission.rule.hourly', { rate: formatMoney(rule.hourlyRate) });
    case 'pool':
      return t('commission.rule.pool', { percent: rule.percent, split: t(`commission.split.${rule.split}`) });
  }
}
