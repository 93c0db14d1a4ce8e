import * as shell from '../app/messages';
import * as auth from '../features/auth/messages';
import * as home from '../features/home/messages';
import * as users from '../features/users/messages';
import * as departments from '../features/departments/messages';
import * as reference from '../features/reference/messages';
import * as roles from '../features/roles/messages';
import * as customers from '../features/customers/messages';
import * as audit from '../features/audit/messages';
import * as settings from '../features/settings/messages';
import * as operations from '../features/operations/messages';
import * as campaigns from '../features/campaigns/messages';
import * as activities from '../features/activities/messages';
import * as leads from '../features/leads/messages';
import * as assignmentRules from '../features/assignment-rules/messages';
import * as opportunities from '../features/opportunities/messages';
import * as pipeline from '../features/pipeline/messages';
import * as today from '../features/today/messages';
import * as dashboard from '../features/dashboard/messages';
import * as notifications from '../features/notifications/messages';
import * as calendar from '../features/calendar/messages';
import * as mail from '../features/mail/messages';
import * as approvals from '../features/approvals/messages';
import * as receivables from '../features/receivables/messages';
import * as contractTemplates from '../features/contract-templates/messages';
import * as contracts from '../features/contracts/messages';
import * as engagements from '../features/engagements/messages';
import * as timesheets from '../features/timesheets/messages';
import * as workload from '../features/workload/messages';
import * as engagementTemplates from '../features/engagement-templates/messages';
import * as people from '../features/people/messages';
import * as knowledgeSearch from '../features/knowledge-search/messages';
import * as commissions from '../features/commissions/messages';
import * as commissionWhatIf from '../features/commission-whatif/messages';
import * as reports from '../features/reports/messages';
import * as knowledgeRelated from '../features/knowledge-related/messages';
import * as knowledgeCapture from '../features/knowledge-capture/messages';
import * as playbooks from '../features/playbooks/messages';
import * as knowledge from '../features/knowledge/messages';
import * as chatExtras from '../features/chat-extras/messages';
import * as chat from '../features/chat/messages';
import * as renewals from '../features/renewals/messages';
import * as customerStory from '../features/customer-story/messages';
import * as crossSell from '../features/cross-sell/messages';

/**
 * Every feature folder owns its UI strings (`messages.ts`: zhCN and enUS); this file merges them into
 * one typed dictionary. A key belongs to exactly one feature (messages.test.ts checks it).
 */
export const messageParts = {
  shell,
  auth,
  home,
  users,
  departments,
  reference,
  roles,
  customers,
  audit,
  settings,
  operations,
  campaigns,
  activities,
  leads,
  assignmentRules,
  opportunities,
  pipeline,
  today,
  dashboard,
  notifications,
  calendar,
  mail,
  approvals,
  receivables,
  contractTemplates,
  contracts,
  engagements,
  timesheets,
  workload,
  engagementTemplates,
  people,
  knowledgeSearch,
  commissions,
  commissionWhatIf,
  reports,
  knowledgeRelated,
  knowledgeCapture,
  playbooks,
  knowledge,
  chatExtras,
  chat,
  renewals,
  customerStory,
  crossSell,
};

/**
 * The parts whose strings come with the first load (the sign-in page, the loading and error screens, the
 * shell's words); the other parts' strings are loaded with the signed-in app (web/i18n/index.tsx).
 */
export const FIRST_LOAD_PARTS: (keyof typeof messageParts)[] = ['shell', 'auth'];

/**
 * The three parts of the UI strings, each loaded when first needed (web/i18n/index.tsx; built by vite.config.ts):
 * `first-load` (FIRST_LOAD_PARTS), `app` (the keys the signed-in shell and the start page use, found in their source:
 * shell-keys.ts) and `pages` (the rest, with the first other page).
 */
export type StringsPart = 'first-load' | 'app' | 'pages';

export const zhCN = {
  ...shell.zhCN,
  ...auth.zhCN,
  ...home.zhCN,
  ...users.zhCN,
  ...departments.zhCN,
  ...reference.zhCN,
  ...roles.zhCN,
  ...customers.zhCN,
  ...audit.zhCN,
  ...settings.zhCN,
  ...operations.zhCN,
  ...campaigns.zhCN,
  ...activities.zhCN,
  ...leads.zhCN,
  ...assignmentRules.zhCN,
  ...opportunities.zhCN,
  ...pipeline.zhCN,
  ...today.zhCN,
  ...dashboard.zhCN,
  ...notifications.zhCN,
  ...calendar.zhCN,
  ...mail.zhCN,
  ...approvals.zhCN,
  ...receivables.zhCN,
  ...contractTemplates.zhCN,
  ...contracts.zhCN,
  ...engagements.zhCN,
  ...timesheets.zhCN,
  ...workload.zhCN,
  ...engagementTemplates.zhCN,
  ...people.zhCN,
  ...knowledgeSearch.zhCN,
  ...commissions.zhCN,
  ...commissionWhatIf.zhCN,
  ...reports.zhCN,
  ...knowledgeRelated.zhCN,
  ...knowledgeCapture.zhCN,
  ...playbooks.zhCN,
  ...knowledge.zhCN,
  ...chatExtras.zhCN,
  ...chat.zhCN,
  ...renewals.zhCN,
  ...customerStory.zhCN,
  ...crossSell.zhCN,
};
export type WebMessageKey = keyof typeof zhCN;

export const enUS: Record<WebMessageKey, string> = {
  ...shell.enUS,
  ...auth.enUS,
  ...home.enUS,
  ...users.enUS,
  ...departments.enUS,
  ...reference.enUS,
  ...roles.enUS,
  ...customers.enUS,
  ...audit.enUS,
  ...settings.enUS,
  ...operations.enUS,
  ...campaigns.enUS,
  ...activities.enUS,
  ...leads.enUS,
  ...assignmentRules.enUS,
  ...opportunities.enUS,
  ...pipeline.enUS,
  ...today.enUS,
  ...dashboard.enUS,
  ...notifications.enUS,
  ...calendar.enUS,
  ...mail.enUS,
  ...approvals.enUS,
  ...receivables.enUS,
  ...contractTemplates.enUS,
  ...contracts.enUS,
  ...engagements.enUS,
  ...timesheets.enUS,
  ...workload.enUS,
  ...engagementTemplates.enUS,
  ...people.enUS,
  ...knowledgeSearch.enUS,
  ...commissions.enUS,
  ...commissionWhatIf.enUS,
  ...reports.enUS,
  ...knowledgeRelated.enUS,
  ...knowledgeCapture.enUS,
  ...playbooks.enUS,
  ...knowledge.enUS,
  ...chatExtras.enUS,
  ...chat.enUS,
  ...renewals.enUS,
  ...customerStory.enUS,
  ...crossSell.enUS,
};
