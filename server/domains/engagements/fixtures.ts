import type { OrderStatus } from '../../../common/schemas/contracts';
import type { TemplatePhase } from '../../../common/schemas/engagements';
import type { Db } from '../../db/client';
import { uniq } from '../../test/harness';
import { orderLines } from '../contracts/contracts.tables';
import { buildOrder, money, cents } from '../receivables/fixtures';
import { engagementTemplates } from './engagements.tables';

/**
 * Templates and confirmed orders with lines, as rows, for the engagement tests (the templates' own service is
 * tested on its own; orders come from the contracts domain in the app).
 */

/** The demo audit template's shape, short: three phases, two with tasks and hours. */
export const AUDIT_PHASES: TemplatePhase[] = [
  {
    name: '业务承接',
    kind: 'work',
    durationDays: 3,
    roles: ['manager'],
    qualification: null,
    tasks: [{ title: '承接评估与独立性检查', role: 'manager', plannedHours: '2.5' }],
  },
  {
    name: '现场审计',
    kind: 'work',
    durationDays: 10,
    roles: ['assistant', 'signing-cpa'],
    qualification: 'cpa',
    tasks: [
      { title: '存货监盘', role: 'assistant', plannedHours: '6.5' },
      { title: '银行函证', role: 'assistant', plannedHours: '0.25' },
    ],
  },
  { name: '出具报告', kind: 'report', durationDays: 2, roles: ['signing-cpa'], qualification: 'cpa', tasks: [] },
];

export async function buildTemplate(
  db: Db,
  businessLineId: string,
  options: { name?: string; phases?: TemplatePhase[]; active?: boolean; cycle?: 'once' | 'monthly' } = {},
) {
  const [row] = await db
    .insert(engagementTemplates)
    .values({
      businessLineId,
      name: options.name ?? uniq('审计模板'),
      phases: options.phases ?? AUDIT_PHASES,
      active: options.active ?? true,
      cycle: options.cycle ?? 'once',
    })
    .returning();
  return row;
}

export type LineSpec = { businessLineId: string; description: string; amount: string };

/** An order (confirmed unless told otherwise) of the owner with these lines; its amount is theirs. */
export async function buildOrderWithLines(
  db: Db,
  lines: LineSpec[],
  options: { ownerId?: string; customerId?: string; status?: OrderStatus } = {},
) {
  const total = money(lines.reduce((sum, l) => sum + cents(l.amount), 0n));
  const order = await buildOrder(db, [{ amount: total, due: null }], options);
  const rows = await db
    .insert(orderLines)
    .values(lines.map((l, i) => ({ orderId: order.id, position: i + 1, ...l })))
    .returning({ id: orderLines.id, position: orderLines.position });
  return { ...order, lineIds: rows.sort((a, b) => a.position - b.position).map((r) => r.id) };
}
