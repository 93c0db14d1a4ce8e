import { KeyOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Tag,
  Typography,
  type TableProps,
} from 'antd';
import { useState } from 'react';
import { API_TOKEN_SCOPES, type ApiToken, type ApiTokenScope, type ApiTokenStatus } from '../../../common/schemas/auth';
import { useWrite } from '../../api/queries';
import { apiTokensApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { useRules } from '../../components/rules';
import { useLocale, useT } from '../../i18n';

type Values = { name: string; scope: ApiTokenScope; expiresInDays: number }; // 0 = never expires
const FIELDS: FormFields = { names: ['name', 'scope', 'expiresInDays'] };
const EXPIRY_DAYS = [30, 90, 365] as const;

const STATUS_COLORS: Record<ApiTokenStatus, string> = { active: 'green', expired: 'orange', revoked: 'default' };

/** Read-only or read-and-write, the same way in every token list. */
export function TokenScopeTag({ scope }: { scope: ApiTokenScope }) {
  const t = useT();
  return <Tag color={scope === 'read-write' ? 'gold' : 'blue'}>{t(`tokens.scope.${scope}`)}</Tag>;
}

export function TokenStatusTag({ status }: { status: ApiTokenStatus }) {
  const t = useT();
  return <Tag color={STATUS_COLORS[status]}>{t(`tokens.status.${status}`)}</Tag>;
}

function RevokeToken({ token }: { token: ApiToken }) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const revoke = useWrite(() => apiTokensApi.revoke(token.id), [apiTokensApi.path]);
  return (
    <Popconfirm
      title={t('settings.tokenRevoke')}
      description={<div style={{ maxWidth: 300 }}>{t('settings.tokenRevokeConfirm', { name: token.name })}</div>}
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

/** My API tokens: create (the secret is shown once), list, revoke. */
export function ApiTokensPanel() {
  const t = useT();
  const { locale } = useLocale();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const tokens = useQuery({ queryKey: [apiTokensApi.path], queryFn: apiTokensApi.list });
  const create = useWrite(apiTokensApi.create, [apiTokensApi.path]);
  const [created, setCreated] = useState<string | null>(null);

  const submit = async (values: Values) => {
    try {
      const result = await create.mutateAsync({
        name: values.name,
        scope: values.scope,
        expiresInDays: values.expiresInDays || null,
      });
      form.resetFields();
      setCreated(result.token);
    } catch (error) {
      onError(error);
    }
  };

  const never = <Typography.Text type="secondary">{t('common.never')}</Typography.Text>;
  const columns: TableProps<ApiToken>['columns'] = [
    { key: 'name', dataIndex: 'name', title: t('settings.tokenName') },
    {
      key: 'prefix',
      dataIndex: 'prefix',
      title: t('settings.tokenPrefix'),
      width: 150,
      render: (p: string) => <Typography.Text code>{p}…</Typography.Text>,
    },
    {
      key: 'scope',
      dataIndex: 'scope',
      title: t('tokens.scope'),
      width: 110,
      render: (scope: ApiTokenScope) => <TokenScopeTag scope={scope} />,
    },
    {
      key: 'status',
      dataIndex: 'status',
      title: t('tokens.status'),
      width: 90,
      render: (status: ApiTokenStatus) => <TokenStatusTag status={status} />,
    },
    {
      key: 'createdAt',
      dataIndex: 'createdAt',
      title: t('common.createdAt'),
      width: 160,
      render: (v: string) => formatDateTime(v, locale),
    },
    {
      key: 'lastUsedAt',
      dataIndex: 'lastUsedAt',
      title: t('settings.tokenLastUsed'),
      width: 160,
      render: (v: string | null) => formatDateTime(v, locale) || never,
    },
    {
      key: 'expiresAt',
      dataIndex: 'expiresAt',
      title: t('settings.tokenExpires'),
      width: 160,
      render: (v: string | null) =>
        formatDateTime(v, locale) || (
          <Typography.Text type="secondary">{t('settings.tokenNeverExpires')}</Typography.Text>
        ),
    },
    { key: 'actions', title: t('common.actions'), width: 90, render: (_, token) => <RevokeToken token={token} /> },
  ];

  return (
    <>
      <Typography.Paragraph type="secondary">{t('settings.tokensHint')}</Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="inline"
        name="api-token"
        onFinish={submit}
        initialValues={{ scope: 'read-only', expiresInDays: 90 }}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item
          name="name"
          label={t('settings.tokenName')}
          rules={[rules.required('settings.tokenName'), { max: 50 }]}
        >
          <Input placeholder={t('settings.tokenNamePlaceholder')} style={{ width: 220 }} autoComplete="off" />
        </Form.Item>
        <Form.Item name="scope" label={t('tokens.scope')} tooltip={t('tokens.scopeHelp')}>
          <Radio.Group
            optionType="button"
            options={API_TOKEN_SCOPES.map((scope) => ({ value: scope, label: t(`tokens.scope.${scope}`) }))}
          />
        </Form.Item>
        <Form.Item name="expiresInDays" label={t('settings.tokenExpiry')}>
          <Select
            style={{ width: 130 }}
            options={[
              ...EXPIRY_DAYS.map((days) => ({ value: days, label: t('settings.tokenDays', { days }) })),
              { value: 0, label: t('settings.tokenNeverExpires') },
            ]}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" icon={<KeyOutlined />} loading={create.isPending}>
          {t('settings.tokenCreate')}
        </Button>
      </Form>
      <DataTable<ApiToken>
        data-testid="tokens-table"
        columns={columns}
        dataSource={tokens.data}
        query={tokens}
        pagination={false}
        scroll={{ x: 1000 }}
        empty={<EmptyState title={t('settings.tokensEmpty')} hint={t('settings.tokensEmptyHint')} />}
      />
      <Modal
        open={created !== null}
        title={t('settings.tokenCreated')}
        onCancel={() => setCreated(null)}
        footer={
          <Flex justify="flex-end">
            <Button type="primary" onClick={() => setCreated(null)}>
              {t('common.close')}
            </Button>
          </Flex>
        }
        mask={{ closable: false }}
      >
        <Alert type="warning" showIcon title={t('settings.tokenShowOnce')} style={{ marginBottom: 16 }} />
        <Typography.Paragraph
          code
          copyable={{ text: created ?? '', tooltips: [t('settings.copy'), t('settings.copied')] }}
          style={{ wordBreak: 'break-all', fontSize: 13 }}
          data-testid="new-token"
        >
          {created}
        </Typography.Paragraph>
      </Modal>
    </>
  );
}
