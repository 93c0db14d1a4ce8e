import type { TableProps } from 'antd';
import type { Dispatch, ReactNode, SetStateAction } from 'react';
import type { Page } from '../../common/schemas/common';
import { useT } from '../i18n';
import type { DataTableProps } from './DataTable';
import type { LoadState } from './QueryState';

type Paged = { page?: number; pageSize?: number; sort?: string };

/**
 * The props of a table whose rows the server pages and sorts (`page`, `pageSize`, `sort` as
 * `field` / `-field` in the list's params): sort arrows from `params.sort`, and every click on a
 * header or pager written back into the params.
 */
export function useServerTable<T, P extends Paged>(
  params: P,
  setParams: Dispatch<SetStateAction<P>>,
  total: number | undefined,
  /** false when the server stopped counting (`totalExact` of the page): the total reads "10000+". */
  totalExact = true,
) {
  const t = useT();
  const sortOrder = (key: string): 'ascend' | 'descend' | null =>
    params.sort === key ? 'ascend' : params.sort === `-${key}` ? 'descend' : null;
  const onChange: NonNullable<TableProps<T>['onChange']> = (pagination, _filters, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    const key = s?.order ? String(s.columnKey) : undefined;
    setParams((p) => ({
      ...p,
      page: pagination.current ?? 1,
      pageSize: pagination.pageSize ?? 20,
      sort: key ? (s.order === 'descend' ? `-${key}` : key) : undefined,
    }));
  };
  const sorted = (columns: NonNullable<TableProps<T>['columns']>) =>
    columns.map((c) => (c.sorter ? { ...c, sortOrder: sortOrder(String(c.key)) } : c));
  const pagination = {
    current: params.page,
    pageSize: params.pageSize,
    total: total ?? 0,
    showSizeChanger: true,
    pageSizeOptions: [20, 50, 100],
    showTotal: (n: number) => t(totalExact ? 'common.total' : 'common.totalAtLeast', { total: n }),
  };
  return {
    /** The columns with their sort arrows set from the params. */
    sorted,
    onChange,
    pagination,
    /**
     * Everything a list page's `DataTable` takes: rows of the query, sortable columns, the pager,
     * loading, the error with a retry when the query failed, and the empty state when it did not.
     */
    props: (
      query: LoadState & { data?: Page<T> },
      columns: NonNullable<TableProps<T>['columns']>,
      empty: ReactNode,
    ): DataTableProps<T> => ({
      rowKey: 'id' as TableProps<T>['rowKey'],
      columns: sorted(columns),
      dataSource: query.data?.items,
      query,
      empty,
      onChange,
      className: 'gd-nowrap',
      pagination,
    }),
  };
}
