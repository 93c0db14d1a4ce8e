import {
  ApartmentOutlined,
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
import { AuditLogPage } from '../features/audit/AuditLogPage';
import { CustomerPage } from '../features/customers/CustomerPage';
import { CustomersPage } from '../features/customers/CustomersPage';
import { EvaluationSheetPage } from '../features/customers/EvaluationSheetPage';
import { DepartmentsPage } from '../features/departments/DepartmentsPage';
import { HomePage } from '../features/home/HomePage';
import { REFERENCE_KINDS } from '../features/reference/reference-kinds';
import { ReferencePage } from '../features/reference/ReferencePage';
import { RolesPage } from '../features/roles/RolesPage';
import { AllApiTokensPage } from '../features/settings/AllApiTokensPage';
import { SettingsPage } from '../features/settings/SettingsPage';
import { UsersPage } from '../features/users/UsersPage';
import { AimOutlined, BranchesOutlined } from '@ant-design/icons';
import { AssignmentRulesPage } from '../features/assignment-rules/AssignmentRulesPage';
import { LeadPage } from '../features/leads/LeadPage';
import { LeadsPage } from '../features/leads/LeadsPage';
import { FunnelPlotOutlined, NodeIndexOutlined } from '@ant-design/icons';
import { OpportunitiesPage } from '../features/opportunities/OpportunitiesPage';
import { OpportunityPage } from '../features/opportunities/OpportunityPage';
import { PipelineSettingsPage } from '../features/pipeline/PipelineSettingsPage';
import { NotificationOutlined } from '@ant-design/icons';
import { CampaignPage } from '../features/campaigns/CampaignPage';
import { CampaignsPage } from '../features/campaigns/CampaignsPage';
import { CalendarOutlined, MailOutlined, ScheduleOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { ActivityCategoriesPage } from '../features/activities/ActivityCategoriesPage';
import { CalendarPage } from '../features/calendar/CalendarPage';
import { OutboxPage } from '../features/mail/OutboxPage';
import { TodayPage } from '../features/today/TodayPage';
import { useT, type WebMessageKey } from '../i18n';

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
  element: ReactNode;
};

const manageStaff = (me: Me) => can(me, 'staff:manage');

/** The start page: Today 今日 for those who work with customers, the profile overview for everyone else. */
function StartPage() {
  const me = useMe();
  return can(me, 'customers:read') ? <TodayPage /> : <HomePage modules={<MyModules />} />;
}

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
  { path: '/', labelKey: 'nav.today', icon: <ScheduleOutlined />, allowed: () => true, element: <StartPage /> },
  {
    path: '/calendar',
    labelKey: 'nav.calendar',
    icon: <CalendarOutlined />,
    allowed: readCustomers,
    element: <CalendarPage />,
  },
  {
    path: '/customers',
    group: 'customers',
    labelKey: 'nav.customers',
    icon: <ContactsOutlined />,
    allowed: readCustomers,
    element: <CustomersPage />,
  },
  {
    path: '/customers/value-sheet',
    group: 'customers',
    labelKey: 'nav.customerSettings',
    icon: <FundOutlined />,
    allowed: (me) => can(me, 'customers:configure'),
    element: <EvaluationSheetPage />,
  },
  {
    path: '/customers/:id',
    group: 'customers',
    labelKey: 'nav.customers',
    icon: <ContactsOutlined />,
    hideInMenu: true,
    allowed: readCustomers,
    element: <CustomerPage />,
  },
  {
    path: '/campaigns',
    group: 'sales',
    labelKey: 'nav.campaigns',
    icon: <NotificationOutlined />,
    allowed: (me) => can(me, 'campaigns:read'),
    element: <CampaignsPage />,
  },
  {
    path: '/campaigns/:id',
    group: 'sales',
    labelKey: 'nav.campaigns',
    icon: <NotificationOutlined />,
    hideInMenu: true,
    allowed: (me) => can(me, 'campaigns:read'),
    element: <CampaignPage />,
  },
  {
    path: '/leads',
    group: 'sales',
    labelKey: 'lead.nav',
    icon: <AimOutlined />,
    allowed: (me) => can(me, 'leads:read'),
    element: <LeadsPage />,
  },
  {
    path: '/leads/:id',
    group: 'sales',
    labelKey: 'lead.nav',
    icon: <AimOutlined />,
    hideInMenu: true,
    allowed: (me) => can(me, 'leads:read'),
    element: <LeadPage />,
  },
  {
    path: '/opportunities',
    group: 'sales',
    labelKey: 'opp.nav',
    icon: <FunnelPlotOutlined />,
    allowed: (me) => can(me, 'opportunities:read'),
    element: <OpportunitiesPage />,
  },
  {
    path: '/opportunities/:id',
    group: 'sales',
    labelKey: 'opp.nav',
    icon: <FunnelPlotOutlined />,
    hideInMenu: true,
    allowed: (me) => can(me, 'opportunities:read'),
    element: <OpportunityPage />,
  },
  {
    path: '/sales/assignment-rules',
    group: 'sales',
    labelKey: 'rule.nav',
    icon: <BranchesOutlined />,
    allowed: (me) => can(me, 'sales:configure'),
    element: <AssignmentRulesPage />,
  },
  {
    path: '/sales/activity-categories',
    group: 'sales',
    labelKey: 'nav.activityCategories',
    icon: <UnorderedListOutlined />,
    allowed: (me) => can(me, 'sales:configure'),
    element: <ActivityCategoriesPage />,
  },
  {
    path: '/sales/pipelines',
    group: 'sales',
    labelKey: 'pipeline.nav',
    icon: <NodeIndexOutlined />,
    allowed: (me) => can(me, 'sales:configure'),
    element: <PipelineSettingsPage />,
  },
  {
    path: '/staff/users',
    group: 'staff',
    labelKey: 'nav.users',
    icon: <UserOutlined />,
    // Colleagues' records: a salesperson's own scope would list only themselves (their profile is under /me).
    allowed: (me) => can(me, 'staff:read', 'department'),
    element: <UsersPage />,
  },
  {
    path: '/staff/departments',
    group: 'staff',
    labelKey: 'nav.departments',
    icon: <ApartmentOutlined />,
    allowed: manageStaff,
    element: <DepartmentsPage />,
  },
  {
    path: '/staff/branches',
    group: 'staff',
    labelKey: 'nav.branches',
    icon: <BankOutlined />,
    allowed: manageStaff,
    element: <ReferencePage key="branches" kind={REFERENCE_KINDS.branches} />,
  },
  {
    path: '/staff/regions',
    group: 'staff',
    labelKey: 'nav.regions',
    icon: <EnvironmentOutlined />,
    allowed: manageStaff,
    element: <ReferencePage key="regions" kind={REFERENCE_KINDS.regions} />,
  },
  {
    path: '/staff/business-lines',
    group: 'staff',
    labelKey: 'nav.businessLines',
    icon: <TagsOutlined />,
    allowed: manageStaff,
    element: <ReferencePage key="business-lines" kind={REFERENCE_KINDS.businessLines} />,
  },
  {
    path: '/staff/roles',
    group: 'staff',
    labelKey: 'nav.roles',
    icon: <SafetyCertificateOutlined />,
    allowed: manageStaff,
    element: <RolesPage />,
  },
  {
    path: '/staff/api-tokens',
    group: 'staff',
    labelKey: 'settings.tokens',
    icon: <KeyOutlined />,
    allowed: manageStaff,
    element: <AllApiTokensPage />,
  },
  {
    path: '/mail-outbox',
    labelKey: 'nav.outbox',
    icon: <MailOutlined />,
    allowed: (me) => can(me, 'mail:manage'),
    element: <OutboxPage />,
  },
  {
    path: '/audit',
    labelKey: 'nav.audit',
    icon: <AuditOutlined />,
    allowed: (me) => can(me, 'audit:read'),
    element: <AuditLogPage />,
  },
  {
    path: '/me',
    labelKey: 'nav.profile',
    icon: <UserOutlined />,
    hideInMenu: true,
    allowed: () => true,
    element: <HomePage modules={<MyModules />} />,
  },
  {
    path: '/settings',
    labelKey: 'nav.settings',
    icon: <SettingOutlined />,
    hideInMenu: true,
    allowed: () => true,
    element: <SettingsPage />,
  },
];
