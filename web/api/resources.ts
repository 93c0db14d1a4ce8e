import type { z } from 'zod';
import type { AuditListQuery, AuditLog } from '../../common/schemas/audit';
import type {
  AdminApiToken,
  AdminApiTokenListQuery,
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  ChangePassword,
  LoginAnswer,
  LoginBody,
  Me,
  TwoFactorEnrolment,
  TwoFactorLoginAnswer,
  TwoFactorStatus,
  UpdateMe,
} from '../../common/schemas/auth';
import type { BackupRun } from '../../common/schemas/backups';
import type { Page } from '../../common/schemas/common';
import type { Attachment } from '../../common/schemas/files';
import type {
  Engagement,
  EngagementCancel,
  EngagementCreate,
  EngagementListQuery,
  EngagementsCreated,
  EngagementSummary,
  EngagementUpdate,
  MembersInput,
  ReportIssue,
  StaffingSuggestions,
  Task,
  TaskCreate,
  TaskNote,
  TaskNoteInput,
  TaskStatus,
  TaskUpdate,
  WorkOrder,
  WorkOrderListQuery,
  EngagementRole,
} from '../../common/schemas/engagements';
import type {
  Activity,
  ActivityComplete,
  ActivityCompleted,
  ActivityCreate,
  ActivityListQuery,
  ActivityUpdate,
} from '../../common/schemas/activities';
import type { Campaign, CampaignCreate, CampaignListQuery, CampaignUpdate } from '../../common/schemas/campaigns';
import type {
  EngagementBudget,
  TimeEntry,
  TimeEntryListQuery,
  TimesheetInput,
  TimesheetWeek,
} from '../../common/schemas/timesheets';
import type { Workload } from '../../common/schemas/workload';
import type { ReportAnswer, ReportCatalogue, ReportKind } from '../../common/schemas/reports';
import type { Dashboard, ReportPin, ReportSubscription } from '../../common/schemas/dashboard';
import type {
  CpeEntry,
  CpeEntryInput,
  CpeRequirement,
  CpeShortfallQuery,
  CpeShortfallRow,
  PersonProfileInput,
  PersonRecord,
  Qualification,
  QualificationInput,
} from '../../common/schemas/people';
import type { ImportColumns } from '../../common/schemas/transfer';
import type {
  AssignmentRule,
  AssignmentRuleCreate,
  AssignmentRuleUpdate,
  Lead,
  LeadAssign,
  LeadConvert,
  LeadConverted,
  LeadCreate,
  LeadHistory,
  LeadListQuery,
  LeadStatusChange,
  LeadUpdate,
} from '../../common/schemas/leads';
import type {
  AnswerCard,
  Contact,
  ContactCreate,
  ContactListQuery,
  ContactLog,
  ContactLogCreate,
  ContactLogListQuery,
  Customer,
  CustomerCreate,
  CustomerListQuery,
  CustomerOverview,
  CustomerUpdate,
  CustomerSettings,
  DuplicateCandidate,
  Evaluation,
  EvaluationSheet,
  EvaluationSheetInput,
  OwnerChange,
} from '../../common/schemas/customers';
import type {
  Branch,
  BranchCreate,
  BranchUpdate,
  BusinessLine,
  BusinessLineCreate,
  BusinessLineUpdate,
  Department,
  DepartmentCreate,
  DepartmentListQuery,
  DepartmentUpdate,
  ReferenceListQuery,
  Role,
  RoleCreate,
  RoleListQuery,
  RoleUpdate,
  User,
  UserCreate,
  UserListQuery,
  UserUpdate,
  DirectoryEntry,
} from '../../common/schemas/staff';
import type {
  Acceptance,
  AcceptanceChecklist,
  AcceptanceChecklistInput,
  AcceptanceInput,
  Board,
  BoardQuery,
  ConflictPair,
  ConflictPairsInput,
  IndependenceCheck,
  MilestoneCreate,
  MilestoneUpdate,
  Opportunity,
  OpportunityCreate,
  OpportunityListQuery,
  OpportunityMembersInput,
  OpportunityMove,
  OpportunityReopen,
  OpportunityTotals,
  OpportunityUpdate,
  Pipeline,
  PipelineInput,
  Project,
  ProjectTaskCreate,
  ProjectTaskUpdate,
  Quote,
  QuoteCreate,
  Stage,
  StageChange,
} from '../../common/schemas/opportunities';
import type {
  Renewal,
  RenewalDue,
  RenewalDueQuery,
  RenewalListQuery,
  RenewalRaise,
  RenewalRateQuery,
  RenewalRateRow,
  RenewalRule,
  RenewalRuleUpdate,
  RenewalRunResult,
} from '../../common/schemas/renewals';
import type { CalendarItems, CalendarScope } from '../../common/schemas/calendar';
import type {
  NotificationPage,
  OutboxListQuery,
  OutboxMail,
  Preferences,
  PreferencesUpdate,
} from '../../common/schemas/notifications';
import type { Reminder, ReminderCreate } from '../../common/schemas/reminders';
import type { StageDurations, StageDurationsQuery, StageTimes } from '../../common/schemas/stage-times';
import type { MailTemplate, MailTemplateUpdate, Suggestion, SuggestionSend } from '../../common/schemas/suggestions';
import type { Today } from '../../common/schemas/today';
import type {
  ApprovalCount,
  ApprovalListQuery,
  Decision,
  Instance,
  SubjectApprovals,
  InstanceSummary,
  StandingDelegation,
  StandingDelegationInput,
  Workflow,
  WorkflowInput,
  WorkflowListQuery,
  WorkflowSubjectKind,
  WorkflowVersion,
} from '../../common/schemas/workflows';
import type {
  ActivityCategoryCreate,
  ActivityCategoryItem,
  ActivityCategoryUpdate,
} from '../../common/schemas/activities';
import type {
  Invoice,
  InvoiceCreate,
  InvoiceListQuery,
  Receipt,
  ReceiptAllocate,
  ReceiptCreate,
  ReceiptListQuery,
  Receivables,
  ReceivablesQuery,
  ReceivableTerm,
  ReceivableTermsQuery,
} from '../../common/schemas/receivables';
import type {
  ContractTemplate,
  ContractTemplateListQuery,
  TemplateFieldInfo,
} from '../../common/schemas/contract-templates';
import type {
  EngagementTemplate,
  EngagementTemplateInput,
  EngagementTemplateListQuery,
} from '../../common/schemas/engagements';
import type {
  Contract,
  ContractCreate,
  ContractListQuery,
  ContractReason,
  ContractSign,
  ContractSummary,
  ContractUpdate,
  Order,
  OrderComplete,
  OrderConfirm,
  OrderCreate,
  OrderListQuery,
  RecurringUpdate,
} from '../../common/schemas/contracts';
import type {
  NumberRegister,
  NumberSeries,
  NumberSeriesCreate,
  NumberSeriesUpdate,
} from '../../common/schemas/numbering';
import type {
  CommissionReport,
  CommissionReportQuery,
  LineAdjust,
  MonthDraft,
  Policy,
  PolicyInput,
  Sheet,
  SheetCreate,
  SheetListQuery,
  SheetSummary,
} from '../../common/schemas/commissions';
import type { SalesCycleTargets, SalesCycleTargetsInput } from '../../common/schemas/sales-cycle-targets';
import type { CustomerFigures, TimelinePage, TimelineQuery } from '../../common/schemas/customer-story';
import type {
  CrossSellAccept,
  CrossSellConversionRow,
  CrossSellDismiss,
  CrossSellListQuery,
  CrossSellRun,
  CrossSellSuggestion,
} from '../../common/schemas/cross-sell';
import { api, toQueryString, type QueryParams } from './client';

type Ok = { ok: true };

/** List parameters as the web app sends them: every field optional. */
export type ListParams<Q extends z.ZodType> = Partial<z.infer<Q>> & QueryParams;

/** The five REST routes every `/api/v1/<name>` collection has, typed from the shared schemas. */
export type Resource<T, Create, Update, Params> = {
  path: string;
  list: (params?: Params) => Promise<Page<T>>;
  get: (id: string) => Promise<T>;
  create: (body: Create) => Promise<T>;
  update: (id: string, body: Update) => Promise<T>;
  remove: (id: string) => Promise<Ok>;
};

function resource<T, Create, Update, Params extends QueryParams>(name: string): Resource<T, Create, Update, Params> {
  const path = `/api/v1/${name}`;
  return {
    path,
    list: (params) => api<Page<T>>(path, { query: params }),
    get: (id) => api<T>(`${path}/${id}`),
    create: (body) => api<T>(path, { method: 'POST', body }),
    update: (id, body) => api<T>(`${path}/${id}`, { method: 'PATCH', body }),
    remove: (id) => api<Ok>(`${path}/${id}`, { method: 'DELETE' }),
  };
}

export type UserCreateInput = z.input<typeof UserCreate>;
export type UserUpdateInput = z.input<typeof UserUpdate>;
export type UserListParams = ListParams<typeof UserListQuery>;
export type ReferenceListParams = ListParams<typeof ReferenceListQuery>;
export type AuditListParams = ListParams<typeof AuditListQuery>;

export const usersApi = {
  ...resource<User, UserCreateInput, UserUpdateInput, UserListParams>('users'),
  setActive: (id: string, active: boolean) =>
    api<User>(`/api/v1/users/${id}/${active ? 'activate' : 'deactivate'}`, { method: 'POST' }),
  resetPassword: (id: string, newPassword: string) =>
    api<Ok>(`/api/v1/users/${id}/reset-password`, { method: 'POST', body: { newPassword } }),
  /** Clears the person's second factor (a lost phone); their sessions end. */
  resetTwoFactor: (id: string) => api<Ok>(`/api/v1/users/${id}/reset-two-factor`, { method: 'POST' }),
  /** Active colleagues for pickers, whatever the staff:read scope. */
  directory: () => api<DirectoryEntry[]>('/api/v1/users/directory', { query: { limit: 200 } }),
};

export const departmentsApi = resource<
  Department,
  z.input<typeof DepartmentCreate>,
  z.input<typeof DepartmentUpdate>,
  ListParams<typeof DepartmentListQuery>
>('departments');
export const branchesApi = resource<
  Branch,
  z.input<typeof BranchCreate>,
  z.input<typeof BranchUpdate>,
  ReferenceListParams
>('branches');
export const regionsApi = resource<
  Branch,
  z.input<typeof BranchCreate>,
  z.input<typeof BranchUpdate>,
  ReferenceListParams
>('regions');
export const businessLinesApi = resource<
  BusinessLine,
  z.input<typeof BusinessLineCreate>,
  z.input<typeof BusinessLineUpdate>,
  ReferenceListParams
>('business-lines');
export const rolesApi = resource<
  Role,
  z.input<typeof RoleCreate>,
  z.input<typeof RoleUpdate>,
  ListParams<typeof RoleListQuery>
>('roles');

export type CustomerListParams = ListParams<typeof CustomerListQuery>;
export type CustomerCreateInput = z.input<typeof CustomerCreate>;
export type ContactCreateInput = z.input<typeof ContactCreate>;
export type ContactLogCreateInput = z.input<typeof ContactLogCreate>;

export const customersApi = {
  ...resource<Customer, CustomerCreateInput, z.input<typeof CustomerUpdate>, CustomerListParams>('customers'),
  claim: (id: string) => api<Customer>(`/api/v1/customers/${id}/claim`, { method: 'POST' }),
  release: (id: string, reason?: string) =>
    api<Customer>(`/api/v1/customers/${id}/release`, { method: 'POST', body: { reason: reason || null } }),
  assign: (id: string, ownerId: string, reason?: string) =>
    api<Customer>(`/api/v1/customers/${id}/assign`, { method: 'POST', body: { ownerId, reason: reason || null } }),
  share: (id: string, userIds: string[]) =>
    api<Customer>(`/api/v1/customers/${id}/share`, { method: 'POST', body: { userIds } }),
  overview: (id: string) => api<CustomerOverview>(`/api/v1/customers/${id}/overview`),
  /** Moves the next contact date (a call that cannot happen today); null clears it. */
  setNextContact: (id: string, on: string | null) =>
    api<Customer>(`/api/v1/customers/${id}/next-contact`, { method: 'POST', body: { on } }),
  ownerHistory: (id: string) => api<OwnerChange[]>(`/api/v1/customers/${id}/owner-history`),
  duplicates: (query: { name?: string; creditCode?: string; excludeId?: string }) =>
    api<DuplicateCandidate[]>('/api/v1/customers/duplicates', { query }),
  merge: (id: string, duplicateId: string) =>
    api<Customer>(`/api/v1/customers/${id}/merge`, { method: 'POST', body: { duplicateId } }),
  evaluationSheet: () => api<EvaluationSheet | null>('/api/v1/evaluation-sheet'),
  saveEvaluationSheet: (sheet: EvaluationSheetInput) =>
    api<EvaluationSheet>('/api/v1/evaluation-sheet', { method: 'PUT', body: sheet }),
  settings: () => api<CustomerSettings>('/api/v1/customer-settings'),
  saveSettings: (patch: Partial<CustomerSettings>) =>
    api<CustomerSettings>('/api/v1/customer-settings', { method: 'PATCH', body: patch }),
  evaluations: (id: string) => api<Evaluation[]>(`/api/v1/customers/${id}/evaluations`),
  evaluate: (id: string, answers: Record<string, number>, notes?: string) =>
    api<Evaluation>(`/api/v1/customers/${id}/evaluations`, { method: 'POST', body: { answers, notes: notes || null } }),
  /** The export's address for the current filters (a download link, not a fetch). */
  exportUrl: (params: CustomerListParams, format: 'csv' | 'xlsx') => {
    const { page: _page, pageSize: _size, ...filters } = params;
    return `/api/v1/customers/export${toQueryString({ ...filters, format })}`;
  },
  /** The columns of an import file, each with the field it would import into and its first values (the mapping step). */
  importColumns: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api<ImportColumns>('/api/v1/customers/import/columns', { method: 'POST', body: form });
  },
};
export const contactsApi = resource<
  Contact,
  ContactCreateInput,
  Partial<Omit<ContactCreateInput, 'customerId'>>,
  ListParams<typeof ContactListQuery>
>('contacts');
export const contactLogsApi = {
  ...resource<ContactLog, ContactLogCreateInput, never, ListParams<typeof ContactLogListQuery>>('contact-logs'),
  attach: (id: string, files: File[]) => {
    const form = new FormData();
    for (const file of files) form.append('file', file, file.name);
    return api<Attachment[]>(`/api/v1/contact-logs/${id}/attachments`, { method: 'POST', body: form });
  },
  attachmentUrl: (id: string, fileId: string) => `/api/v1/contact-logs/${id}/attachments/${fileId}`,
};
export const answersApi = {
  path: '/api/v1/answers',
  find: (q: string) => api<{ cards: AnswerCard[] }>('/api/v1/answers', { query: { q } }),
};

export type LeadListParams = ListParams<typeof LeadListQuery>;
export const leadsApi = {
  ...resource<Lead, z.input<typeof LeadCreate>, z.input<typeof LeadUpdate>, LeadListParams>('leads'),
  setStatus: (id: string, body: z.input<typeof LeadStatusChange>) =>
    api<Lead>(`/api/v1/leads/${id}/status`, { method: 'POST', body }),
  /** To a person, or back to a department's queue (ownerId null). */
  assign: (id: string, body: z.input<typeof LeadAssign>) =>
    api<Lead>(`/api/v1/leads/${id}/assign`, { method: 'POST', body }),
  convert: (id: string, body: z.input<typeof LeadConvert>) =>
    api<LeadConverted>(`/api/v1/leads/${id}/convert`, { method: 'POST', body }),
  history: (id: string) => api<LeadHistory>(`/api/v1/leads/${id}/history`),
};
export const assignmentRulesApi = {
  path: '/api/v1/assignment-rules',
  /** Every rule, in evaluation order (by position). */
  list: () => api<AssignmentRule[]>('/api/v1/assignment-rules'),
  create: (body: z.input<typeof AssignmentRuleCreate>) =>
    api<AssignmentRule>('/api/v1/assignment-rules', { method: 'POST', body }),
  update: (id: string, body: z.input<typeof AssignmentRuleUpdate>) =>
    api<AssignmentRule>(`/api/v1/assignment-rules/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api<Ok>(`/api/v1/assignment-rules/${id}`, { method: 'DELETE' }),
};

// —— campaigns and activities (issue 4) ——
export type CampaignListParams = ListParams<typeof CampaignListQuery>;
export const campaignsApi = resource<
  Campaign,
  z.input<typeof CampaignCreate>,
  z.input<typeof CampaignUpdate>,
  CampaignListParams
>('campaigns');
export type ActivityListParams = ListParams<typeof ActivityListQuery>;
export const activitiesApi = {
  ...resource<Activity, z.input<typeof ActivityCreate>, z.input<typeof ActivityUpdate>, ActivityListParams>(
    'activities',
  ),
  /** Done now (or at doneAt), with what came of it; optionally plans the next one in the same step. */
  complete: (id: string, body: z.input<typeof ActivityComplete>) =>
    api<ActivityCompleted>(`/api/v1/activities/${id}/complete`, { method: 'POST', body }),
  /** Planned work at its due time, done work when it was done, in [from, to): mine, or all I may see (team). */
  calendar: (query: { from: string; to: string; scope: CalendarScope }) =>
    api<z.infer<typeof CalendarItems>>('/api/v1/calendar', { query }),
};

export const activityCategoriesApi = {
  path: '/api/v1/activity-categories',
  list: async () => (await api<{ items: ActivityCategoryItem[] }>('/api/v1/activity-categories')).items,
  create: (body: z.input<typeof ActivityCategoryCreate>) =>
    api<ActivityCategoryItem>('/api/v1/activity-categories', { method: 'POST', body }),
  update: (code: string, body: z.input<typeof ActivityCategoryUpdate>) =>
    api<ActivityCategoryItem>(`/api/v1/activity-categories/${code}`, { method: 'PATCH', body }),
};

export const todayApi = {
  path: '/api/v1/today',
  get: () => api<Today>('/api/v1/today'),
};

export const remindersApi = {
  path: '/api/v1/reminders',
  list: async (state: 'due' | 'upcoming') =>
    (await api<{ items: Reminder[] }>('/api/v1/reminders', { query: { state } })).items,
  create: (body: z.input<typeof ReminderCreate>) => api<Reminder>('/api/v1/reminders', { method: 'POST', body }),
  snooze: (id: string, until: string) =>
    api<Reminder>(`/api/v1/reminders/${id}/snooze`, { method: 'POST', body: { until } }),
  dismiss: (id: string) => api<Reminder>(`/api/v1/reminders/${id}/dismiss`, { method: 'POST' }),
};

export const suggestionsApi = {
  path: '/api/v1/suggestions',
  list: async () => (await api<{ items: Suggestion[] }>('/api/v1/suggestions')).items,
  send: (id: string, body: z.input<typeof SuggestionSend>) =>
    api<Suggestion>(`/api/v1/suggestions/${id}/send`, { method: 'POST', body }),
  dismiss: (id: string) => api<Suggestion>(`/api/v1/suggestions/${id}/dismiss`, { method: 'POST' }),
  /** Redrafts the e-mail from a knowledge template 模板 (its use is counted). */
  redraft: (id: string, articleId: string) =>
    api<Suggestion>(`/api/v1/suggestions/${id}/redraft`, { method: 'POST', body: { articleId } }),
  template: () => api<MailTemplate>('/api/v1/mail-templates/inactive-customer'),
  saveTemplate: (body: z.input<typeof MailTemplateUpdate>) =>
    api<MailTemplate>('/api/v1/mail-templates/inactive-customer', { method: 'PUT', body }),
};

export const notificationsApi = {
  path: '/api/v1/notifications',
  list: (params: { unread?: 'true' | 'false'; page?: number; pageSize?: number } = {}) =>
    api<NotificationPage>('/api/v1/notifications', { query: params }),
  unreadCount: async () => (await api<{ unread: number }>('/api/v1/notifications/unread-count')).unread,
  read: (id: string) => api<Ok>(`/api/v1/notifications/${id}/read`, { method: 'POST' }),
  readAll: () => api<{ read: number }>('/api/v1/notifications/read-all', { method: 'POST' }),
};

export const preferencesApi = {
  path: '/api/v1/me/preferences',
  get: () => api<Preferences>('/api/v1/me/preferences'),
  update: (body: z.input<typeof PreferencesUpdate>) =>
    api<Preferences>('/api/v1/me/preferences', { method: 'PATCH', body }),
  /** A new secret feed address (the old one stops working); shown once. */
  createCalendarFeed: () => api<{ url: string }>('/api/v1/me/calendar-feed', { method: 'POST' }),
  revokeCalendarFeed: () => api<Ok>('/api/v1/me/calendar-feed', { method: 'DELETE' }),
};

export const mailOutboxApi = {
  path: '/api/v1/mail-outbox',
  list: (params: ListParams<typeof OutboxListQuery> = {}) =>
    api<Page<OutboxMail>>('/api/v1/mail-outbox', { query: params }),
  resend: (id: string) => api<OutboxMail>(`/api/v1/mail-outbox/${id}/resend`, { method: 'POST' }),
};

/** 备份 (administrators): the latest runs, and one taken now (answered at once, the job does the work). */
export const backupsApi = {
  path: '/api/v1/operations/backups',
  list: () => api<{ items: BackupRun[] }>('/api/v1/operations/backups'),
  take: () => api<BackupRun>('/api/v1/operations/backups', { method: 'POST' }),
};

export const stageTimesApi = {
  forOpportunity: (id: string) => api<StageTimes>(`/api/v1/opportunities/${id}/stage-times`),
  summary: (query: Partial<z.infer<typeof StageDurationsQuery>> = {}) =>
    api<StageDurations>('/api/v1/reports/stage-durations', { query }),
};

export const auditApi = {
  path: '/api/v1/audit-logs',
  list: (params?: AuditListParams) => api<Page<AuditLog>>('/api/v1/audit-logs', { query: params }),
};

export const authApi = {
  /** The current session, or null when signed out (no redirect). */
  me: async (): Promise<Me | null> => {
    try {
      return await api<Me>('/api/v1/auth/me', { allowUnauthenticated: true });
    } catch (error) {
      if ((error as { status?: number }).status === 401) return null;
      throw error;
    }
  },
  /** Signs in — or, when a second factor is owed, answers a challenge for loginTwoFactor (no session yet). */
  login: (body: z.input<typeof LoginBody>) =>
    api<LoginAnswer>('/api/v1/auth/login', { method: 'POST', body, allowUnauthenticated: true }),
  loginTwoFactor: (body: { challenge: string; code: string } | { challenge: string; recoveryCode: string }) =>
    api<TwoFactorLoginAnswer>('/api/v1/auth/login/two-factor', { method: 'POST', body, allowUnauthenticated: true }),
  logout: () => api<Ok>('/api/v1/auth/logout', { method: 'POST', allowUnauthenticated: true }),
  updateMe: (body: z.input<typeof UpdateMe>) => api<Me>('/api/v1/auth/me', { method: 'PATCH', body }),
  changePassword: (body: z.input<typeof ChangePassword>) => api<Ok>('/api/v1/auth/password', { method: 'POST', body }),
};

/** One's own two-factor sign-in (TOTP). */
export const twoFactorApi = {
  path: '/api/v1/auth/two-factor',
  status: () => api<TwoFactorStatus>('/api/v1/auth/two-factor'),
  enrol: () => api<TwoFactorEnrolment>('/api/v1/auth/two-factor/enrol', { method: 'POST' }),
  confirm: (code: string) =>
    api<{ recoveryCodes: string[] }>('/api/v1/auth/two-factor/confirm', { method: 'POST', body: { code } }),
  regenerate: (code: string) =>
    api<{ recoveryCodes: string[] }>('/api/v1/auth/two-factor/recovery-codes', { method: 'POST', body: { code } }),
  disable: (code: string) => api<Ok>('/api/v1/auth/two-factor/disable', { method: 'POST', body: { code } }),
};

export const apiTokensApi = {
  path: '/api/v1/api-tokens',
  list: () => api<ApiToken[]>('/api/v1/api-tokens'),
  create: (body: z.input<typeof ApiTokenCreate>) =>
    api<z.infer<typeof ApiTokenCreated>>('/api/v1/api-tokens', { method: 'POST', body }),
  revoke: (id: string) => api<Ok>(`/api/v1/api-tokens/${id}`, { method: 'DELETE' }),
};

export type AdminApiTokenListParams = ListParams<typeof AdminApiTokenListQuery>;
/** Everyone's API tokens (administrators). */
export const adminApiTokensApi = {
  path: '/api/v1/admin/api-tokens',
  list: (params?: AdminApiTokenListParams) => api<Page<AdminApiToken>>('/api/v1/admin/api-tokens', { query: params }),
  revoke: (id: string) => api<Ok>(`/api/v1/admin/api-tokens/${id}`, { method: 'DELETE' }),
};

// —— renewals 续约 (issue 19) ——
export type RenewalListParams = ListParams<typeof RenewalListQuery>;
export type RenewalDueParams = ListParams<typeof RenewalDueQuery>;
/** Renewals raised (opportunities:read; raising one now: opportunities:write; running the job: sales:configure). */
export const renewalsApi = {
  path: '/api/v1/renewals',
  list: (params: RenewalListParams = {}) => api<Page<Renewal>>('/api/v1/renewals', { query: params }),
  get: (id: string) => api<Renewal>(`/api/v1/renewals/${id}`),
  /** The engagement letter 业务约定书: a draft contract from last period (made once; again: the same one). */
  engagementLetter: (id: string) =>
    api<{ contractId: string }>(`/api/v1/renewals/${id}/engagement-letter`, { method: 'POST' }),
  /** 409 RENEWAL_ALREADY_RAISED when the job (or a colleague) raised it first. */
  raise: (body: z.input<typeof RenewalRaise>) => api<Renewal>('/api/v1/renewals', { method: 'POST', body }),
  rate: (query: z.input<typeof RenewalRateQuery>) =>
    api<RenewalRateRow[]>('/api/v1/renewals/rate', { query: query as QueryParams }),
  run: () => api<RenewalRunResult>('/api/v1/renewals/run', { method: 'POST' }),
};
/** Seasons coming without a renewal yet (the 即将到期 tab). */
export const renewalsDueApi = {
  path: '/api/v1/renewals/due',
  list: (params: RenewalDueParams = {}) => api<Page<RenewalDue>>('/api/v1/renewals/due', { query: params }),
};
/** Lead days per business line (changes: sales:configure). */
export const renewalRulesApi = {
  path: '/api/v1/renewal-rules',
  list: () => api<RenewalRule[]>('/api/v1/renewal-rules'),
  update: (businessLineId: string, body: RenewalRuleUpdate) =>
    api<RenewalRule>(`/api/v1/renewal-rules/${businessLineId}`, { method: 'PUT', body }),
};

// —— opportunities, pipelines, quotes, projects, acceptance (issue 4) ——
export type OpportunityListParams = ListParams<typeof OpportunityListQuery>;
/** The list's filters without paging and sorting (the totals and the board take the same). */
export type OpportunityFilterParams = Partial<
  Omit<z.infer<typeof OpportunityListQuery>, 'page' | 'pageSize' | 'sort'>
> &
  QueryParams;
export type BoardParams = Partial<z.input<typeof BoardQuery>> & { businessLineId: string } & QueryParams;

export const opportunitiesApi = {
  ...resource<Opportunity, z.input<typeof OpportunityCreate>, z.input<typeof OpportunityUpdate>, OpportunityListParams>(
    'opportunities',
  ),
  totals: (params: OpportunityFilterParams) =>
    api<OpportunityTotals>('/api/v1/opportunities/totals', { query: params }),
  board: (params: BoardParams) => api<Board>('/api/v1/opportunities/board', { query: params }),
  move: (id: string, body: z.input<typeof OpportunityMove>) =>
    api<Opportunity>(`/api/v1/opportunities/${id}/move`, { method: 'POST', body }),
  requestIndependenceOverride: (id: string, reason: string) =>
    api<Opportunity>(`/api/v1/opportunities/${id}/independence-override`, { method: 'POST', body: { reason } }),
  reopen: (id: string, body: z.input<typeof OpportunityReopen>) =>
    api<Opportunity>(`/api/v1/opportunities/${id}/reopen`, { method: 'POST', body }),
  setMembers: (id: string, body: z.input<typeof OpportunityMembersInput>) =>
    api<Opportunity>(`/api/v1/opportunities/${id}/members`, { method: 'PUT', body }),
  stageHistory: (id: string) => api<StageChange[]>(`/api/v1/opportunities/${id}/stage-history`),
  quotes: (id: string) => api<Quote[]>(`/api/v1/opportunities/${id}/quotes`),
  createQuote: (id: string, body: QuoteCreate) =>
    api<Quote>(`/api/v1/opportunities/${id}/quotes`, { method: 'POST', body }),
  /** Sends a quote for approval (a flow applies to its discount), or again after it was returned. */
  submitQuote: (id: string, quoteId: string) =>
    api<Quote>(`/api/v1/opportunities/${id}/quotes/${quoteId}/submit`, { method: 'POST' }),
  setQuoteStatus: (id: string, quoteId: string, status: Quote['status']) =>
    api<Quote>(`/api/v1/opportunities/${id}/quotes/${quoteId}`, { method: 'PATCH', body: { status } }),
  project: (id: string) => api<Project>(`/api/v1/opportunities/${id}/project`),
  createMilestone: (id: string, body: z.input<typeof MilestoneCreate>) =>
    api<unknown>(`/api/v1/opportunities/${id}/milestones`, { method: 'POST', body }),
  updateMilestone: (id: string, milestoneId: string, body: z.input<typeof MilestoneUpdate>) =>
    api<unknown>(`/api/v1/opportunities/${id}/milestones/${milestoneId}`, { method: 'PATCH', body }),
  removeMilestone: (id: string, milestoneId: string) =>
    api<Ok>(`/api/v1/opportunities/${id}/milestones/${milestoneId}`, { method: 'DELETE' }),
  createTask: (id: string, body: z.input<typeof ProjectTaskCreate>) =>
    api<unknown>(`/api/v1/opportunities/${id}/tasks`, { method: 'POST', body }),
  updateTask: (id: string, taskId: string, body: z.input<typeof ProjectTaskUpdate>) =>
    api<unknown>(`/api/v1/opportunities/${id}/tasks/${taskId}`, { method: 'PATCH', body }),
  removeTask: (id: string, taskId: string) =>
    api<Ok>(`/api/v1/opportunities/${id}/tasks/${taskId}`, { method: 'DELETE' }),
  acceptance: (id: string) => api<Acceptance>(`/api/v1/opportunities/${id}/acceptance`),
  saveAcceptance: (id: string, body: z.input<typeof AcceptanceInput>) =>
    api<Acceptance>(`/api/v1/opportunities/${id}/acceptance`, { method: 'PUT', body }),
  independence: (id: string) => api<z.infer<typeof IndependenceCheck>>(`/api/v1/opportunities/${id}/independence`),
};

export const pipelinesApi = {
  path: '/api/v1/pipelines',
  /** A business line's pipeline (its own, or the default one); no line: the default pipeline. */
  get: (businessLineId?: string | null) =>
    api<Pipeline>('/api/v1/pipelines', { query: { businessLineId: businessLineId ?? undefined } }),
  save: (body: PipelineInput) => api<Pipeline>('/api/v1/pipelines', { method: 'PUT', body }),
  /** Every active stage of every pipeline (names of stages in lists). */
  stages: () => api<Stage[]>('/api/v1/stages'),
};

export const acceptanceChecklistsApi = {
  path: '/api/v1/acceptance-checklists',
  get: (businessLineId: string) =>
    api<z.infer<typeof AcceptanceChecklist>>(`/api/v1/acceptance-checklists/${businessLineId}`),
  save: (businessLineId: string, body: z.input<typeof AcceptanceChecklistInput>) =>
    api<z.infer<typeof AcceptanceChecklist>>(`/api/v1/acceptance-checklists/${businessLineId}`, {
      method: 'PUT',
      body,
    }),
};

export const conflictPairsApi = {
  path: '/api/v1/business-line-conflicts',
  list: () => api<z.infer<typeof ConflictPair>[]>('/api/v1/business-line-conflicts'),
  save: (body: z.input<typeof ConflictPairsInput>) =>
    api<z.infer<typeof ConflictPair>[]>('/api/v1/business-line-conflicts', { method: 'PUT', body }),
};

// —— sales-cycle targets (issue 16): the firm's best practice per business line ——
export const salesCycleTargetsApi = {
  path: '/api/v1/sales-cycle-targets',
  get: () => api<SalesCycleTargets>('/api/v1/sales-cycle-targets'),
  save: (body: SalesCycleTargetsInput) =>
    api<SalesCycleTargets>('/api/v1/sales-cycle-targets', { method: 'PUT', body }),
};

// —— approvals (issue 12) ——
export type ApprovalListParams = ListParams<typeof ApprovalListQuery>;
/** The approvals inbox 审批 and the decisions on one approval. */
export const approvalsApi = {
  path: '/api/v1/approvals',
  list: (params?: ApprovalListParams) => api<Page<InstanceSummary>>('/api/v1/approvals', { query: params }),
  count: async () => (await api<z.infer<typeof ApprovalCount>>('/api/v1/approvals/count')).waiting,
};
export const workflowInstancesApi = {
  path: '/api/v1/workflow-instances',
  get: (id: string) => api<Instance>(`/api/v1/workflow-instances/${id}`),
  /** A subject's approvals (its timeline): the newest with its history, the earlier ones as summaries. */
  ofSubject: (subjectKind: WorkflowSubjectKind, subjectId: string) =>
    api<SubjectApprovals>('/api/v1/workflow-instances', { query: { subjectKind, subjectId } }),
  decide: (id: string, body: Decision) =>
    api<Instance>(`/api/v1/workflow-instances/${id}/decide`, { method: 'POST', body }),
  withdraw: (id: string, comment: string | null) =>
    api<Instance>(`/api/v1/workflow-instances/${id}/withdraw`, { method: 'POST', body: { comment } }),
  delegate: (id: string, userId: string, comment: string | null) =>
    api<Instance>(`/api/v1/workflow-instances/${id}/delegate`, { method: 'POST', body: { userId, comment } }),
  /** One document for a decision (named then in the decision's attachmentIds). */
  attach: (id: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api<Attachment>(`/api/v1/workflow-instances/${id}/attachments`, { method: 'POST', body: form });
  },
  attachmentUrl: (id: string, fileId: string) => `/api/v1/workflow-instances/${id}/attachments/${fileId}`,
};
/** Approval flows 审批流程 (workflows:manage). */
export const workflowsApi = {
  path: '/api/v1/workflows',
  list: (params: ListParams<typeof WorkflowListQuery> = {}) => api<Workflow[]>('/api/v1/workflows', { query: params }),
  create: (body: WorkflowInput) => api<Workflow>('/api/v1/workflows', { method: 'POST', body }),
  update: (id: string, body: WorkflowInput) => api<Workflow>(`/api/v1/workflows/${id}`, { method: 'PUT', body }),
  versions: (id: string) => api<WorkflowVersion[]>(`/api/v1/workflows/${id}/versions`),
};
/** Contract templates 合同模板 (contracts:configure; the list with contracts:read). */
export const contractTemplatesApi = {
  path: '/api/v1/contract-templates',
  list: (params: ListParams<typeof ContractTemplateListQuery> = {}) =>
    api<ContractTemplate[]>('/api/v1/contract-templates', { query: params }),
  fields: () => api<TemplateFieldInfo[]>('/api/v1/contract-templates/fields'),
  /** A new template with its first .docx (not yet published). */
  create: (body: { businessLineId: string; name: string; file: File }) => {
    const form = new FormData();
    form.append('businessLineId', body.businessLineId);
    form.append('name', body.name);
    form.append('file', body.file, body.file.name);
    return api<ContractTemplate>('/api/v1/contract-templates', { method: 'POST', body: form });
  },
  addVersion: (id: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api<ContractTemplate>(`/api/v1/contract-templates/${id}/versions`, { method: 'POST', body: form });
  },
  publish: (id: string, version: number) =>
    api<ContractTemplate>(`/api/v1/contract-templates/${id}/versions/${version}/publish`, { method: 'POST' }),
  setActive: (id: string, active: boolean) =>
    api<ContractTemplate>(`/api/v1/contract-templates/${id}/${active ? 'activate' : 'deactivate'}`, {
      method: 'POST',
    }),
  fileUrl: (id: string, version: number) => `/api/v1/contract-templates/${id}/versions/${version}/file`,
  previewUrl: (id: string, version: number) => `/api/v1/contract-templates/${id}/versions/${version}/preview`,
};
export type EngagementTemplateListParams = ListParams<typeof EngagementTemplateListQuery>;
/** Engagement templates 业务模板 (engagements:configure; the list and one template also with engagements:write). */
export const engagementTemplatesApi = {
  path: '/api/v1/engagement-templates',
  list: (params: EngagementTemplateListParams = {}) =>
    api<Page<EngagementTemplate>>('/api/v1/engagement-templates', { query: params }),
  get: (id: string) => api<EngagementTemplate>(`/api/v1/engagement-templates/${id}`),
  create: (body: EngagementTemplateInput) =>
    api<EngagementTemplate>('/api/v1/engagement-templates', { method: 'POST', body }),
  /** Replaces the whole template (engagements made from it keep their phases). */
  replace: (id: string, body: EngagementTemplateInput) =>
    api<EngagementTemplate>(`/api/v1/engagement-templates/${id}`, { method: 'PUT', body }),
};
/** My standing delegations 审批委托. */
export const delegationsApi = {
  path: '/api/v1/delegations',
  list: () => api<StandingDelegation[]>('/api/v1/delegations'),
  create: (body: z.input<typeof StandingDelegationInput>) =>
    api<StandingDelegation>('/api/v1/delegations', { method: 'POST', body }),
  revoke: (id: string) => api<Ok>(`/api/v1/delegations/${id}`, { method: 'DELETE' }),
};

// —— receipts, invoices and receivables (issue 13) ——
export type ReceiptListParams = ListParams<typeof ReceiptListQuery>;
export type InvoiceListParams = ListParams<typeof InvoiceListQuery>;
export type ReceivablesParams = ListParams<typeof ReceivablesQuery>;
export type ReceivableTermsParams = ListParams<typeof ReceivableTermsQuery>;
/** 到款 (writes: receipts:write). */
export const receiptsApi = {
  path: '/api/v1/receipts',
  list: (params: ReceiptListParams) => api<Page<Receipt>>('/api/v1/receipts', { query: params }),
  create: (body: ReceiptCreate) => api<Receipt>('/api/v1/receipts', { method: 'POST', body }),
  allocate: (id: string, body: ReceiptAllocate) =>
    api<Receipt>(`/api/v1/receipts/${id}/allocate`, { method: 'POST', body }),
  reverse: (id: string, reason: string) =>
    api<Receipt>(`/api/v1/receipts/${id}/reverse`, { method: 'POST', body: { reason } }),
};
/** 发票 (writes: receipts:write). */
export const invoicesApi = {
  path: '/api/v1/invoices',
  list: (params: InvoiceListParams) => api<Page<Invoice>>('/api/v1/invoices', { query: params }),
  create: (body: InvoiceCreate) => api<Invoice>('/api/v1/invoices', { method: 'POST', body }),
  void: (id: string, reason: string) =>
    api<Invoice>(`/api/v1/invoices/${id}/void`, { method: 'POST', body: { reason } }),
};
/** 应收账款: the ageing, the terms behind it, the export. */
export const receivablesApi = {
  path: '/api/v1/receivables',
  ageing: (params: ReceivablesParams) => api<Receivables>('/api/v1/receivables', { query: params }),
  terms: (params: ReceivableTermsParams) => api<Page<ReceivableTerm>>('/api/v1/receivables/terms', { query: params }),
  /** The export's address for the current grouping and filters (a download link, not a fetch). */
  exportUrl: (params: ReceivablesParams) => {
    const { page: _page, pageSize: _size, sort: _sort, ...filters } = params;
    return `/api/v1/receivables/export.xlsx${toQueryString(filters)}`;
  },
};

/** Every page of a collection (reference data for pickers; the API caps pages at 100). */
export async function fetchAll<T, P extends QueryParams>(
  list: (params: P) => Promise<Page<T>>,
  params: P,
): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const result = await list({ ...params, page, pageSize: 100 });
    items.push(...result.items);
    if (items.length >= result.total || result.items.length === 0) return items;
  }
}

// —— contracts, orders, number series (issue 13) ——
export type ContractListParams = ListParams<typeof ContractListQuery>;
export type OrderListParams = ListParams<typeof OrderListQuery>;

/** Contracts 销售合同: drafts edited, sent for approval, signed (the number and the terms), terminated or voided. */
export const contractsApi = {
  path: '/api/v1/contracts',
  list: (params?: ContractListParams) => api<Page<ContractSummary>>('/api/v1/contracts', { query: params }),
  get: (id: string) => api<Contract>(`/api/v1/contracts/${id}`),
  /** Blank, or `{ opportunityId }` of a won opportunity (customer, lines from its accepted quote, team). */
  create: (body: ContractCreate) => api<Contract>('/api/v1/contracts', { method: 'POST', body }),
  update: (id: string, body: z.input<typeof ContractUpdate>) =>
    api<Contract>(`/api/v1/contracts/${id}`, { method: 'PATCH', body }),
  submit: (id: string) => api<Contract>(`/api/v1/contracts/${id}/submit`, { method: 'POST' }),
  sign: (id: string, body: z.input<typeof ContractSign>) =>
    api<Contract>(`/api/v1/contracts/${id}/sign`, { method: 'POST', body }),
  terminate: (id: string, body: z.input<typeof ContractReason>) =>
    api<Contract>(`/api/v1/contracts/${id}/terminate`, { method: 'POST', body }),
  void: (id: string, body: z.input<typeof ContractReason>) =>
    api<Contract>(`/api/v1/contracts/${id}/void`, { method: 'POST', body }),
  /** A scanned copy of the signed contract (one file; a new one replaces it). */
  uploadSignedCopy: (id: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api<Contract>(`/api/v1/contracts/${id}/signed-copy`, { method: 'POST', body: form });
  },
  signedCopyUrl: (id: string) => `/api/v1/contracts/${id}/signed-copy`,
  /** The contract's Word document (.docx): the stored one once signed, else generated now. */
  documentUrl: (id: string) => `/api/v1/contracts/${id}/document`,
};

/** Orders 销售订单: from a signed contract or a won opportunity; confirmed (numbered), completed 结项 or cancelled. */
export const ordersApi = {
  path: '/api/v1/orders',
  list: (params?: OrderListParams) => api<Page<Order>>('/api/v1/orders', { query: params }),
  get: (id: string) => api<Order>(`/api/v1/orders/${id}`),
  create: (body: z.input<typeof OrderCreate>) => api<Order>('/api/v1/orders', { method: 'POST', body }),
  confirm: (id: string, body: z.input<typeof OrderConfirm> = {}) =>
    api<Order>(`/api/v1/orders/${id}/confirm`, { method: 'POST', body }),
  complete: (id: string, body: z.input<typeof OrderComplete>) =>
    api<Order>(`/api/v1/orders/${id}/complete`, { method: 'POST', body }),
  cancel: (id: string, body: z.input<typeof ContractReason>) =>
    api<Order>(`/api/v1/orders/${id}/cancel`, { method: 'POST', body }),
};

/** Marking a contract or an order without a contract recurring 循环, or not (issue 19). */
export const recurringApi = {
  contract: (id: string, body: RecurringUpdate) =>
    api<Contract>(`/api/v1/contracts/${id}/recurring`, { method: 'PATCH', body }),
  order: (id: string, body: RecurringUpdate) => api<Order>(`/api/v1/orders/${id}/recurring`, { method: 'PATCH', body }),
};

/** Reminders that produce the document (issue 19): a renewal as the opportunity page shows it, its engagement letter. */

// —— engagements 业务项目 and work orders 工单 (issue 14) ——
export type EngagementListParams = ListParams<typeof EngagementListQuery>;
export type WorkOrderListParams = ListParams<typeof WorkOrderListQuery>;

/** Engagements 业务项目: made from a confirmed order's lines, staffed, planned as phases and work orders. */
export const engagementsApi = {
  path: '/api/v1/engagements',
  list: (params?: EngagementListParams) => api<Page<EngagementSummary>>('/api/v1/engagements', { query: params }),
  get: (id: string) => api<Engagement>(`/api/v1/engagements/${id}`),
  create: (body: EngagementCreate) =>
    api<z.infer<typeof EngagementsCreated>>('/api/v1/engagements', { method: 'POST', body }),
  update: (id: string, body: z.input<typeof EngagementUpdate>) =>
    api<Engagement>(`/api/v1/engagements/${id}`, { method: 'PATCH', body }),
  cancel: (id: string, body: z.input<typeof EngagementCancel>) =>
    api<Engagement>(`/api/v1/engagements/${id}/cancel`, { method: 'POST', body }),
  /** 提交复核: in review, through the firm's flow of kind engagement-review (passes at once without one). */
  review: (id: string) => api<Engagement>(`/api/v1/engagements/${id}/review`, { method: 'POST' }),
  /** 出具报告: two practising signing CPAs of the team; the answer carries the report number 报告文号. */
  report: (id: string, body: ReportIssue) =>
    api<Engagement>(`/api/v1/engagements/${id}/report`, { method: 'POST', body }),
  /** 归档: closed 结项; with the last engagement of its order the order is completed. */
  archive: (id: string) => api<Engagement>(`/api/v1/engagements/${id}/archive`, { method: 'POST' }),
  setMembers: (id: string, body: z.input<typeof MembersInput>) =>
    api<Engagement>(`/api/v1/engagements/${id}/members`, { method: 'PUT', body }),
  staffing: (id: string, role: EngagementRole, phaseId?: string) =>
    api<z.infer<typeof StaffingSuggestions>>(`/api/v1/engagements/${id}/staffing`, { query: { role, phaseId } }),
  createTask: (id: string, body: z.input<typeof TaskCreate>) =>
    api<Task>(`/api/v1/engagements/${id}/tasks`, { method: 'POST', body }),
};

/** Work orders 工单: a task of an engagement's phase given to one person. */
export const workOrdersApi = {
  path: '/api/v1/work-orders',
  /** Mine (我的工单), open by default. */
  list: (params?: WorkOrderListParams) => api<Page<WorkOrder>>('/api/v1/work-orders', { query: params }),
  update: (id: string, body: z.input<typeof TaskUpdate>) =>
    api<Task>(`/api/v1/engagement-tasks/${id}`, { method: 'PATCH', body }),
  setStatus: (id: string, status: TaskStatus) =>
    api<Task>(`/api/v1/engagement-tasks/${id}/status`, { method: 'POST', body: { status } }),
  notes: (id: string) => api<TaskNote[]>(`/api/v1/engagement-tasks/${id}/notes`),
  addNote: (id: string, body: z.input<typeof TaskNoteInput>) =>
    api<TaskNote>(`/api/v1/engagement-tasks/${id}/notes`, { method: 'POST', body }),
  /** A working paper 底稿 attached to the work order. */
  attach: (id: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api<TaskNote>(`/api/v1/engagement-tasks/${id}/files`, { method: 'POST', body: form });
  },
  fileUrl: (id: string, fileId: string) => `/api/v1/engagement-tasks/${id}/files/${fileId}`,
};

// —— time entries 工时 and the weekly timesheet (issue 14) ——
export type TimeEntryListParams = ListParams<typeof TimeEntryListQuery>;

/** The weekly timesheet: a person's week (the Monday names it), saved as a whole grid, submitted for approval. */
export const timesheetsApi = {
  path: '/api/v1/timesheets',
  /** Mine, or someone's my scope lets me read (userId). */
  week: (weekStart: string, userId?: string) =>
    api<TimesheetWeek>(`/api/v1/timesheets/${weekStart}`, { query: { userId } }),
  /** My whole week at once: my entries of the week become the grid's cells. */
  save: (weekStart: string, body: TimesheetInput) =>
    api<TimesheetWeek>(`/api/v1/timesheets/${weekStart}`, { method: 'PUT', body }),
  submit: (weekStart: string) => api<TimesheetWeek>(`/api/v1/timesheets/${weekStart}/submit`, { method: 'POST' }),
  /** An engagement's planned hours against those logged. */
  budget: (engagementId: string) => api<EngagementBudget>(`/api/v1/engagements/${engagementId}/budget`),
};

/** Time entries one may see, for lists and exports. */
export const timeEntriesApi = {
  path: '/api/v1/time-entries',
  list: (params?: TimeEntryListParams) => api<Page<TimeEntry>>('/api/v1/time-entries', { query: params }),
};

/** Workload 工作负荷: hours per person per week against their capacity (managers: their department; partners, finance: all). */
export const workloadApi = {
  path: '/api/v1/workload',
  get: (query: { from?: string; weeks?: number; departmentId?: string }) =>
    api<Workload>('/api/v1/workload', { query }),
};

// —— people records 人员档案 (issue 14 item 6) ——
export type CpeShortfallParams = ListParams<typeof CpeShortfallQuery>;

/** A person's record (by user id): profile, qualifications, the CPE year; CPE entries; who is short of CPE hours. */
export const peopleApi = {
  path: '/api/v1/people',
  get: (userId: string, year?: number) => api<PersonRecord>(`/api/v1/people/${userId}`, { query: { year } }),
  saveProfile: (userId: string, body: PersonProfileInput) =>
    api<PersonRecord>(`/api/v1/people/${userId}/profile`, { method: 'PUT', body }),
  addQualification: (userId: string, body: QualificationInput) =>
    api<Qualification>(`/api/v1/people/${userId}/qualifications`, { method: 'POST', body }),
  updateQualification: (id: string, body: QualificationInput) =>
    api<Qualification>(`/api/v1/qualifications/${id}`, { method: 'PUT', body }),
  deleteQualification: (id: string) => api<{ ok: true }>(`/api/v1/qualifications/${id}`, { method: 'DELETE' }),
  addCpe: (userId: string, body: CpeEntryInput) =>
    api<CpeEntry>(`/api/v1/people/${userId}/cpe-entries`, { method: 'POST', body }),
  deleteCpe: (id: string) => api<{ ok: true }>(`/api/v1/cpe-entries/${id}`, { method: 'DELETE' }),
};

/** 继续教育: who is short this year (managers: their department; administrators, partners, finance: all). */
export const cpeApi = {
  path: '/api/v1/cpe',
  list: (params?: CpeShortfallParams) => api<Page<CpeShortfallRow>>('/api/v1/cpe/shortfall', { query: params }),
  requirements: () => api<{ items: CpeRequirement[] }>('/api/v1/cpe/requirements'),
  setRequirements: (items: CpeRequirement[]) =>
    api<{ items: CpeRequirement[] }>('/api/v1/cpe/requirements', { method: 'PUT', body: { items } }),
};

/** Number series 编号规则 (contracts:configure) and their registers 登记簿. */
export const numberSeriesApi = {
  path: '/api/v1/number-series',
  /** Every series, of both kinds. */
  list: () => api<NumberSeries[]>('/api/v1/number-series'),
  create: (body: z.input<typeof NumberSeriesCreate>) =>
    api<NumberSeries>('/api/v1/number-series', { method: 'POST', body }),
  update: (id: string, body: z.input<typeof NumberSeriesUpdate>) =>
    api<NumberSeries>(`/api/v1/number-series/${id}`, { method: 'PATCH', body }),
  register: (id: string, period: string) =>
    api<z.infer<typeof NumberRegister>>(`/api/v1/number-series/${id}/register`, { query: { period } }),
};

// —— commissions 佣金 (issue 15) ——
/** The commission policy 佣金政策 in versions (commissions:configure keeps them; commissions:read reads the adopted). */
export const commissionPoliciesApi = {
  path: '/api/v1/commission-policies',
  /** Newest first; drafts only for those who keep the policy. */
  list: () => api<{ items: Policy[] }>('/api/v1/commission-policies'),
  get: (id: string) => api<Policy>(`/api/v1/commission-policies/${id}`),
  create: (body: z.input<typeof PolicyInput>) => api<Policy>('/api/v1/commission-policies', { method: 'POST', body }),
  /** Replaces a draft whole. */
  replace: (id: string, body: z.input<typeof PolicyInput>) =>
    api<Policy>(`/api/v1/commission-policies/${id}`, { method: 'PUT', body }),
  adopt: (id: string) => api<Policy>(`/api/v1/commission-policies/${id}/adopt`, { method: 'POST' }),
  remove: (id: string) => api<{ ok: true }>(`/api/v1/commission-policies/${id}`, { method: 'DELETE' }),
};
export type SheetListParams = ListParams<typeof SheetListQuery>;
/** The monthly allocation sheets 分配表 (commissions:read; drafting and sending with commissions:write). */
export const commissionSheetsApi = {
  path: '/api/v1/commission-sheets',
  list: (params?: SheetListParams) => api<Page<SheetSummary>>('/api/v1/commission-sheets', { query: params }),
  get: (id: string) => api<Sheet>(`/api/v1/commission-sheets/${id}`),
  create: (body: z.input<typeof SheetCreate>) => api<Sheet>('/api/v1/commission-sheets', { method: 'POST', body }),
  cancel: (id: string) => api<Sheet>(`/api/v1/commission-sheets/${id}/cancel`, { method: 'POST' }),
  /** Draft every sheet of a month at once (a job): its id, then its progress and result. */
  draftMonth: (period: string) =>
    api<{ id: string }>('/api/v1/commission-sheets/month', { method: 'POST', body: { period } }),
  monthPath: '/api/v1/commission-sheet-months',
  month: (id: string) => api<MonthDraft>(`/api/v1/commission-sheet-months/${id}`),
  submit: (id: string) => api<Sheet>(`/api/v1/commission-sheets/${id}/submit`, { method: 'POST' }),
  adjust: (id: string, lineId: string, body: z.input<typeof LineAdjust>) =>
    api<Sheet>(`/api/v1/commission-sheets/${id}/lines/${lineId}`, { method: 'PUT', body }),
  setShares: (id: string, shares: Record<string, string>) =>
    api<Sheet>(`/api/v1/commission-sheets/${id}/shares`, { method: 'PUT', body: { shares } }),
  /** The payout list 发放表 of a paid sheet (.xlsx, for payroll). */
  payoutUrl: (id: string) => `/api/v1/commission-sheets/${id}/payout.xlsx`,
};

/** 佣金汇总: lines of a range of months by person, department, business line or month — accrued vs paid. */
export const commissionReportApi = {
  path: '/api/v1/commission-reports',
  get: (query: z.input<typeof CommissionReportQuery>) =>
    api<CommissionReport>('/api/v1/commission-reports', { query: query as QueryParams }),
};

// —— reports (issue 16) ——
/** A report's query as the page keeps it in its address: the common filters and the report's options, as text. */
export type ReportParams = Record<string, string>;
/** 销售报表: the catalogue, a report's answer, its .xlsx. */
export const reportsApi = {
  path: '/api/v1/reports',
  catalogue: () => api<ReportCatalogue>('/api/v1/reports'),
  get: (kind: ReportKind, params: ReportParams) => api<ReportAnswer>(`/api/v1/reports/${kind}`, { query: params }),
  /** The export's address for the same filters (a download link, not a fetch). */
  exportUrl: (kind: ReportKind, params: ReportParams) => `/api/v1/reports/${kind}/export.xlsx${toQueryString(params)}`,
};

// —— the start page, pins and scheduled reports (issue 16) ——
/** 首页: the reader's sections in one request. */
export const dashboardApi = {
  path: '/api/v1/dashboard',
  get: () => api<Dashboard>('/api/v1/dashboard'),
};
/** Reports pinned to my start page. */
export const reportPinsApi = {
  path: '/api/v1/report-pins',
  create: (body: { kind: ReportKind; query: ReportParams; title?: string }) =>
    api<ReportPin>('/api/v1/report-pins', { method: 'POST', body }),
  remove: (id: string) => api<Ok>(`/api/v1/report-pins/${id}`, { method: 'DELETE' }),
};
/** My scheduled reports 定期报表. */
export const reportSubscriptionsApi = {
  path: '/api/v1/report-subscriptions',
  list: () => api<{ items: ReportSubscription[] }>('/api/v1/report-subscriptions'),
  create: (body: { kind: ReportKind; query: ReportParams; frequency: 'weekly' | 'monthly' }) =>
    api<ReportSubscription>('/api/v1/report-subscriptions', { method: 'POST', body }),
  update: (id: string, body: { active?: boolean; frequency?: 'weekly' | 'monthly' }) =>
    api<ReportSubscription>(`/api/v1/report-subscriptions/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api<Ok>(`/api/v1/report-subscriptions/${id}`, { method: 'DELETE' }),
};

// —— the customer's whole story 客户全景 and cross-sell 交叉销售 (issue 19) ——
export type TimelineParams = ListParams<typeof TimelineQuery>;
export const customerStoryApi = {
  path: '/api/v1/customer-story',
  timeline: (customerId: string, params: TimelineParams) =>
    api<TimelinePage>(`/api/v1/customers/${customerId}/timeline`, { query: params }),
  figures: (customerId: string) => api<CustomerFigures>(`/api/v1/customers/${customerId}/figures`),
};
export type CrossSellListParams = ListParams<typeof CrossSellListQuery>;
export const crossSellApi = {
  path: '/api/v1/cross-sell',
  list: (params?: CrossSellListParams) => api<Page<CrossSellSuggestion>>('/api/v1/cross-sell', { query: params }),
  /** Makes the opportunity; the answer (the suggestion) carries its id (a repeat: 409 CROSS_SELL_ALREADY_ACCEPTED with it). */
  accept: (id: string, body: z.input<typeof CrossSellAccept> = {}) =>
    api<{ opportunityId: string | null }>(`/api/v1/cross-sell/${id}/accept`, { method: 'POST', body }),
  dismiss: (id: string, body: z.input<typeof CrossSellDismiss>) =>
    api<unknown>(`/api/v1/cross-sell/${id}/dismiss`, { method: 'POST', body }),
  /** 202 with the job's id; follow it with run(id). */
  startRun: () => api<{ id: string }>('/api/v1/cross-sell/runs', { method: 'POST' }),
  run: (id: string) => api<CrossSellRun>(`/api/v1/cross-sell/runs/${id}`),
  conversion: () => api<CrossSellConversionRow[]>('/api/v1/cross-sell/conversion'),
};
