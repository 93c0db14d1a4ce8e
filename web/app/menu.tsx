import {
  AccountBookOutlined,
  AreaChartOutlined,
  CompassOutlined,
  FallOutlined,
  HistoryOutlined,
  HourglassOutlined,
  InteractionOutlined,
  LineChartOutlined,
  PercentageOutlined,
  AimOutlined,
  ApartmentOutlined,
  AuditOutlined,
  CloudServerOutlined,
  BankOutlined,
  BarChartOutlined,
  BookOutlined,
  BranchesOutlined,
  CalendarOutlined,
  CheckSquareOutlined,
  ContactsOutlined,
  ExperimentOutlined,
  DashboardOutlined,
  FieldNumberOutlined,
  FieldTimeOutlined,
  FileProtectOutlined,
  EnvironmentOutlined,
  FileDoneOutlined,
  FileWordOutlined,
  FundOutlined,
  FunnelPlotOutlined,
  KeyOutlined,
  MailOutlined,
  MessageOutlined,
  MoneyCollectOutlined,
  NodeIndexOutlined,
  NotificationOutlined,
  PartitionOutlined,
  PieChartOutlined,
  ProfileOutlined,
  ProjectOutlined,
  ReadOutlined,
  RiseOutlined,
  SafetyCertificateOutlined,
  ShoppingCartOutlined,
  ScheduleOutlined,
  SnippetsOutlined,
  SolutionOutlined,
  SyncOutlined,
  TagsOutlined,
  TeamOutlined,
  UnorderedListOutlined,
  UserOutlined,
  WalletOutlined,
  TableOutlined,
  ReconciliationOutlined,
  PayCircleOutlined,
} from '@ant-design/icons';
import { Flex, Tag, type MenuProps } from 'antd';
import { useMemo, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useMe } from '../auth/session';
import { ApprovalCountBadge } from '../features/approvals/ApprovalCountBadge';
import { ChatUnreadBadge } from '../features/chat/ChatUnreadBadge';
import { useT } from '../i18n';
import { preload } from './lazy-page';
import { APP_PAGES, MENU_GROUPS, type AppPage, type MenuPath } from './pages';

/** The icon of each page the menu shows, and of each group: the signed-in shell's, not the first load's. */
const PAGE_ICONS: Record<MenuPath, ReactNode> = {
  '/': <ScheduleOutlined />,
  '/approvals': <CheckSquareOutlined />,
  '/chat': <MessageOutlined />,
  '/calendar': <CalendarOutlined />,
  '/knowledge': <BookOutlined />,
  '/customers': <ContactsOutlined />,
  '/customers/value-sheet': <FundOutlined />,
  '/cross-sell': <RiseOutlined />,
  '/campaigns': <NotificationOutlined />,
  '/leads': <AimOutlined />,
  '/opportunities': <FunnelPlotOutlined />,
  '/renewals': <SyncOutlined />,
  '/contracts': <FileProtectOutlined />,
  '/orders': <ShoppingCartOutlined />,
  '/work-orders': <ProfileOutlined />,
  '/timesheet': <FieldTimeOutlined />,
  '/workload': <DashboardOutlined />,
  '/engagements': <ProjectOutlined />,
  '/sales/assignment-rules': <BranchesOutlined />,
  '/sales/activity-categories': <UnorderedListOutlined />,
  '/sales/pipelines': <NodeIndexOutlined />,
  '/sales/playbooks': <CompassOutlined />,
  '/commissions/what-if': <ExperimentOutlined />,
  '/finance/receipts': <MoneyCollectOutlined />,
  '/finance/invoices': <FileDoneOutlined />,
  '/finance/receivables': <PieChartOutlined />,
  '/commissions/mine': <WalletOutlined />,
  '/commissions/sheets': <TableOutlined />,
  '/commissions/policies': <ReconciliationOutlined />,
  '/commissions/report': <BarChartOutlined />,
  '/reports/funnel-loss': <FallOutlined />,
  '/reports/lead-conversion': <InteractionOutlined />,
  '/reports/sales-cycle': <HistoryOutlined />,
  '/reports/pipeline-forecast': <LineChartOutlined />,
  '/reports/branch-comparison': <BankOutlined />,
  '/reports/revenue': <AreaChartOutlined />,
  '/reports/workload': <HourglassOutlined />,
  '/reports/commissions': <PercentageOutlined />,
  '/reports/renewals': <SyncOutlined />,
  '/staff/users': <UserOutlined />,
  '/staff/cpe': <ReadOutlined />,
  '/staff/departments': <ApartmentOutlined />,
  '/staff/branches': <BankOutlined />,
  '/staff/regions': <EnvironmentOutlined />,
  '/staff/business-lines': <TagsOutlined />,
  '/staff/roles': <SafetyCertificateOutlined />,
  '/staff/api-tokens': <KeyOutlined />,
  '/settings/approval-flows': <PartitionOutlined />,
  '/settings/contract-templates': <FileWordOutlined />,
  '/settings/engagement-templates': <SnippetsOutlined />,
  '/settings/number-series': <FieldNumberOutlined />,
  '/mail-outbox': <MailOutlined />,
  '/backups': <CloudServerOutlined />,
  '/audit': <AuditOutlined />,
};
/** Shown after an entry's label: how many approvals wait. */
const PAGE_BADGES: Partial<Record<MenuPath, ReactNode>> = {
  '/approvals': <ApprovalCountBadge />,
  '/chat': <ChatUnreadBadge />,
};
const GROUP_ICONS: Record<keyof typeof MENU_GROUPS, ReactNode> = {
  customers: <SolutionOutlined />,
  sales: <RiseOutlined />,
  work: <ProjectOutlined />,
  finance: <AccountBookOutlined />,
  commissions: <PayCircleOutlined />,
  reports: <BarChartOutlined />,
  staff: <TeamOutlined />,
};

/** The pages of the menu the user may open, in the registry's order. */
function useMenuPages(): (AppPage & { icon: ReactNode })[] {
  const me = useMe();
  return useMemo(
    () =>
      APP_PAGES.filter((page) => !page.hideInMenu && page.allowed(me)).map((page) => ({
        ...page,
        icon: PAGE_ICONS[page.path as MenuPath],
      })),
    [me],
  );
}

type MenuItem = NonNullable<MenuProps['items']>[number];

/** The sider menu: only the pages the user's grants allow, groups only when they have entries. */
export function useMenuItems(): MenuItem[] {
  const pages = useMenuPages();
  const t = useT();
  return useMemo(() => {
    const entry = (page: AppPage & { icon: ReactNode }): MenuItem => ({
      key: page.path,
      icon: page.icon,
      // Pointing at (or focusing) an entry starts loading its page's code.
      label: (
        <Link to={page.path} onMouseEnter={() => preload(page)} onFocus={() => preload(page)}>
          {t(page.labelKey)}
          {PAGE_BADGES[page.path as MenuPath]}
        </Link>
      ),
    });
    const items: MenuItem[] = [];
    const groups = new Map<string, MenuItem[]>();
    for (const page of pages) {
      if (!page.group) {
        items.push(entry(page));
        continue;
      }
      let children = groups.get(page.group);
      if (!children) {
        const group = MENU_GROUPS[page.group];
        children = [];
        groups.set(page.group, children);
        items.push({ key: group.key, icon: GROUP_ICONS[page.group], label: t(group.labelKey), children });
      }
      children.push(entry(page));
    }
    return items;
  }, [pages, t]);
}

/** Links to every page of the menu the user may open (the profile page lists them). */
export function MyModules() {
  const pages = useMenuPages();
  const t = useT();
  return (
    <Flex wrap gap={8} style={{ marginTop: 16 }} data-testid="my-modules">
      {pages.map((page) => (
        <Link key={page.path} to={page.path}>
          <Tag icon={page.icon} color="blue" style={{ marginInlineEnd: 0, padding: '4px 10px', fontSize: 14 }}>
            {t(page.labelKey)}
          </Tag>
        </Link>
      ))}
    </Flex>
  );
}
