import { inArray } from 'drizzle-orm';
import type { Ctx, JobsTx } from '../context';
import { createSeries } from '../domains/numbering/numbering.service';
import { loadActor } from '../domains/staff/actors';
import { businessLines, users } from '../domains/staff/staff.tables';
import { createWorkflow } from '../domains/workflows/definitions.service';

/**
 * The demo firm's end of an engagement, set up as an administrator would: the report number series 报告文号 of 审计
 * (华会审字〔2026〕第0001号) and 验资 (华会验字…), and the review flow 三级复核 of every engagement — the project lead
 * (项目经理复核), the manager of the engagement's department (部门经理复核), then a partner (主任会计师/合伙人复核),
 * each later level able to return it to an earlier one.
 */
export async function seedDemoReview(tx: JobsTx): Promise<void> {
  const people = new Map(
    (
      await tx.db
        .select({ id: users.id, username: users.username })
        .from(users)
        .where(inArray(users.username, ['admin', 'exec']))
    ).map((u) => [u.username, u.id]),
  );
  if (people.size < 2) return;
  const admin: Ctx = { ...tx, actor: (await loadActor(tx.db, people.get('admin')!))!, requestId: 'demo' };
  const lines = new Map(
    (await tx.db.select({ id: businessLines.id, code: businessLines.code }).from(businessLines)).map((l) => [
      l.code,
      l.id,
    ]),
  );
  for (const [code, name, pattern] of [
    ['SJ', '审计报告', '华会审字〔{yyyy}〕第{seq:4}号'],
    ['YZ', '验资报告', '华会验字〔{yyyy}〕第{seq:4}号'],
  ] as const) {
    if (!lines.has(code)) continue;
    await createSeries(admin, { kind: 'report', businessLineId: lines.get(code)!, name, pattern });
  }
  await createWorkflow(admin, {
    subjectKind: 'engagement-review',
    nameZh: '三级复核',
    nameEn: 'Three-level review',
    priority: 100,
    conditions: [],
    steps: [
      {
        nameZh: '项目经理复核',
        nameEn: 'Project manager review',
        assignee: { kind: 'relation', relation: 'project-lead' },
        timeLimitHours: 48,
      },
      {
        nameZh: '部门经理复核',
        nameEn: 'Department manager review',
        assignee: { kind: 'role-in-department', roleCode: 'manager' },
        timeLimitHours: 48,
        returnTo: [1],
      },
      {
        nameZh: '主任会计师/合伙人复核',
        nameEn: 'Partner review',
        assignee: { kind: 'role', roleCode: 'executive' },
        timeLimitHours: 72,
        returnTo: [1, 2],
      },
    ],
    fallbackUserId: people.get('exec')!,
  });
}
