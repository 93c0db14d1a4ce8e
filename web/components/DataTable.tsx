import { Button, Card, Empty, Flex, Pagination, Spin, Table, Typography, type TableProps } from 'antd';
import type { ColumnType, SorterResult, TablePaginationConfig } from 'antd/es/table/interface';
import { useState, type Key, type ReactNode } from 'react';
import { useT } from '../i18n';
import { failedWithoutData, LoadError, type LoadState } from './QueryState';
import { useIsMobile } from './responsive';

/**
 * Columns as the card rendering reads them. The card code works on `Row` (any record): checking
 * antd's generic column and table types against each other for every `T` costs the type checker
 * gigabytes, so the component's public props stay generic and the inside is not.
 */
type Row = Record<string, unknown>;
type Column = ColumnType<Row>;

export type DataTableProps<T> = TableProps<T> & {
  /**
   * The list's query. When it fails, the error with a retry takes the rows' place — never the
   * empty state (a failed list must not look like an empty database).
   */
  query?: LoadState;
  /** What an empty list says (shown only when the list loaded and has no rows). */
  empty?: ReactNode;
  /**
   * On a phone (under 768 px) every row is a card: the first column is its title, then these
   * columns (by key; default the next four), then the `actions` column. `false` keeps the table
   * (it scrolls sideways inside its card).
   */
  cards?: { fields?: string[] } | false;
  'data-testid'?: string;
};

const ACTIONS = 'actions';

function keyOf(column: Column, index: number): string {
  return String(column.key ?? column.dataIndex ?? index);
}

function cellOf(column: Column, record: Row, index: number): ReactNode {
  const path: unknown[] =
    column.dataIndex === undefined ? [] : Array.isArray(column.dataIndex) ? column.dataIndex : [column.dataIndex];
  let value: unknown = path.length ? record : undefined;
  for (const part of path) value = (value as Row | undefined)?.[String(part)];
  const rendered: unknown = column.render ? column.render(value, record, index) : value;
  if (
    rendered &&
    typeof rendered === 'object' &&
    'children' in rendered &&
    'props' in rendered &&
    !('type' in rendered)
  )
    return (rendered as { children: ReactNode }).children;
  return rendered as ReactNode;
}

function titleOf(column: Column): ReactNode {
  return typeof column.title === 'function' ? null : (column.title as ReactNode);
}

/** Tree rows (departments) as one list, each with its depth. */
function flatten(rows: readonly Row[], depth = 0): { record: Row; depth: number }[] {
  return rows.flatMap((record) => {
    const children = record.children as Row[] | undefined;
    return [{ record, depth }, ...(Array.isArray(children) ? flatten(children, depth + 1) : [])];
  });
}

/** One row as a card: the title column, the key fields as label / value lines, the row's actions. */
function RowCard({
  record,
  index,
  depth,
  title,
  fields,
  actions,
  expandable,
}: {
  record: Row;
  index: number;
  depth: number;
  title: Column;
  fields: Column[];
  actions?: Column;
  expandable?: TableProps<Row>['expandable'];
}) {
  const t = useT();
  const [expanded, setExpanded] = useState(false);
  const canExpand = expandable?.expandedRowRender && (expandable.rowExpandable?.(record) ?? true);
  return (
    <Card
      size="small"
      className="gd-list-card"
      data-testid="list-card"
      style={{ marginInlineStart: depth * 12 }}
      styles={{ body: { padding: '10px 12px' } }}
    >
      <Flex vertical gap={4}>
        <div style={{ fontWeight: 600, fontSize: 15, overflowWrap: 'anywhere' }}>{cellOf(title, record, index)}</div>
        {fields.map((column, i) => (
          <Flex key={keyOf(column, i)} gap={8} align="baseline" style={{ minWidth: 0 }}>
            <Typography.Text type="secondary" style={{ flex: 'none', width: '38%', fontSize: 12 }}>
              {titleOf(column)}
            </Typography.Text>
            <div style={{ minWidth: 0, flex: 1, overflowWrap: 'anywhere' }}>{cellOf(column, record, index)}</div>
          </Flex>
        ))}
        {(actions || canExpand) && (
          <Flex gap={8} wrap align="center" style={{ marginTop: 4 }}>
            {actions && cellOf(actions, record, index)}
            {canExpand && (
              <Button size="small" type="link" onClick={() => setExpanded(!expanded)} aria-expanded={expanded}>
                {t(expanded ? 'table.lessDetails' : 'table.moreDetails')}
              </Button>
            )}
          </Flex>
        )}
        {canExpand && expanded && (
          <div style={{ overflowX: 'auto' }}>{expandable!.expandedRowRender!(record, index, depth, true)}</div>
        )}
      </Flex>
    </Card>
  );
}

/** The phone rendering of a table: a card per row, the same pager (simple), the same empty and error states. */
function CardList({
  props,
  rows,
  emptyText,
  fieldKeys,
}: {
  props: TableProps<Row> & { 'data-testid'?: string };
  rows: readonly Row[];
  emptyText: ReactNode;
  fieldKeys?: string[];
}) {
  const columns = ((props.columns ?? []) as Column[]).filter((c) => !c.hidden);
  const [title, ...rest] = columns;
  const actions = rest.find((c, i) => keyOf(c, i + 1) === ACTIONS);
  const others = rest.filter((c) => c !== actions);
  const fields = fieldKeys
    ? fieldKeys.flatMap((k) => others.filter((c, i) => keyOf(c, i + 1) === k))
    : others.slice(0, 4);
  const pagination = props.pagination === false ? null : ((props.pagination ?? {}) as TablePaginationConfig);
  const [localPage, setLocalPage] = useState(1);
  const pageSize = pagination?.pageSize ?? 10;
  // The server pages when it says there are more rows than it sent; otherwise the rows are paged here.
  const serverPaged = pagination?.total !== undefined && pagination.total > rows.length;
  const current = serverPaged ? (pagination?.current ?? 1) : localPage;
  const shown = pagination && !serverPaged ? rows.slice((current - 1) * pageSize, current * pageSize) : rows;
  const sorted = columns.find((c) => c.sortOrder);
  const changePage = (page: number, size: number) => {
    if (!serverPaged) return setLocalPage(page);
    pagination?.onChange?.(page, size);
    const sorter: SorterResult<Row> = sorted
      ? { column: sorted, columnKey: sorted.key, order: sorted.sortOrder ?? undefined }
      : {};
    props.onChange?.({ ...pagination, current: page, pageSize: size }, {}, sorter, {
      action: 'paginate',
      currentDataSource: [...rows],
    });
  };
  const rowKey = (record: Row, index: number): Key =>
    typeof props.rowKey === 'function'
      ? props.rowKey(record, index)
      : String(record[(props.rowKey as string | undefined) ?? 'id'] ?? index);
  const loading = typeof props.loading === 'object' ? Boolean(props.loading.spinning) : Boolean(props.loading);
  const total = serverPaged ? (pagination?.total ?? 0) : rows.length;
  return (
    <Spin spinning={loading}>
      <Flex vertical gap={8} data-testid={props['data-testid']} data-mode="cards">
        {shown.length === 0
          ? emptyText
          : flatten(shown).map(({ record, depth }, index) => (
              <RowCard
                key={rowKey(record, index)}
                record={record}
                index={index}
                depth={depth}
                title={title}
                fields={fields}
                actions={actions}
                expandable={props.expandable}
              />
            ))}
        {pagination && total > pageSize && (
          <Flex justify="center" style={{ marginTop: 4 }}>
            <Pagination simple current={current} pageSize={pageSize} total={total} onChange={changePage} />
          </Flex>
        )}
      </Flex>
    </Spin>
  );
}

/**
 * Every list of the app: an antd Table that
 * - shows the query's error with a retry in place of the rows (a banner above them when a refresh
 *   of rows still shown failed), and the empty state only for a list that loaded empty;
 * - scrolls sideways when its columns do not fit, with a visible hint: a shadow on the side that has
 *   more (styles.css, `.gd-table`) and a scroll bar that sticks to the bottom of the window;
 * - on a phone renders each row as a card (see `cards`).
 */
export function DataTable<T extends object>(allProps: DataTableProps<T>) {
  const { query, empty, cards } = allProps;
  const props = tableProps(allProps as unknown as DataTableProps<Row>);
  const t = useT();
  const mobile = useIsMobile();
  const failed = query ? failedWithoutData(query) : false;
  const rows = failed ? [] : (props.dataSource ?? []);
  const given = props.locale?.emptyText;
  const emptyText: ReactNode = failed ? (
    <LoadError query={query!} />
  ) : query?.isPending ? (
    ' '
  ) : (
    (empty ??
    (typeof given === 'function' ? given() : given) ?? (
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('table.empty')} />
    ))
  );
  const banner = query?.error && !failed ? <LoadError query={query} compact /> : null;
  const loading = props.loading ?? Boolean(query?.isFetching && !failed);

  if (mobile && cards !== false)
    return (
      <Flex vertical gap={8}>
        {banner}
        <CardList
          props={{ ...props, loading }}
          rows={rows}
          emptyText={emptyText}
          fieldKeys={cards ? cards.fields : undefined}
        />
      </Flex>
    );
  const table = (
    <Table<Row>
      rowKey="id"
      size="middle"
      sticky={STICKY}
      {...props}
      scroll={{ x: 'max-content', ...props.scroll }}
      className={['gd-table', props.className].filter(Boolean).join(' ')}
      dataSource={rows}
      loading={loading}
      locale={{ ...props.locale, emptyText }}
    />
  );
  return banner ? (
    <Flex vertical gap={8}>
      {banner}
      {table}
    </Flex>
  ) : (
    table
  );
}

/** The table's own props: DataTable's additions taken out (antd would pass them on to the DOM). */
function tableProps(all: DataTableProps<Row>): TableProps<Row> & { 'data-testid'?: string } {
  const props: DataTableProps<Row> = { ...all };
  delete props.query;
  delete props.empty;
  delete props.cards;
  return props;
}

/** The horizontal scroll bar sticks to the bottom of the window while the table's own bottom is out of view. */
const STICKY = { offsetHeader: 0 };
