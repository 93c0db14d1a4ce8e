import { describe, expect, test } from 'vitest';
import { PolicyInput, type Policy, type RuleInput } from '../../../common/schemas/commissions';
import { formatMessage } from '../../../common/i18n/format';
import type { Translate } from '../../i18n';
import { enUS, zhCN } from '../../i18n/messages';
import { byPrecedence, fromFormRule, inForceId, issueTargets, methodText, toFormRule } from './policy-form';

const any = {
  businessLineId: null,
  role: null,
  staffCategory: null,
  practising: null,
  departmentId: null,
  branchId: null,
};
const LINE = '3c95de6d-372f-4186-a17a-11a67063e879';
const RULES: RuleInput[] = [
  {
    key: 'S1',
    name: '业务承接人提成',
    side: 'sale',
    match: { ...any, role: 'sales-owner' },
    method: 'amount',
    tiers: [
      { upTo: '100000', percent: '3' },
      { upTo: null, percent: '5' },
    ],
  },
  {
    key: 'W1',
    name: '执业项目负责人',
    side: 'work',
    match: { ...any, role: 'project-lead', practising: true },
    method: 'hours',
    hourlyRate: '150',
  },
  { key: 'W2', name: '奖金池', side: 'work', match: any, method: 'pool', percent: '10', split: 'shares' },
  {
    key: 'S2',
    name: '代理记账顾问',
    side: 'sale',
    match: { ...any, role: 'consultant', businessLineId: LINE },
    method: 'amount',
    tiers: [{ upTo: null, percent: '2' }],
  },
];

const translateIn =
  (locale: 'zh-CN' | 'en-US'): Translate =>
  (key, params) =>
    formatMessage(locale, (locale === 'zh-CN' ? zhCN : enUS)[key], params);

describe('the policy editor 佣金政策', () => {
  test('a rule goes through the form and back unchanged, and the API schema takes what the form sends', () => {
    const back = RULES.map((r) => fromFormRule(toFormRule(r)));
    expect(back).toEqual(RULES);
    const parsed = PolicyInput.safeParse({ name: '2027', effectiveFrom: '2027-01-01', note: null, rules: back });
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  test('an empty limit is the last tier ("above"), practising no is false, not any', () => {
    const rule = fromFormRule({
      key: ' R1 ',
      name: 'x',
      side: 'work',
      method: 'amount',
      practising: 'no',
      tiers: [
        { upTo: '50000', percent: '4' },
        { upTo: '', percent: ' 6 ' },
      ],
    });
    expect(rule).toMatchObject({
      key: 'R1',
      match: { practising: false, role: null },
      tiers: [
        { upTo: '50000', percent: '4' },
        { upTo: null, percent: '6' },
      ],
    });
  });

  test('the most specific rule comes first; equals keep the order they were written in', () => {
    expect(byPrecedence(RULES).map((r) => [r.rule.key, r.specificity])).toEqual([
      ['W1', 2],
      ['S2', 2],
      ['S1', 1],
      ['W2', 0],
    ]);
  });

  test('the method reads with its numbers in both languages', () => {
    const zh = translateIn('zh-CN');
    const en = translateIn('en-US');
    expect(methodText(zh, 'zh-CN', RULES[0])).toBe('≤ ¥100,000.00 3%，以上 5%');
    expect(methodText(en, 'en-US', RULES[0])).toBe('≤ ¥100,000.00 3%, above 5%');
    expect(methodText(zh, 'zh-CN', RULES[1])).toBe('¥150.00/小时');
    expect(methodText(zh, 'zh-CN', RULES[2])).toBe('奖金池 10%，按份额分配');
    expect(methodText(zh, 'zh-CN', RULES[3])).toBe('到款 × 2%');
  });

  test('server issues land on the rule they name: inputs where there is one, the rule as a whole otherwise', () => {
    const { fields, rules, general } = issueTargets([
      { path: 'body.rules.0.tiers.1.percent', message: 'bad percent' },
      { path: 'rules.3.match', message: 'ambiguous' },
      { path: 'rules.2.hourlyRate', message: 'bad rate' },
      { path: 'rules.1.match.role', message: 'wrong side' },
      { path: 'rules.0.tiers', message: 'tiers out of order' },
      { path: 'body.effectiveFrom', message: 'required' },
      { path: 'body.rules', message: 'too many' },
    ]);
    expect(fields.map((f) => [f.name.join('.'), f.errors])).toEqual([
      ['rules.0.tiers.1.percent', ['bad percent']],
      ['rules.2.hourlyRate', ['bad rate']],
      ['rules.1.role', ['wrong side']],
      ['effectiveFrom', ['required']],
    ]);
    expect(rules).toEqual({ 3: ['ambiguous'], 1: ['wrong side'], 0: ['tiers out of order'] });
    expect(general).toEqual(['too many']);
  });

  test('the version in force is the adopted one with the latest effective date not after today', () => {
    const v = (id: string, version: number, effectiveFrom: string, status: 'draft' | 'adopted') =>
      ({ id, version, effectiveFrom, status }) as Policy;
    const list = [
      v('d', 4, '2026-01-01', 'draft'),
      v('c', 3, '2027-01-01', 'adopted'),
      v('b', 2, '2026-06-01', 'adopted'),
      v('a', 1, '2025-01-01', 'adopted'),
    ];
    expect(inForceId(list, '2026-12-06')).toBe('b');
    expect(inForceId(list, '2027-01-01')).toBe('c');
    expect(inForceId(list, '2024-12-31')).toBeNull();
  });
});
