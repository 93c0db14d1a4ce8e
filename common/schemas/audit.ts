import { z } from 'zod';
import { Id, Timestamp, listQuery } from './common';

/** The record types the audit log holds so far (entityType values); later domains add theirs. */
export const AUDIT_ENTITY_TYPES = [
  'user',
  'department',
  'branch',
  'region',
  'business-line',
  'role',
  'customer',
  'contact',
  'contact-log',
  'customer-service',
  'evaluation-sheet',
  'customer-settings',
  'campaign',
  'lead',
  'assignment-rule',
  'opportunity',
  'renewal',
  'renewal-rule',
  'pipeline',
  'quote',
  'acceptance-checklist',
  'business-line-conflicts',
  'activity',
  'project-milestone',
  'project-task',
  'mail',
  'reminder',
  'activity-category',
  'mail-template',
  'suggestion',
  'calendar-feed',
  'api-token',
  'workflow',
  'workflow-instance',
  'workflow-delegation',
  'number-series',
  'contract-template',
  'engagement-template',
  'contract',
  'order',
  'payment-term',
  'receipt',
  'invoice',
  'engagement',
  'engagement-task',
  'engagement-task-note',
  'timesheet',
  'person-profile',
  'qualification',
  'cpe-entry',
  'cpe-requirements',
  'commission-policy',
  'commission-sheet',
  'report-pin',
  'report-subscription',
  /** The firm's target sales cycle per business line (the sales-cycle report's best practice). */
  'sales-cycle-targets',
  /** The knowledge base 知识库 (issue 17). */
  'knowledge-article',
  /** A guided-selling playbook 销售指引 (a business line × stage, or a lead status). */
  'playbook',
  /** A chat conversation 会话 (made, changed, archived, exported) and a message (edited, deleted: its history). */
  'conversation',
  'chat-message',
  /** A cross-sell suggestion 交叉销售建议 accepted or dismissed (issue 19). */
  'cross-sell-suggestion',
] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

export const AUDIT_ACTIONS = [
  'create',
  'update',
  'delete',
  'activate',
  'deactivate',
  'reset-password',
  'change-password',
  'claim',
  'release',
  'assign',
  'share',
  'merge',
  'auto-release',
  'status',
  'convert',
  'move',
  'won',
  'lost',
  'reopen',
  'revoke',
  'submit',
  'sign',
  'complete',
  'terminate',
  'void',
  'confirm',
  'cancel',
  'publish',
  'reverse',
  /** An engagement's report issued 出具报告 (its number and signing CPAs). */
  'report',
  /** An engagement archived 归档 and closed 结项. */
  'archive',
  /** A commission policy version adopted 启用 (in force from its date). */
  'adopt',
  /** A commission line's amount changed by hand (who, at which step, why). */
  'adjust',
  /** A commission sheet paid out 佣金发放. */
  'pay',
  /** A duplicate check named a customer the asker cannot see (who asked, what they were told). */
  'disclose',
  /** A conversation exported 导出 by an administrator (a dispute). */
  'export',
  /** A contact's personal data erased on request (个人信息保护法): anonymised in place. */
  'erase',
  /** A customer put under legal hold 法律保全, or released from it. */
  'legal-hold',
  /** Two-factor sign-in turned on by the person (at sign-in or in their settings) or off by them. */
  'enable-two-factor',
  'disable-two-factor',
  /** An administrator reset a person's second factor (a lost phone); their sessions ended. */
  'reset-two-factor',
  /** New recovery codes made (the old ones stop working). */
  'regenerate-recovery-codes',
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditLog = z.object({
  id: Id,
  at: Timestamp,
  actorId: Id.nullable(),
  actorName: z.string().nullable(),
  action: AuditAction,
  entityType: z.string(),
  entityId: Id,
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  requestId: z.string().nullable(),
});
export type AuditLog = z.infer<typeof AuditLog>;

/** The audit log is filtered, not searched: no `q` (an unknown parameter is refused, never ignored). */
export const AuditListQuery = listQuery(['at'], {
  entityType: z.enum(AUDIT_ENTITY_TYPES).optional(),
  entityId: Id.optional(),
  actorId: Id.optional(),
  action: AuditAction.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
}).omit({ q: true });
export type AuditListQuery = z.infer<typeof AuditListQuery>;
