import type { ComponentType, ReactNode } from 'react';
import { useOutletContext } from 'react-router';
import type { Me } from '../../common/schemas/auth';
import { can, useMe } from '../auth/session';
import type { REFERENCE_KINDS } from '../features/reference/reference-kinds';
import { loadPagesCatalog, type WebMessageKey } from '../i18n';
import { lazyPart, type LazyPart } from './lazy-page';
import { REPORT_PERMISSION, type ReportKind } from '../../common/reports';

/*
 * The route registry: what the entry needs to route an address and start loading its page. How the menu
 * shows each page (its icon) belongs to the signed-in shell: menu.tsx.
 */

export type MenuGroup = { key: string; labelKey: WebMessageKey };

export const MENU_GROUPS = {
  customers: { key: 'customers', labelKey: 'nav.customerGroup' },
  sales: { key: 'sales', labelKey: 'nav.salesGroup' },
  work: { key: 'work', labelKey: 'nav.workGroup' },
  finance: { key: 'finance', labelKey: 'receivables.nav.group' },
  commissions: { key: 'commissions', labelKey: 'commission.nav.group' },
  reports: { key: 'reports', labelKey: 'report.nav.group' },
  staff: { key: 'staff', labelKey: 'nav.staff' },
} as const satisfies Record<string, MenuGroup>;

/** What the signed-in shell gives its pages (react-router's outlet context). */
export type ShellContext = {
  /** Links to every page of the menu the user may open (the profile page lists them). */
  myModules: ReactNode;
};

export type AppPage = {
  path: string;
  labelKey: WebMessageKey;
  /** Which menu group the page sits in; none for top-level entries. */
  group?: keyof typeof MENU_GROUPS;
  /** Pages reached from the user menu, not the sider. */
  hideInMenu?: boolean;
  /** Who may open the page; the sider shows it only to them and the route answers 403 to others. */
  allowed: (me: Me) => boolean;
} & LazyPart;

const manageStaff = (me: Me) => can(me, 'staff:manage');

const todayPage = lazyPart(() => import('../features/today/TodayPage').then((m) => m.TodayPage));
const homePage = lazyPart(() =>
  import('../features/home/HomePage').then(
    (m) =>
      function Home() {
        return <m.HomePage modules={useOutletContext<ShellContext>().myModules} />;
      },
  ),
);

/**
 * The start page 首页: the reader's dashboard (their sections and pinned reports, one request) with Today 今日 below
 * for those who work with customers (not partners: their start page is the firm's figures) — the profile overview
 * for those with neither.
 */
const dashboardPage = lazyPart(() =>
  import('../features/dashboard/DashboardPage').then(
    (m) =>
      function Dashboard() {
        const me = useMe();
        return <m.DashboardPage today={can(me, 'customers:read') ? todayPage.element : null} home={homePage.element} />;
      },
  ),
);

/**
 * Every page but the start page: its code and the other pages' strings (web/i18n: the `pages` part, loaded once), so
 * that Today's first load carries only the strings of the shell and the start page.
 */
function pagePart(load: () => Promise<ComponentType>): LazyPart {
  return lazyPart(() => Promise.all([load(), loadPagesCatalog()]).then(([component]) => component));
}

function StartPage() {
  return dashboardPage.element;
}

/** The staff reference lists (branches, regions, business lines) share one page. */
const referencePage = (kind: keyof typeof REFERENCE_KINDS) =>
  pagePart(() =>
    Promise.all([import('../features/reference/ReferencePage'), import('../features/reference/reference-kinds')]).then(
      ([page, kinds]) =>
        function Reference() {
          return <page.ReferencePage kind={kinds.REFERENCE_KINDS[kind]} />;
        },
    ),
  );

const readCustomers = (me: Me) => can(me, 'customers:read');

/** A report's page 销售报表: one page draws every report; each opens to those who may read its records. */
function reportPage<K extends ReportKind>(kind: K) {
  return {
    path: `/reports/${kind}` as const,
    group: 'reports' as const,
    labelKey: `report.nav.${kind}` as const,
    allowed: (me: Me) => can(me, REPORT_PERMISSION[kind]),
    ...pagePart(() =>
      import('../features/reports/ReportPage').then(
        (m) =>
          function Report() {
            return <m.ReportPage kind={kind} />;
          },
      ),
    ),
  };
}
/** Receipts, invoices and receivables: a salesperson sees those of their own contracts; finance records them. */
const readReceivables = (me: Me) => can(me, 'receivables:read');

const chatPage = pagePart(() => import('../features/chat/ChatPage').then((m) => m.ChatPage));

const PAGES = [
  {
    path: '/',
    labelKey: 'nav.today',
    allowed: () => true,
    element: <StartPage />,
    preload: dashboardPage.preload,
  },
  {
    path: '/approvals',
    labelKey: 'approval.nav',
    allowed: () => true,
    ...pagePart(() => import('../features/approvals/ApprovalsPage').then((m) => m.ApprovalsPage)),
  },
  {
    // 团队协作: the reader's conversations; /chat/:id opens one (a phone shows it as a screen of its own).
    path: '/chat',
    labelKey: 'chat.nav',
    allowed: (me) => can(me, 'chat:use'),
    ...chatPage,
  },
  {
    // 搜索消息: reached from the chat page's search; declared before /chat/:id (the first registry entry whose path
    // matches names the page and starts its loading).
    path: '/chat/search',
    labelKey: 'chatExtras.search.nav',
    hideInMenu: true,
    allowed: (me) => can(me, 'chat:use'),
    ...pagePart(() => import('../features/chat-extras/ChatSearchPage').then((m) => m.ChatSearchPage)),
  },
  {
    path: '/chat/:id',
    labelKey: 'chat.nav',
    hideInMenu: true,
    allowed: (me) => can(me, 'chat:use'),
    ...chatPage,
  },
  {
    path: '/calendar',
    labelKey: 'nav.calendar',
    allowed: readCustomers,
    ...pagePart(() => import('../features/calendar/CalendarPage').then((m) => m.CalendarPage)),
  },
  {
    path: '/knowledge',
    labelKey: 'knowledge.nav',
    allowed: (me) => can(me, 'knowledge:read'),
    ...pagePart(() => import('../features/knowledge/KnowledgePage').then((m) => m.KnowledgePage)),
  },
  {
    path: '/knowledge/:id',
    labelKey: 'knowledge.nav',
    hideInMenu: true,
    allowed: (me) => can(me, 'knowledge:read'),
    ...pagePart(() => import('../features/knowledge/ArticlePage').then((m) => m.ArticlePage)),
  },
  {
    path: '/customers',
    group: 'customers',
    labelKey: 'nav.customers',
    allowed: readCustomers,
    ...pagePart(() => import('../features/customers/CustomersPage').then((m) => m.CustomersPage)),
  },
  {
    path: '/customers/value-sheet',
    group: 'customers',
    labelKey: 'nav.customerSettings',
    allowed: (me) => can(me, 'customers:configure'),
    ...pagePart(() => import('../features/customers/EvaluationSheetPage').then((m) => m.EvaluationSheetPage)),
  },
  {
    path: '/cross-sell',
    group: 'customers',
    labelKey: 'crossSell.nav',
    allowed: readCustomers,
    ...pagePart(() => import('../features/cross-sell/CrossSellPage').then((m) => m.CrossSellPage)),
  },
  {
    path: '/customers/:id',
    group: 'customers',
    labelKey: 'nav.customers',
    hideInMenu: true,
    allowed: readCustomers,
    ...pagePart(() => import('../features/customers/CustomerPage').then((m) => m.CustomerPage)),
  },
  {
    path: '/campaigns',
    group: 'sales',
    labelKey: 'nav.campaigns',
    allowed: (me) => can(me, 'campaigns:read'),
    ...pagePart(() => import('../features/campaigns/CampaignsPage').then((m) => m.CampaignsPage)),
  },
  {
    path: '/campaigns/:id',
    group: 'sales',
    labelKey: 'nav.campaigns',
    hideInMenu: true,
    allowed: (me) => can(me, 'campaigns:read'),
    ...pagePart(() => import('../features/campaigns/CampaignPage').then((m) => m.CampaignPage)),
  },
  {
    path: '/leads',
    group: 'sales',
    labelKey: 'lead.nav',
    allowed: (me) => can(me, 'leads:read'),
    ...pagePart(() => import('../features/leads/LeadsPage').then((m) => m.LeadsPage)),
  },
  {
    path: '/leads/:id',
    group: 'sales',
    labelKey: 'lead.nav',
    hideInMenu: true,
    allowed: (me) => can(me, 'leads:read'),
    ...pagePart(() => import('../features/leads/LeadPage').then((m) => m.LeadPage)),
  },
  {
    path: '/opportunities',
    group: 'sales',
    labelKey: 'opp.nav',
    allowed: (me) => can(me, 'opportunities:read'),
    ...pagePart(() => import('../features/opportunities/OpportunitiesPage').then((m) => m.OpportunitiesPage)),
  },
  {
    path: '/opportunities/:id',
    group: 'sales',
    labelKey: 'opp.nav',
    hideInMenu: true,
    allowed: (me) => can(me, 'opportunities:read'),
    ...pagePart(() => import('../features/opportunities/OpportunityPage').then((m) => m.OpportunityPage)),
  },
  {
    path: '/renewals',
    group: 'sales',
    labelKey: 'renewal.nav',
    allowed: (me) => can(me, 'opportunities:read'),
    ...pagePart(() => import('../features/renewals/RenewalsPage').then((m) => m.RenewalsPage)),
  },
  {
    path: '/contracts',
    group: 'sales',
    labelKey: 'contract.nav',
    allowed: (me) => can(me, 'contracts:read'),
    ...pagePart(() => import('../features/contracts/ContractsPage').then((m) => m.ContractsPage)),
  },
  {
    path: '/contracts/:id',
    group: 'sales',
    labelKey: 'contract.nav',
    hideInMenu: true,
    allowed: (me) => can(me, 'contracts:read'),
    ...pagePart(() => import('../features/contracts/ContractPage').then((m) => m.ContractPage)),
  },
  {
    path: '/orders',
    group: 'sales',
    labelKey: 'order.nav',
    allowed: (me) => can(me, 'contracts:read'),
    ...pagePart(() => import('../features/contracts/OrdersPage').then((m) => m.OrdersPage)),
  },
  {
    path: '/orders/:id',
    group: 'sales',
    labelKey: 'order.nav',
    hideInMenu: true,
    allowed: (me) => can(me, 'contracts:read'),
    ...pagePart(() => import('../features/contracts/OrderPage').then((m) => m.OrderPage)),
  },
  {
    path: '/work-orders',
    group: 'work',
    labelKey: 'workOrder.nav',
    allowed: (me) => can(me, 'engagements:read'),
    ...pagePart(() => import('../features/engagements/WorkOrdersPage').then((m) => m.WorkOrdersPage)),
  },
  {
    path: '/timesheet',
    group: 'work',
    labelKey: 'timesheet.nav',
    allowed: (me) => can(me, 'engagements:read'),
    ...pagePart(() => import('../features/timesheets/TimesheetPage').then((m) => m.TimesheetPage)),
  },
  {
    path: '/workload',
    group: 'work',
    labelKey: 'workload.nav',
    // Managers (their department), partners and finance (everyone): more than one's own hours.
    allowed: (me) => can(me, 'engagements:read') && me.grants['engagements:read'] !== 'own',
    ...pagePart(() => import('../features/workload/WorkloadPage').then((m) => m.WorkloadPage)),
  },
  {
    path: '/engagements',
    group: 'work',
    labelKey: 'engagement.nav',
    allowed: (me) => can(me, 'engagements:read'),
    ...pagePart(() => import('../features/engagements/EngagementsPage').then((m) => m.EngagementsPage)),
  },
  {
    path: '/engagements/:id',
    group: 'work',
    labelKey: 'engagement.nav',
    hideInMenu: true,
    allowed: (me) => can(me, 'engagements:read'),
    ...pagePart(() => import('../features/engagements/EngagementPage').then((m) => m.EngagementPage)),
  },
  {
    path: '/sales/assignment-rules',
    group: 'sales',
    labelKey: 'rule.nav',
    allowed: (me) => can(me, 'sales:configure'),
    ...pagePart(() => import('../features/assignment-rules/AssignmentRulesPage').then((m) => m.AssignmentRulesPage)),
  },
  {
    path: '/sales/activity-categories',
    group: 'sales',
    labelKey: 'nav.activityCategories',
    allowed: (me) => can(me, 'sales:configure'),
    ...pagePart(() => import('../features/activities/ActivityCategoriesPage').then((m) => m.ActivityCategoriesPage)),
  },
  {
    path: '/sales/playbooks',
    group: 'sales',
    labelKey: 'playbook.nav',
    allowed: (me) => can(me, 'knowledge:manage'),
    ...pagePart(() => import('../features/playbooks/PlaybooksPage').then((m) => m.PlaybooksPage)),
  },
  {
    path: '/sales/pipelines',
    group: 'sales',
    labelKey: 'pipeline.nav',
    allowed: (me) => can(me, 'sales:configure'),
    ...pagePart(() => import('../features/pipeline/PipelineSettingsPage').then((m) => m.PipelineSettingsPage)),
  },
  {
    path: '/finance/receipts',
    group: 'finance',
    labelKey: 'receivables.nav.receipts',
    allowed: readReceivables,
    ...pagePart(() => import('../features/receivables/ReceiptsPage').then((m) => m.ReceiptsPage)),
  },
  {
    path: '/finance/invoices',
    group: 'finance',
    labelKey: 'receivables.nav.invoices',
    allowed: readReceivables,
    ...pagePart(() => import('../features/receivables/InvoicesPage').then((m) => m.InvoicesPage)),
  },
  {
    path: '/finance/receivables',
    group: 'finance',
    labelKey: 'receivables.nav.receivables',
    allowed: readReceivables,
    ...pagePart(() => import('../features/receivables/ReceivablesPage').then((m) => m.ReceivablesPage)),
  },
  {
    path: '/commissions/mine',
    group: 'commissions',
    labelKey: 'commission.nav.mine',
    allowed: (me) => can(me, 'commissions:read'),
    ...pagePart(() => import('../features/commissions/SheetsPage').then((m) => m.MyCommissionsPage)),
  },
  {
    path: '/commissions/sheets',
    group: 'commissions',
    labelKey: 'commission.nav.sheets',
    // Everyone's, the department's, or (own scope) those with a line of the reader's — and the sales owner drafts here.
    allowed: (me) => can(me, 'commissions:read'),
    ...pagePart(() => import('../features/commissions/SheetsPage').then((m) => m.SheetsPage)),
  },
  {
    path: '/commissions/sheets/:id',
    group: 'commissions',
    labelKey: 'commission.nav.sheets',
    hideInMenu: true,
    allowed: (me) => can(me, 'commissions:read'),
    ...pagePart(() => import('../features/commissions/SheetPage').then((m) => m.SheetPage)),
  },
  {
    path: '/commissions/policies',
    group: 'commissions',
    labelKey: 'commission.nav.policies',
    // Kept by commissions:configure; the adopted versions are readable by everyone they apply to.
    allowed: (me) => can(me, 'commissions:configure') || can(me, 'commissions:read'),
    ...pagePart(() => import('../features/commissions/PoliciesPage').then((m) => m.PoliciesPage)),
  },
  {
    path: '/commissions/report',
    group: 'commissions',
    labelKey: 'commission.nav.report',
    allowed: (me) => can(me, 'commissions:read'),
    ...pagePart(() => import('../features/commissions/ReportPage').then((m) => m.ReportPage)),
  },
  {
    path: '/commissions/what-if',
    group: 'commissions',
    labelKey: 'commissionWhatIf.nav',
    allowed: (me) => can(me, 'commissions:configure'),
    ...pagePart(() => import('../features/commission-whatif/WhatIfPage').then((m) => m.WhatIfPage)),
  },
  reportPage('funnel-loss'),
  reportPage('lead-conversion'),
  reportPage('sales-cycle'),
  reportPage('pipeline-forecast'),
  reportPage('branch-comparison'),
  reportPage('revenue'),
  reportPage('workload'),
  reportPage('commissions'),
  reportPage('renewals'),
  {
    path: '/staff/users',
    group: 'staff',
    labelKey: 'nav.users',
    // Colleagues' records: a salesperson's own scope would list only themselves (their profile is under /me).
    allowed: (me) => can(me, 'staff:read', 'department'),
    ...pagePart(() => import('../features/users/UsersPage').then((m) => m.UsersPage)),
  },
  {
    // 搜索知识库: reached from the knowledge list page’s search box, not a menu item of its own.
    path: '/knowledge/search',
    labelKey: 'knowledgeSearch.nav',
    hideInMenu: true,
    allowed: (me) => can(me, 'knowledge:read'),
    ...pagePart(() => import('../features/knowledge-search/SearchPage').then((m) => m.SearchPage)),
  },
  {
    path: '/people/:id',
    group: 'staff',
    labelKey: 'people.nav',
    hideInMenu: true,
    allowed: (me) => can(me, 'staff:read'),
    ...pagePart(() => import('../features/people/PersonPage').then((m) => m.PersonPage)),
  },
  {
    path: '/staff/cpe',
    group: 'staff',
    labelKey: 'cpe.nav',
    // Managers (their department), administrators, partners and finance (everyone).
    allowed: (me) => can(me, 'staff:read', 'department'),
    ...pagePart(() => import('../features/people/CpeShortfallPage').then((m) => m.CpeShortfallPage)),
  },
  {
    path: '/staff/departments',
    group: 'staff',
    labelKey: 'nav.departments',
    allowed: manageStaff,
    ...pagePart(() => import('../features/departments/DepartmentsPage').then((m) => m.DepartmentsPage)),
  },
  {
    path: '/staff/branches',
    group: 'staff',
    labelKey: 'nav.branches',
    allowed: manageStaff,
    ...referencePage('branches'),
  },
  {
    path: '/staff/regions',
    group: 'staff',
    labelKey: 'nav.regions',
    allowed: manageStaff,
    ...referencePage('regions'),
  },
  {
    path: '/staff/business-lines',
    group: 'staff',
    labelKey: 'nav.businessLines',
    allowed: manageStaff,
    ...referencePage('businessLines'),
  },
  {
    path: '/staff/roles',
    group: 'staff',
    labelKey: 'nav.roles',
    allowed: manageStaff,
    ...pagePart(() => import('../features/roles/RolesPage').then((m) => m.RolesPage)),
  },
  {
    path: '/staff/api-tokens',
    group: 'staff',
    labelKey: 'settings.tokens',
    allowed: manageStaff,
    ...pagePart(() => import('../features/settings/AllApiTokensPage').then((m) => m.AllApiTokensPage)),
  },
  {
    path: '/settings/approval-flows',
    labelKey: 'workflow.nav',
    allowed: (me) => can(me, 'workflows:manage'),
    ...pagePart(() => import('../features/approvals/WorkflowsPage').then((m) => m.WorkflowsPage)),
  },
  {
    path: '/settings/contract-templates',
    labelKey: 'contractTemplate.nav',
    allowed: (me) => can(me, 'contracts:configure'),
    ...pagePart(() =>
      import('../features/contract-templates/ContractTemplatesPage').then((m) => m.ContractTemplatesPage),
    ),
  },
  {
    path: '/settings/engagement-templates',
    labelKey: 'engagementTemplate.nav',
    allowed: (me) => can(me, 'engagements:configure'),
    ...pagePart(() =>
      import('../features/engagement-templates/EngagementTemplatesPage').then((m) => m.EngagementTemplatesPage),
    ),
  },
  {
    path: '/settings/number-series',
    labelKey: 'series.nav',
    allowed: (me) => can(me, 'contracts:configure'),
    ...pagePart(() => import('../features/contracts/NumberSeriesPage').then((m) => m.NumberSeriesPage)),
  },
  {
    path: '/mail-outbox',
    labelKey: 'nav.outbox',
    allowed: (me) => can(me, 'mail:manage'),
    ...pagePart(() => import('../features/mail/OutboxPage').then((m) => m.OutboxPage)),
  },
  {
    path: '/backups',
    labelKey: 'nav.backups',
    allowed: (me) => can(me, 'staff:manage'),
    ...pagePart(() => import('../features/operations/BackupsPage').then((m) => m.BackupsPage)),
  },
  {
    path: '/audit',
    labelKey: 'nav.audit',
    allowed: (me) => can(me, 'audit:read'),
    ...pagePart(() => import('../features/audit/AuditLogPage').then((m) => m.AuditLogPage)),
  },
  {
    path: '/me',
    labelKey: 'nav.profile',
    hideInMenu: true,
    allowed: () => true,
    ...homePage,
  },
  {
    path: '/my-record',
    labelKey: 'people.myNav',
    hideInMenu: true,
    allowed: (me) => can(me, 'staff:read'),
    ...pagePart(() => import('../features/people/PersonPage').then((m) => m.PersonPage)),
  },
  {
    path: '/settings',
    labelKey: 'nav.settings',
    hideInMenu: true,
    allowed: () => true,
    ...pagePart(() => import('../features/settings/SettingsPage').then((m) => m.SettingsPage)),
  },
] as const satisfies readonly AppPage[];

/** Every page of the signed-in app: the router and the sider menu are both built from this list. */
export const APP_PAGES: readonly AppPage[] = PAGES;

/** The address of every page the menu shows (menu.tsx gives each its icon). */
export type MenuPath = Exclude<(typeof PAGES)[number], { hideInMenu: true }>['path'];
