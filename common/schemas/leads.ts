import { z } from 'zod';
import { DateOnly, Email, Id, Money, Phone, Timestamp, listQuery, optionalText, text } from './common';

export const LEAD_STATUSES = ['new', 'contacting', 'qualified', 'disqualified', 'converted'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
/** Status moves a user may make (conversion has its own endpoint; a disqualified lead can be reopened). */
export const LEAD_TRANSITIONS: Record<LeadStatus, readonly LeadStatus[]> = {
  new: ['contacting', 'qualified', 'disqualified'],
  contacting: ['qualified', 'disqualified'],
  qualified: ['contacting', 'disqualified'],
  disqualified: ['contacting'],
  converted: [],
};
export const ASSIGNMENT_STRATEGIES = ['round-robin', 'least-open'] as const;
export type AssignmentStrategy = (typeof ASSIGNMENT_STRATEGIES)[number];

export const Lead = z.object({
  id: Id,
  companyName: z.string(),
  contactName: z.string().nullable(),
  contactTitle: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  wechat: z.string().nullable(),
  campaignId: Id.nullable(),
  campaignName: z.string().nullable(),
  businessLineId: Id.nullable(),
  businessLineName: z.string().nullable(),
  regionId: Id.nullable(),
  regionName: z.string().nullable(),
  source: z.string().nullable(),
  status: z.enum(LEAD_STATUSES),
  disqualifyReason: z.string().nullable(),
  notes: z.string().nullable(),
  /** null: waiting in a queue. */
  ownerId: Id.nullable(),
  ownerName: z.string().nullable(),
  queueDepartmentId: Id.nullable(),
  queueDepartmentName: z.string().nullable(),
  assignedAt: Timestamp.nullable(),
  /** The assignment rule that gave the lead its current owner or queue (null when a person assigned it). */
  assignedByRule: z.string().nullable(),
  customerId: Id.nullable(),
  opportunityId: Id.nullable(),
  convertedAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Lead = z.infer<typeof Lead>;

const leadFields = {
  companyName: text(200),
  contactName: optionalText(100),
  contactTitle: optionalText(100),
  phone: Phone.nullable().optional(),
  email: Email.nullable().optional(),
  wechat: optionalText(100),
  campaignId: Id.nullable().optional(),
  businessLineId: Id.nullable().optional(),
  regionId: Id.nullable().optional(),
  source: optionalText(100),
  notes: optionalText(4000),
};
export const LeadCreate = z.strictObject({
  ...leadFields,
  /** Give it to someone directly; without it the assignment rules decide. */
  ownerId: Id.optional(),
});
export type LeadCreate = z.infer<typeof LeadCreate>;
export const LeadUpdate = z.strictObject(leadFields).partial();
export type LeadUpdate = z.infer<typeof LeadUpdate>;

export const LeadStatusChange = z.strictObject({
  status: z.enum(['new', 'contacting', 'qualified', 'disqualified']),
  /** Required when disqualifying. */
  reason: optionalText(500),
});
export type LeadStatusChange = z.infer<typeof LeadStatusChange>;

/** Manual (re)assignment: to a person, or back to a department's queue (ownerId null). */
export const LeadAssign = z.strictObject({
  ownerId: Id.nullable(),
  queueDepartmentId: Id.nullable().optional(),
  reason: optionalText(500),
});
export type LeadAssign = z.infer<typeof LeadAssign>;

/**
 * Conversion of a qualified lead: link an existing customer (customerId) or create one from the
 * lead (with the duplicate check: a likely duplicate is refused unless `ignoreDuplicates`), link or
 * create the contact, and open the opportunity.
 */
export const LeadConvert = z.strictObject({
  customerId: Id.optional(),
  ignoreDuplicates: z.boolean().default(false),
  contactId: Id.optional(),
  opportunity: z.strictObject({
    /** Without one: convertedOpportunityName(company, business line), e.g. "西安华达建设工程有限公司 · 审计". */
    name: text(200).optional(),
    businessLineId: Id.optional(),
    expectedAmount: Money.nullable().optional(),
    expectedCloseOn: DateOnly.nullable().optional(),
  }),
});
export type LeadConvert = z.infer<typeof LeadConvert>;

/** The default name of the opportunity a lead becomes: "<company> · <business line>", the app's separator. */
export function convertedOpportunityName(companyName: string, businessLineName: string | null | undefined): string {
  return (businessLineName ? `${companyName} · ${businessLineName}` : companyName).slice(0, 200);
}
export const LeadConverted = z.object({
  leadId: Id,
  customerId: Id,
  contactId: Id.nullable(),
  opportunityId: Id,
  customerCreated: z.boolean(),
});
export type LeadConverted = z.infer<typeof LeadConverted>;

export const LEAD_VIEWS = ['visible', 'mine', 'team', 'queue'] as const;
export const LeadListQuery = listQuery(['createdAt', 'companyName', 'assignedAt'], {
  view: z.enum(LEAD_VIEWS).default('visible'),
  status: z.enum(LEAD_STATUSES).optional(),
  campaignId: Id.optional(),
  businessLineId: Id.optional(),
  regionId: Id.optional(),
  ownerId: Id.optional(),
  // The reports' drill-down (lead conversion): leads created in a range of the firm's local dates (both included),
  // of a source, of an assignee's branch or department (subtree), and whether they became an opportunity / a won one.
  createdFrom: DateOnly.optional(),
  createdTo: DateOnly.optional(),
  source: z.string().trim().min(1).max(100).optional(),
  branchId: Id.optional(),
  departmentId: Id.optional(),
  converted: z.enum(['true', 'false']).optional(),
  won: z.enum(['true', 'false']).optional(),
});
export type LeadListQuery = z.infer<typeof LeadListQuery>;

export const LeadStatusEntry = z.object({
  id: Id,
  fromStatus: z.enum(LEAD_STATUSES).nullable(),
  toStatus: z.enum(LEAD_STATUSES),
  reason: z.string().nullable(),
  at: Timestamp,
  byUserId: Id.nullable(),
  byUserName: z.string().nullable(),
});
export const LeadAssignmentEntry = z.object({
  id: Id,
  fromUserId: Id.nullable(),
  fromUserName: z.string().nullable(),
  toUserId: Id.nullable(),
  toUserName: z.string().nullable(),
  queueDepartmentId: Id.nullable(),
  queueDepartmentName: z.string().nullable(),
  ruleId: Id.nullable(),
  ruleName: z.string().nullable(),
  strategy: z.enum(ASSIGNMENT_STRATEGIES).nullable(),
  reason: z.string().nullable(),
  at: Timestamp,
  byUserId: Id.nullable(),
  byUserName: z.string().nullable(),
});
export const LeadHistory = z.object({ statuses: LeadStatusEntry.array(), assignments: LeadAssignmentEntry.array() });
export type LeadHistory = z.infer<typeof LeadHistory>;

// ---------- assignment rules ----------

export const AssignmentRule = z.object({
  id: Id,
  name: z.string(),
  position: z.int(),
  businessLineId: Id.nullable(),
  businessLineName: z.string().nullable(),
  regionId: Id.nullable(),
  regionName: z.string().nullable(),
  source: z.string().nullable(),
  strategy: z.enum(ASSIGNMENT_STRATEGIES),
  queueDepartmentId: Id.nullable(),
  queueDepartmentName: z.string().nullable(),
  active: z.boolean(),
  members: z.array(z.object({ id: Id, name: z.string(), active: z.boolean() })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type AssignmentRule = z.infer<typeof AssignmentRule>;

const ruleFields = {
  name: text(100),
  position: z.int().min(0).max(10000).optional(),
  businessLineId: Id.nullable().optional(),
  regionId: Id.nullable().optional(),
  source: optionalText(100),
  strategy: z.enum(ASSIGNMENT_STRATEGIES),
  queueDepartmentId: Id.nullable().optional(),
  active: z.boolean().optional(),
  memberIds: z.array(Id).max(200),
};
export const AssignmentRuleCreate = z.strictObject(ruleFields);
export type AssignmentRuleCreate = z.infer<typeof AssignmentRuleCreate>;
export const AssignmentRuleUpdate = z.strictObject(ruleFields).partial();
export type AssignmentRuleUpdate = z.infer<typeof AssignmentRuleUpdate>;
