import { Table, Typography } from 'antd';
import { useMemo } from 'react';
import type { AuditLog } from '../../../common/schemas/audit';
import { useAllBusinessLines, useAllDepartments } from '../../api/queries';
import { formatDateTime } from '../../components/format';
import { dynamicKey, listSeparator } from '../../components/labels';
import { LANGUAGE_NAMES, useLocale, useT, type Locale, type WebMessageKey } from '../../i18n';

/** Labels of the fields records carry; unknown fields show their own name. */
const FIELD_LABELS: Record<string, WebMessageKey> = {
  username: 'user.username',
  displayName: 'user.displayName',
  email: 'user.email',
  phone: 'user.phone',
  roleName: 'user.role',
  roleCode: 'role.code',
  departmentName: 'user.department',
  branchName: 'user.branch',
  regionName: 'user.region',
  businessLineIds: 'user.businessLines',
  staffCategory: 'user.staffCategory',
  isPracticingCpa: 'user.cpa',
  locale: 'user.locale',
  lastLoginAt: 'user.lastLogin',
  name: 'common.name',
  code: 'common.code',
  active: 'common.status',
  sortOrder: 'common.sortOrder',
  description: 'common.description',
  grants: 'role.grants',
  parentId: 'department.parent',
  managerId: 'department.manager',
  userCount: 'department.userCount',
  createdAt: 'common.createdAt',
  updatedAt: 'common.updatedAt',
};

const TIMESTAMP_FIELDS = new Set(['createdAt', 'updatedAt', 'lastLoginAt']);

type Row = { field: string; before: unknown; after: unknown };

const isEmpty = (value: unknown) =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

/**
 * The fields an entry shows: those that differ between before and after (for a creation
 * or deletion, those with a value). An id or code is left out when its name is recorded beside it.
 */
export function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown> | null): Row[] {
  const both = { ...before, ...after };
  const keys = Object.keys(both);
  return keys
    .filter(
      (key) =>
        key !== 'id' &&
        !((key.endsWith('Id') || key.endsWith('Code')) && `${key.replace(/(Id|Code)$/, '')}Name` in both),
    )
    .filter((key) => JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key]))
    .filter((key) => (before && after) || !isEmpty(both[key]))
    .map((field) => ({ field, before: before?.[field], after: after?.[field] }));
}

export function AuditDiff({ entry, userNames }: { entry: AuditLog; userNames: Map<string, string> }) {
  const t = useT();
  const { locale } = useLocale();
  const departments = useAllDepartments();
  const businessLines = useAllBusinessLines();
  const names = useMemo(
    () => ({
      departments: new Map((departments.data ?? []).map((d) => [d.id, d.name])),
      businessLines: new Map((businessLines.data ?? []).map((b) => [b.id, b.name])),
    }),
    [departments.data, businessLines.data],
  );
  const rows = changedFields(entry.before, entry.after);

  const show = (field: string, value: unknown) => {
    if (value === null || value === undefined || value === '')
      return <Typography.Text type="secondary">—</Typography.Text>;
    if (typeof value === 'boolean') {
      if (field === 'active') return t(value ? 'common.active' : 'common.inactive');
      if (field === 'isPracticingCpa') return t(value ? 'user.cpaPracticing' : 'user.cpaNonPracticing');
      return t(value ? 'common.yes' : 'common.no');
    }
    if (field === 'staffCategory' && typeof value === 'string') return dynamicKey(t, `user.category.${value}`, value);
    if (field === 'locale' && typeof value === 'string') return LANGUAGE_NAMES[value as Locale] ?? value;
    if (TIMESTAMP_FIELDS.has(field) && typeof value === 'string') return formatDateTime(value, locale);
    if (field === 'parentId' && typeof value === 'string') return names.departments.get(value) ?? value;
    if (field === 'managerId' && typeof value === 'string') return userNames.get(value) ?? value;
    if (field === 'businessLineIds' && Array.isArray(value))
      return value.map((id) => names.businessLines.get(String(id)) ?? id).join(listSeparator(locale)) || '—';
    if (field === 'grants' && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, string>);
      if (entries.length === 0) return t('role.noGrants');
      return entries
        .map(([p, scope]) => `${dynamicKey(t, `permission.${p}`, p)} · ${dynamicKey(t, `scope.${scope}`, scope)}`)
        .join(listSeparator(locale));
    }
    if (typeof value === 'object') return <Typography.Text code>{JSON.stringify(value)}</Typography.Text>;
    return String(value);
  };

  if (rows.length === 0) return <Typography.Text type="secondary">{t('audit.noChanges')}</Typography.Text>;
  // A creation has only an "after", a deletion only a "before".
  const sides = [
    ...(entry.before
      ? [{ key: 'before' as const, title: t('audit.before'), color: entry.after ? '#a8071a' : undefined }]
      : []),
    ...(entry.after
      ? [{ key: 'after' as const, title: t('audit.after'), color: entry.before ? '#237804' : undefined }]
      : []),
  ];
  return (
    <Table<Row>
      rowKey="field"
      size="small"
      pagination={false}
      dataSource={rows}
      data-testid="audit-diff"
      style={{ maxWidth: 900 }}
      columns={[
        {
          key: 'field',
          title: t('audit.field'),
          width: 160,
          render: (_, r) => (FIELD_LABELS[r.field] ? t(FIELD_LABELS[r.field]) : r.field),
        },
        ...sides.map((side) => ({
          key: side.key,
          title: side.title,
          render: (_: unknown, r: Row) => <span style={{ color: side.color }}>{show(r.field, r[side.key])}</span>,
        })),
      ]}
    />
  );
}
