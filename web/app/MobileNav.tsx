import { MenuOutlined } from '@ant-design/icons';
import { Button, Drawer, Menu, Typography, type MenuProps } from 'antd';
import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { Logo } from '../components/Logo';
import { useT } from '../i18n';
import { MENU_GROUPS } from './pages';

/**
 * The menu on a phone (under 768 px): a hamburger button in the header opens it as a drawer from
 * the left, over the page; choosing a page (or tapping outside) closes it.
 */
export function MobileNav({ items, selected }: { items: NonNullable<MenuProps['items']>; selected: string[] }) {
  const t = useT();
  const { pathname } = useLocation();
  // Open on the page it was opened on: a page change (a menu link, the answer box) closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const setOpen = (value: boolean) => setOpenOn(value ? pathname : null);
  return (
    <>
      <Button
        type="text"
        aria-label={t('nav.openMenu')}
        aria-expanded={open}
        icon={<MenuOutlined />}
        onClick={() => setOpen(true)}
        data-testid="nav-drawer-open"
        style={{ flex: 'none', width: 40, height: 40 }}
      />
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        placement="left"
        size={Math.min(288, window.innerWidth - 48)}
        title={
          <Link to="/" style={{ display: 'flex', alignItems: 'center', gap: 10 }}>
            <Logo />
            <Typography.Text strong style={{ fontSize: 16, whiteSpace: 'nowrap' }}>
              {t('app.fullName')}
            </Typography.Text>
          </Link>
        }
        styles={{ body: { padding: 0 } }}
        data-testid="nav-drawer"
      >
        <Menu
          mode="inline"
          selectedKeys={selected}
          defaultOpenKeys={Object.values(MENU_GROUPS).map((g) => g.key)}
          items={items}
          onClick={() => setOpen(false)}
          style={{ borderInlineEnd: 'none' }}
          aria-label={t('app.name')}
          data-testid="sider-menu"
        />
      </Drawer>
    </>
  );
}
