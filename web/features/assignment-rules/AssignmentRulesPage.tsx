import { ArrowDownOutlined, ArrowUpOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, Popconfirm, Switch, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import type { AssignmentRule } from '../../../common/schemas/leads';
import { useWrite } from '../../api/queries';
import { assignmentRulesApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { PageContainer } from '../../components/PageContainer';
import { useLocale, useT } from '../../i18n';
import { queueName, sourceLabel } from '../leads/lead-ui';
import { RULE_INVALIDATES, RuleFormDrawer } from './RuleFormDrawer';

/** A condition of a rule: its value, or 任意 when the rule takes any. */
function Condition({ label, value }: { label: string; value: string | null }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <Typography.Text style={{ whiteSpace: 'nowrap' }}>
      <Typography.Text type="secondary">
        {label}
        {locale === 'zh-CN' ? '：' : ': '}
      </Typography.Text>
      {value ? (
        <Tag color="blue" style={{ marginInlineEnd: 0 }}>
          {value}
        </Tag>
      ) : (
        <Typography.Text type="secondary">{t('rule.any')}</Typography.Text>
      )}
    </Typography.Text>
  );
}

function Members({ rule }: { rule: AssignmentRule }) {
  const t = useT();
  if (rule.members.length === 0)
    return (
      <Tag color="red" style={{ marginInlineEnd: 0 }}>
        {t('rule.noMembers')}
      </Tag>
    );
  return (
    <Flex gap={4} wrap style={{ maxWidth: 220 }}>
      {rule.members.map((m) =>
        m.active ? (
          <Tag key={m.id} style={{ marginInlineEnd: 0 }}>
            {m.name}
          </Tag>
        ) : (
          <Tooltip key={m.id} title={t('rule.memberInactiveHelp')}>
            <Tag
              color="default"
              style={{ marginInlineEnd: 0, textDecoration: 'line-through', opacity: 0.7 }}
              data-testid="rule-member-inactive"
            >
              {t('rule.memberInactive', { name: m.name })}
            </Tag>
          </Tooltip>
        ),
      )}
      {rule.members.every((m) => !m.active) && (
        <Tooltip title={t('rule.noActiveMembersHelp')}>
          <Tag color="red" style={{ marginInlineEnd: 0 }} data-testid="rule-no-active-members">
            {t('rule.noActiveMembers')}
          </Tag>
        </Tooltip>
      )}
    </Flex>
  );
}

export function AssignmentRulesPage() {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const [editing, setEditing] = useState<AssignmentRule | null | undefined>(undefined);
  const rules = useQuery({ queryKey: [assignmentRulesApi.path, 'list'], queryFn: assignmentRulesApi.list });
  const ordered = [...(rules.data ?? [])].sort(
    (a, b) => a.position - b.position || a.createdAt.localeCompare(b.createdAt),
  );

  const toggle = useWrite(
    (v: { id: string; active: boolean }) => assignmentRulesApi.update(v.id, { active: v.active }),
    RULE_INVALIDATES,
  );
  const remove = useWrite((id: string) => assignmentRulesApi.remove(id), RULE_INVALIDATES);
  /** Swaps a rule with its neighbour: every rule whose place changes gets its index as position. */
  const move = useWrite(async ({ index, by }: { index: number; by: -1 | 1 }) => {
    const next = [...ordered];
    [next[index], next[index + by]] = [next[index + by], next[index]];
    for (const [position, rule] of next.entries()) {
      if (rule.position !== position) await assignmentRulesApi.update(rule.id, { position });
    }
  }, RULE_INVALIDATES);

  const columns: TableProps<AssignmentRule>['columns'] = [
    {
      key: 'order',
      title: t('rule.order'),
      width: 96,
      render: (_, _r, index) => (
        <Flex align="center" gap={4}>
          <Typography.Text strong style={{ minWidth: 20 }}>
            {index + 1}
          </Typography.Text>
          <Button
            size="small"
            type="text"
            icon={<ArrowUpOutlined />}
            aria-label={t('rule.moveUp')}
            title={t('rule.moveUp')}
            disabled={index === 0 || move.isPending}
            onClick={() => move.mutateAsync({ index, by: -1 }).catch(toast)}
            data-testid={`rule-up-${index}`}
          />
          <Button
            size="small"
            type="text"
            icon={<ArrowDownOutlined />}
            aria-label={t('rule.moveDown')}
            title={t('rule.moveDown')}
            disabled={index === ordered.length - 1 || move.isPending}
            onClick={() => move.mutateAsync({ index, by: 1 }).catch(toast)}
            data-testid={`rule-down-${index}`}
          />
        </Flex>
      ),
    },
    {
      key: 'name',
      title: t('rule.name'),
      render: (_, r) => (
        <Flex gap={6} align="center">
          <Typography.Link strong onClick={() => setEditing(r)} data-testid="rule-name">
            {r.name}
          </Typography.Link>
          {!r.active && <Tag style={{ marginInlineEnd: 0 }}>{t('common.inactive')}</Tag>}
        </Flex>
      ),
    },
    {
      key: 'conditions',
      title: t('rule.conditions'),
      render: (_, r) => (
        <Flex vertical gap={2}>
          <Condition label={t('rule.businessLine')} value={r.businessLineName} />
          <Condition label={t('rule.region')} value={r.regionName} />
          <Condition label={t('rule.source')} value={sourceLabel(t, r.source)} />
        </Flex>
      ),
    },
    {
      key: 'strategy',
      title: t('rule.strategy'),
      render: (_, r) => (
        <Tooltip title={t(`rule.strategyHelp.${r.strategy}`)}>
          <Tag color="geekblue">{t(`rule.strategy.${r.strategy}`)}</Tag>
        </Tooltip>
      ),
    },
    { key: 'members', title: t('rule.members'), render: (_, r) => <Members rule={r} /> },
    {
      key: 'queue',
      title: t('rule.queue'),
      width: 150,
      render: (_, r) =>
        r.queueDepartmentName ? (
          <Typography.Text>{queueName(t, r.queueDepartmentName)}</Typography.Text>
        ) : (
          <Typography.Text type="secondary">{t('rule.queueDefault')}</Typography.Text>
        ),
    },
    {
      key: 'active',
      title: t('rule.active'),
      render: (_, r) => (
        <Switch
          size="small"
          checked={r.active}
          loading={toggle.isPending && toggle.variables?.id === r.id}
          aria-label={t('rule.active')}
          onChange={(active) =>
            toggle
              .mutateAsync({ id: r.id, active })
              .then(() => void message.success(t(active ? 'common.activated' : 'common.deactivated')), toast)
          }
        />
      ),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, r) => (
        <Flex gap={0}>
          <Button type="link" size="small" onClick={() => setEditing(r)}>
            {t('common.edit')}
          </Button>
          <Popconfirm
            title={t('rule.deleteTitle')}
            description={<div style={{ maxWidth: 300 }}>{t('rule.deleteConfirm', { name: r.name })}</div>}
            okButtonProps={{ danger: true }}
            okText={t('common.delete')}
            onConfirm={() => remove.mutateAsync(r.id).then(() => void message.success(t('common.deleted')), toast)}
          >
            <Button type="link" size="small" danger>
              {t('common.delete')}
            </Button>
          </Popconfirm>
        </Flex>
      ),
    },
  ];

  return (
    <PageContainer
      title={t('rule.nav')}
      hint={t('rule.pageHint')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)} data-testid="rule-create">
          {t('rule.create')}
        </Button>
      }
    >
      <Alert
        type="info"
        showIcon
        title={t('rule.howTitle')}
        description={
          <ol style={{ margin: 0, paddingInlineStart: 20 }}>
            <li>{t('rule.how1')}</li>
            <li>{t('rule.how2')}</li>
            <li>{t('rule.how3')}</li>
            <li>{t('rule.how4')}</li>
          </ol>
        }
      />
      <Card>
        <DataTable<AssignmentRule>
          data-testid="rules-table"
          columns={columns}
          dataSource={ordered}
          query={rules}
          loading={rules.isFetching || move.isPending}
          pagination={false}
          empty={
            <EmptyState
              title={t('rule.empty')}
              hint={t('rule.emptyHint')}
              action={
                <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)}>
                  {t('rule.create')}
                </Button>
              }
            />
          }
        />
      </Card>
      <RuleFormDrawer open={editing !== undefined} rule={editing ?? null} onClose={() => setEditing(undefined)} />
    </PageContainer>
  );
}
