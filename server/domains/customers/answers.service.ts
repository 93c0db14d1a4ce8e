import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { AnswerCard } from '../../../common/schemas/customers';
import type { Ctx } from '../../context';
import { nameRank, shownColumns, textMatches, type Shown } from '../../lib/search';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, pipelineStages } from '../opportunities/opportunities.tables';
import { users } from '../staff/staff.tables';
import { visibleCustomers } from './customers.policy';
import { customerSearchByIds } from './customers.service';
import { contactLogs, contacts, customers } from './customers.tables';

/** Departments that pay the bills: where "their AP department's phone" is found. */
const PAYABLES = /应付|财务|出纳|会计|结算|付款|accounts? payable|\bap\b|finance/i;

type ContactRow = Shown<typeof contacts>;
const card = (c: ContactRow) => ({
  id: c.id,
  name: c.name,
  title: c.title,
  department: c.department,
  phones: c.phones,
  emails: c.emails,
});

/** Open opportunities of the customers that the reader may see: count, exact total, the three largest. */
async function openBusinessOf(ctx: Ctx, customerIds: string[]) {
  const ranked = ctx.db
    .select({
      customerId: opportunities.customerId,
      id: opportunities.id,
      name: opportunities.name,
      stageNameZh: sql<string>`${pipelineStages.nameZh}`.as('stage_name_zh'),
      stageNameEn: sql<string>`${pipelineStages.nameEn}`.as('stage_name_en'),
      expectedAmount: opportunities.expectedAmount,
      rank: sql<number>`row_number() OVER (PARTITION BY ${opportunities.customerId} ORDER BY ${opportunities.expectedAmount} DESC NULLS LAST, ${opportunities.id})`.as(
        'rank',
      ),
      count: sql<number>`count(*) OVER (PARTITION BY ${opportunities.customerId})::int`.as('count'),
      total:
        sql<string>`coalesce(sum(${opportunities.expectedAmount}) OVER (PARTITION BY ${opportunities.customerId}), 0)::numeric(16, 2)::text`.as(
          'total',
        ),
    })
    .from(opportunities)
    .innerJoin(pipelineStages, eq(pipelineStages.id, opportunities.stageId))
    .where(
      and(
        inArray(opportunities.customerId, customerIds),
        eq(opportunities.status, 'open'),
        visibleOpportunities(ctx.actor),
      ),
    )
    .as('ranked');
  const rows = await ctx.db.select().from(ranked).where(lte(ranked.rank, 3)).orderBy(ranked.customerId, ranked.rank);
  const map = new Map<string, AnswerCard['openBusiness']>();
  for (const r of rows) {
    const entry = map.get(r.customerId) ?? { count: r.count, totalAmount: r.total, top: [] };
    entry.top.push({
      id: r.id,
      name: r.name,
      stageNameZh: r.stageNameZh,
      stageNameEn: r.stageNameEn,
      expectedAmount: r.expectedAmount,
    });
    map.set(r.customerId, entry);
  }
  return map;
}

/**
 * The answer box: customers matching the query by name, fragment, pinyin initials, credit
 * code, or any contact's name, phone or e-mail — only those the actor may see — each with
 * the answers the seed asks for. Five small queries regardless of how many match.
 */
export async function findAnswers(ctx: Ctx, q: string, limit: number): Promise<AnswerCard[]> {
  const found = await ctx.db
    .select({ row: shownColumns(customers), ownerName: users.displayName })
    .from(customers)
    .leftJoin(users, eq(users.id, customers.ownerId))
    .where(and(visibleCustomers(ctx.actor), customerSearchByIds(q)))
    .orderBy(nameRank(customers.name, q), desc(customers.lastContactAt), asc(customers.name), asc(customers.id))
    .limit(limit);
  if (found.length === 0) return [];
  const ids = found.map((f) => f.row.id);
  const [allContacts, lastLogs, business] = await Promise.all([
    ctx.db
      .select({ contact: shownColumns(contacts), matches: sql<boolean>`${textMatches(contacts, q)}` })
      .from(contacts)
      .where(inArray(contacts.customerId, ids))
      .orderBy(desc(contacts.isPrimary), asc(contacts.createdAt)),
    ctx.db
      .selectDistinctOn([contactLogs.customerId], { log: contactLogs, userName: users.displayName })
      .from(contactLogs)
      .innerJoin(users, eq(users.id, contactLogs.userId))
      .where(inArray(contactLogs.customerId, ids))
      .orderBy(contactLogs.customerId, desc(contactLogs.occurredAt), desc(contactLogs.createdAt)),
    openBusinessOf(ctx, ids),
  ]);
  return found.map(({ row, ownerName }) => {
    const mine = allContacts.filter((c) => c.contact.customerId === row.id);
    const last = lastLogs.find((l) => l.log.customerId === row.id);
    const payables = mine.find((c) => PAYABLES.test(`${c.contact.department ?? ''} ${c.contact.title ?? ''}`));
    return {
      customer: {
        id: row.id,
        name: row.name,
        status: row.status,
        creditCode: row.creditCode,
        email: row.email,
        phone: row.phone,
        ownerId: row.ownerId,
        ownerName,
        nextContactOn: row.nextContactOn,
      },
      primaryContact: mine[0] ? card(mine[0].contact) : null,
      payablesContact: payables ? card(payables.contact) : null,
      matchedContacts: mine.filter((c) => c.matches).map((c) => card(c.contact)),
      lastContact: last
        ? {
            at: last.log.occurredAt.toISOString(),
            direction: last.log.direction,
            channel: last.log.channel,
            userName: last.userName,
            summary: last.log.summary,
          }
        : null,
      contactCount: mine.length,
      openBusiness: business.get(row.id) ?? { count: 0, totalAmount: '0.00', top: [] },
    };
  });
}
