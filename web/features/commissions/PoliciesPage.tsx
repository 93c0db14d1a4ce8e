import { DeleteOutlined, EditOutlined, EyeOutlined, PlusOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, Popconfirm, Space, Tag, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import type { Policy } from '../../../common/schemas/commissions';
import { useWrite } from '../../api/queries';
import { commissionPoliciesApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDate, formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useLocale, useT } from '../../i18n';
import { testId } from '../opportunities/opportunity-ui';
import { COMMISSION_INVALIDATES, MatchTags, PolicyStatusTag, useMatchNames } from './commission-ui';
import { byPrecedence, inForceId, methodText } from './policy-form';
import { PolicyFormDrawer } from './PolicyFormDrawer';

type Editing = { policy: Policy | null; copyFrom: Policy | null } | null;

/**
 * 佣金政策: the versions (drafts for those who keep the policy — administrators and finance —, the adopted ones for
 * everyone it applies to) and one version's rules, most specific first.
 */
export function PoliciesPage() {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const keeper = can(me, 'commissions:configure');
  const [search, setSearch] = useSearchParams();
  const [editing, setEditing] = useState<Editing>(null);
  const query = useQuery({ queryKey: [commissionPoliciesApi.path, 'list'], queryFn: commissionPoliciesApi.list });
  const adopt = useWrite((id: string) => commissionPoliciesApi.adopt(id), COMMISSION_INVALIDATES);
  const remove = useWrite((id: string) => commissionPoliciesApi.remove(id), COMMISSION_INVALIDATES);
  const policies = query.data?.items ?? [];
  const current = inForceId(policies);
  const shownId = search.get('v') ?? current ?? policies[0]?.id;
  const shown = policies.find((p) => p.id === shownId);
  const show = (id: string) =>
    setSearch(
      (s) => {
        s.set('v', id);
        return s;
      },
      { replace: true },
    );

  const columns: TableProps<Policy>['columns'] = [
    {
      key: 'version',
      title: t('commission.policy.version'),
      fixed: 'left',
      render: (_, p) => (
        <Typography.Link onClick={() => show(p.id)} data-testid="policy-open" data-version={p.version} strong>
          {t('commission.policy.versionN', { version: p.version })}
        </Typography.Link>
      ),
    },
    {
      key: 'name',
      title: t('commission.policy.name'),
      render: (_, p) => <div style={{ whiteSpace: 'normal', minWidth: 140, maxWidth: 280 }}>{p.name}</div>,
    },
    {
      key: 'effectiveFrom',
      title: t('commission.policy.effectiveFrom'),
      render: (_, p) => formatDate(p.effectiveFrom, locale),
    },
    {
      key: 'status',
      title: t('common.status'),
      render: (_, p) => <PolicyStatusTag policy={p} inForce={p.id === current} />,
    },
    {
      key: 'rules',
      title: t('commission.policy.rules'),
      render: (_, p) => t('commission.policy.ruleCount', { count: p.rules.length }),
    },
    {
      key: 'adopted',
      title: t('commission.policy.adoptedBy'),
      render: (_, p) =>
        p.adoptedAt ? (
          <span>
            {p.adoptedByName ?? '—'}
            <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
              {formatDateTime(p.adoptedAt, locale)}
            </Typography.Text>
          </span>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      key: 'actions',
      title: '',
      render: (_, p) => (
        <Space size={4} wrap>
          <Button size="small" type="link" icon={<EyeOutlined />} onClick={() => show(p.id)}>
            {t('commission.policy.view')}
          </Button>
          {keeper && p.status === 'draft' && (
            <>
              <Button
                size="small"
                type="link"
                icon={<EditOutlined />}
                onClick={() => setEditing({ policy: p, copyFrom: null })}
                data-testid="policy-edit"
              >
                {t('commission.policy.edit')}
              </Button>
              <Popconfirm
                title={t('commission.policy.adoptConfirmTitle', { version: p.version })}
                description={
                  <div style={{ maxWidth: 340 }}>
                    {t('commission.policy.adoptConfirm', { date: formatDate(p.effectiveFrom, locale) })}
                  </div>
                }
                okText={t('commission.policy.adopt')}
                okButtonProps={testId('policy-adopt-confirm')}
                onConfirm={() =>
                  adopt
                    .mutateAsync(p.id)
                    .then(() => void message.success(t('commission.policy.adoptedDone', { version: p.version })), toast)
                }
              >
                <Button size="small" type="link" icon={<SafetyCertificateOutlined />} data-testid="policy-adopt">
                  {t('commission.policy.adopt')}
                </Button>
              </Popconfirm>
              <Popconfirm
                title={t('commission.policy.deleteConfirm', { version: p.version })}
                okText={t('commission.policy.delete')}
                okButtonProps={{ danger: true, ...testId('policy-delete-confirm') }}
                onConfirm={() =>
                  remove.mutateAsync(p.id).then(() => {
                    void message.success(t('commission.policy.deleted'));
                    if (shownId === p.id) setSearch({}, { replace: true });
                  }, toast)
                }
              >
                <Button size="small" type="link" danger icon={<DeleteOutlined />} data-testid="policy-delete">
                  {t('commission.policy.delete')}
                </Button>
              </Popconfirm>
            </>
          )}
        </Space>
      ),
    },
  ];

  return (
    <PageContainer
      title={t('commission.nav.policies')}
      hint={t('commission.policy.pageHint')}
      extra={
        keeper && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            disabled={query.isPending}
            onClick={() => setEditing({ policy: null, copyFrom: policies[0] ?? null })}
            data-testid="policy-new"
          >
            {t('commission.policy.new')}
          </Button>
        )
      }
    >
      <Card title={t('commission.policy.versions')} size="small">
        <DataTable<Policy>
          data-testid="policies-table"
          rowKey="id"
          columns={columns}
          dataSource={policies}
          query={query}
          pagination={false}
          className="gd-nowrap"
          rowClassName={(p) => (p.id === shownId ? 'ant-table-row-selected' : '')}
          cards={{ fields: ['effectiveFrom', 'status', 'rules'] }}
          empty={
            <EmptyState
              title={t(keeper ? 'commission.policy.empty' : 'commission.policy.emptyReader')}
              hint={keeper ? t('commission.policy.emptyHint') : undefined}
            />
          }
        />
      </Card>
      {shown && <RulesCard policy={shown} />}
      {editing && (
        <PolicyFormDrawer
          policy={editing.policy}
          copyFrom={editing.copyFrom}
          onClose={() => setEditing(null)}
          onSaved={(p) => show(p.id)}
        />
      )}
    </PageContainer>
  );
}

/** One version's rules as a readable table: what each matches and how it computes, in precedence order. */
function RulesCard({ policy }: { policy: Policy }) {
  const t = useT();
  const { locale } = useLocale();
  const names = useMatchNames();
  type Row = ReturnType<typeof byPrecedence>[number];
  const columns: TableProps<Row>['columns'] = [
    {
      key: 'rule',
      title: t('commission.rule.name'),
      render: (_, r) => (
        <div style={{ whiteSpace: 'normal', minWidth: 140, maxWidth: 260 }}>
          <Typography.Text code>{r.rule.key}</Typography.Text> {r.rule.name}
        </div>
      ),
    },
    {
      key: 'specificity',
      title: t('commission.rule.specificity'),
      render: (_, r) => (
        <Tag
          color={r.specificity >= 3 ? 'purple' : r.specificity >= 1 ? 'blue' : 'default'}
          data-testid="rule-specificity"
        >
          {t('commission.rule.specificityValue', { count: r.specificity })}
        </Tag>
      ),
    },
    { key: 'side', title: t('commission.rule.side'), render: (_, r) => t(`commission.side.${r.rule.side}`) },
    {
      key: 'match',
      title: t('commission.rule.match'),
      render: (_, r) => <MatchTags match={r.rule.match} names={names} />,
    },
    {
      key: 'method',
      title: t('commission.rule.method'),
      render: (_, r) => (
        <div style={{ whiteSpace: 'normal', minWidth: 160, maxWidth: 320 }}>
          <Typography.Text type="secondary">{t(`commission.method.${r.rule.method}`)}</Typography.Text>
          <div data-testid="rule-method">{methodText(t, locale, r.rule)}</div>
        </div>
      ),
    },
  ];
  return (
    <Card
      size="small"
      title={t('commission.policy.rulesTitle', { version: policy.version, name: policy.name })}
      extra={<PolicyStatusTag policy={policy} />}
      data-testid="policy-rules"
      data-version={policy.version}
    >
      <Flex vertical gap={12}>
        {policy.status === 'draft' && <Alert type="warning" showIcon title={t('commission.policy.draftNote')} />}
        <Typography.Text type="secondary">
          {t('commission.policy.effectiveFrom')} {formatDate(policy.effectiveFrom, locale)}
          {policy.note && <span style={{ display: 'block', whiteSpace: 'pre-wrap' }}>{policy.note}</span>}
        </Typography.Text>
        <Alert type="info" showIcon title={t('commission.policy.precedence')} />
        <DataTable<Row>
          data-testid="rules-table"
          rowKey={(r) => r.rule.key}
          columns={columns}
          dataSource={byPrecedence(policy.rules)}
          pagination={false}
          cards={{ fields: ['specificity', 'side', 'match', 'method'] }}
        />
      </Flex>
    </Card>
  );
}
