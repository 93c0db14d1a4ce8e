import { and, eq, inArray } from 'drizzle-orm';
import type { Ctx, JobsTx } from '../context';
import { contracts } from '../domains/contracts/contracts.tables';
import { computeCrossSell } from '../domains/cross-sell/compute';
import { customerOwnerChanges, customerServices, customers } from '../domains/customers/customers.tables';
import { runRenewals } from '../domains/renewals/renewals.job';
import { saveRenewalRule } from '../domains/renewals/renewals.service';
import { loadActor } from '../domains/staff/actors';
import { businessLines, regions, users } from '../domains/staff/staff.tables';
import { searchTextOf } from '../lib/search-text';
import { addDays, FIRM_TIME_ZONE, localDate } from '../lib/time';

/**
 * Six manufacturing customers of 郑强's like 陕西秦岭机械制造 (制造业, medium, 西北), each with the recurring services it
 * takes: all six 审计, four 税务咨询, three 代理记账 (lines in the order 审计 税务咨询 代理记账).
 */
const PEERS: [string, boolean, boolean, boolean][] = [
  ['西安秦川重型机械有限公司', true, true, false],
  ['宝鸡石油装备制造有限公司', true, true, false],
  ['咸阳精工机床有限公司', true, true, false],
  ['汉中航空零部件制造有限公司', true, true, true],
  ['渭南华星电机有限公司', true, false, true],
  ['铜川建材机械有限公司', true, false, true],
];

/**
 * The demo's renewals 续约 and cross-sell 交叉销售 (issue 19), after its contracts and history:
 * - renewal rules: 审计 60 days before the season, 代理记账 30;
 * - sales1's 2025 年度审计 of 宝鸡渭河水务 recurs yearly, its period ending 45 days from today (inside 审计's lead
 *   time), and a 代理记账（年度） contract in progress is billed monthly;
 * - six manufacturing peers of 陕西秦岭机械制造 (sales1's audit client) with their services, so that the computation
 *   suggests 税务咨询 to it ("4 of 6 similar 制造业 customers with 审计 also buy 税务咨询") and excludes 代理记账 by
 *   independence (the 代理记账 × 审计 conflict of demo-sales.ts);
 * - then the renewal job as of today (sales1's renewal on Today, with its quote pre-filled from the contract's lines)
 *   and the cross-sell computation for the firm, as the scheduled jobs would.
 */
export async function seedDemoRenewals(tx: JobsTx, now = new Date()): Promise<void> {
  const today = localDate(now, FIRM_TIME_ZONE);
  const people = new Map(
    (
      await tx.db
        .select({ id: users.id, username: users.username })
        .from(users)
        .where(inArray(users.username, ['admin', 'sales1', 'zhengqiang']))
    ).map((u) => [u.username, u.id]),
  );
  const lineId = new Map(
    (await tx.db.select({ id: businessLines.id, code: businessLines.code }).from(businessLines)).map((l) => [
      l.code,
      l.id,
    ]),
  );
  const admin: Ctx = { ...tx, actor: (await loadActor(tx.db, people.get('admin')!))!, requestId: 'demo' };
  await saveRenewalRule(admin, lineId.get('SJ')!, { leadDays: 60, active: true });
  await saveRenewalRule(admin, lineId.get('DZ')!, { leadDays: 30, active: true });

  // sales1's annual audit of 宝鸡渭河水务: this year's engagement ends in 45 days, the next season's renewal is due.
  const [audit] = await tx.db
    .select({ id: contracts.id, signedOn: contracts.signedOn })
    .from(contracts)
    .innerJoin(customers, eq(customers.id, contracts.customerId))
    .where(
      and(
        eq(contracts.title, '2025 年度审计'),
        eq(customers.name, '宝鸡渭河水务集团有限公司'),
        eq(contracts.ownerId, people.get('sales1')!),
      ),
    );
  await tx.db
    .update(contracts)
    .set({ recurringCycle: 'annual', startOn: audit.signedOn ?? today, endOn: addDays(today, 45) })
    .where(eq(contracts.id, audit.id));
  // A year of bookkeeping billed monthly (the first 代理记账 contract in progress).
  const [bookkeeping] = await tx.db
    .select({ id: contracts.id })
    .from(contracts)
    .where(and(eq(contracts.businessLineId, lineId.get('DZ')!), eq(contracts.status, 'in-progress')))
    .orderBy(contracts.signedOn, contracts.id)
    .limit(1);
  if (bookkeeping)
    await tx.db.update(contracts).set({ recurringCycle: 'monthly' }).where(eq(contracts.id, bookkeeping.id));

  // The peers: 制造业, medium, 西北, with their services due beyond any lead time (nothing to renew yet).
  const [northwest] = await tx.db.select({ id: regions.id }).from(regions).where(eq(regions.name, '西北'));
  const owner = people.get('zhengqiang')!;
  for (const [i, [name, ...buys]] of PEERS.entries()) {
    const [customer] = await tx.db
      .insert(customers)
      .values({
        name,
        industry: '制造业',
        size: 'medium',
        regionId: northwest.id,
        status: 'customer',
        ownerId: owner,
        source: '老客户介绍',
        searchText: searchTextOf([name]),
        createdBy: people.get('admin')!,
      })
      .returning({ id: customers.id });
    await tx.db
      .insert(customerOwnerChanges)
      .values({ customerId: customer.id, toUserId: owner, kind: 'create', byUserId: people.get('admin')! });
    const services = (['SJ', 'SW', 'DZ'] as const).filter((_, k) => buys[k]);
    await tx.db.insert(customerServices).values(
      services.map((code) => ({
        customerId: customer.id,
        businessLineId: lineId.get(code)!,
        cycle: code === 'DZ' ? ('monthly' as const) : ('annual' as const),
        nextDueOn: addDays(today, code === 'DZ' ? 40 + i : 150 + i * 7),
        createdBy: people.get('admin')!,
      })),
    );
  }

  // What the scheduled jobs do: the renewals due as of today, and the firm's cross-sell suggestions.
  await runRenewals(tx, { asOf: today });
  await computeCrossSell(tx);
}
