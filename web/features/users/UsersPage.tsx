import { DownOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Dropdown,
  Flex,
  Input,
  Select,
  Space,
  Tag,
  Typography,
  type MenuProps,
  type TableProps,
} from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { STAFF_CATEGORIES, type StaffCategory, type User } from '../../../common/schemas/staff';
import { useAllBranches, useAllBusinessLines, useAllRegions, useAllRoles, usePage, useWrite } from '../../api/queries';
import { usersApi, type UserListParams } from '../../api/resources';
import { can, ME_KEY, useMe } from '../../auth/session';
import { ActiveFilter, type ActiveValue } from '../../components/ActiveFilter';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { categoryKey, roleLabel } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { StatusTag } from '../../components/StatusTag';
import { useLocale, useT } from '../../i18n';
import { ResetPasswordModal } from './ResetPasswordModal';
import { UserFormDrawer } from './UserFormDrawer';

const orDash = (value: string | null) => value ?? <Typography.Text type="secondary">—</Typography.Text>;
const FIRST_PAGE: UserListParams = { page: 1, pageSize: 20, active: 'true' };

/** Edit, plus the rarer actions in a menu: deactivate/activate (confirmed) and reset password. */
function UserActions({
  user,
  onEdit,
  onResetPassword,
}: {
  user: User;
  onEdit: () => void;
  onResetPassword: () => void;
}) {
  const t = useT();
  const me = useMe();
  const toast = useErrorToast();
  const { modal, message } = App.useApp();
  const setActive = useWrite((active: boolean) => usersApi.setActive(user.id, active), [usersApi.path, ME_KEY[0]]);
  const confirmToggle = () =>
    modal.confirm({
      title: t(user.active ? 'common.deactivate' : 'common.activate'),
      content: user.active
        ? t('user.deactivateConfirm', { name: user.displayName })
        : t('user.activateConfirm', { name: user.displayName }),
      okText: t(user.active ? 'common.deactivate' : 'common.activate'),
      okButtonProps: { danger: user.active },
      onOk: () =>
        setActive
          .mutateAsync(!user.active)
          .then(() => void message.success(t(user.active ? 'common.deactivated' : 'common.activated')))
          .catch(toast),
    });
  const resetTwoFactor = useWrite(() => usersApi.resetTwoFactor(user.id), [usersApi.path]);
  const confirmResetTwoFactor = () =>
    modal.confirm({
      title: t('twoFactor.reset'),
      content: t('twoFactor.resetConfirm', { name: user.displayName }),
      okText: t('twoFactor.reset'),
      okButtonProps: { danger: true },
      onOk: () =>
        resetTwoFactor
          .mutateAsync(undefined)
          .then(() => void message.success(t('twoFactor.resetDone', { name: user.displayName })))
          .catch(toast),
    });
  const items: MenuProps['items'] = [
    // Nobody deactivates their own account (the server refuses it too).
    ...(user.id === me.user.id
      ? []
      : [
          {
            key: 'toggle',
            label: t(user.active ? 'common.deactivate' : 'common.activate'),
            danger: user.active,
            onClick: confirmToggle,
          },
        ]),
    { key: 'reset', label: t('user.resetPassword'), onClick: onResetPassword },
    ...(user.twoFactorEnabled
      ? [{ key: 'reset-two-factor', label: t('twoFactor.reset'), danger: true, onClick: confirmResetTwoFactor }]
      : []),
  ];
  return (
    <Space size={0}>
      <Button type="link" size="small" onClick={onEdit}>
        {t('common.edit')}
      </Button>
      <Dropdown trigger={['click']} menu={{ items }}>
        <Button type="link" size="small" aria-label={t('common.more')} data-testid={`user-more-${user.username}`}>
          {t('common.more')} <DownOutlined style={{ fontSize: 10 }} />
        </Button>
      </Dropdown>
    </Space>
  );
}

export function UsersPage() {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const manage = can(me, 'staff:manage');
  const scope = me.grants['staff:read'];
  const [params, setParams] = useState<UserListParams>(FIRST_PAGE);
  const [editing, setEditing] = useState<User | null | undefined>(undefined);
  const [resetting, setResetting] = useState<User | null>(null);
  const page = usePage(usersApi, params);
  const roles = useAllRoles();
  const branches = useAllBranches();
  const regions = useAllRegions();
  const businessLines = useAllBusinessLines();

  /** A filter change starts again at page 1. */
  const filter = (patch: Partial<UserListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const options = (items: { id: string; name: string }[] | undefined) =>
    (items ?? []).map((i) => ({ value: i.id, label: i.name }));
  const filtered = Boolean(
    params.q ||
    params.departmentId ||
    params.branchId ||
    params.regionId ||
    params.roleId ||
    params.businessLineId ||
    params.staffCategory ||
    params.active !== 'true',
  );

  const columns: TableProps<User>['columns'] = [
    { key: 'username', dataIndex: 'username', title: t('user.username'), sorter: true, fixed: 'left' },
    {
      key: 'displayName',
      dataIndex: 'displayName',
      title: t('user.displayName'),
      sorter: true,
      // The name opens the person's record 人员档案 (title, qualifications, continuing education).
      render: (name: string, u) => (
        <Link to={`/people/${u.id}`} data-testid={`user-record-${u.username}`}>
          {name}
        </Link>
      ),
    },
    { key: 'department', dataIndex: 'departmentName', title: t('user.department'), render: orDash },
    { key: 'branch', dataIndex: 'branchName', title: t('user.branch'), render: orDash },
    { key: 'region', dataIndex: 'regionName', title: t('user.region'), render: orDash },
    {
      key: 'role',
      title: t('user.role'),
      render: (_, u) => roleLabel(t, locale, { code: u.roleCode, name: u.roleName }),
    },
    { key: 'category', title: t('user.staffCategory'), render: (_, u) => t(categoryKey(u.staffCategory)) },
    {
      key: 'cpa',
      title: t('user.cpa'),
      render: (_, u) =>
        u.isPracticingCpa ? (
          <Tag color="gold">{t('user.cpaPracticing')}</Tag>
        ) : (
          <Typography.Text type="secondary">{t('user.cpaNonPracticing')}</Typography.Text>
        ),
    },
    { key: 'status', title: t('user.status'), render: (_, u) => <StatusTag active={u.active} /> },
    {
      key: 'lastLoginAt',
      dataIndex: 'lastLoginAt',
      title: t('user.lastLogin'),
      sorter: true,
      render: (v: string | null) =>
        formatDateTime(v, locale) || <Typography.Text type="secondary">{t('common.never')}</Typography.Text>,
    },
    ...(manage
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            fixed: 'right' as const,
            render: (_: unknown, u: User) => (
              <UserActions user={u} onEdit={() => setEditing(u)} onResetPassword={() => setResetting(u)} />
            ),
          },
        ]
      : []),
  ];

  const table = useServerTable<User, UserListParams>(params, setParams, page.data?.total);

  return (
    <PageContainer
      title={t('nav.users')}
      extra={
        manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)}>
            {t('user.create')}
          </Button>
        )
      }
    >
      {scope === 'own' && <Alert type="info" showIcon title={t('user.onlySelf')} />}
      {scope === 'department' && <Alert type="info" showIcon title={t('user.departmentScope')} />}
      <Card>
        {scope !== 'own' && (
          <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="user-filters">
            <Input.Search
              allowClear
              placeholder={t('user.searchPlaceholder')}
              aria-label={t('common.search')}
              style={{ width: 300 }}
              onSearch={(q) => filter({ q: q || undefined })}
            />
            <DepartmentTreeSelect
              allowInactive
              placeholder={t('user.filterDepartment')}
              aria-label={t('user.department')}
              style={{ width: 200 }}
              value={params.departmentId}
              onChange={(departmentId) => filter({ departmentId })}
            />
            <Select
              allowClear
              placeholder={t('user.branch')}
              aria-label={t('user.branch')}
              style={{ width: 120 }}
              options={options(branches.data)}
              value={params.branchId}
              onChange={(branchId) => filter({ branchId })}
            />
            <Select
              allowClear
              placeholder={t('user.region')}
              aria-label={t('user.region')}
              style={{ width: 120 }}
              options={options(regions.data)}
              value={params.regionId}
              onChange={(regionId) => filter({ regionId })}
            />
            {manage && (
              <Select
                allowClear
                placeholder={t('user.role')}
                aria-label={t('user.role')}
                style={{ width: 150 }}
                options={(roles.data ?? []).map((r) => ({ value: r.id, label: roleLabel(t, locale, r) }))}
                value={params.roleId}
                onChange={(roleId) => filter({ roleId })}
              />
            )}
            <Select
              allowClear
              placeholder={t('user.businessLines')}
              aria-label={t('user.businessLines')}
              style={{ width: 150 }}
              options={options(businessLines.data)}
              value={params.businessLineId}
              onChange={(businessLineId) => filter({ businessLineId })}
            />
            <Select<StaffCategory>
              allowClear
              placeholder={t('user.staffCategory')}
              aria-label={t('user.staffCategory')}
              style={{ width: 130 }}
              options={STAFF_CATEGORIES.map((c) => ({ value: c, label: t(categoryKey(c)) }))}
              value={params.staffCategory}
              onChange={(staffCategory) => filter({ staffCategory })}
            />
            <ActiveFilter value={(params.active ?? 'true') as ActiveValue} onChange={(active) => filter({ active })} />
          </Flex>
        )}
        <DataTable<User>
          data-testid="users-table"
          {...table.props(
            page,
            columns,
            <EmptyState title={t('user.empty')} hint={filtered ? t('user.emptyHint') : undefined} />,
          )}
        />
      </Card>
      {manage && (
        <>
          <UserFormDrawer open={editing !== undefined} user={editing ?? null} onClose={() => setEditing(undefined)} />
          <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
        </>
      )}
    </PageContainer>
  );
}
