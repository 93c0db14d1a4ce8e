import { and, asc, desc, eq, lte, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { AnswerCard } from '../../../common/schemas/customers';
import type { Ctx } from '../../context';
import { fixedLimit, preparedOnce } from '../../db/client';
import { nameRank, searchShape, searchValues, shownColumns, textMatches, type Shown } from '../../lib/search';
import { actorKey } from '../../policy';
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

/** `column = ANY($ids)`: one statement for any number of customers. */
const amongIds = (column: PgColumn) => sql`${column} = ANY(${sql.placeholder('ids')}::uuid[])`;

/** Open opportunities of the customers that the reader may see: count, exact total, the three largest. */
function openBusinessOf(ctx: Ctx) {
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
    .where(and(amongIds(opportunities.customerId), eq(opportunities.status, 'open'), visibleOpportunities(ctx.actor)))
    .as('ranked');
  return ctx.db.select().from(ranked).where(lte(ranked.rank, 3)).orderBy(ranked.customerId, ranked.rank).prepare('');
}

/** The rows of openBusinessOf by customer: count, total and the top three. */
function businessByCustomer(rows: Awaited<ReturnType<ReturnType<typeof openBusinessOf>['execute']>>) {
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
 * the answers the seed asks for. Four small queries regardless of how many match.
 */
export async function findAnswers(ctx: Ctx, q: string, limit: number): Promise<AnswerCard[]> {
  // The answer box is asked on every keystroke: its statements are built once per reader, search shape and
  // limit and prepared, the follow-ups taking the found customers as one array parameter.
  const reader = actorKey(ctx.actor);
  const term = { q, placeholders: true };
  const found = await preparedOnce(ctx.db, `answers|${limit}|${searchShape(q)}|${reader}`, () =>
    ctx.db
      .select({ row: shownColumns(customers), ownerName: users.displayName })
      .from(customers)
      .leftJoin(users, eq(users.id, customers.ownerId))
      .where(and(visibleCustomers(ctx.actor), customerSearchByIds(term)))
      .orderBy(nameRank(customers.name, term), desc(customers.lastContactAt), asc(customers.name), asc(customers.id))
      .limit(fixedLimit(limit))
      .prepare(''),
  ).execute(searchValues(q));
  if (found.length === 0) return [];
  const ids = found.map((f) => f.row.id);
  const [allContacts, lastLogs, business] = await Promise.all([
    preparedOnce(ctx.db, `answers-contacts|${searchShape(q)}`, () =>
      ctx.db
        .select({ contact: shownColumns(contacts), matches: sql<boolean>`${textMatches(contacts, term)}` })
        .from(contacts)
        .where(amongIds(contacts.customerId))
        .orderBy(desc(contacts.isPrimary), asc(contacts.createdAt))
        .prepare(''),
    ).execute({ ...searchValues(q), ids }),
    preparedOnce(ctx.db, 'answers-last-logs', () =>
      ctx.db
        .selectDistinctOn([contactLogs.customerId], { log: contactLogs, userName: users.displayName })
        .from(contactLogs)
        .innerJoin(users, eq(users.id, contactLogs.userId))
        .where(amongIds(contactLogs.customerId))
        .orderBy(contactLogs.customerId, desc(contactLogs.occurredAt), desc(contactLogs.createdAt))
        .prepare(''),
    ).execute({ ids }),
    preparedOnce(ctx.db, `answers-business|${reader}`, () => openBusinessOf(ctx))
      .execute({ ids })
      .then(businessByCustomer),
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
