import { CalendarOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Flex, Input, Select, Space, Spin, Typography, type TableProps } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link } from 'react-router';
import { SHEET_STATUSES, type SheetSummary } from '../../../common/schemas/commissions';
import { useAllBusinessLines, usePage } from '../../api/queries';
import { commissionSheetsApi, type SheetListParams } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { formatDate } from '../../components/format';
import { sumMoney } from '../../components/money';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { MoneyCell } from '../contracts/contract-ui';
import { SheetStatusTag } from './commission-ui';
import { MonthDraftModal } from './MonthDraftModal';
import { SheetCreateDrawer } from './SheetCreateDrawer';

const FIRST_PAGE: SheetListParams = { page: 1, pageSize: 20, sort: '-period' };

/** The month, the contract (or order) and its customer of a sheet, linking to the sheet. */
export function SheetSubject({ sheet }: { sheet: SheetSummary }) {
  return (
    <Link to={`/commissions/sheets/${sheet.id}`} data-testid="sheet-link" style={{ display: 'block' }}>
      <div style={{ whiteSpace: 'normal', minWidth: 180, maxWidth: 320, fontWeight: 600 }}>
        {sheet.subjectNumber ? `${sheet.subjectNumber} ` : ''}
        {sheet.subjectTitle}
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {sheet.customerName}
      </Typography.Text>
    </Link>
  );
}

/**
 * 分配表: the monthly allocation sheets the reader may see (their own lines' sheets, their department's, all), by
 * month, status, business line; drafting one for a contract and a month, or every sheet of a month at once. `mine`: 我的佣金, the same list as the
 * reader's entry to their own lines (a reader with own scope sees only the sheets with a line of theirs).
 */
export function SheetsPage({ mine = false }: { mine?: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const writer = !mine && can(me, 'commissions:write');
  const [params, setParams] = useState<SheetListParams>(FIRST_PAGE);
  const [creating, setCreating] = useState(false);
  const [draftingMonth, setDraftingMonth] = useState(false);
  const page = usePage(commissionSheetsApi, params);
  const lines = useAllBusinessLines();
  const table = useServerTable<SheetSummary, SheetListParams>(params, setParams, page.data?.total);
  const filter = (patch: Partial<SheetListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(params.q || params.status || params.businessLineId || params.period);

  const columns: TableProps<SheetSummary>['columns'] = [
    {
      key: 'subject',
      title: t('commission.sheet.subject'),
      fixed: 'left',
      render: (_, s) => <SheetSubject sheet={s} />,
    },
    { key: 'period', title: t('commission.sheet.period'), sorter: true, render: (_, s) => s.period },
    { key: 'businessLine', dataIndex: 'businessLineName', title: t('commission.sheet.businessLine') },
    { key: 'owner', dataIndex: 'ownerName', title: t('commission.sheet.owner') },
    {
      key: 'received',
      title: t('commission.sheet.received'),
      align: 'right',
      render: (_, s) => <MoneyCell value={s.received} />,
    },
    {
      key: 'hours',
      title: t('commission.sheet.hours'),
      align: 'right',
      render: (_, s) => t('commission.sheet.hoursValue', { hours: s.hours }),
    },
    {
      key: 'total',
      title: t('commission.sheet.total'),
      align: 'right',
      sorter: true,
      render: (_, s) => <MoneyCell value={s.total} strong />,
    },
    ...(mine
      ? [
          {
            key: 'mine',
            title: t('commission.sheet.myAmount'),
            align: 'right' as const,
            render: (_: unknown, s: SheetSummary) => <MyAmount sheetId={s.id} />,
          },
        ]
      : []),
    { key: 'status', title: t('common.status'), render: (_, s) => <SheetStatusTag status={s.status} /> },
    {
      key: 'paidOn',
      title: t('commission.sheet.paidOn'),
      render: (_, s) =>
        s.paidOn ? formatDate(s.paidOn, locale) : <Typography.Text type="secondary">—</Typography.Text>,
    },
  ];

  const empty = filtered ? (
    <EmptyState title={t('commission.sheet.emptyFiltered')} hint={t('commission.sheet.emptyFilteredHint')} />
  ) : mine ? (
    <EmptyState title={t('commission.sheet.emptyMine')} hint={t('commission.sheet.emptyMineHint')} />
  ) : (
    <EmptyState title={t('commission.sheet.empty')} hint={writer ? t('commission.sheet.emptyHint') : undefined} />
  );

  return (
    <PageContainer
      title={t(mine ? 'commission.nav.mine' : 'commission.nav.sheets')}
      hint={t(mine ? 'commission.sheet.mineHint' : 'commission.sheet.pageHint')}
      extra={
        writer && (
          <Space wrap>
            <Button icon={<CalendarOutlined />} onClick={() => setDraftingMonth(true)} data-testid="sheet-draft-month">
              {t('commission.sheet.draftMonth')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="sheet-create">
              {t('commission.sheet.create')}
            </Button>
          </Space>
        )
      }
    >
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="sheet-filters">
          <Input.Search
            allowClear
            placeholder={t('commission.sheet.search')}
            aria-label={t('common.search')}
            style={{ width: 260, maxWidth: '100%' }}
            onSearch={(q) => filter({ q: q.trim() || undefined })}
          />
          <DatePicker
            picker="month"
            allowClear
            placeholder={t('commission.sheet.period')}
            aria-label={t('commission.sheet.period')}
            value={params.period ? dayjs(`${params.period}-01`) : null}
            onChange={(d) => filter({ period: d ? d.format('YYYY-MM') : undefined })}
            style={{ width: 140 }}
            data-testid="sheet-period-filter"
          />
          <Select
            allowClear
            placeholder={t('common.status')}
            aria-label={t('common.status')}
            style={{ width: 120 }}
            options={SHEET_STATUSES.map((v) => ({ value: v, label: t(`commission.sheet.status.${v}`) }))}
            value={params.status}
            onChange={(status) => filter({ status })}
          />
          <Select
            allowClear
            placeholder={t('commission.sheet.businessLine')}
            aria-label={t('commission.sheet.businessLine')}
            style={{ width: 160 }}
            loading={lines.isPending}
            options={(lines.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
            value={params.businessLineId}
            onChange={(businessLineId) => filter({ businessLineId })}
          />
        </Flex>
        <DataTable<SheetSummary>
          data-testid="sheets-table"
          cards={{ fields: mine ? ['period', 'mine', 'status', 'paidOn'] : ['period', 'total', 'status', 'owner'] }}
          {...table.props(page, columns, empty)}
        />
      </Card>
      {writer && creating && <SheetCreateDrawer onClose={() => setCreating(false)} />}
      {writer && draftingMonth && <MonthDraftModal onClose={() => setDraftingMonth(false)} />}
    </PageContainer>
  );
}

/** The sum of the reader's lines in a sheet (read from the sheet itself, the cache the sheet page shares). */
function MyAmount({ sheetId }: { sheetId: string }) {
  const me = useMe();
  const sheet = useQuery({
    queryKey: [commissionSheetsApi.path, 'one', sheetId],
    queryFn: () => commissionSheetsApi.get(sheetId),
    staleTime: 30_000,
  });
  if (sheet.isPending) return <Spin size="small" />;
  const mineLines = sheet.data?.lines.filter((l) => l.userId === me.user.id) ?? [];
  if (!sheet.data || mineLines.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <span data-testid="my-amount">
      <MoneyCell value={sumMoney(mineLines.map((l) => l.amount))} strong />
    </span>
  );
}

/** 我的佣金. */
export function MyCommissionsPage() {
  return <SheetsPage mine />;
}
