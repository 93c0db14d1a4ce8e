import { useQuery } from '@tanstack/react-query';
import { Button, Flex, Table, Typography, type TableProps } from 'antd';
import type { SetStateAction } from 'react';
import { Link } from 'react-router';
import type { Opportunity } from '../../../common/schemas/opportunities';
import { usePage } from '../../api/queries';
import { opportunitiesApi, type OpportunityFilterParams, type OpportunityListParams } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useIsMobile } from '../../components/responsive';
import { useServerTable } from '../../components/server-table';
import { useT } from '../../i18n';
import { formatMoney } from '../../components/money';
import { CloseDate, OpportunityStatusTag, StageTag, daysSince } from './opportunity-ui';

/** The list view: the same filters as the board, every business line unless one is chosen, with exact totals underneath. */
export function OpportunitiesTable({
  params,
  filters,
  onParams,
  filtered,
  writable,
  onCreate,
}: {
  params: OpportunityListParams;
  filters: OpportunityFilterParams;
  onParams: (next: OpportunityListParams) => void;
  filtered: boolean;
  writable: boolean;
  onCreate: () => void;
}) {
  const t = useT();
  const mobile = useIsMobile();
  const page = usePage(opportunitiesApi, params);
  const totals = useQuery({
    queryKey: [opportunitiesApi.path, 'totals', filters],
    queryFn: () => opportunitiesApi.totals(filters),
  });
  const setParams = (action: SetStateAction<OpportunityListParams>) =>
    onParams(typeof action === 'function' ? action(params) : action);
  const table = useServerTable<Opportunity, OpportunityListParams>(params, setParams, page.data?.total);

  const money = (value: string | null) => (
    <span style={{ fontVariantNumeric: 'tabular-nums' }}>{formatMoney(value)}</span>
  );
  const columns: TableProps<Opportunity>['columns'] = [
    {
      key: 'name',
      title: t('opp.name'),
      sorter: true,
      fixed: 'left',
      render: (_, o) => <Link to={`/opportunities/${o.id}`}>{o.name}</Link>,
    },
    {
      key: 'customer',
      title: t('opp.customer'),
      render: (_, o) => <Link to={`/customers/${o.customerId}`}>{o.customerName}</Link>,
    },
    { key: 'businessLine', dataIndex: 'businessLineName', title: t('opp.businessLine') },
    {
      key: 'stage',
      title: t('opp.stage'),
      render: (_, o) => <StageTag nameZh={o.stageNameZh} nameEn={o.stageNameEn} status={o.status} />,
    },
    {
      key: 'expectedAmount',
      title: t('opp.amount'),
      sorter: true,
      align: 'right',
      render: (_, o) => money(o.expectedAmount),
    },
    {
      key: 'probability',
      title: t('opp.probability'),
      sorter: true,
      align: 'right',
      render: (_, o) => `${o.probability}%`,
    },
    { key: 'weighted', title: t('opp.weighted'), align: 'right', render: (_, o) => money(o.weightedAmount) },
    {
      key: 'expectedCloseOn',
      title: t('opp.closeOn'),
      sorter: true,
      render: (_, o) => <CloseDate date={o.expectedCloseOn} open={o.status === 'open'} />,
    },
    { key: 'owner', dataIndex: 'ownerName', title: t('opp.owner') },
    { key: 'status', title: t('opp.statusLabel'), render: (_, o) => <OpportunityStatusTag status={o.status} /> },
    {
      key: 'stageEnteredAt',
      title: t('opp.stageEnteredAt'),
      sorter: true,
      render: (_, o) => (o.status === 'open' ? t('board.days', { days: daysSince(o.stageEnteredAt) }) : '—'),
    },
  ];

  const empty = filtered ? (
    <EmptyState title={t('opp.emptyFiltered')} hint={t('opp.emptyFilteredHint')} />
  ) : (
    <EmptyState
      title={t('opp.empty')}
      hint={writable ? t('opp.emptyHint') : undefined}
      action={
        writable && (
          <Button type="primary" onClick={onCreate}>
            {t('opp.create')}
          </Button>
        )
      }
    />
  );

  // A phone shows the rows as cards, which have no summary row: the totals go above them.
  const mobileTotals = mobile && totals.data && totals.data.count > 0 && (
    <Flex gap={12} wrap style={{ marginBottom: 8 }} data-testid="opportunities-totals">
      <Typography.Text strong>{t('opp.totals', { count: totals.data.count })}</Typography.Text>
      <Typography.Text>
        {t('opp.amount')} <Typography.Text strong>{formatMoney(totals.data.totalAmount)}</Typography.Text>
      </Typography.Text>
      <Typography.Text>
        {t('opp.weighted')} <Typography.Text strong>{formatMoney(totals.data.weightedAmount)}</Typography.Text>
      </Typography.Text>
    </Flex>
  );

  return (
    <>
      {mobileTotals}
      <DataTable<Opportunity>
        data-testid="opportunities-table"
        {...table.props(page, columns, empty)}
        summary={() =>
          totals.data && totals.data.count > 0 ? (
            <Table.Summary fixed="bottom">
              <Table.Summary.Row data-testid="opportunities-totals">
                <Table.Summary.Cell index={0} colSpan={4}>
                  <Typography.Text strong>{t('opp.totals', { count: totals.data.count })}</Typography.Text>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={4} align="right">
                  <Typography.Text strong data-testid="totals-amount">
                    {formatMoney(totals.data.totalAmount)}
                  </Typography.Text>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={5} />
                <Table.Summary.Cell index={6} align="right">
                  <Typography.Text strong data-testid="totals-weighted">
                    {formatMoney(totals.data.weightedAmount)}
                  </Typography.Text>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={7} colSpan={4} />
              </Table.Summary.Row>
            </Table.Summary>
          ) : null
        }
      />
    </>
  );
}
