import type { Rule, RuleMatch } from '../domains/commissions/compute';

/**
 * The demo firm's commission policy 佣金政策 (pure data over the business lines' ids by code), showing each kind of
 * rule: the sale side — 业务承接人 by amount, tiered in general (3 % of what a contract receives up to ¥100,000, 5 %
 * above), flat for 验资 and 代理记账, and 代理记账's 顾问 at a consultant's own rate —; the work side — the 审计 team's
 * pool split by approved hours, practising signing CPAs and back-office helpers by the hour instead, the 验资 team's
 * pool split by the lead's shares, 代理记账's ordinary bookkeepers 普通业务人员 by the hour, 工程审价 by the hour with
 * practising staff at a higher rate.
 */
export function demoCommissionRules(line: (code: string) => string): (Rule & { name: string })[] {
  const any: RuleMatch = {
    businessLineId: null,
    role: null,
    staffCategory: null,
    practising: null,
    departmentId: null,
    branchId: null,
  };
  const m = (match: Partial<RuleMatch>): RuleMatch => ({ ...any, ...match });
  return [
    {
      key: 'S1',
      name: '业务承接提成（分档）',
      side: 'sale',
      match: m({ role: 'sales-owner' }),
      method: 'amount',
      tiers: [
        { upTo: '100000', percent: '3' },
        { upTo: null, percent: '5' },
      ],
    },
    {
      key: 'S2',
      name: '验资承接提成',
      side: 'sale',
      match: m({ role: 'sales-owner', businessLineId: line('YZ') }),
      method: 'amount',
      tiers: [{ upTo: null, percent: '6' }],
    },
    {
      key: 'S3',
      name: '代理记账承接提成（普通业务人员）',
      side: 'sale',
      match: m({ role: 'sales-owner', businessLineId: line('DZ') }),
      method: 'amount',
      tiers: [{ upTo: null, percent: '8' }],
    },
    {
      key: 'S4',
      name: '代理记账顾问提成',
      side: 'sale',
      match: m({ role: 'consultant', businessLineId: line('DZ') }),
      method: 'amount',
      tiers: [{ upTo: null, percent: '12' }],
    },
    {
      key: 'S5',
      name: '顾问提成',
      side: 'sale',
      match: m({ role: 'consultant' }),
      method: 'amount',
      tiers: [{ upTo: null, percent: '2' }],
    },
    {
      key: 'W1',
      name: '审计项目组奖金池（按工时）',
      side: 'work',
      match: m({ businessLineId: line('SJ') }),
      method: 'pool',
      percent: '10',
      split: 'hours',
    },
    {
      key: 'W2',
      name: '执业签字注册会计师（按工时）',
      side: 'work',
      match: m({ businessLineId: line('SJ'), role: 'signing-cpa', practising: true }),
      method: 'hours',
      hourlyRate: '150',
    },
    {
      key: 'W3',
      name: '后勤支援（按工时）',
      side: 'work',
      match: m({ businessLineId: line('SJ'), staffCategory: 'backoffice' }),
      method: 'hours',
      hourlyRate: '30',
    },
    {
      key: 'W4',
      name: '验资项目组奖金池（按份额）',
      side: 'work',
      match: m({ businessLineId: line('YZ') }),
      method: 'pool',
      percent: '8',
      split: 'shares',
    },
    {
      key: 'W5',
      name: '代理记账业务人员（按工时）',
      side: 'work',
      match: m({ businessLineId: line('DZ'), role: 'bookkeeper' }),
      method: 'hours',
      hourlyRate: '40',
    },
    {
      key: 'W6',
      name: '工程审价（按工时）',
      side: 'work',
      match: m({ businessLineId: line('GC') }),
      method: 'hours',
      hourlyRate: '80',
    },
    {
      key: 'W7',
      name: '工程审价执业人员（按工时）',
      side: 'work',
      match: m({ businessLineId: line('GC'), practising: true }),
      method: 'hours',
      hourlyRate: '120',
    },
  ];
}
