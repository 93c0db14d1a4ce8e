import { Card, DatePicker, Flex, Select, Tag, Typography, type TableProps } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, type AuditAction, type AuditLog } from '../../../common/schemas/audit';
import { useAllUsers, usePage } from '../../api/queries';
import { auditApi, type AuditListParams } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { firmDayEnd, firmDayStart, formatDateTime } from '../../components/format';
import { dynamicKey, personLabel } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { useLocale, useT } from '../../i18n';
import { AuditDiff } from './AuditDiff';

const ACTION_COLORS: Record<AuditAction, string> = {
  create: 'green',
  update: 'blue',
  delete: 'red',
  activate: 'cyan',
  deactivate: 'orange',
  'reset-password': 'purple',
  'change-password': 'purple',
  'enable-two-factor': 'purple',
  'disable-two-factor': 'purple',
  'reset-two-factor': 'purple',
  'regenerate-recovery-codes': 'purple',
  claim: 'geekblue',
  release: 'gold',
  assign: 'geekblue',
  share: 'cyan',
  merge: 'magenta',
  'auto-release': 'gold',
  status: 'blue',
  convert: 'green',
  move: 'blue',
  won: 'green',
  lost: 'volcano',
  reopen: 'orange',
  revoke: 'red',
  disclose: 'magenta',
  export: 'purple',
  submit: 'blue',
  sign: 'green',
  complete: 'green',
  terminate: 'volcano',
  void: 'red',
  confirm: 'green',
  cancel: 'orange',
  publish: 'cyan',
  reverse: 'red',
  report: 'cyan',
  archive: 'green',
  adopt: 'green',
  adjust: 'gold',
  pay: 'green',
  erase: 'red',
  'legal-hold': 'gold',
};

/** A readable name of the record an entry is about, from what it recorded. */
function entityName(entry: AuditLog): string | null {
  const record = entry.after ?? entry.before;
  const name = record?.displayName ?? record?.name ?? record?.username;
  return typeof name === 'string' ? name : null;
}

export function AuditLogPage() {
  const t = useT();
  const actionLabel = (action: AuditAction) =>
    action === 'disclose' ? t('audit.action.disclose') : t(`audit.action.${action}`);
  const { locale } = useLocale();
  const me = useMe();
  const [params, setParams] = useState<AuditListParams>({ page: 1, pageSize: 20 });
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const page = usePage(auditApi, params);
  const users = useAllUsers(can(me, 'staff:read', 'all'));
  const userNames = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u.displayName])), [users.data]);
  const filter = (patch: Partial<AuditListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(params.entityType || params.action || params.actorId || params.from || params.to);

  const columns: TableProps<AuditLog>['columns'] = [
    {
      key: 'at',
      dataIndex: 'at',
      title: t('audit.at'),
      width: 170,
      render: (at: string) => formatDateTime(at, locale),
    },
    {
      key: 'actor',
      title: t('audit.actor'),
      width: 130,
      render: (_, e) => e.actorName ?? <Typography.Text type="secondary">{t('audit.system')}</Typography.Text>,
    },
    {
      key: 'action',
      title: t('audit.action'),
      width: 120,
      render: (_, e) => <Tag color={ACTION_COLORS[e.action]}>{actionLabel(e.action)}</Tag>,
    },
    {
      key: 'entityType',
      title: t('audit.entityType'),
      width: 120,
      render: (_, e) => dynamicKey(t, `audit.entity.${e.entityType}`, e.entityType),
    },
    {
      key: 'entity',
      title: t('audit.entity'),
      render: (_, e) => (
        <>
          {entityName(e) ?? ''}{' '}
          <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable={{ text: e.entityId }}>
            {e.entityId.slice(0, 8)}
          </Typography.Text>
        </>
      ),
    },
  ];

  return (
    <PageContainer title={t('audit.title')}>
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }}>
          <Select
            allowClear
            placeholder={t('audit.entityType')}
            aria-label={t('audit.entityType')}
            style={{ width: 150 }}
            value={params.entityType}
            onChange={(entityType) => filter({ entityType })}
            options={AUDIT_ENTITY_TYPES.map((type) => ({ value: type, label: t(`audit.entity.${type}`) }))}
          />
          <Select<AuditAction>
            allowClear
            placeholder={t('audit.action')}
            aria-label={t('audit.action')}
            style={{ width: 150 }}
            value={params.action}
            onChange={(action) => filter({ action })}
            options={AUDIT_ACTIONS.map((action) => ({ value: action, label: actionLabel(action) }))}
          />
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('audit.actor')}
            aria-label={t('audit.actor')}
            style={{ width: 180 }}
            value={params.actorId}
            loading={users.isLoading}
            onChange={(actorId) => filter({ actorId })}
            options={(users.data ?? []).map((u) => ({ value: u.id, label: personLabel(locale, u) }))}
          />
          <DatePicker.RangePicker
            aria-label={t('audit.dateRange')}
            value={range}
            onChange={(value) => {
              setRange(value);
              const [from, to] = value ?? [null, null];
              filter({
                from: from ? firmDayStart(from.format('YYYY-MM-DD')) : undefined,
                to: to ? firmDayEnd(to.format('YYYY-MM-DD')) : undefined,
              });
            }}
          />
        </Flex>
        <DataTable<AuditLog>
          data-testid="audit-table"
          columns={columns}
          dataSource={page.data?.items}
          query={page}
          scroll={{ x: 900 }}
          expandable={{ expandedRowRender: (entry) => <AuditDiff entry={entry} userNames={userNames} /> }}
          onChange={(pagination) =>
            setParams((p) => ({ ...p, page: pagination.current ?? 1, pageSize: pagination.pageSize ?? 20 }))
          }
          pagination={{
            current: params.page,
            pageSize: params.pageSize,
            total: page.data?.total ?? 0,
            showSizeChanger: true,
            showTotal: (total) => t('common.total', { total }),
          }}
          empty={
            <EmptyState
              title={t(filtered ? 'audit.empty' : 'audit.emptyAll')}
              hint={t(filtered ? 'audit.emptyHint' : 'audit.emptyNone')}
            />
          }
        />
      </Card>
    </PageContainer>
  );
}
