import { Flex, Radio, Switch, Table, Typography } from 'antd';
import {
  PERMISSIONS,
  PERMISSION_KEYS,
  SCOPES,
  type Grants,
  type Permission,
  type Scope,
} from '../../../common/permissions';
import { useIsMobile } from '../../components/responsive';
import { useT } from '../../i18n';

type Props = { value?: Grants; onChange?: (grants: Grants) => void };

/**
 * Every permission of the catalogue with the scope a role grants it: none / own /
 * department and below / all; permissions without scopes are simply on (= all) or off.
 */
export function GrantsMatrix({ value = {}, onChange }: Props) {
  const t = useT();
  const mobile = useIsMobile();
  const set = (permission: Permission, scope: Scope | null) => {
    const next = { ...value };
    if (scope) next[permission] = scope;
    else delete next[permission];
    onChange?.(next);
  };
  const control = (permission: Permission) =>
    PERMISSIONS[permission].scoped ? (
      <Radio.Group
        data-testid={`grant-${permission}`}
        optionType="button"
        size="small"
        aria-label={t(`permission.${permission}`)}
        value={value[permission] ?? 'none'}
        onChange={(e) => set(permission, e.target.value === 'none' ? null : (e.target.value as Scope))}
        options={[
          { value: 'none', label: t('scope.none') },
          ...SCOPES.map((s) => ({ value: s, label: t(`scope.${s}`) })),
        ]}
      />
    ) : (
      <Switch
        data-testid={`grant-${permission}`}
        aria-label={t(`permission.${permission}`)}
        checked={value[permission] !== undefined}
        onChange={(on) => set(permission, on ? 'all' : null)}
        checkedChildren={t('scope.on')}
        unCheckedChildren={t('scope.none')}
      />
    );
  const name = (permission: Permission) => (
    <>
      <Typography.Text strong>{t(`permission.${permission}`)}</Typography.Text>
      <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
        {t(`permission.${permission}.help`)}
      </Typography.Text>
    </>
  );
  return (
    <Table<{ permission: Permission }>
      rowKey="permission"
      size="small"
      pagination={false}
      data-testid="grants-matrix"
      dataSource={PERMISSION_KEYS.map((permission) => ({ permission }))}
      columns={
        // A phone has no room for two columns: the scope goes under the permission.
        mobile
          ? [
              {
                key: 'permission',
                title: t('role.permission'),
                render: (_, { permission }) => (
                  <Flex vertical gap={6} align="flex-start">
                    {name(permission)}
                    {control(permission)}
                  </Flex>
                ),
              },
            ]
          : [
              { key: 'permission', title: t('role.permission'), render: (_, { permission }) => name(permission) },
              { key: 'scope', title: t('role.scope'), width: 360, render: (_, { permission }) => control(permission) },
            ]
      }
    />
  );
}
