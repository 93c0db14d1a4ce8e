import { and, asc, eq, sql } from 'drizzle-orm';
import {
  RECEIVABLE_CONTRACT_STATUSES,
  RECEIVABLE_ORDER_STATUSES,
  type Allocation,
} from '../../../common/schemas/receivables';
import type { Ctx } from '../../context';
import { AppError, invalidInput, notFound, type InputIssue } from '../../errors';
import { receivableContracts, receivableOrders } from '../contracts/contracts.policy';
import { contracts, orders, paymentTerms } from '../contracts/contracts.tables';
import { toHundredths } from '../opportunities/quotes.service';
import { checkChosen, type Line, type OpenTerm } from '../../../common/allocation';

/** The contract, or the order without one, that money is recorded against. */
export type Subject = {
  kind: 'contract' | 'order';
  id: string;
  customerId: string;
  status: string;
  number: string | null;
  title: string;
};

const receivableContract = new Set<string>(RECEIVABLE_CONTRACT_STATUSES);
const receivableOrder = new Set<string>(RECEIVABLE_ORDER_STATUSES);

/** Refused unless the contract (order) is signed and not ended badly: RECEIPT_CONTRACT_CLOSED names its status. */
export function assertReceivable(subject: Pick<Subject, 'kind' | 'status'>): void {
  const open = subject.kind === 'contract' ? receivableContract : receivableOrder;
  if (!open.has(subject.status))
    throw new AppError('RECEIPT_CONTRACT_CLOSED', {
      subjectKey: `receivables.subject.${subject.kind}`,
      statusKey: `${subject.kind}Status.${subject.status}`,
    });
}

/**
 * The subject named by `contractId` or `orderId` (exactly one), if the actor may see its receivables (else
 * NOT_FOUND), share-locked so that its status cannot change (voided, terminated) until the caller commits.
 * An order of a contract has no terms of its own: its money goes against the contract.
 */
export async function lockSubject(ctx: Ctx, ref: { contractId?: string; orderId?: string }): Promise<Subject> {
  if (Boolean(ref.contractId) === Boolean(ref.orderId))
    throw invalidInput(ctx.actor.locale, [{ path: 'body.contractId', key: 'validation.receivableSubject' }]);
  if (ref.contractId) {
    const [row] = await ctx.db
      .select({
        id: contracts.id,
        customerId: contracts.customerId,
        status: contracts.status,
        number: contracts.number,
        title: contracts.title,
      })
      .from(contracts)
      .where(and(eq(contracts.id, ref.contractId), receivableContracts(ctx.actor)))
      .for('share', { of: contracts });
    if (!row) throw notFound();
    return { kind: 'contract', ...row };
  }
  const [row] = await ctx.db
    .select({
      id: orders.id,
      customerId: orders.customerId,
      status: orders.status,
      number: orders.number,
      title: orders.title,
      contractId: orders.contractId,
      contractNumber: sql<string | null>`(SELECT c.number FROM ${contracts} c WHERE c.id = ${orders.contractId})`,
    })
    .from(orders)
    .where(and(eq(orders.id, ref.orderId!), receivableOrders(ctx.actor)))
    .for('share', { of: orders });
  if (!row) throw notFound();
  if (row.contractId)
    throw invalidInput(ctx.actor.locale, [
      {
        path: 'body.orderId',
        key: 'validation.orderHasContract',
        params: { number: row.contractNumber ?? row.contractId },
      },
    ]);
  return {
    kind: 'order',
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    number: row.number,
    title: row.title,
  };
}

export type LockedTerm = {
  id: string;
  position: number;
  kind: (typeof paymentTerms.$inferSelect)['kind'];
  dueOn: string | null;
  amount: bigint;
  invoiced: bigint;
  received: bigint;
};

/**
 * The subject's terms, locked for update in one stable order (by id) — every writer of `received` and
 * `invoiced` takes them the same way, so two at once queue instead of deadlocking.
 */
export async function lockTerms(ctx: Pick<Ctx, 'db'>, subject: Pick<Subject, 'kind' | 'id'>): Promise<LockedTerm[]> {
  const rows = await ctx.db
    .select({
      id: paymentTerms.id,
      position: paymentTerms.position,
      kind: paymentTerms.kind,
      dueOn: paymentTerms.dueOn,
      amount: paymentTerms.amount,
      invoiced: paymentTerms.invoiced,
      received: paymentTerms.received,
    })
    .from(paymentTerms)
    .where(subject.kind === 'contract' ? eq(paymentTerms.contractId, subject.id) : eq(paymentTerms.orderId, subject.id))
    .orderBy(asc(paymentTerms.id))
    .for('update');
  return rows.map((r) => ({
    ...r,
    amount: toHundredths(r.amount),
    invoiced: toHundredths(r.invoiced),
    received: toHundredths(r.received),
  }));
}

/** What each term can still take: of receipts (amount − received) or of invoices (amount − invoiced). */
export function openTerms(terms: LockedTerm[], what: 'received' | 'invoiced'): OpenTerm[] {
  return terms.map((t) => ({ id: t.id, position: t.position, dueOn: t.dueOn, open: t.amount - t[what] }));
}

/**
 * Chosen lines (`[{termId, amount}]`) checked against the open terms: a term of another contract, one named
 * twice or a zero amount is a field error; more than a term can take is `exceeds` (the caller's error code).
 */
export function chosenLines(
  ctx: Ctx,
  terms: OpenTerm[],
  allocation: Exclude<Allocation, 'auto'>,
  exceeds: () => AppError,
): { lines: Line[]; sum: bigint } {
  const { lines, sum, problems } = checkChosen(
    terms,
    allocation.map((a) => ({ termId: a.termId, cents: toHundredths(a.amount) })),
  );
  const issues: InputIssue[] = problems.flatMap((p): InputIssue[] => {
    if (p.problem === 'unknown-term')
      return [{ path: `body.allocation.${p.index}.termId`, key: 'validation.termNotOfSubject' }];
    if (p.problem === 'twice') return [{ path: `body.allocation.${p.index}.termId`, key: 'validation.termTwice' }];
    if (p.problem === 'zero') return [{ path: `body.allocation.${p.index}.amount`, key: 'validation.amountPositive' }];
    return [];
  });
  if (issues.length) throw invalidInput(ctx.actor.locale, issues);
  if (problems.length) throw exceeds();
  return { lines, sum };
}

/** The contract or order a receipt or an invoice went against. */
export const subjectOf = (record: { contractId: string | null; orderId: string | null }) =>
  record.contractId
    ? { kind: 'contract' as const, id: record.contractId }
    : { kind: 'order' as const, id: record.orderId! };
