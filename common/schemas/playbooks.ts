import { z } from 'zod';
import { CategoryCode } from './activities';
import { Id, Timestamp, text, optionalText } from './common';
import { LEAD_STATUSES } from './leads';

/**
 * Guided selling 销售指引 (issue 17): a playbook per business line × opportunity stage, or per business line
 * (none: every line) × lead status. Entering the stage (or status) schedules its activities; the record's
 * page shows its checklist, templates and articles.
 */
export const PLAYBOOK_KINDS = ['opportunity', 'lead'] as const;
export type PlaybookKind = (typeof PLAYBOOK_KINDS)[number];

/** Who a scheduled activity is for: the record's owner, the owner's department manager, or a named colleague. */
export const PlaybookAssignee = z.union([z.enum(['owner', 'owner-manager']), Id]);

export const PLAYBOOK_OFFSET_MAX = 365;

export const PlaybookActivity = z.strictObject({
  subject: text(200),
  category: CategoryCode,
  /** Days after the day the stage is entered (the firm's calendar), −365..365. */
  dueOffsetDays: z.int().min(-PLAYBOOK_OFFSET_MAX).max(PLAYBOOK_OFFSET_MAX),
  assignee: PlaybookAssignee,
  notes: optionalText(2000),
});
export type PlaybookActivity = z.output<typeof PlaybookActivity>;

export const PlaybookChecklistItem = z.strictObject({
  /** Stable across edits (ticks refer to it); a new item may leave it out and is given one. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .optional(),
  text: text(300),
});

const playbookContent = {
  activities: z.array(PlaybookActivity).max(30).default([]),
  checklist: z.array(PlaybookChecklistItem).max(50).default([]),
  templateIds: z.array(Id).max(20).default([]),
  articleIds: z.array(Id).max(20).default([]),
  active: z.boolean().default(true),
};

export const PlaybookCreate = z.strictObject({
  kind: z.enum(PLAYBOOK_KINDS),
  /** Required for an opportunity playbook; for a lead playbook, null means every line. */
  businessLineId: Id.nullable().default(null),
  /** An opportunity playbook's stage (a stage of the line's pipeline). */
  stageId: Id.nullable().default(null),
  /** A lead playbook's status. */
  leadStatus: z.enum(LEAD_STATUSES).nullable().default(null),
  ...playbookContent,
});
export type PlaybookCreate = z.output<typeof PlaybookCreate>;

/** Replaces the content; what the playbook is for (kind, line, stage or status) stays. */
export const PlaybookUpdate = z.strictObject({
  activities: playbookContent.activities.optional(),
  checklist: playbookContent.checklist.optional(),
  templateIds: playbookContent.templateIds.optional(),
  articleIds: playbookContent.articleIds.optional(),
  active: z.boolean().optional(),
});
export type PlaybookUpdate = z.output<typeof PlaybookUpdate>;

export const Playbook = z.object({
  id: Id,
  kind: z.enum(PLAYBOOK_KINDS),
  businessLineId: Id.nullable(),
  businessLineName: z.string().nullable(),
  stageId: Id.nullable(),
  stageNameZh: z.string().nullable(),
  stageNameEn: z.string().nullable(),
  stagePosition: z.int().nullable(),
  leadStatus: z.enum(LEAD_STATUSES).nullable(),
  activities: z.array(
    z.object({
      subject: z.string(),
      category: z.string(),
      dueOffsetDays: z.int(),
      assignee: z.string(),
      notes: z.string().nullable().optional(),
    }),
  ),
  checklist: z.array(z.object({ id: z.string(), text: z.string() })),
  templateIds: z.array(Id),
  articleIds: z.array(Id),
  active: z.boolean(),
  updatedAt: Timestamp,
  updatedBy: Id.nullable(),
  updatedByName: z.string().nullable(),
});
export type Playbook = z.infer<typeof Playbook>;

export const PlaybookListQuery = z.strictObject({
  kind: z.enum(PLAYBOOK_KINDS).optional(),
  businessLineId: Id.optional(),
});
export type PlaybookListQuery = z.infer<typeof PlaybookListQuery>;

/** An article of a guide: its title only when the reader may see it ("not available" otherwise). */
export const GuideArticle = z.object({
  id: Id,
  available: z.boolean(),
  title: z.string().nullable(),
  kind: z.string().nullable(),
});

export const GuideActivity = z.object({
  id: Id,
  subject: z.string(),
  category: z.string(),
  status: z.string(),
  dueAt: Timestamp.nullable(),
  doneAt: Timestamp.nullable(),
  ownerId: Id,
  ownerName: z.string(),
});

/** What the record's page shows: its playbook (null when none applies) and what it scheduled. */
export const Guide = z.object({
  playbookId: Id.nullable(),
  stageId: Id.nullable(),
  leadStatus: z.enum(LEAD_STATUSES).nullable(),
  /** Whether the reader may tick the checklist. */
  writable: z.boolean(),
  checklist: z.array(
    z.object({
      id: z.string(),
      text: z.string(),
      done: z.boolean(),
      doneBy: z.string().nullable(),
      doneAt: Timestamp.nullable(),
    }),
  ),
  activities: z.array(GuideActivity),
  templates: z.array(GuideArticle),
  articles: z.array(GuideArticle),
});
export type Guide = z.infer<typeof Guide>;

export const GuideTick = z.strictObject({ itemId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), done: z.boolean() });
export type GuideTick = z.infer<typeof GuideTick>;
