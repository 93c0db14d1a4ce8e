import {
  AimOutlined,
  ApartmentOutlined,
  BranchesOutlined,
  CalendarOutlined,
  FunnelPlotOutlined,
  MailOutlined,
  NodeIndexOutlined,
  NotificationOutlined,
  ScheduleOutlined,
  UnorderedListOutlined,
  AuditOutlined,
  BankOutlined,
  EnvironmentOutlined,
  SafetyCertificateOutlined,
  ContactsOutlined,
  FundOutlined,
  KeyOutlined,
  RiseOutlined,
  SettingOutlined,
  SolutionOutlined,
  TagsOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Flex, Tag } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Me } from '../../common/schemas/auth';
import { can, useMe } from '../auth/session';
import type { REFERENCE_KINDS } from '../features/reference/reference-kinds';
import { useT, type WebMessageKey } from '../i18n';
import { lazyPart, type LazyPart } from './lazy-page';

export type MenuGroup = { key: string; labelKey: WebMessageKey; icon: ReactNode };

export const MENU_GROUPS = {
  customers: { key: 'customers', labelKey: 'nav.customerGroup', icon: <SolutionOutlined /> },
  sales: { key: 'sales', labelKey: 'nav.salesGroup', icon: <RiseOutlined /> },
  staff: { key: 'staff', labelKey: 'nav.staff', icon: <TeamOutlined /> },
} as const satisfies Record<string, MenuGroup>;

export type AppPage = {
  path: string;
  labelKey: WebMessageKey;
  icon: ReactNode;
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
        return <m.HomePage modules={<MyModules />} />;
      },
  ),
);

/** The start page: Today 今日 for those who work with customers, the profile overview for everyone else. */
function StartPage() {
  const me = useMe();
  return can(me, 'customers:read') ? todayPage.element : homePage.element;
}

/** The staff reference lists (branches, regions, business lines) share one page. */
const referencePage = (kind: keyof typeof REFERENCE_KINDS) =>
  lazyPart(() =>
    Promise.all([import('../features/reference/ReferencePage'), import('../features/reference/reference-kinds')]).then(
      ([page, kinds]) =>
        function Reference() {
          return <page.ReferencePage kind={kinds.REFERENCE_KINDS[kind]} />;
        },
    ),
  );

/** Links to every page of the menu the user may open (the profile page lists them). */
function MyModules() {
  const me = useMe();
  const t = useT();
  return (
    <Flex wrap gap={8} style={{ marginTop: 16 }} data-testid="my-modules">
      {APP_PAGES.filter((page) => !page.hideInMenu && page.allowed(me)).map((page) => (
        <Link key={page.path} to={page.path}>
          <Tag icon={page.icon} color="blue" style={{ marginInlineEnd: 0, padding: '4px 10px', fontSize: 14 }}>
            {t(page.labelKey)}
          </Tag>
        </Link>
      ))}
    </Flex>
  );
}
const readCustomers = (me: Me) => can(me, 'customers:read');

/** Every page of the signed-in app: the router and the sider menu are both built from this list. */
export const APP_PAGES: AppPage[] = [
  {
    path: '/',
    labelKey: 'nav.today',
    icon: <ScheduleOutlined />,
    allowed: () => true,
    element: <StartPage />,
    preload: todayPage.preload,
  },
  {
    path: '/calendar',
    labelKey: 'nav.calendar',
    icon: <CalendarOutlined />,
    allowed: readCustomers,
    ...lazyPart(() => import('../features/calendar/CalendarPage').then((m) => m.CalendarPage)),
  },
  {
    path: '/customers',
    group: 'customers',
    labelKey: 'nav.customers',
    icon: <ContactsOutlined />,
    allowed: readCustomers,
    ...lazyPart(() => import('../features/customers/CustomersPage').then((m) => m.CustomersPage)),
  },
  {
    path: '/customers/value-sheet',
    group: 'customers',
    labelKey: 'nav.customerSettings',
    icon: <FundOutlined />,
    allowed: (me) => can(me, 'customers:configure'),
    ...lazyPart(() => import('../features/customers/EvaluationSheetPage').then((m) => m.EvaluationSheetPage)),
  },
  {
    path: '/customers/:id',
    group: 'customers',
    labelKey: 'nav.customers',
    icon: <ContactsOutlined />,
    hideInMenu: true,
    allowed: readCustomers,
    ...lazyPart(() => import('../features/customers/CustomerPage').then((m) => m.CustomerPage)),
  },
  {
    path: '/campaigns',
    group: 'sales',
    labelKey: 'nav.campaigns',
    icon: <NotificationOutlined />,
    allowed: (me) => can(me, 'campaigns:read'),
    ...lazyPart(() => import('../features/campaigns/CampaignsPage').then((m) => m.CampaignsPage)),
  },
  {
    path: '/campaigns/:id',
    group: 'sales',
    labelKey: 'nav.campaigns',
    icon: <NotificationOutlined />,
    hideInMenu: true,
    allowed: (me) => can(me, 'campaigns:read'),
    ...lazyPart(() => import('../features/campaigns/CampaignPage').then((m) => m.CampaignPage)),
  },
  {
    path: '/leads',
    group: 'sales',
    labelKey: 'lead.nav',
    icon: <AimOutlined />,
    allowed: (me) => can(me, 'leads:read'),
    ...lazyPart(() => import('../features/leads/LeadsPage').then((m) => m.LeadsPage)),
  },
  {
    path: '/leads/:id',
    group: 'sales',
    labelKey: 'lead.nav',
    icon: <AimOutlined />,
    hideInMenu: true,
    allowed: (me) => can(me, 'leads:read'),
    ...lazyPart(() => import('../features/leads/LeadPage').then((m) => m.LeadPage)),
  },
  {
    path: '/opportunities',
    group: 'sales',
    labelKey: 'opp.nav',
    icon: <FunnelPlotOutlined />,
    allowed: (me) => can(me, 'opportunities:read'),
    ...lazyPart(() => import('../features/opportunities/OpportunitiesPage').then((m) => m.OpportunitiesPage)),
  },
  {
    path: '/opportunities/:id',
    group: 'sales',
    labelKey: 'opp.nav',
    icon: <FunnelPlotOutlined />,
    hideInMenu: true,
    allowed: (me) => can(me, 'opportunities:read'),
    ...lazyPart(() => import('../features/opportunities/OpportunityPage').then((m) => m.OpportunityPage)),
  },
  {
    path: '/sales/assignment-rules',
    group: 'sales',
    labelKey: 'rule.nav',
    icon: <BranchesOutlined />,
    allowed: (me) => can(me, 'sales:configure'),
    ...lazyPart(() => import('../features/assignment-rules/AssignmentRulesPage').then((m) => m.AssignmentRulesPage)),
  },
  {
    path: '/sales/activity-categories',
    group: 'sales',
    labelKey: 'nav.activityCategories',
    icon: <UnorderedListOutlined />,
    allowed: (me) => can(me, 'sales:configure'),
    ...lazyPart(() => import('../features/activities/ActivityCategoriesPage').then((m) => m.ActivityCategoriesPage)),
  },
  {
    path: '/sales/pipelines',
    group: 'sales',
    labelKey: 'pipeline.nav',
    icon: <NodeIndexOutlined />,
    allowed: (me) => can(me, 'sales:configure'),
    ...lazyPart(() => import('../features/pipeline/PipelineSettingsPage').then((m) => m.PipelineSettingsPage)),
  },
  {
    path: '/staff/users',
    group: 'staff',
    labelKey: 'nav.users',
    icon: <UserOutlined />,
    // Colleagues' records: a salesperson's own scope would list only themselves (their profile is under /me).
    allowed: (me) => can(me, 'staff:read', 'department'),
    ...lazyPart(() => import('../features/users/UsersPage').then((m) => m.UsersPage)),
  },
  {
    path: '/staff/departments',
    group: 'staff',
    labelKey: 'nav.departments',
    icon: <ApartmentOutlined />,
    allowed: manageStaff,
    ...lazyPart(() => import('../features/departments/DepartmentsPage').then((m) => m.DepartmentsPage)),
  },
  {
    path: '/staff/branches',
    group: 'staff',
    labelKey: 'nav.branches',
    icon: <BankOutlined />,
    allowed: manageStaff,
    ...referencePage('branches'),
  },
  {
    path: '/staff/regions',
    group: 'staff',
    labelKey: 'nav.regions',
    icon: <EnvironmentOutlined />,
    allowed: manageStaff,
    ...referencePage('regions'),
  },
  {
    path: '/staff/business-lines',
    group: 'staff',
    labelKey: 'nav.businessLines',
    icon: <TagsOutlined />,
    allowed: manageStaff,
    ...referencePage('businessLines'),
  },
  {
    path: '/staff/roles',
    group: 'staff',
    labelKey: 'nav.roles',
    icon: <SafetyCertificateOutlined />,
    allowed: manageStaff,
    ...lazyPart(() => import('../features/roles/RolesPage').then((m) => m.RolesPage)),
  },
  {
    path: '/staff/api-tokens',
    group: 'staff',
    labelKey: 'settings.tokens',
    icon: <KeyOutlined />,
    allowed: manageStaff,
    ...lazyPart(() => import('../features/settings/AllApiTokensPage').then((m) => m.AllApiTokensPage)),
  },
  {
    path: '/mail-outbox',
    labelKey: 'nav.outbox',
    icon: <MailOutlined />,
    allowed: (me) => can(me, 'mail:manage'),
    ...lazyPart(() => import('../features/mail/OutboxPage').then((m) => m.OutboxPage)),
  },
  {
    path: '/audit',
    labelKey: 'nav.audit',
    icon: <AuditOutlined />,
    allowed: (me) => can(me, 'audit:read'),
    ...lazyPart(() => import('../features/audit/AuditLogPage').then((m) => m.AuditLogPage)),
  },
  {
    path: '/me',
    labelKey: 'nav.profile',
    icon: <UserOutlined />,
    hideInMenu: true,
    allowed: () => true,
    ...homePage,
  },
  {
    path: '/settings',
    labelKey: 'nav.settings',
    icon: <SettingOutlined />,
    hideInMenu: true,
    allowed: () => true,
    ...lazyPart(() => import('../features/settings/SettingsPage').then((m) => m.SettingsPage)),
  },
];
