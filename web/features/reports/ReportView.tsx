import { Alert, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import type {
  ReportAnswer,
  ReportCell,
  ReportColumn,
  ReportDrill,
  ReportRow,
  ReportTable,
} from '../../../common/schemas/reports';
import { toQueryString } from '../../api/client';
import { formatMoney } from '../../components/money';
import { useIsMobile } from '../../components/responsive';
import { useLocale, useT } from '../../i18n';
import { EChart, type ChartClick } from './EChart';

/** The address a figure leads to: the list page with the report's filters. */
export const drillHref = (drill: ReportDrill) => `${drill.path}${toQueryString(drill.query)}`;

/** A cell as the page writes it: money with separators, shares with %, counts with separators. */
export function cellText(cell: ReportCell | undefined, kind: ReportColumn['kind'], locale: string): string {
  if (cell === null || cell === undefined || cell === '') return '—';
  switch (kind) {
    case 'money':
      return formatMoney(String(cell));
    case 'percent':
      return `${cell}%`;
    case 'count':
      return Number(cell).toLocaleString(locale);
    default:
      return String(cell);
  }
}

const numeric = (cell: ReportCell | undefined) => (cell === null || cell === undefined ? null : Number(cell));

/** The series' colours by what they mean (the theme's palette in turn for series without a tone). */
const TONE_COLOURS = { good: '#1677ff', loss: '#cf1322', open: '#bfbfbf', target: '#595959' } as const;

/** The chart's ECharts option from the first table: a category per row, a series per listed column. */
function chartOption(answer: ReportAnswer, mobile: boolean) {
  const chart = answer.chart!;
  const table = answer.tables[0];
  const column = (key: string) => table.columns.find((c) => c.key === key);
  const categories = table.rows.map((r) => String(r.cells[chart.category] ?? ''));
  const stacked = chart.type === 'stacked-bar';
  const series = chart.series.map((key, i) => ({
    name: column(key)?.label ?? key,
    ...(chart.tones?.[i] ? { itemStyle: { color: TONE_COLOURS[chart.tones[i]] } } : {}),
    type: chart.type === 'line' ? 'line' : 'bar',
    stack: stacked ? 'all' : undefined,
    data: table.rows.map((r) => numeric(r.cells[key])),
    cursor: 'pointer',
    emphasis: { focus: 'series' },
  }));
  const categoryAxis = {
    type: 'category',
    data: categories,
    inverse: chart.horizontal,
    axisLabel: {
      width: mobile ? 72 : 120,
      overflow: 'truncate',
      interval: 0,
      rotate: !chart.horizontal && mobile ? 40 : 0,
    },
  };
  const valueAxis = { type: 'value' };
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: chart.horizontal ? valueAxis : categoryAxis,
    yAxis: chart.horizontal ? categoryAxis : valueAxis,
    series,
  };
}

/** A figure's drill-down: its own column's, else its row's (the category column's). */
function drillOf(row: ReportRow, key: string, category: string): ReportDrill | undefined {
  return row.drill?.[key] ?? row.drill?.[category];
}

function TableOf({ table, testId }: { table: ReportTable; testId: string }) {
  const t = useT();
  const { locale } = useLocale();
  const render = (row: ReportRow, column: ReportColumn, bold: boolean) => {
    const text = cellText(row.cells[column.key], column.kind, locale);
    const drill = row.drill?.[column.key];
    const content = bold ? <Typography.Text strong>{text}</Typography.Text> : text;
    return drill ? (
      <Link to={drillHref(drill)} data-testid={`drill-${row.key}-${column.key}`}>
        {content}
      </Link>
    ) : (
      content
    );
  };
  const columns: NonNullable<TableProps<ReportRow>['columns']> = table.columns.map((column, i) => ({
    key: column.key,
    title: column.label,
    align: column.kind === 'text' ? 'left' : 'right',
    fixed: i === 0 ? 'left' : undefined,
    render: (_, row) => render(row, column, false),
  }));
  return (
    <>
      {table.title && <Typography.Title level={5}>{table.title}</Typography.Title>}
      <Table<ReportRow>
        rowKey="key"
        size="middle"
        columns={columns}
        dataSource={table.rows}
        pagination={table.rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        scroll={{ x: Math.max(480, table.columns.length * 130) }}
        locale={{ emptyText: t('report.empty') }}
        data-testid={testId}
        summary={() =>
          table.total &&
          table.rows.length > 0 && (
            <Table.Summary fixed="bottom">
              <Table.Summary.Row data-testid={`${testId}-total`}>
                {table.columns.map((column, i) => (
                  <Table.Summary.Cell key={column.key} index={i} align={column.kind === 'text' ? 'left' : 'right'}>
                    {render(table.total!, column, true)}
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            </Table.Summary>
          )
        }
      />
    </>
  );
}

/**
 * A report's answer drawn: the headline, the chart over the first table (a bar or point opens the records behind
 * it), then every table (each figure with a drill-down is a link to them). `compact` (a start-page card) draws the
 * headline and the chart only.
 */
export function ReportView({ answer, compact = false }: { answer: ReportAnswer; compact?: boolean }) {
  const t = useT();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const first = answer.tables[0];
  const empty = answer.tables.every((table) => table.rows.length === 0);
  const option = useMemo(() => (answer.chart ? chartOption(answer, mobile) : null), [answer, mobile]);
  const onClick = (click: ChartClick) => {
    const chart = answer.chart!;
    const row = first.rows[click.dataIndex];
    const drill = row && drillOf(row, chart.series[click.seriesIndex], chart.category);
    if (drill) void navigate(drillHref(drill));
  };
  const height = answer.chart?.horizontal
    ? Math.max(220, first.rows.length * 36 + 60)
    : compact
      ? 220
      : mobile
        ? 280
        : 340;
  return (
    <>
      {answer.headline && (
        <Alert
          type="info"
          showIcon
          message={answer.headline}
          style={{ marginBottom: 16 }}
          data-testid="report-headline"
        />
      )}
      {option && !empty && <EChart option={option} height={height} onClick={onClick} testId="report-chart" />}
      {!compact &&
        answer.tables.map((table, i) => (
          <div key={i} style={{ marginTop: 16 }}>
            <TableOf table={table} testId={i === 0 ? 'report-table' : `report-table-${i}`} />
          </div>
        ))}
      {!compact && !empty && (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
          {t('report.drillHint')}
        </Typography.Text>
      )}
      {compact && empty && <Typography.Text type="secondary">{t('report.empty')}</Typography.Text>}
    </>
  );
}
