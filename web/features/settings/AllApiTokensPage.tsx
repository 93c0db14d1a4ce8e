import { App, Button, Card, Flex, Input, Popconfirm, Select, Table, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import {
  API_TOKEN_SCOPES,
  API_TOKEN_STATUSES,
  type AdminApiToken,
  type ApiTokenScope,
  type ApiTokenStatus,
} from '../../../common/schemas/auth';
import { useAllUsers, usePage, useWrite } from '../../api/queries';
import { adminApiTokensApi, apiTokensApi, type AdminApiTokenListParams } from '../../api/resources';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { personLabel } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { TokenScopeTag, TokenStatusTag } from './ApiTokensPanel';

const FIRST_PAGE: AdminApiTokenListParams = { page: 1, pageSize: 20, status: 'active' };
type StatusFilter = ApiTokenStatus | 'all';

function RevokeAnyToken({ token }: { token: AdminApiToken }) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const revoke = useWrite(() => adminApiTokensApi.revoke(token.id), [adminApiTokensApi.path, apiTokensApi.path]);
  return (
    <Popconfirm
      title={t('settings.tokenRevoke')}
      description={
        <div style={{ maxWidth: 300 }}>
          {t('tokens.adminRevokeConfirm', { owner: token.userDisplayName, name: token.name })}
        </div>
      }
      okButtonProps={{ danger: true }}
      onConfirm={() =>
        revoke
          .mutateAsync(undefined)
          .then(() => void message.success(t('settings.tokenRevoked')))
          .catch(toast)
      }
    >
      <Button type="link" size="small" danger>
        {t('settings.tokenRevoke')}
      </Button>
    </Popconfirm>
  );
}

/** Every user's API tokens for administrators: who has which, what it may do, when it was last used; revoke any. */
export function AllApiTokensPage() {
  const t = useT();
  const { locale } = useLocale();
  const [params, setParams] = useState<AdminApiTokenListParams>(FIRST_PAGE);
  const page = usePage(adminApiTokensApi, params);
  const users = useAllUsers();
  const filter = (patch: Partial<AdminApiTokenListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(params.q || params.userId || params.scope || params.status !== 'all');

  const never = <Typography.Text type="secondary">{t('common.never')}</Typography.Text>;
  const dash = <Typography.Text type="secondary">—</Typography.Text>;
  const columns: TableProps<AdminApiToken>['columns'] = [
    {
      key: 'username',
      title: t('tokens.owner'),
      sorter: true,
      fixed: 'left',
      render: (_, token) => personLabel(locale, { displayName: token.userDisplayName, username: token.username }),
    },
    { key: 'name', dataIndex: 'name', title: t('settings.tokenName') },
    {
      key: 'prefix',
      dataIndex: 'prefix',
      title: t('settings.tokenPrefix'),
      render: (p: string) => <Typography.Text code>{p}…</Typography.Text>,
    },
    {
      key: 'scope',
      dataIndex: 'scope',
      title: t('tokens.scope'),
      render: (scope: ApiTokenScope) => <TokenScopeTag scope={scope} />,
    },
    {
      key: 'status',
      dataIndex: 'status',
      title: t('tokens.status'),
      render: (status: ApiTokenStatus) => <TokenStatusTag status={status} />,
    },
    {
      key: 'createdAt',
      dataIndex: 'createdAt',
      title: t('common.createdAt'),
      sorter: true,
      render: (v: string) => formatDateTime(v, locale),
    },
    {
      key: 'lastUsedAt',
      dataIndex: 'lastUsedAt',
      title: t('settings.tokenLastUsed'),
      sorter: true,
      render: (v: string | null) => formatDateTime(v, locale) || never,
    },
    {
      key: 'expiresAt',
      dataIndex: 'expiresAt',
      title: t('settings.tokenExpires'),
      sorter: true,
      render: (v: string | null) =>
        formatDateTime(v, locale) || (
          <Typography.Text type="secondary">{t('settings.tokenNeverExpires')}</Typography.Text>
        ),
    },
    {
      key: 'revokedAt',
      dataIndex: 'revokedAt',
      title: t('tokens.revokedAt'),
      render: (v: string | null) => formatDateTime(v, locale) || dash,
    },
    {
      key: 'actions',
      title: t('common.actions'),
      fixed: 'right',
      render: (_, token) => (token.status === 'revoked' ? dash : <RevokeAnyToken token={token} />),
    },
  ];

  const table = useServerTable<AdminApiToken, AdminApiTokenListParams>(params, setParams, page.data?.total);

  return (
    <PageContainer title={t('tokens.adminTitle')}>
      <Card>
        <Typography.Paragraph type="secondary">{t('tokens.adminHint')}</Typography.Paragraph>
        <Flex gap={8} wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            placeholder={t('tokens.search')}
            aria-label={t('common.search')}
            style={{ width: 260 }}
            onSearch={(q) => filter({ q: q || undefined })}
          />
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('tokens.owner')}
            aria-label={t('tokens.owner')}
            style={{ width: 200 }}
            value={params.userId}
            loading={users.isLoading}
            onChange={(userId) => filter({ userId })}
            options={(users.data ?? []).map((u) => ({ value: u.id, label: personLabel(locale, u) }))}
          />
          <Select<StatusFilter>
            aria-label={t('tokens.status')}
            style={{ width: 130 }}
            value={params.status ?? 'active'}
            onChange={(status) => filter({ status })}
            options={[
              ...API_TOKEN_STATUSES.map((status) => ({ value: status, label: t(`tokens.status.${status}`) })),
              { value: 'all' as const, label: t('tokens.anyStatus') },
            ]}
          />
          <Select<ApiTokenScope>
            allowClear
            placeholder={t('tokens.anyScope')}
            aria-label={t('tokens.scope')}
            style={{ width: 130 }}
            value={params.scope}
            onChange={(scope) => filter({ scope })}
            options={API_TOKEN_SCOPES.map((scope) => ({ value: scope, label: t(`tokens.scope.${scope}`) }))}
          />
        </Flex>
        <Table<AdminApiToken>
          data-testid="all-tokens-table"
          {...table.props(
            page,
            columns,
            <EmptyState
              title={t(filtered ? 'tokens.adminEmpty' : 'tokens.adminEmptyNone')}
              hint={filtered ? t('tokens.adminEmptyHint') : undefined}
            />,
          )}
        />
      </Card>
    </PageContainer>
  );
}
