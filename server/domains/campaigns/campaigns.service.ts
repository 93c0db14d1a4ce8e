import { and, count, eq, exists, sql, type SQL } from 'drizzle-orm';
import type { Campaign, CampaignCreate, CampaignListQuery, CampaignUpdate } from '../../../common/schemas/campaigns';
import type { Page } from '../../../common/schemas/common';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { inactiveReference, invalidInput, notFound } from '../../errors';
import { offsetOf, orderFrom, outer, pageWithTotal } from '../../lib/listing';
import { textMatches } from '../../lib/search';
import { searchTextOf } from '../../lib/search-text';
import { recordAudit } from '../audit/audit.service';
import { leads } from '../leads/leads.tables';
import { opportunities } from '../opportunities/opportunities.tables';
import { assertActiveReferences, deleteGuarded } from '../staff/reference.service';
import { businessLines, users } from '../staff/staff.tables';
import { campaignBusinessLines, campaigns } from './campaigns.tables';

/*
 * Attribution, as columns of the campaign's own query (correlated subqueries on indexed
 * foreign keys: one query per page, never one per row). Money is summed in SQL numeric.
 */
const campaignId = outer(campaigns.id);
const businessLinesOf = sql<
  { id: string; name: string }[]
>`coalesce((SELECT json_agg(json_build_object('id', bl.id, 'name', bl.name) ORDER BY bl.sort_order, bl.name)
  FROM ${campaignBusinessLines} cbl JOIN ${businessLines} bl ON bl.id = cbl.business_line_id WHERE cbl.campaign_id = ${campaignId}), '[]'::json)`;
const leadCountOf = sql<number>`(SELECT count(*)::int FROM ${leads} l WHERE l.campaign_id = ${campaignId})`;
const convertedCountOf = sql<number>`(SELECT count(*)::int FROM ${leads} l WHERE l.campaign_id = ${campaignId} AND l.status = 'converted')`;
const wonAmountOf = sql<string>`(SELECT round(coalesce(sum(o.expected_amount), 0), 2)::text FROM ${opportunities} o WHERE o.campaign_id = ${campaignId} AND o.status = 'won')`;

function selectCampaigns(db: Db) {
  return db
    .select({
      row: campaigns,
      ownerName: users.displayName,
      businessLines: businessLinesOf,
      leadCount: leadCountOf,
      convertedCount: convertedCountOf,
      wonAmount: wonAmountOf,
    })
    .from(campaigns)
    .innerJoin(users, eq(users.id, campaigns.ownerId))
    .$dynamic();
}

type Joined = Awaited<ReturnType<ReturnType<typeof selectCampaigns>['execute']>>[number];

function present(r: Joined): Campaign {
  const c = r.row;
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    status: c.status,
    startsOn: c.startsOn,
    endsOn: c.endsOn,
    budget: c.budget,
    businessLines: r.businessLines,
    ownerId: c.ownerId,
    ownerName: r.ownerName,
    description: c.description,
    leadCount: r.leadCount,
    convertedCount: r.convertedCount,
    wonAmount: r.wonAmount,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export async function findCampaigns(ctx: Ctx, query: CampaignListQuery): Promise<Page<Campaign>> {
  const filters: (SQL | undefined)[] = [];
  if (query.q) filters.push(textMatches(campaigns, query.q));
  if (query.type) filters.push(eq(campaigns.type, query.type));
  if (query.status) filters.push(eq(campaigns.status, query.status));
  if (query.businessLineId) {
    filters.push(
      exists(
        sql`(SELECT 1 FROM ${campaignBusinessLines} WHERE ${and(eq(campaignBusinessLines.campaignId, outer(campaigns.id)), eq(campaignBusinessLines.businessLineId, query.businessLineId))})`,
      ),
    );
  }
  const where = and(...filters);
  const order = orderFrom(
    query.sort,
    { name: campaigns.name, startsOn: campaigns.startsOn, createdAt: campaigns.createdAt },
    '-createdAt',
    campaigns.id,
  );
  const { rows, total } = await pageWithTotal(
    query,
    selectCampaigns(ctx.db)
      .where(where)
      .orderBy(...order)
      .limit(query.pageSize)
      .offset(offsetOf(query)),
    () => ctx.db.select({ total: count() }).from(campaigns).where(where),
  );
  return { items: rows.map(present), total, page: query.page, pageSize: query.pageSize };
}

export async function getCampaign(ctx: Ctx, id: string): Promise<Campaign> {
  const [row] = await selectCampaigns(ctx.db).where(eq(campaigns.id, id));
  if (!row) throw notFound();
  return present(row);
}

const campaignSearchText = (name: string) => searchTextOf([name]);

/** A patch can move one date past the other stored one; the schema only sees the patch. */
/** A campaign new leads and opportunities may be attributed to: it exists and has not been cancelled. */
export async function assertCampaignOpen(db: Db, campaignId: string | null | undefined): Promise<void> {
  if (!campaignId) return;
  const [campaign] = await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId));
  if (!campaign || campaign.status === 'cancelled') throw inactiveReference('field.campaign');
}

function assertDatesInOrder(ctx: Ctx, startsOn: string | null, endsOn: string | null) {
  if (startsOn && endsOn && startsOn > endsOn) {
    throw invalidInput(ctx.actor.locale, [{ path: 'body.endsOn', key: 'validation.endBeforeStart' }]);
  }
}

/** Sets the campaign's business lines; lines newly added must be active (ones it already had may stay). */
async function setBusinessLines(ctx: Ctx, id: string, wanted: string[], had: string[] = []) {
  const ids = [...new Set(wanted)];
  await assertActiveReferences(
    ctx.db,
    'businessLine',
    ids.filter((lineId) => !had.includes(lineId)),
  );
  await ctx.db.delete(campaignBusinessLines).where(eq(campaignBusinessLines.campaignId, id));
  if (ids.length)
    await ctx.db
      .insert(campaignBusinessLines)
      .values(ids.map((businessLineId) => ({ campaignId: id, businessLineId })));
}

export async function createCampaign(ctx: Ctx, input: CampaignCreate): Promise<Campaign> {
  return inTransaction(ctx, async (tx) => {
    const { businessLineIds, ...fields } = input;
    const [row] = await tx.db
      .insert(campaigns)
      .values({
        ...fields,
        ownerId: ctx.actor.id,
        departmentId: ctx.actor.departmentId,
        searchText: campaignSearchText(input.name),
        createdBy: ctx.actor.id,
      })
      .returning({ id: campaigns.id });
    await setBusinessLines(tx, row.id, businessLineIds ?? []);
    const after = await getCampaign(tx, row.id);
    await recordAudit(tx, { action: 'create', entityType: 'campaign', entityId: row.id, after });
    return after;
  });
}

export async function updateCampaign(ctx: Ctx, id: string, patch: CampaignUpdate): Promise<Campaign> {
  return inTransaction(ctx, async (tx) => {
    const before = await getCampaign(tx, id);
    const { businessLineIds, ...fields } = patch;
    assertDatesInOrder(
      ctx,
      fields.startsOn === undefined ? before.startsOn : fields.startsOn,
      fields.endsOn === undefined ? before.endsOn : fields.endsOn,
    );
    await tx.db
      .update(campaigns)
      .set({
        ...fields,
        ...(fields.name ? { searchText: campaignSearchText(fields.name) } : {}),
        updatedAt: new Date(),
      })
      .where(eq(campaigns.id, id));
    if (businessLineIds)
      await setBusinessLines(
        tx,
        id,
        businessLineIds,
        before.businessLines.map((l) => l.id),
      );
    const after = await getCampaign(tx, id);
    await recordAudit(tx, { action: 'update', entityType: 'campaign', entityId: id, before, after });
    return after;
  });
}

/** Deletes a campaign no lead or opportunity came from (REFERENCE_IN_USE otherwise: the foreign keys say so). */
export async function deleteCampaign(ctx: Ctx, id: string): Promise<void> {
  await deleteGuarded(ctx, async (tx) => {
    const before = await getCampaign(tx, id);
    await tx.db.delete(campaigns).where(eq(campaigns.id, id));
    await recordAudit(tx, { action: 'delete', entityType: 'campaign', entityId: id, before });
  });
}
