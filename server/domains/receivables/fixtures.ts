import { eq, inArray } from 'drizzle-orm';
import type { ContractStatus, OrderStatus, TermKind, TermTrigger } from '../../../common/schemas/contracts';
import type { Db } from '../../db/client';
import { FIRM_TIME_ZONE, addDays, localDate } from '../../lib/time';
import { searchTextOf } from '../../lib/search-text';
import { buildBusinessLine, buildUser } from '../../test/factories';
import { uniq } from '../../test/harness';
import { contracts, orders, paymentTerms } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import { users } from '../staff/staff.tables';

/**
 * Contracts, orders and their payment terms for the receivables tests, inserted as rows (the contracts domain's
 * own service makes them in the app). Due dates are given in days from today in the firm's time zone.
 */

export const today = () => localDate(new Date(), FIRM_TIME_ZONE);
/** Today plus `days` (negative: in the past), as a due date. */
export const day = (days: number) => addDays(today(), days);

export type TermSpec = {
  amount: string;
  /** Days from today (−40: due 40 days ago); null: no due date yet (e.g. on completion). */
  due: number | null;
  kind?: TermKind;
  trigger?: TermTrigger;
  received?: string;
  invoiced?: string;
};

export type Built = {
  id: string;
  number: string | null;
  title: string;
  customerId: string;
  ownerId: string;
  departmentId: string;
  terms: { id: string; amount: string; dueOn: string | null }[];
};

/** The term rows of a contract or an order, positions 1.. in the order given. */
async function insertTerms(db: Db, parent: { contractId?: string; orderId?: string }, specs: TermSpec[]) {
  const rows = await db
    .insert(paymentTerms)
    .values(
      specs.map((s, i) => ({
        contractId: parent.contractId ?? null,
        orderId: parent.orderId ?? null,
        position: i + 1,
        kind: s.kind ?? (i === specs.length - 1 ? ('final' as const) : ('progress' as const)),
        amount: s.amount,
        trigger: s.trigger ?? (s.due === null ? ('completion' as const) : ('date' as const)),
        triggerDate: s.due === null ? null : day(s.due),
        dueOn: s.due === null ? null : day(s.due),
        received: s.received ?? '0',
        invoiced: s.invoiced ?? '0',
      })),
    )
    .returning({
      id: paymentTerms.id,
      amount: paymentTerms.amount,
      dueOn: paymentTerms.dueOn,
      position: paymentTerms.position,
    });
  return rows.sort((a, b) => a.position - b.position).map(({ id, amount, dueOn }) => ({ id, amount, dueOn }));
}

async function ownerAndCustomer(db: Db, options: { ownerId?: string; customerId?: string }) {
  const ownerId = options.ownerId ?? (await buildUser(db)).id;
  const [owner] = await db.select({ departmentId: users.departmentId }).from(users).where(eq(users.id, ownerId));
  let customerId = options.customerId;
  if (!customerId) {
    const name = uniq('应收测试客户有限公司');
    [{ id: customerId }] = await db
      .insert(customers)
      .values({ name, ownerId, searchText: searchTextOf([name]) })
      .returning({ id: customers.id });
  }
  return { ownerId, departmentId: owner.departmentId!, customerId };
}

const sum = (specs: TermSpec[]) => fromHundredths(specs.reduce((n, s) => n + toHundredths(s.amount), 0n));

/** A contract (signed unless told otherwise) whose terms add up to its amount. */
export async function buildContract(
  db: Db,
  specs: TermSpec[],
  options: {
    ownerId?: string;
    customerId?: string;
    status?: ContractStatus;
    branchId?: string | null;
    businessLineId?: string;
    number?: string | null;
  } = {},
): Promise<Built> {
  const { ownerId, departmentId, customerId } = await ownerAndCustomer(db, options);
  const [contract] = await db
    .insert(contracts)
    .values({
      title: uniq('审计业务约定书'),
      customerId,
      businessLineId: options.businessLineId ?? (await buildBusinessLine(db)).id,
      ownerId,
      departmentId,
      branchId: options.branchId ?? null,
      amount: sum(specs),
      status: options.status ?? 'signed',
      number: options.number === undefined ? uniq('SJ-2026') : options.number,
      signedOn: day(-200),
    })
    .returning({ id: contracts.id, number: contracts.number, title: contracts.title });
  return {
    id: contract.id,
    number: contract.number,
    title: contract.title,
    customerId,
    ownerId,
    departmentId,
    terms: await insertTerms(db, { contractId: contract.id }, specs),
  };
}

/** An order without a contract, with its own terms (confirmed unless told otherwise). */
export async function buildOrder(
  db: Db,
  specs: TermSpec[],
  options: { ownerId?: string; customerId?: string; status?: OrderStatus; contractId?: string } = {},
): Promise<Built> {
  const { ownerId, departmentId, customerId } = await ownerAndCustomer(db, options);
  const [order] = await db
    .insert(orders)
    .values({
      title: uniq('代理记账服务'),
      contractId: options.contractId ?? null,
      customerId,
      businessLineId: (await buildBusinessLine(db)).id,
      ownerId,
      departmentId,
      amount: sum(specs),
      status: options.status ?? 'confirmed',
      number: uniq('DD-2026'),
    })
    .returning({ id: orders.id, number: orders.number, title: orders.title });
  return {
    id: order.id,
    number: order.number,
    title: order.title,
    customerId,
    ownerId,
    departmentId,
    terms: options.contractId ? [] : await insertTerms(db, { orderId: order.id }, specs),
  };
}

/** The stored term rows of a contract or order, by position. */
export async function termsOf(db: Db, built: Built) {
  const rows = await db
    .select()
    .from(paymentTerms)
    .where(
      inArray(
        paymentTerms.id,
        built.terms.map((t) => t.id),
      ),
    );
  return rows.sort((a, b) => a.position - b.position);
}

/** Cents ↔ money strings, for figures computed in the tests. */
export const cents = toHundredths;
export const money = fromHundredths;
