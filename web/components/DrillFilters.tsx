import { Flex, Tag, Typography } from 'antd';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { mayUseDirectory } from '../../common/permissions';
import { useAllBranches, useAllBusinessLines, useAllDepartments, useAllRegions, useDirectory } from '../api/queries';
import { useMe } from '../auth/session';
import { useLocale, useT, type WebMessageKey } from '../i18n';
import { formatDate } from './format';

/**
 * The filters a report's drill-down (销售报表) opens a list with, read from the address: the list adds them to its
 * query and shows each as a tag the reader can close (clearing it from the address). The keys are the API's names.
 */
export const DRILL_KEYS = [
  'businessLineId',
  'branchId',
  'regionId',
  'departmentId',
  'ownerId',
  'confirmedFrom',
  'confirmedTo',
  'signedFrom',
  'signedTo',
  'withoutContract',
] as const;
export type DrillKey = (typeof DRILL_KEYS)[number];

const DATE_KEYS: readonly string[] = ['confirmedFrom', 'confirmedTo', 'signedFrom', 'signedTo'];

/** The drill-down filters of `keys` present in the address, and a way to clear one (or all). */
export function useDrillFilters<K extends DrillKey>(keys: readonly K[]) {
  const [search, setSearch] = useSearchParams();
  const values = useMemo(() => {
    const out: Partial<Record<K, string>> = {};
    for (const key of keys) {
      const value = search.get(key);
      if (value) out[key] = value;
    }
    return out;
  }, [keys, search]);
  const clear = useCallback(
    (key?: K) =>
      setSearch(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const k of key ? [key] : keys) next.delete(k);
          return next;
        },
        { replace: true },
      ),
    [keys, setSearch],
  );
  return { values, clear };
}

/** The active drill-down filters as closable tags (nothing when there are none). */
export function DrillFilterTags<K extends DrillKey>({
  values,
  clear,
}: {
  values: Partial<Record<K, string>>;
  clear: (key?: K) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const given = Object.entries(values) as [K, string][];
  const any = given.length > 0;
  const lines = useAllBusinessLines();
  const branches = useAllBranches();
  const regions = useAllRegions();
  const departments = useAllDepartments();
  const directory = useDirectory(any && 'ownerId' in values && mayUseDirectory(me.grants));
  if (!any) return null;
  const nameOf = (key: K, value: string): string => {
    const find = (list: { id: string; name: string }[] | undefined) => list?.find((x) => x.id === value)?.name;
    switch (key) {
      case 'businessLineId':
        return find(lines.data) ?? '…';
      case 'branchId':
        return find(branches.data) ?? '…';
      case 'regionId':
        return find(regions.data) ?? '…';
      case 'departmentId':
        return find(departments.data) ?? '…';
      case 'ownerId':
        return directory.data?.find((u) => u.id === value)?.displayName ?? '…';
      case 'withoutContract':
        return '';
      default:
        return DATE_KEYS.includes(key) ? formatDate(value, locale) : value;
    }
  };
  return (
    <Flex gap={8} wrap align="center" style={{ marginBottom: 12 }} data-testid="drill-filters">
      <Typography.Text type="secondary">{t('drill.filters')}</Typography.Text>
      {given.map(([key, value]) => {
        const name = nameOf(key, value);
        return (
          <Tag key={key} closable onClose={() => clear(key)} data-testid={`drill-filter-${key}`}>
            {t(`drill.${key}` as WebMessageKey)}
            {name ? `${locale === 'zh-CN' ? '：' : ': '}${name}` : ''}
          </Tag>
        );
      })}
      <Typography.Link onClick={() => clear()} data-testid="drill-filters-clear">
        {t('drill.clear')}
      </Typography.Link>
    </Flex>
  );
}
