import {
  DownOutlined,
  IdcardOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  SettingOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Avatar, Button, Dropdown, Flex, Layout, Menu, Skeleton, Typography } from 'antd';
import { Suspense, useState } from 'react';
import { Link, matchPath, Outlet, useLocation, useNavigate } from 'react-router';
import { authApi } from '../api/resources';
import { can, storeMe, useMe } from '../auth/session';
import { DocumentTitle } from '../components/document-title';
import { useErrorToast } from '../components/errors';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { AnswerBox } from '../features/customers/AnswerBox';
import { NotificationBell } from '../features/notifications/NotificationBell';
import { Logo } from '../components/Logo';
import { roleLabel } from '../components/labels';
import { BRAND_BLUE } from '../components/theme';
import { useIsMobile } from '../components/responsive';
import { loadCatalog, translateIn, useLocale, useT, type Locale } from '../i18n';
import '../i18n/dayjs';
import { MyModules, useMenuItems } from './menu';
import { MobileNav } from './MobileNav';
import { APP_PAGES, MENU_GROUPS, type ShellContext } from './pages';

function UserMenu({ compact = false }: { compact?: boolean }) {
  const me = useMe();
  const t = useT();
  const { locale } = useLocale();
  const navigate = useNavigate();

  // A full page load to the login form: nothing of this user's session stays in memory,
  // and the next user starts at home rather than on the page this one left.
  const logout = async () => {
    try {
      await authApi.logout();
    } finally {
      window.location.replace('/login');
    }
  };

  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          { key: 'profile', icon: <UserOutlined />, label: t('nav.profile'), onClick: () => navigate('/me') },
          ...(can(me, 'staff:read')
            ? [
                {
                  key: 'record',
                  icon: <IdcardOutlined />,
                  label: t('people.myNav'),
                  onClick: () => navigate('/my-record'),
                },
              ]
            : []),
          {
            key: 'settings',
            icon: <SettingOutlined />,
            label: t('nav.settings'),
            onClick: () => navigate('/settings'),
          },
          { type: 'divider' },
          { key: 'logout', icon: <LogoutOutlined />, label: t('nav.logout'), onClick: () => void logout() },
        ],
      }}
    >
      <Button
        type="text"
        data-testid="user-menu"
        aria-label={compact ? me.user.displayName : undefined}
        style={{ height: compact ? 40 : 48, paddingInline: compact ? 6 : undefined }}
      >
        <Flex align="center" gap={8}>
          <Avatar size="small" icon={<UserOutlined />} style={{ background: BRAND_BLUE }} />
          {/* On a phone the avatar alone (the button's label names the user). */}
          {!compact && (
            <Flex vertical align="flex-start" style={{ lineHeight: 1.2 }}>
              <Typography.Text strong>{me.user.displayName}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {roleLabel(t, locale, { code: me.user.roleCode, name: me.user.roleName })}
              </Typography.Text>
            </Flex>
          )}
          {!compact && <DownOutlined style={{ fontSize: 10 }} />}
        </Flex>
      </Button>
    </Dropdown>
  );
}

/** The language switch of the signed-in app saves the choice on the server, for the next sign-in too. */
function SavedLanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { setLocale } = useLocale();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const save = async (locale: Locale) => {
    try {
      const me = await authApi.updateMe({ locale });
      await loadCatalog(locale); // (the toast below speaks the new language)
      setLocale(locale);
      storeMe(queryClient, me);
      void message.success(translateIn(locale)('lang.switched'));
    } catch (error) {
      toast(error);
    }
  };
  return <LanguageSwitch onSelect={save} compact={compact} />;
}

/** The placeholder of a page whose code is loading. */
function PageLoading() {
  return (
    <div aria-busy="true" data-testid="page-loading">
      <Skeleton active paragraph={{ rows: 6 }} />
    </div>
  );
}

const shellContext: ShellContext = { myModules: <MyModules /> };

export function AppLayout() {
  const t = useT();
  const me = useMe();
  const location = useLocation();
  const items = useMenuItems();
  const [collapsed, setCollapsed] = useState(false);
  const mobile = useIsMobile();
  // The page shown (the first registry entry whose path matches: /customers/value-sheet before /customers/:id) names the tab.
  const current = APP_PAGES.find((p) => matchPath(p.path, location.pathname));
  const selected = APP_PAGES.filter((p) =>
    p.path === '/' ? location.pathname === '/' : location.pathname.startsWith(p.path),
  ).map((p) => p.path);

  return (
    // antd's App (message, modal and notification hooks for every page) starts here, with the signed-in
    // app: the sign-in page does not load it.
    <App>
      <Layout style={{ minHeight: '100vh' }}>
        <a
          href="#main"
          className="gd-skip-link"
          data-testid="skip-link"
          onClick={(event) => {
            // Focus the content without adding #main to the address.
            event.preventDefault();
            document.getElementById('main')?.focus();
          }}
        >
          {t('app.skipToContent')}
        </a>
        <Layout.Sider
          theme="light"
          width={224}
          collapsedWidth={64}
          collapsed={collapsed}
          // On a phone the menu is a drawer instead (MobileNav in the header).
          style={{ borderRight: '1px solid #f0f0f0', display: mobile ? 'none' : undefined }}
        >
          <Link
            to="/"
            style={{
              display: 'flex',
              alignItems: 'center',
              gap: 10,
              height: 64,
              padding: collapsed ? '0 20px' : '0 24px',
            }}
          >
            <Logo />
            {!collapsed && (
              <Typography.Text strong style={{ fontSize: 16, whiteSpace: 'nowrap' }}>
                {t('app.fullName')}
              </Typography.Text>
            )}
          </Link>
          <Menu
            mode="inline"
            selectedKeys={selected}
            defaultOpenKeys={Object.values(MENU_GROUPS).map((g) => g.key)}
            items={items}
            style={{ borderInlineEnd: 'none' }}
            aria-label={t('app.name')}
            data-testid="sider-menu"
          />
        </Layout.Sider>
        <Layout>
          <Layout.Header
            style={{
              background: '#fff',
              padding: mobile ? '0 8px' : '0 16px',
              display: 'flex',
              alignItems: 'center',
              gap: mobile ? 4 : 8,
              borderBottom: '1px solid #f0f0f0',
            }}
          >
            {mobile ? (
              <MobileNav items={items} selected={selected} />
            ) : (
              <Button
                type="text"
                aria-label={t(collapsed ? 'nav.expand' : 'nav.collapse')}
                icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                onClick={() => setCollapsed(!collapsed)}
              />
            )}
            {can(me, 'customers:read') && <AnswerBox fluid={mobile} />}
            <div style={{ flex: mobile ? 'none' : 1 }} />
            <NotificationBell />
            <SavedLanguageSwitch compact={mobile} />
            <UserMenu compact={mobile} />
          </Layout.Header>
          <Layout.Content id="main" tabIndex={-1} style={{ padding: mobile ? 12 : 24, minWidth: 0, outline: 'none' }}>
            <DocumentTitle page={current ? t(current.labelKey) : t('result.notFoundTitle')}>
              {/* A page whose code is still loading shows a skeleton at once (a new boundary per page, so a
                navigation does not keep the previous page on screen while the next one's chunk arrives). */}
              <Suspense key={current?.path} fallback={<PageLoading />}>
                <Outlet context={shellContext} />
              </Suspense>
            </DocumentTitle>
          </Layout.Content>
        </Layout>
      </Layout>
    </App>
  );
}
