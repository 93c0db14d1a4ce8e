import { and, eq, sql } from 'drizzle-orm';
import type { QuoteApproval } from '../../../common/schemas/opportunities';
import type { Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, notFound } from '../../errors';
import { applicableWorkflow } from '../workflows/definitions.service';
import { latestApprovals } from '../workflows/engine.service';
import { registerSubjectKind, type SubjectFacts } from '../workflows/registry';
import { visibleOpportunities } from './opportunities.policy';
import { opportunities, quotes } from './opportunities.tables';

type QuoteRow = Pick<typeof quotes.$inferSelect, 'id' | 'version' | 'total' | 'listTotal'>;
type OpportunityRow = Pick<
  typeof opportunities.$inferSelect,
  'id' | 'name' | 'ownerId' | 'departmentId' | 'businessLineId'
>;

const cents = (money: string) => {
  const [whole, fraction = ''] = money.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
};
const decimal = (hundredths: bigint) => `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`;

/**
 * How far a quote is below its list fees, in percent with two decimals, rounded half up, exactly: a quote at
 * or above its list fees has no discount.
 */
export function discountPercent(total: string, listTotal: string): string {
  const quoted = cents(total);
  const list = cents(listTotal);
  if (list <= 0n || quoted >= list) return '0.00';
  return decimal(((list - quoted) * 20_000n + list) / (2n * list));
}

/** What the approval flows of kind `quote` may test about a quote. */
function factsOf(quote: QuoteRow, opportunity: OpportunityRow): SubjectFacts {
  const listTotal = quote.listTotal ?? quote.total;
  return {
    fields: {
      total: quote.total,
      discountPercent: discountPercent(quote.total, listTotal),
      businessLineId: opportunity.businessLineId,
      departmentId: opportunity.departmentId,
    },
    ownerId: opportunity.ownerId,
    departmentId: opportunity.departmentId,
    businessLineId: opportunity.businessLineId,
  };
}

/**
 * Where each quote of an opportunity stands with approval: required once a flow applies to it (or an
 * approval of it ever started), with the newest approval's status.
 */
export async function quoteApprovals(
  db: Db,
  rows: QuoteRow[],
  opportunity: OpportunityRow,
): Promise<Map<string, QuoteApproval>> {
  const latest = await latestApprovals(
    db,
    'quote',
    rows.map((q) => q.id),
  );
  const result = new Map<string, QuoteApproval>();
  for (const quote of rows) {
    const instance = latest.get(quote.id);
    const required =
      Boolean(instance) || (await applicableWorkflow(db, 'quote', factsOf(quote, opportunity).fields)) !== null;
    result.set(quote.id, { required, status: instance?.status ?? null, instanceId: instance?.id ?? null });
  }
  return result;
}

/** A quote may be sent, accepted or count for a stage when it needs no approval or was approved. */
export const isUsable = (approval: QuoteApproval) => !approval.required || approval.status === 'approved';

/** QUOTE_APPROVAL_REQUIRED unless the quote is usable. */
export function assertUsable(approval: QuoteApproval): void {
  if (!isUsable(approval)) throw new AppError('QUOTE_APPROVAL_REQUIRED');
}

registerSubjectKind({
  kind: 'quote',
  async describe(tx: Ctx, quoteId: string) {
    const [row] = await tx.db
      .select({ quote: quotes, opportunity: opportunities })
      .from(quotes)
      .innerJoin(opportunities, eq(opportunities.id, quotes.opportunityId))
      .where(and(eq(quotes.id, quoteId), visibleOpportunities(tx.actor)))
      .for('update', { of: quotes });
    if (!row) throw notFound();
    const { quote, opportunity } = row;
    const facts = factsOf(quote, opportunity);
    return {
      facts,
      summary: {
        title: `${opportunity.name} · V${quote.version}`,
        facts: [
          { key: 'total', value: quote.total, money: true },
          { key: 'listTotal', value: quote.listTotal ?? quote.total, money: true },
          { key: 'discountPercent', value: facts.fields.discountPercent! },
        ],
        link: `/opportunities/${opportunity.id}`,
      },
    };
  },
  async canSee(ctx: Ctx, quoteId: string) {
    const [row] = await ctx.db
      .select({ one: sql`1` })
      .from(quotes)
      .innerJoin(opportunities, eq(opportunities.id, quotes.opportunityId))
      .where(and(eq(quotes.id, quoteId), visibleOpportunities(ctx.actor)));
    return Boolean(row);
  },
  // A quote never changes after it is made (a change is a new version), so nothing is unlocked or reset here:
  // its approval's status is read from the instance.
  async onSettled() {},
});
