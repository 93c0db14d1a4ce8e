import { z } from 'zod';
import { Id, Timestamp, listQuery, optionalText, text } from './common';

export const ACTIVITY_STATUSES = ['planned', 'done', 'cancelled'] as const;
/** Built-in categories (call, visit, e-mail, meeting, proposal, materials sent, question answered, quote, negotiation, solution discussion, other). */
export const ACTIVITY_CATEGORIES = [
  'call',
  'visit',
  'email',
  'meeting',
  'proposal',
  'discussion',
  'materials',
  'question',
  'quote',
  'negotiation',
  'other',
] as const;
export type ActivityCategory = (typeof ACTIVITY_CATEGORIES)[number];

/** A category's code: built-in ones above, or one the firm added (lower-case letters, digits, hyphens). */
export const CategoryCode = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { message: 'validation.categoryCode' });

/** The firm's activity categories: the built-in ones (which can be renamed or switched off) and its own. */
export const ActivityCategoryItem = z.object({
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  active: z.boolean(),
  position: z.int(),
  builtin: z.boolean(),
});
export type ActivityCategoryItem = z.infer<typeof ActivityCategoryItem>;
export const ActivityCategoryCreate = z.strictObject({
  code: CategoryCode,
  nameZh: text(30),
  nameEn: text(60),
  position: z.int().min(0).max(1000).optional(),
});
export type ActivityCategoryCreate = z.infer<typeof ActivityCategoryCreate>;
export const ActivityCategoryUpdate = z
  .strictObject({ nameZh: text(30), nameEn: text(60), active: z.boolean(), position: z.int().min(0).max(1000) })
  .partial();
export type ActivityCategoryUpdate = z.infer<typeof ActivityCategoryUpdate>;
export const CategoryParams = z.strictObject({ code: CategoryCode });

export const Activity = z.object({
  id: Id,
  category: z.string(),
  subject: z.string(),
  notes: z.string().nullable(),
  status: z.enum(ACTIVITY_STATUSES),
  dueAt: Timestamp.nullable(),
  doneAt: Timestamp.nullable(),
  ownerId: Id,
  ownerName: z.string(),
  /** Further people it is assigned to (besides the owner); they see it and are reminded too. */
  assignees: z.array(z.object({ id: Id, name: z.string() })),
  customerId: Id.nullable(),
  customerName: z.string().nullable(),
  contactId: Id.nullable(),
  contactName: z.string().nullable(),
  leadId: Id.nullable(),
  leadName: z.string().nullable(),
  opportunityId: Id.nullable(),
  opportunityName: z.string().nullable(),
  /** The opportunity's stage when the activity was done (null for planned ones and outside opportunities). */
  stageId: Id.nullable(),
  stageNameZh: z.string().nullable(),
  stageNameEn: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Activity = z.infer<typeof Activity>;

export const ActivityCreate = z.strictObject({
  /** An active category (see /activity-categories). */
  category: CategoryCode,
  subject: text(200),
  notes: optionalText(4000),
  /** done: it happened (doneAt defaults to now); planned: due at dueAt. */
  status: z.enum(['planned', 'done']).default('done'),
  dueAt: z.iso.datetime({ offset: true }).nullable().optional(),
  doneAt: z.iso.datetime({ offset: true }).nullable().optional(),
  customerId: Id.nullable().optional(),
  contactId: Id.nullable().optional(),
  leadId: Id.nullable().optional(),
  opportunityId: Id.nullable().optional(),
  assigneeIds: z.array(Id).max(20).optional(),
});
export type ActivityCreate = z.input<typeof ActivityCreate>;

/**
 * Without `sort` the list is an agenda: planned activities first by due time, then the others
 * newest first. `customerId` also finds the activities on the customer's opportunities and leads.
 */
export const ActivityListQuery = listQuery(['dueAt', 'doneAt', 'createdAt'], {
  customerId: Id.optional(),
  leadId: Id.optional(),
  opportunityId: Id.optional(),
  status: z.enum(ACTIVITY_STATUSES).optional(),
  ownerId: Id.optional(),
  /** Due at or after / before (planned work in a period, e.g. a calendar). */
  dueFrom: z.iso.datetime({ offset: true }).optional(),
  dueTo: z.iso.datetime({ offset: true }).optional(),
});
export type ActivityListQuery = z.infer<typeof ActivityListQuery>;

/** Changes to an activity's content and times; its parent records never change. */
export const ActivityUpdate = z
  .strictObject({
    category: CategoryCode,
    subject: text(200),
    notes: optionalText(4000),
    /** Planned activities only: reschedule (not into the past). */
    dueAt: z.iso.datetime({ offset: true }),
    /** Done activities only: when it happened (not in the future). */
    doneAt: z.iso.datetime({ offset: true }),
    contactId: Id.nullable(),
    /** Replaces the further assignees. */
    assigneeIds: z.array(Id).max(20),
  })
  .partial();
export type ActivityUpdate = z.infer<typeof ActivityUpdate>;

/** The next step planned while completing one: same parents, planned, due at `dueAt`. */
export const ActivityNext = z.strictObject({
  category: CategoryCode,
  subject: text(200),
  notes: optionalText(4000),
  dueAt: z.iso.datetime({ offset: true }),
  contactId: Id.nullable().optional(),
});
export type ActivityNext = z.infer<typeof ActivityNext>;

/** Completing a planned activity: what came of it, when (default now), and optionally the next one. */
export const ActivityComplete = z.strictObject({
  notes: optionalText(4000),
  doneAt: z.iso.datetime({ offset: true }).optional(),
  next: ActivityNext.optional(),
});
export type ActivityComplete = z.infer<typeof ActivityComplete>;

export const ActivityCompleted = z.object({ completed: Activity, next: Activity.nullable() });
export type ActivityCompleted = z.infer<typeof ActivityCompleted>;
