import { asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '../../../common/schemas/customer-story';
import type { Db } from '../../db/client';
import { FIRM_TIME_ZONE, addDays, localDate, zonedInstant } from '../../lib/time';
import { searchTextOf } from '../../lib/search-text';
import { buildBusinessLine, buildUser } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { activities } from '../activities/activities.tables';
import { chatMessages, conversations } from '../chat/chat.tables';
import { contractMembers, contracts, orderLines, orders, paymentTerms } from '../contracts/contracts.tables';
import { contactLogs, customerServices, customerShares, customers } from '../customers/customers.tables';
import {
  opportunities,
  opportunityMembers,
  opportunityStageChanges,
  pipelineStages,
  quotes,
} from '../opportunities/opportunities.tables';
import { invoices, receipts } from '../receivables/receivables.tables';
import { users } from '../staff/staff.tables';

/**
 * The customer's whole story (issue 19 item 3): a customer's history made as rows at known instants, then read back
 * by its owner (everything, newest first, by kind, page by page), by a colleague on the opportunity's team without
 * receivables:read (no receipts, no invoices), and by a salesperson the customer is shared with who sees none of the
 * opportunity (the contact log alone). Figures are worked out here from the amounts written.
 */
let t: TestApp;
let db: Db;
const today = localDate(new Date(), FIRM_TIME_ZONE);
/** An instant `days` days from today (negative: past) at `hour` o'clock in the firm's zone. */
const at = (days: number, hour: number) => zonedInstant(addDays(today, days), { hour }, FIRM_TIME_ZONE);
const day = (days: number) => addDays(today, days);

let owner: Client;
let member: Client;
let sharedSales: Client;
let customerId: string;
let otherCustomerId: string;
let lineId: string;
let line2Id: string;
/** The keys the owner must see, newest first. */
let expected: { kind: string; key: string; at: Date }[];

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db;
  const ownerUser = await buildUser(db, { roleCode: 'salesperson' });
  const memberUser = await buildUser(db, { roleCode: 'staff' });
  const sharedUser = await buildUser(db, { roleCode: 'salesperson' });
  [owner, member, sharedSales] = await Promise.all([
    t.login(ownerUser.username),
    t.login(memberUser.username),
    t.login(sharedUser.username),
  ]);
  const [line, line2] = await Promise.all([buildBusinessLine(db), buildBusinessLine(db)]);
  lineId = line.id;
  line2Id = line2.id;
  const stages = await db
    .select({ id: pipelineStages.id, kind: pipelineStages.kind })
    .from(pipelineStages)
    .where(isNull(pipelineStages.businessLineId))
    .orderBy(asc(pipelineStages.position));
  const open = stages.filter((s) => s.kind === 'open');
  const won = stages.find((s) => s.kind === 'won')!;

  const name = uniq('全景客户有限公司');
  const otherName = uniq('他人客户有限公司');
  [{ id: customerId }, { id: otherCustomerId }] = await db
    .insert(customers)
    .values([
      { name, ownerId: ownerUser.id, searchText: searchTextOf([name]), status: 'customer' as const },
      { name: otherName, ownerId: ownerUser.id, searchText: searchTextOf([otherName]) },
    ])
    .returning({ id: customers.id });
  await db.insert(customerShares).values([
    { customerId, userId: memberUser.id },
    { customerId, userId: sharedUser.id },
  ]);

  const [log] = await db
    .insert(contactLogs)
    .values({
      customerId,
      direction: 'outbound',
      channel: 'visit',
      occurredAt: at(-20, 9),
      userId: ownerUser.id,
      summary: '拜访财务总监，了解年审需求',
    })
    .returning({ id: contactLogs.id });
  const oppName = uniq('年报审计');
  const [opp] = await db
    .insert(opportunities)
    .values({
      name: oppName,
      customerId,
      businessLineId: lineId,
      stageId: won.id,
      status: 'won',
      probability: 100,
      ownerId: ownerUser.id,
      departmentId: ownerUser.departmentId,
      searchText: searchTextOf([oppName]),
      createdAt: at(-19, 9),
      closedAt: at(-13, 10),
    })
    .returning({ id: opportunities.id });
  await db.insert(opportunityMembers).values({ opportunityId: opp.id, userId: memberUser.id, role: '项目经理' });
  const [activity] = await db
    .insert(activities)
    .values({
      category: 'visit',
      subject: '递交服务方案',
      status: 'done',
      doneAt: at(-18, 10),
      ownerId: ownerUser.id,
      customerId,
      opportunityId: opp.id,
      createdAt: at(-18, 8),
    })
    .returning({ id: activities.id });
  const changes = await db
    .insert(opportunityStageChanges)
    .values([
      // The creation: not an item (the opportunity is).
      { opportunityId: opp.id, toStageId: open[0].id, toStatus: 'open' as const, at: at(-19, 9) },
      {
        opportunityId: opp.id,
        fromStageId: open[0].id,
        toStageId: open[1].id,
        fromStatus: 'open' as const,
        toStatus: 'open' as const,
        at: at(-17, 10),
      },
      {
        opportunityId: opp.id,
        fromStageId: open[1].id,
        toStageId: open[2].id,
        fromStatus: 'open' as const,
        toStatus: 'open' as const,
        at: at(-15, 10),
      },
      {
        opportunityId: opp.id,
        fromStageId: open[2].id,
        toStageId: won.id,
        fromStatus: 'open' as const,
        toStatus: 'won' as const,
        at: at(-13, 10),
      },
    ])
    .returning({ id: opportunityStageChanges.id, at: opportunityStageChanges.at });
  const moves = changes.filter((c) => c.at.getTime() !== at(-19, 9).getTime()).sort((a, b) => +a.at - +b.at);
  const [quote] = await db
    .insert(quotes)
    .values({
      opportunityId: opp.id,
      version: 1,
      status: 'accepted',
      total: '15000.00',
      createdAt: at(-16, 10),
      updatedAt: at(-14, 10),
    })
    .returning({ id: quotes.id });
  const [contract] = await db
    .insert(contracts)
    .values({
      title: '2026 年度审计业务约定书',
      customerId,
      opportunityId: opp.id,
      businessLineId: lineId,
      ownerId: ownerUser.id,
      departmentId: ownerUser.departmentId!,
      amount: '15000.00',
      status: 'in-progress',
      number: uniq('HT'),
      signedOn: day(-11),
      endOn: day(100),
      recurringCycle: 'annual',
      createdAt: at(-12, 10),
      updatedAt: at(-11, 15),
    })
    .returning({ id: contracts.id });
  await db.insert(contractMembers).values({ contractId: contract.id, userId: memberUser.id });
  await db.insert(paymentTerms).values([
    {
      contractId: contract.id,
      position: 1,
      kind: 'progress',
      amount: '10000.00',
      trigger: 'signing',
      received: '6000.00',
    },
    { contractId: contract.id, position: 2, kind: 'final', amount: '5000.00', trigger: 'completion' },
  ]);
  const [order, standalone] = await db
    .insert(orders)
    .values([
      {
        title: '年报审计订单',
        contractId: contract.id,
        customerId,
        businessLineId: lineId,
        ownerId: ownerUser.id,
        departmentId: ownerUser.departmentId!,
        amount: '15000.00',
        status: 'confirmed' as const,
        number: uniq('DD'),
        confirmedOn: day(-10),
        updatedAt: at(-10, 11),
      },
      {
        title: '税务咨询订单',
        customerId,
        businessLineId: line2Id,
        ownerId: ownerUser.id,
        departmentId: ownerUser.departmentId!,
        amount: '3000.00',
        status: 'confirmed' as const,
        number: uniq('DD'),
        confirmedOn: '2025-03-01',
      },
    ])
    .returning({ id: orders.id });
  await db.insert(orderLines).values([
    { orderId: order.id, position: 1, businessLineId: lineId, description: '年报审计', amount: '15000.00' },
    { orderId: standalone.id, position: 1, businessLineId: line2Id, description: '税务咨询', amount: '3000.00' },
  ]);
  await db
    .insert(paymentTerms)
    .values({ orderId: standalone.id, position: 1, kind: 'final', amount: '3000.00', trigger: 'signing' });
  const [r1, r2] = await db
    .insert(receipts)
    .values([
      {
        customerId,
        contractId: contract.id,
        receivedOn: day(-9),
        amount: '6000.00',
        unallocated: '0',
        payer: name,
        createdAt: at(-9, 10),
      },
      {
        customerId,
        contractId: contract.id,
        receivedOn: day(-9),
        amount: '2500.50',
        unallocated: '2500.50',
        payer: name,
        createdAt: at(-9, 11),
        status: 'reversed' as const,
        reversedAt: at(-7, 10),
        reversedReason: '重复登记',
      },
    ])
    .returning({ id: receipts.id });
  const [invoice] = await db
    .insert(invoices)
    .values({
      number: uniq('FP'),
      kind: 'special',
      customerId,
      contractId: contract.id,
      issuedOn: day(-8),
      amount: '6000.00',
      createdAt: at(-8, 10),
    })
    .returning({ id: invoices.id });
  const [conversation] = await db
    .insert(conversations)
    .values({ kind: 'record', recordType: 'opportunity', recordId: opp.id, lastSeq: 2 })
    .returning({ id: conversations.id });
  const [mention] = await db
    .insert(chatMessages)
    .values([
      {
        conversationId: conversation.id,
        seq: 1,
        authorId: ownerUser.id,
        body: '@同事 请准备底稿',
        mentions: [memberUser.id],
        createdAt: at(-6, 10),
      },
      // No mention, no link to the customer: not an item.
      { conversationId: conversation.id, seq: 2, authorId: ownerUser.id, body: '好的', createdAt: at(-6, 11) },
    ])
    .returning({ id: chatMessages.id });
  await db
    .insert(customerServices)
    .values({ customerId, businessLineId: line2Id, cycle: 'annual', nextDueOn: day(40) });

  expected = [
    { kind: 'chat-mention', key: `chat-mention:${mention.id}`, at: at(-6, 10) },
    { kind: 'receipt', key: `receipt:${r2.id}:reversed`, at: at(-7, 10) },
    { kind: 'invoice', key: `invoice:${invoice.id}`, at: at(-8, 10) },
    { kind: 'receipt', key: `receipt:${r2.id}:received`, at: at(-9, 11) },
    { kind: 'receipt', key: `receipt:${r1.id}:received`, at: at(-9, 10) },
    { kind: 'order', key: `order:${order.id}:confirmed`, at: at(-10, 11) },
    { kind: 'contract', key: `contract:${contract.id}:signed`, at: at(-11, 15) },
    { kind: 'contract', key: `contract:${contract.id}:made`, at: at(-12, 10) },
    { kind: 'stage-change', key: `stage-change:${moves[2].id}`, at: at(-13, 10) },
    { kind: 'quote', key: `quote:${quote.id}:accepted`, at: at(-14, 10) },
    { kind: 'stage-change', key: `stage-change:${moves[1].id}`, at: at(-15, 10) },
    { kind: 'quote', key: `quote:${quote.id}:created`, at: at(-16, 10) },
    { kind: 'stage-change', key: `stage-change:${moves[0].id}`, at: at(-17, 10) },
    { kind: 'activity', key: `activity:${activity.id}`, at: at(-18, 10) },
    { kind: 'opportunity', key: `opportunity:${opp.id}`, at: at(-19, 9) },
    { kind: 'contact-log', key: `contact-log:${log.id}`, at: at(-20, 9) },
    // A date far back (written today): the day's start in the firm's zone.
    {
      kind: 'order',
      key: `order:${standalone.id}:confirmed`,
      at: zonedInstant('2025-03-01', { hour: 0 }, FIRM_TIME_ZONE),
    },
  ];
});
afterAll(() => t.close());

const timeline = (client: Client, query: Record<string, string | number> = {}) =>
  client.get(`/api/v1/customers/${customerId}/timeline`, query);

async function everything(client: Client, query: Record<string, string | number>): Promise<TimelineItem[]> {
  const items: TimelineItem[] = [];
  let before: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await timeline(client, { ...query, ...(before ? { before } : {}) });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    before = res.body.nextCursor ?? undefined;
    if (!before) return items;
  }
  throw new Error('too many pages');
}

describe('the timeline', () => {
  it('shows everything the owner may see, newest first, each titled in the reader’s language', async () => {
    const res = await timeline(owner, { pageSize: 100 });
    expect(res.status).toBe(200);
    const items: TimelineItem[] = res.body.items;
    expect(items.map((i) => i.key)).toEqual(expected.map((e) => e.key));
    expect(items.map((i) => i.at)).toEqual(expected.map((e) => e.at.toISOString()));
    expect(res.body.nextCursor).toBeNull();
    const byKey = new Map(items.map((i) => [i.key, i]));
    expect(byKey.get(expected[1].key)).toMatchObject({
      title: '到款冲销 ¥2,500.50',
      amount: '2500.50',
      status: 'reversed',
    });
    expect(byKey.get(expected[4].key)).toMatchObject({ title: '到款 ¥6,000.00', amount: '6000.00' });
    expect(byKey.get(expected[8].key)!.title).toMatch(/^赢单 /);
    expect(byKey.get(expected[12].key)!.title).toMatch(/^阶段 .+ → .+（/);
    expect(byKey.get(expected[0].key)).toMatchObject({ link: { type: 'conversation', anchor: '1' } });
    expect(byKey.get(expected[15].key)).toMatchObject({
      title: '联系记录（拜访）',
      detail: '拜访财务总监，了解年审需求',
    });

    // The reader's language is their account's.
    await db.update(users).set({ locale: 'en-US' }).where(eq(users.id, owner.me!.user.id));
    const en = await timeline(owner, { kinds: 'receipt' });
    await db.update(users).set({ locale: 'zh-CN' }).where(eq(users.id, owner.me!.user.id));
    expect(en.body.items.map((i: TimelineItem) => i.title)).toEqual([
      'Receipt reversed ¥2,500.50',
      'Received ¥2,500.50',
      'Received ¥6,000.00',
    ]);
  });

  it('filters by kind and pages by cursor without losing or repeating an item', async () => {
    const money = await timeline(owner, { kinds: 'receipt, invoice' });
    expect(money.body.items.map((i: TimelineItem) => i.key)).toEqual(
      expected.filter((e) => e.kind === 'receipt' || e.kind === 'invoice').map((e) => e.key),
    );
    const paged = await everything(owner, { pageSize: 4 });
    expect(paged.map((i) => i.key)).toEqual(expected.map((e) => e.key));
    const pagedKinds = await everything(owner, { pageSize: 2, kinds: 'contract,order,stage-change' });
    expect(pagedKinds.map((i) => i.key)).toEqual(
      expected.filter((e) => ['contract', 'order', 'stage-change'].includes(e.kind)).map((e) => e.key),
    );
  });

  it('shows each item only to who may see its record', async () => {
    // On the opportunity's and the contract's team, without receivables:read, not the order's owner.
    const asMember = await timeline(member, { pageSize: 100 });
    expect(asMember.status).toBe(200);
    expect(asMember.body.items.map((i: TimelineItem) => i.key)).toEqual(
      expected.filter((e) => !['receipt', 'invoice', 'order'].includes(e.kind)).map((e) => e.key),
    );
    // Shares the customer, sees none of the opportunity and what came of it.
    const asShared = await timeline(sharedSales, { pageSize: 100 });
    expect(asShared.body.items.map((i: TimelineItem) => i.key)).toEqual(
      expected.filter((e) => e.kind === 'contact-log').map((e) => e.key),
    );
  });

  it('refuses bad input with stable codes and hides another’s customer', async () => {
    const unknown = await timeline(owner, { kinds: 'receipt,gossip' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(unknown.body)).toContain('gossip');
    for (const before of ['nonsense!', Buffer.from('[1,2]').toString('base64url'), 'e30']) {
      const bad = await timeline(owner, { before });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    }
    const hidden = await sharedSales.get(`/api/v1/customers/${otherCustomerId}/timeline`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('NOT_FOUND');
    expect((await sharedSales.get(`/api/v1/customers/${otherCustomerId}/figures`)).status).toBe(404);
  });
});

describe('the figures', () => {
  const fen = (s: string) => BigInt(s.replace('.', ''));
  const yuan = (f: bigint) => `${f / 100n}.${String(f % 100n).padStart(2, '0')}`;

  it('adds what the owner may see, exactly', async () => {
    const res = await owner.get(`/api/v1/customers/${customerId}/figures`);
    expect(res.status).toBe(200);
    // Received: 6000.00 valid; 2500.50 reversed. Contracted: the signed contract and the order without one.
    // Outstanding: the contract's terms (10000.00 − 6000.00 received, 5000.00) and the order's 3000.00.
    const contractYear = Number(day(-11).slice(0, 4));
    expect(res.body).toMatchObject({
      customerId,
      lifetimeRevenue: yuan(fen('6000.00')),
      contracted: yuan(fen('15000.00') + fen('3000.00')),
      outstanding: yuan(fen('10000.00') - fen('6000.00') + fen('5000.00') + fen('3000.00')),
      firstSaleOn: '2025-03-01',
    });
    expect(res.body.servicesByYear).toEqual([
      {
        year: contractYear,
        total: '15000.00',
        lines: [expect.objectContaining({ businessLineId: lineId, amount: '15000.00' })],
      },
      {
        year: 2025,
        total: '3000.00',
        lines: [expect.objectContaining({ businessLineId: line2Id, amount: '3000.00' })],
      },
    ]);
    expect(res.body.renewalDates.map((r: { source: string; dueOn: string }) => [r.source, r.dueOn])).toEqual([
      ['service', day(40)],
      ['contract', day(100)],
      // The order without a contract is not recurring: no season.
    ]);
  });

  it('counts only what each reader may see', async () => {
    const asMember = await member.get(`/api/v1/customers/${customerId}/figures`);
    expect(asMember.body).toMatchObject({
      lifetimeRevenue: '0.00',
      contracted: '15000.00',
      outstanding: '0.00',
      firstSaleOn: day(-11),
    });
    const asShared = await sharedSales.get(`/api/v1/customers/${customerId}/figures`);
    expect(asShared.body).toMatchObject({
      lifetimeRevenue: '0.00',
      contracted: '0.00',
      outstanding: '0.00',
      firstSaleOn: null,
      servicesByYear: [],
    });
    expect(asShared.body.renewalDates).toEqual([expect.objectContaining({ source: 'service', dueOn: day(40) })]);
  });
});
