import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type {
  SubjectSummary,
  WorkflowCondition,
  WorkflowStep,
  WORKFLOW_SUBJECT_KINDS,
} from '../../../common/schemas/workflows';
import {
  ASSIGNMENT_REASONS,
  DECISIONS,
  INSTANCE_STATUSES,
  TRANSITION_ACTIONS,
} from '../../../common/schemas/workflows';
import { auditedColumns } from '../../db/columns';
import { users } from '../staff/staff.tables';

type SubjectKind = (typeof WORKFLOW_SUBJECT_KINDS)[number];

/** A flow as it is now: the current version's content, copied here for listing and choosing. */
export const workflows = pgTable(
  'workflows',
  {
    ...auditedColumns(),
    subjectKind: text('subject_kind').$type<SubjectKind>().notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    priority: integer('priority').notNull(),
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull(),
    conditions: jsonb('conditions').$type<WorkflowCondition[]>().notNull(),
    steps: jsonb('steps').$type<WorkflowStep[]>().notNull(),
    fallbackUserId: uuid('fallback_user_id')
      .notNull()
      .references(() => users.id),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [index('workflows_kind_idx').on(t.subjectKind, t.priority)],
);

/** Every version of a flow, never changed: an instance runs the version it started with. */
export const workflowVersions = pgTable(
  'workflow_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workflowId: uuid('workflow_id')
      .notNull()
      .references(() => workflows.id),
    version: integer('version').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    conditions: jsonb('conditions').$type<WorkflowCondition[]>().notNull(),
    steps: jsonb('steps').$type<WorkflowStep[]>().notNull(),
    fallbackUserId: uuid('fallback_user_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by').references(() => users.id),
  },
  (t) => [uniqueIndex('workflow_versions_key').on(t.workflowId, t.version)],
);

/**
 * One run of a flow on one subject. `round` counts the steps started (a step started again after a
 * return is a new round): assignments belong to a round, so a decision on an earlier visit of a step
 * never counts for a later one. At most one instance per subject is open (running or returned).
 */
export const workflowInstances = pgTable(
  'workflow_instances',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workflowId: uuid('workflow_id')
      .notNull()
      .references(() => workflows.id),
    versionId: uuid('version_id')
      .notNull()
      .references(() => workflowVersions.id),
    subjectKind: text('subject_kind').$type<SubjectKind>().notNull(),
    subjectId: uuid('subject_id').notNull(),
    status: text('status', { enum: INSTANCE_STATUSES }).notNull(),
    /** 1-based; null when not running. */
    currentStep: integer('current_step'),
    round: integer('round').notNull().default(0),
    stepStartedAt: timestamp('step_started_at', { withTimezone: true }),
    dueAt: timestamp('due_at', { withTimezone: true }),
    /** What was submitted, as the subject kind described it then. */
    summary: jsonb('summary').$type<SubjectSummary>().notNull(),
    /** The subject's facts when submitted (condition fields and people), for resolving later steps alike. */
    facts: jsonb('facts').$type<Record<string, unknown>>().notNull(),
    submittedBy: uuid('submitted_by')
      .notNull()
      .references(() => users.id),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** The round whose time limit has been announced: each overdue step is announced once. */
    remindedRound: integer('reminded_round'),
    /** How many transitions it has: the next one's sequence number (a second writer's insert collides). */
    transitions: integer('transitions').notNull().default(0),
  },
  (t) => [
    index('workflow_instances_subject_idx').on(t.subjectKind, t.subjectId, t.submittedAt),
    index('workflow_instances_submitter_idx').on(t.submittedBy, t.submittedAt),
    uniqueIndex('workflow_instances_open_key')
      .on(t.subjectKind, t.subjectId)
      .where(sql`status IN ('running', 'returned')`),
  ],
);

/** Who holds a step in a round, and what they decided. `open` while the step waits for them. */
export const workflowAssignments = pgTable(
  'workflow_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    instanceId: uuid('instance_id')
      .notNull()
      .references(() => workflowInstances.id),
    round: integer('round').notNull(),
    step: integer('step').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    reason: text('reason', { enum: ASSIGNMENT_REASONS }).notNull(),
    /** Delegated or standing: whom the assignment is for. */
    forUserId: uuid('for_user_id').references(() => users.id),
    open: boolean('open').notNull().default(true),
    decision: text('decision', { enum: DECISIONS }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('workflow_assignments_instance_idx').on(t.instanceId, t.round),
    index('workflow_assignments_waiting_idx')
      .on(t.userId, t.createdAt)
      .where(sql`open`),
    index('workflow_assignments_decided_idx')
      .on(t.userId, t.decidedAt)
      .where(sql`decision IS NOT NULL`),
  ],
);

/**
 * The history of an instance, append-only: every submit, decision, return, delegation, reassignment
 * and reminder, with who, when, the comment and the people a step was resolved to. `seq` is unique
 * per instance, so two writers that both read the same state cannot both append their transition.
 */
export const workflowTransitions = pgTable(
  'workflow_transitions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    instanceId: uuid('instance_id')
      .notNull()
      .references(() => workflowInstances.id),
    seq: integer('seq').notNull(),
    action: text('action', { enum: TRANSITION_ACTIONS }).notNull(),
    step: integer('step'),
    toStep: integer('to_step'),
    actorId: uuid('actor_id').references(() => users.id),
    forUserId: uuid('for_user_id').references(() => users.id),
    comment: text('comment'),
    assignees: jsonb('assignees').$type<{ id: string; name: string }[]>().notNull().default([]),
    note: text('note'),
    /** Documents the actor attached to the decision (files owned by the instance). */
    attachmentIds: jsonb('attachment_ids').$type<string[]>().notNull().default([]),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('workflow_transitions_seq_key').on(t.instanceId, t.seq)],
);

/** While a person is away (from–to, inclusive), steps that reach them go to their delegate. */
export const workflowDelegations = pgTable(
  'workflow_delegations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    delegateId: uuid('delegate_id')
      .notNull()
      .references(() => users.id),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('workflow_delegations_user_idx').on(t.userId, t.endsOn)],
);
