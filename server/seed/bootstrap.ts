import { BUILTIN_ROLES, BUILTIN_ROLE_GRANTS, type BuiltinRole } from '../../common/permissions';
import type { Db } from '../db/client';
import { isNull, sql } from 'drizzle-orm';
import { pipelineStages } from '../domains/opportunities/opportunities.tables';
import { numberSeries } from '../domains/numbering/numbering.tables';
import { roles } from '../domains/staff/staff.tables';
import { DEFAULT_PIPELINE } from './default-pipeline';

const BUILTIN_ROLE_NAMES: Record<BuiltinRole, { name: string; description: string }> = {
  admin: { name: '系统管理员', description: '管理用户、组织架构、角色与系统设置' },
  executive: { name: '合伙人', description: '查看全所数据与报表' },
  manager: { name: '部门经理', description: '管理本部门（含下级部门）的人员与业务' },
  salesperson: { name: '业务员', description: '管理自己的线索、客户与商机' },
  finance: { name: '财务', description: '合同、到款、应收与佣金核算' },
  staff: { name: '项目人员', description: '执行工单、填报工时' },
};

const DEFAULT_SERIES = [
  { kind: 'contract' as const, name: '销售合同', pattern: 'HT-{yyyy}-{seq:4}' },
  { kind: 'order' as const, name: '销售订单', pattern: 'DD-{yyyy}-{seq:5}' },
  { kind: 'report' as const, name: '业务报告', pattern: '报告-{yyyy}-{seq:4}' },
];

/**
 * What every installation needs, demo or not: the built-in roles and the default sales
 * pipeline, the default number series of contracts, orders and reports. Idempotent; an administrator's later changes to either are kept.
 */
export async function bootstrapDatabase(db: Db): Promise<void> {
  await db
    .insert(roles)
    .values(
      BUILTIN_ROLES.map((code) => ({
        code,
        builtin: true,
        grants: BUILTIN_ROLE_GRANTS[code],
        ...BUILTIN_ROLE_NAMES[code],
      })),
    )
    .onConflictDoNothing({ target: roles.code });
  // Several instances may start at once on one PostgreSQL: one of them creates the pipeline.
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(7245001)`);
    const [anyDefault] = await tx
      .select({ id: pipelineStages.id })
      .from(pipelineStages)
      .where(isNull(pipelineStages.businessLineId))
      .limit(1);
    if (!anyDefault) {
      await tx
        .insert(pipelineStages)
        .values(DEFAULT_PIPELINE.map((stage, position) => ({ ...stage, businessLineId: null, position })));
    }
    // Contracts, orders and reports are numbered from the start; administrators change the patterns or add a series per
    // business line (编号规则).
    const defaults = await tx
      .select({ kind: numberSeries.kind })
      .from(numberSeries)
      .where(isNull(numberSeries.businessLineId));
    const missing = DEFAULT_SERIES.filter((d) => !defaults.some((row) => row.kind === d.kind));
    if (missing.length) await tx.insert(numberSeries).values(missing);
  });
}
