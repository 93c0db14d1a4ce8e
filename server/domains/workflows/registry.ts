import type { InstanceStatus, SubjectSummary, WorkflowSubjectKind } from '../../../common/schemas/workflows';
import type { Ctx } from '../../context';

/**
 * What the engine knows of a subject when a flow starts (and again when it is resubmitted): the values
 * of the kind's condition fields (WORKFLOW_SUBJECTS in common/schemas/workflows.ts: money and percent
 * as decimal strings, ids as strings) and the people and units its steps may be resolved from.
 */
export type SubjectFacts = {
  fields: Record<string, string | null>;
  /** The subject's owner (e.g. the opportunity's salesperson). */
  ownerId: string | null;
  /** The department the subject belongs to (its owner's): `role-in-department` steps look here first. */
  departmentId: string | null;
  businessLineId: string | null;
  projectLeadId?: string | null;
};

/**
 * A subject kind's side of the engine (docs/WORKFLOWS.md). Each domain that sends records for
 * approval registers one at start-up (registerSubjectKind); the engine never imports the domains.
 */
export type SubjectKindHandler = {
  kind: WorkflowSubjectKind;
  /**
   * Reads the subject inside the submitting transaction, locked against concurrent edits: its facts
   * and "what is being approved". Throws NOT_FOUND when the actor may not see it.
   */
  describe(tx: Ctx, subjectId: string): Promise<{ facts: SubjectFacts; summary: SubjectSummary }>;
  /** May the actor see the subject? Who may see an instance is who may see its subject, plus its assignees. */
  canSee(ctx: Ctx, subjectId: string): Promise<boolean>;
  /**
   * Called in the deciding transaction when an instance ends or waits for its submitter: approved (the
   * subject may go on), rejected / withdrawn / returned (it is editable again).
   */
  onSettled(tx: Ctx, subjectId: string, status: Exclude<InstanceStatus, 'running'>): Promise<void>;
};

const handlers = new Map<WorkflowSubjectKind, SubjectKindHandler>();

export function registerSubjectKind(handler: SubjectKindHandler): void {
  handlers.set(handler.kind, handler);
}

export function handlerOf(kind: WorkflowSubjectKind): SubjectKindHandler {
  const handler = handlers.get(kind);
  if (!handler) throw new Error(`No workflow subject kind registered for ${kind}`);
  return handler;
}
