import { z } from 'zod';
import { DateOnly, Id, Money, Timestamp, listQuery, optionalText, text } from './common';

export const CAMPAIGN_TYPES = ['seminar', 'mailing', 'referral', 'web', 'exhibition', 'other'] as const;
export const CAMPAIGN_STATUSES = ['planned', 'active', 'completed', 'cancelled'] as const;

export const Campaign = z.object({
  id: Id,
  name: z.string(),
  type: z.enum(CAMPAIGN_TYPES),
  status: z.enum(CAMPAIGN_STATUSES),
  startsOn: DateOnly.nullable(),
  endsOn: DateOnly.nullable(),
  budget: Money.nullable(),
  businessLines: z.array(z.object({ id: Id, name: z.string() })),
  ownerId: Id,
  ownerName: z.string(),
  description: z.string().nullable(),
  /** Attribution: leads from the campaign, how many converted, and the won amount of opportunities it brought. */
  leadCount: z.int(),
  convertedCount: z.int(),
  wonAmount: Money,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Campaign = z.infer<typeof Campaign>;

const campaignFields = {
  name: text(200),
  type: z.enum(CAMPAIGN_TYPES),
  status: z.enum(CAMPAIGN_STATUSES).optional(),
  startsOn: DateOnly.nullable().optional(),
  endsOn: DateOnly.nullable().optional(),
  budget: Money.nullable().optional(),
  businessLineIds: z.array(Id).max(50).optional(),
  description: optionalText(4000),
};
const datesInOrder = (c: { startsOn?: string | null; endsOn?: string | null }) =>
  !c.startsOn || !c.endsOn || c.startsOn <= c.endsOn;
const datesIssue = { message: 'validation.endBeforeStart', path: ['endsOn'] };

export const CampaignCreate = z.strictObject(campaignFields).refine(datesInOrder, datesIssue);
export type CampaignCreate = z.infer<typeof CampaignCreate>;
export const CampaignUpdate = z.strictObject(campaignFields).partial().refine(datesInOrder, datesIssue);
export type CampaignUpdate = z.infer<typeof CampaignUpdate>;

export const CampaignListQuery = listQuery(['name', 'startsOn', 'createdAt'], {
  type: z.enum(CAMPAIGN_TYPES).optional(),
  status: z.enum(CAMPAIGN_STATUSES).optional(),
  businessLineId: Id.optional(),
});
export type CampaignListQuery = z.infer<typeof CampaignListQuery>;
