import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { demoCommissionRules } from '../../seed/demo-commission-rules';
import { buildBusinessLine } from '../../test/factories';
import { uniq, type Client, type TestApp } from '../../test/harness';
import { today } from '../receivables/fixtures';
import { policyInForce } from './policies.service';

const SINCE = '2000-01-01';

/**
 * For the tests: the demo commission policy in force from 2000-01-01, its 审计 and 代理记账 rules on business lines of
 * the tests' own — adopted once per database. On a shared PostgreSQL database several files need it at once: the
 * first adopts it under a lock the others wait for, and they use its lines (a second adoption would put other lines in
 * force under the first file's feet, and its sheets would be drafted under rules it does not expect).
 */
export async function demoPolicyInForce(
  t: TestApp,
  admin: Client,
): Promise<{ auditLine: string; bookkeepingLine: string }> {
  const inForceOrAdopt = async () => {
    const inForce = await policyInForce(t.database.db, today());
    const w1 = inForce?.rules.find((r) => r.key === 'W1')?.match.businessLineId;
    const s3 = inForce?.rules.find((r) => r.key === 'S3')?.match.businessLineId;
    if (inForce?.effectiveFrom === SINCE && w1 && s3) return { auditLine: w1, bookkeepingLine: s3 };
    const lines: Record<string, string> = {
      SJ: (await buildBusinessLine(t.database.db, { name: uniq('审计') })).id,
      DZ: (await buildBusinessLine(t.database.db, { name: uniq('代理记账') })).id,
    };
    const draft = await admin.post('/api/v1/commission-policies', {
      name: uniq('测试佣金政策'),
      effectiveFrom: SINCE,
      rules: demoCommissionRules((code) => lines[code] ?? randomUUID()),
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const adopted = await admin.post(`/api/v1/commission-policies/${draft.body.id}/adopt`);
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(200);
    return { auditLine: lines.SJ, bookkeepingLine: lines.DZ };
  };
  // PGlite: each file has a database of its own (and one connection: a transaction held open would block the API).
  if (t.database.engine === 'pglite') return inForceOrAdopt();
  let found: { auditLine: string; bookkeepingLine: string } | undefined;
  await t.database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('test:demo-commission-policy'))`);
    found = await inForceOrAdopt();
  });
  return found!;
}
