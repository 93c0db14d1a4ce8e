import { and, asc, desc, eq, inArray, max, ne } from 'drizzle-orm';
import type { Quote, QuoteCreate } from '../../../common/schemas/opportunities';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, invalidInput, notFound, type InputIssue } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { assertActiveReferences } from '../staff/reference.service';
import { users } from '../staff/staff.tables';
import { submitForApproval } from '../workflows/engine.service';
import { assertOpen, opportunityFor } from './acceptance.service';
import { assertUsable, discountPercent, quoteApprovals } from './quote-approval';
import { opportunities, quoteItems, quotes } from './opportunities.tables';

type OpportunityRef = typeof opportunities.$inferSelect;

type QuoteStatus = Quote['status'];

/** The largest amount numeric(14, 2) holds, in cents. */
const MAX_CENTS = 10n ** 14n - 1n;

/** "12.5" → 1250n: a decimal string with at most two decimals, in hundredths. */
export function toHundredths(value: string): bigint {
  const [whole, fraction = ''] = value.trim().split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

export function fromHundredths(value: bigint): string {
  return `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
}

/**
 * quantity × unit price to the cent, exactly: hundredths × cents is in 1/10,000 yuan, rounded
 * half up to cents (both are never negative).
 */
export function lineAmount(quantity: string, unitPrice: string): bigint {
  return (toHundredths(quantity) * toHundredths(unitPrice) + 50n) / 100n;
}

function selectQuotes(db: Db) {
  return db
    .select({ quote: quotes, createdByName: users.displayName })
    .from(quotes)
    .leftJoin(users, eq(users.id, quotes.createdBy))
    .$dynamic();
}

async function presentQuotes(
  db: Db,
  rows: { quote: typeof quotes.$inferSelect; createdByName: string | null }[],
  opportunity: OpportunityRef,
): Promise<Quote[]> {
  if (rows.length === 0) return [];
  const approvals = await quoteApprovals(
    db,
    rows.map((r) => r.quote),
    opportunity,
  );
  const items = await db
    .select()
    .from(quoteItems)
    .where(
      inArray(
        quoteItems.quoteId,
        rows.map((r) => r.quote.id),
      ),
    )
    .orderBy(asc(quoteItems.position));
  return rows.map(({ quote: q, createdByName }) => ({
    id: q.id,
    opportunityId: q.opportunityId,
    version: q.version,
    status: q.status,
    validUntil: q.validUntil,
    notes: q.notes,
    total: q.total,
    listTotal: q.listTotal ?? q.total,
    discountPercent: discountPercent(q.total, q.listTotal ?? q.total),
    approval: approvals.get(q.id)!,
    items: items
      .filter((i) => i.quoteId === q.id)
      .map((i) => ({
        id: i.id,
        position: i.position,
        businessLineId: i.businessLineId,
        description: i.description,
        quantity: i.quantity,
        unitPrice: i.unitPrice,
        listUnitPrice: i.listUnitPrice ?? i.unitPrice,
        amount: i.amount,
      })),
    createdBy: q.createdBy,
    createdByName,
    createdAt: q.createdAt.toISOString(),
  }));
}

/** One quote of an opportunity the caller has already read (and checked). */
async function getQuote(db: Db, opportunity: OpportunityRef, quoteId: string): Promise<Quote> {
  const rows = await selectQuotes(db).where(and(eq(quotes.id, quoteId), eq(quotes.opportunityId, opportunity.id)));
  if (rows.length === 0) throw notFound();
  return (await presentQuotes(db, rows, opportunity))[0];
}

/** An opportunity's quotes, newest version first. */
export async function findQuotes(ctx: Ctx, opportunityId: string): Promise<Quote[]> {
  const opportunity = await opportunityFor(ctx, opportunityId);
  const rows = await selectQuotes(ctx.db).where(eq(quotes.opportunityId, opportunityId)).orderBy(desc(quotes.version));
  return presentQuotes(ctx.db, rows, opportunity);
}

/**
 * A new quote version (1, 2, …): the opportunity row stays locked until commit, so two quotes
 * created at once get consecutive versions. Amounts and the total are exact to the cent.
 */
export async function createQuote(ctx: Ctx, opportunityId: string, input: QuoteCreate): Promise<Quote> {
  const lines = input.items.map((item, position) => ({ ...item, quantity: item.quantity ?? '1', position }));
  const amounts = lines.map((line) => lineAmount(line.quantity, line.unitPrice));
  const total = amounts.reduce((sum, amount) => sum + amount, 0n);
  const listAmounts = lines.map((line) => lineAmount(line.quantity, line.listUnitPrice ?? line.unitPrice));
  const listTotal = listAmounts.reduce((sum, amount) => sum + amount, 0n);
  const tooBig: InputIssue[] = amounts.flatMap((amount, i) =>
    amount > MAX_CENTS
      ? [
          {
            path: `body.items.${i}.quantity`,
            key: 'validation.amountTooBig' as const,
            params: { maximum: fromHundredths(MAX_CENTS) },
          },
        ]
      : [],
  );
  if (!tooBig.length && (total > MAX_CENTS || listTotal > MAX_CENTS))
    tooBig.push({ path: 'body.items', key: 'validation.amountTooBig', params: { maximum: fromHundredths(MAX_CENTS) } });
  if (tooBig.length) throw invalidInput(ctx.actor.locale, tooBig);
  return inTransaction(ctx, async (tx) => {
    const opportunity = await opportunityFor(tx, opportunityId, { write: true, lock: true });
    assertOpen(opportunity);
    await assertActiveReferences(
      tx.db,
      'businessLine',
      lines.map((line) => line.businessLineId),
    );
    const [{ latest }] = await tx.db
      .select({ latest: max(quotes.version) })
      .from(quotes)
      .where(eq(quotes.opportunityId, opportunityId));
    const [row] = await tx.db
      .insert(quotes)
      .values({
        opportunityId,
        version: (latest ?? 0) + 1,
        validUntil: input.validUntil ?? null,
        notes: input.notes ?? null,
        total: fromHundredths(total),
        listTotal: fromHundredths(listTotal),
        createdBy: ctx.actor.id,
      })
      .returning({ id: quotes.id });
    await tx.db.insert(quoteItems).values(
      lines.map((line, i) => ({
        quoteId: row.id,
        position: line.position,
        businessLineId: line.businessLineId ?? null,
        description: line.description,
        quantity: line.quantity,
        unitPrice: line.unitPrice,
        listUnitPrice: line.listUnitPrice ?? null,
        amount: fromHundredths(amounts[i]),
      })),
    );
    const after = await getQuote(tx.db, opportunity, row.id);
    await recordAudit(tx, { action: 'create', entityType: 'quote', entityId: row.id, after });
    return after;
  });
}

/**
 * Draft → sent → accepted / rejected (any order: a quote can be corrected). One quote is accepted
 * at a time: accepting one rejects the one accepted before. The opportunity itself is not touched.
 * A quote an approval flow applies to (e.g. a discount over the business line's limit) is sent or
 * accepted only once approved: QUOTE_APPROVAL_REQUIRED before.
 */
export async function changeQuoteStatus(
  ctx: Ctx,
  opportunityId: string,
  quoteId: string,
  status: QuoteStatus,
): Promise<Quote> {
  return inTransaction(ctx, async (tx) => {
    const opportunity = await opportunityFor(tx, opportunityId, { write: true, lock: true });
    const before = await getQuote(tx.db, opportunity, quoteId);
    assertOpen(opportunity);
    if (before.status === status) return before;
    if (status === 'sent' || status === 'accepted') assertUsable(before.approval);
    if (status === 'accepted') {
      const superseded = await tx.db
        .update(quotes)
        .set({ status: 'rejected', updatedAt: new Date() })
        .where(and(eq(quotes.opportunityId, opportunityId), eq(quotes.status, 'accepted'), ne(quotes.id, quoteId)))
        .returning({ id: quotes.id, version: quotes.version });
      for (const q of superseded) {
        await recordAudit(tx, {
          action: 'status',
          entityType: 'quote',
          entityId: q.id,
          before: { status: 'accepted' },
          after: { status: 'rejected', supersededBy: before.version },
        });
      }
    }
    await tx.db.update(quotes).set({ status, updatedAt: new Date() }).where(eq(quotes.id, quoteId));
    await recordAudit(tx, {
      action: 'status',
      entityType: 'quote',
      entityId: quoteId,
      before: { status: before.status },
      after: { status },
    });
    return getQuote(tx.db, opportunity, quoteId);
  });
}

/**
 * Sends a quote for approval (again, after it was returned or withdrawn): the flow that applies to it starts.
 * A quote approved or rejected is settled — it never changes, so asking again means a new version:
 * QUOTE_APPROVAL_SETTLED.
 */
export async function submitQuote(ctx: Ctx, opportunityId: string, quoteId: string): Promise<Quote> {
  return inTransaction(ctx, async (tx) => {
    const opportunity = await opportunityFor(tx, opportunityId, { write: true, lock: true });
    assertOpen(opportunity);
    const before = await getQuote(tx.db, opportunity, quoteId);
    if (before.approval.status === 'approved' || before.approval.status === 'rejected')
      throw new AppError('QUOTE_APPROVAL_SETTLED', { statusKey: `approvalStatus.${before.approval.status}` });
    await submitForApproval(tx, 'quote', quoteId);
    return getQuote(tx.db, opportunity, quoteId);
  });
}
