import type { Rule, RuleMatch } from '../domains/commissions/compute';

/**
 * The demo firm's commission policy 佣金政策 (pure data over the business lines' ids by code), showing each kind of
 * rule: the sale side — 业务承接人 by amount, tiered in general (3 % of what a contract receives up to ¥100,000, 5 %
 * above), flat for 验资 and 代理记账, and 代理记账's 顾问 at a consultant's own rate —; the work side — the 审计 team's
 * pool split by approved hours, practising signing CPAs and back-office helpers by the hour instead, the 验资 team's
 * pool split by the lead's shares, 代理记账's ordinary bookkeepers 普通业务人员 by the hour, 工程审价 by the hour with
 * practising staff at a higher rate.
 */
export function demoCommissionRules(line: (code: string) => string): Rule[] {
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
      side: 'sale',
      match: m({ role: 'sales-owner', businessLineId: line('YZ') }),
      method: 'amount',
      tiers: [{ upTo: null, percent: '6' }],
    },
    {
      key: 'S3',
      side: 'sale',
      match: m({ role: 'sales-owner', businessLineId: line('DZ') }),
      method: 'amount',
      tiers: [{ upTo: null, percent: '8' }],
    },
    {
      key: 'S4',
      side: 'sale',
      match: m({ role: 'consultant', businessLineId: line('DZ') }),
      method: 'amount',
      tiers: [{ upTo: null, percent: '12' }],
    },
    {
      key: 'S5',
      side: 'sale',
      match: m({ role: 'consultant' }),
      method: 'amount',
      tiers: [{ upTo: null, percent: '2' }],
    },
    {
      key: 'W1',
      side: 'work',
      match: m({ businessLineId: line('SJ') }),
      method: 'pool',
      percent: '10',
      split: 'hours',
    },
    {
      key: 'W2',
      side: 'work',
      match: m({ businessLineId: line('SJ'), role: 'signing-cpa', practising: true }),
      method: 'hours',
      hourlyRate: '150',
    },
    {
      key: 'W3',
      side: 'work',
      match: m({ businessLineId: line('SJ'), staffCategory: 'backoffice' }),
      method: 'hours',
      hourlyRate: '30',
    },
    {
      key: 'W4',
      side: 'work',
      match: m({ businessLineId: line('YZ') }),
      method: 'pool',
      percent: '8',
      split: 'shares',
    },
    {
      key: 'W5',
      side: 'work',
      match: m({ businessLineId: line('DZ'), role: 'bookkeeper' }),
      method: 'hours',
      hourlyRate: '40',
    },
    { key: 'W6', side: 'work', match: m({ businessLineId: line('GC') }), method: 'hours', hourlyRate: '80' },
    {
      key: 'W7',
      side: 'work',
      match: m({ businessLineId: line('GC'), practising: true }),
      method: 'hours',
      hourlyRate: '120',
    },
  ];
}
