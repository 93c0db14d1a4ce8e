import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Popconfirm, Space, Tag, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { PERMISSIONS, PERMISSION_KEYS } from '../../../common/permissions';
import type { Role } from '../../../common/schemas/staff';
import { usePage, useWrite } from '../../api/queries';
import { rolesApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { roleDescription, roleLabel } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { useLocale, useT } from '../../i18n';
import { RoleFormDrawer } from './RoleFormDrawer';

function GrantTags({ role }: { role: Role }) {
  const t = useT();
  const granted = PERMISSION_KEYS.filter((p) => role.grants[p]);
  if (granted.length === 0) return <Typography.Text type="secondary">{t('role.noGrants')}</Typography.Text>;
  return (
    <Flex gap={4} wrap>
      {granted.map((p) => (
        <Tag key={p} color="blue">
          {t(`permission.${p}`)}
          {PERMISSIONS[p].scoped && ` · ${t(`scope.${role.grants[p]!}`)}`}
        </Tag>
      ))}
    </Flex>
  );
}

function DeleteRole({ role }: { role: Role }) {
  const t = useT();
  const { locale } = useLocale();
  const toast = useErrorToast();
  const remove = useWrite(() => rolesApi.remove(role.id), [rolesApi.path]);
  return (
    <Popconfirm
      title={t('common.delete')}
      description={
        <div style={{ maxWidth: 300 }}>{t('common.deleteConfirm', { name: roleLabel(t, locale, role) })}</div>
      }
      okButtonProps={{ danger: true }}
      onConfirm={() => remove.mutateAsync(undefined).catch(toast)}
    >
      <Button type="link" size="small" danger>
        {t('common.delete')}
      </Button>
    </Popconfirm>
  );
}

export function RolesPage() {
  const t = useT();
  const { locale } = useLocale();
  const [q, setQ] = useState<string | undefined>();
  const [pageNo, setPageNo] = useState(1);
  const [editing, setEditing] = useState<Role | null | undefined>(undefined);
  const page = usePage(rolesApi, { q, page: pageNo, pageSize: 20 });

  const columns: TableProps<Role>['columns'] = [
    {
      key: 'name',
      title: t('role.name'),
      width: 200,
      render: (_, r) => (
        <Space size={6}>
          <Typography.Text strong>{roleLabel(t, locale, r)}</Typography.Text>
          <Tag color={r.builtin ? 'default' : 'green'}>{t(r.builtin ? 'role.builtinTag' : 'role.customTag')}</Tag>
        </Space>
      ),
    },
    {
      key: 'code',
      dataIndex: 'code',
      title: t('role.code'),
      width: 130,
      render: (code: string) => <Typography.Text code>{code}</Typography.Text>,
    },
    { key: 'description', title: t('common.description'), render: (_, r) => roleDescription(t, locale, r) },
    { key: 'grants', title: t('role.grants'), width: 320, render: (_, r) => <GrantTags role={r} /> },
    { key: 'userCount', dataIndex: 'userCount', title: t('role.userCount'), width: 90, align: 'right' },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 140,
      render: (_, r) => (
        <Space size={0}>
          <Button type="link" size="small" onClick={() => setEditing(r)}>
            {t('common.edit')}
          </Button>
          {!r.builtin && <DeleteRole role={r} />}
        </Space>
      ),
    },
  ];

  return (
    <PageContainer
      title={t('role.title')}
      hint={t('role.builtinHint')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)}>
          {t('role.create')}
        </Button>
      }
    >
      <Card>
        <Input.Search
          allowClear
          placeholder={t('role.searchPlaceholder')}
          aria-label={t('common.search')}
          style={{ width: 260, marginBottom: 16 }}
          onSearch={(value) => {
            setQ(value || undefined);
            setPageNo(1);
          }}
        />
        <DataTable<Role>
          data-testid="roles-table"
          columns={columns}
          dataSource={page.data?.items}
          query={page}
          scroll={{ x: 1000 }}
          pagination={{
            current: pageNo,
            pageSize: 20,
            total: page.data?.total ?? 0,
            onChange: setPageNo,
            hideOnSinglePage: true,
          }}
          empty={<EmptyState title={t('role.empty')} />}
        />
      </Card>
      <RoleFormDrawer open={editing !== undefined} role={editing ?? null} onClose={() => setEditing(undefined)} />
    </PageContainer>
  );
}
