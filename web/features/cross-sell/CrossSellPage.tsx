import { useQuery } from '@tanstack/react-query';
import { Card, Col, Flex, Row, Segmented, Select, Table, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import {
  CROSS_SELL_STATUSES,
  type CrossSellConversionRow,
  type CrossSellStatus,
  type CrossSellSuggestion,
} from '../../../common/schemas/cross-sell';
import { useAllBusinessLines, useDirectory, usePage } from '../../api/queries';
import { crossSellApi, type CrossSellListParams } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useServerTable } from '../../components/server-table';
import { useT } from '../../i18n';
import { CrossSellActions, CrossSellStatusTag, ScoreTag } from './actions';
import { RecomputeButton } from './RecomputeButton';
import { rate } from './conversion';

/** 建议转化: by business line, how many were suggested, accepted, dismissed and (of the accepted) won. */
function ConversionPanel() {
  const t = useT();
  const query = useQuery({ queryKey: [crossSellApi.path, 'conversion'], queryFn: crossSellApi.conversion });
  const rows = query.data ?? [];
  const total = rows.reduce(
    (s, r) => ({
      suggested: s.suggested + r.suggested,
      accepted: s.accepted + r.accepted,
      dismissed: s.dismissed + r.dismissed,
      won: s.won + r.won,
    }),
    { suggested: 0, accepted: 0, dismissed: 0, won: 0 },
  );
  const num = (key: 'suggested' | 'accepted' | 'dismissed' | 'won', title: string) => ({
    key,
    title,
    dataIndex: key,
    align: 'right' as const,
  });
  return (
    <Card title={t('crossSell.conversion')} size="small" data-testid="cross-sell-conversion">
      <Loaded query={query}>
        {() =>
          rows.length === 0 ? (
            <EmptyState title={t('crossSell.conversionEmpty')} />
          ) : (
            <Table<CrossSellConversionRow>
              size="small"
              pagination={false}
              rowKey="businessLineId"
              scroll={{ x: 'max-content' }}
              dataSource={rows}
              columns={[
                { key: 'line', title: t('crossSell.line'), dataIndex: 'businessLineName' },
                num('suggested', t('crossSell.suggested')),
                num('accepted', t('crossSell.acceptedCount')),
                num('dismissed', t('crossSell.dismissedCount')),
                num('won', t('crossSell.won')),
                {
                  key: 'rate',
                  title: t('crossSell.rate'),
                  align: 'right',
                  render: (_, r) => rate(r.accepted, r.suggested),
                },
              ]}
              summary={() => (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>
                    <Typography.Text strong>{t('story.total')}</Typography.Text>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={1} align="right">
                    {total.suggested}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={2} align="right">
                    {total.accepted}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={3} align="right">
                    {total.dismissed}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={4} align="right">
                    {total.won}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={5} align="right">
                    {rate(total.accepted, total.suggested)}
                  </Table.Summary.Cell>
                </Table.Summary.Row>
              )}
            />
          )
        }
      </Loaded>
    </Card>
  );
}

/** 交叉销售建议: my customers' suggestions, or (for who sees beyond their own customers) the team's, with the conversion. */
export function CrossSellPage() {
  const t = useT();
  const me = useMe();
  const team = can(me, 'customers:read', 'department');
  const [params, setParams] = useState<CrossSellListParams>({
    view: team ? 'team' : 'mine',
    status: 'open',
    page: 1,
    pageSize: 20,
    sort: '-score',
  });
  const page = usePage(crossSellApi, params);
  const lines = useAllBusinessLines();
  const directory = useDirectory(team && params.view === 'team');
  const table = useServerTable<CrossSellSuggestion, CrossSellListParams>(
    params,
    setParams,
    page.data?.total,
    page.data?.totalExact ?? true,
  );
  const set = (patch: Partial<CrossSellListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));

  const columns: TableProps<CrossSellSuggestion>['columns'] = [
    {
      key: 'customerName',
      title: t('crossSell.customer'),
      sorter: true,
      render: (_, s) => (
        <Link to={`/customers/${s.customerId}`} style={{ whiteSpace: 'normal' }}>
          {s.customerName}
        </Link>
      ),
    },
    { key: 'service', title: t('crossSell.service'), render: (_, s) => s.businessLineName },
    {
      key: 'evidence',
      title: t('crossSell.evidence'),
      render: (_, s) => (
        <Flex vertical style={{ maxWidth: 420, whiteSpace: 'normal' }}>
          <Typography.Text type="secondary">{s.evidenceText}</Typography.Text>
          {s.exclusion && <Typography.Text type="warning">{s.exclusion.ruleText}</Typography.Text>}
          {s.dismissReason && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t(`crossSell.reason.${s.dismissReason}`)}
              {s.dismissNote ? ` · ${s.dismissNote}` : ''}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      key: 'score',
      title: t('crossSell.score'),
      sorter: true,
      align: 'right',
      render: (_, s) => <ScoreTag score={s.score} />,
    },
    { key: 'owner', title: t('crossSell.owner'), render: (_, s) => s.ownerName ?? '—' },
    { key: 'status', title: t('crossSell.status'), render: (_, s) => <CrossSellStatusTag status={s.status} /> },
    {
      key: 'actions',
      title: t('crossSell.actions'),
      render: (_, s) =>
        s.status === 'open' ? (
          <CrossSellActions suggestion={s} />
        ) : s.opportunityId ? (
          <Link to={`/opportunities/${s.opportunityId}`}>{t('crossSell.opportunity')}</Link>
        ) : null,
    },
  ];

  return (
    <PageContainer
      title={t('crossSell.nav')}
      hint={t('crossSell.pageHint')}
      extra={can(me, 'sales:configure') ? <RecomputeButton /> : undefined}
    >
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={17}>
          <Card>
            <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="cross-sell-filters">
              {team && (
                <Segmented
                  value={params.view ?? 'mine'}
                  onChange={(view) => set({ view: view as 'mine' | 'team', ownerId: undefined })}
                  options={[
                    { value: 'mine', label: t('crossSell.viewMine') },
                    { value: 'team', label: t('crossSell.viewTeam') },
                  ]}
                  data-testid="cross-sell-view"
                />
              )}
              <Select<CrossSellStatus | 'all'>
                value={params.status ?? 'all'}
                onChange={(status) => set({ status: status === 'all' ? undefined : status })}
                style={{ minWidth: 130 }}
                options={[
                  { value: 'all', label: t('crossSell.allStatuses') },
                  ...CROSS_SELL_STATUSES.map((s) => ({ value: s, label: t(`crossSell.status.${s}`) })),
                ]}
                data-testid="cross-sell-status"
              />
              <Select<string>
                allowClear
                placeholder={t('crossSell.allLines')}
                value={params.businessLineId}
                onChange={(businessLineId) => set({ businessLineId })}
                style={{ minWidth: 160 }}
                loading={lines.isPending}
                options={(lines.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
                data-testid="cross-sell-line"
              />
              {team && params.view === 'team' && (
                <Select<string>
                  allowClear
                  showSearch={{ optionFilterProp: 'label' }}
                  placeholder={t('crossSell.allOwners')}
                  value={params.ownerId}
                  onChange={(ownerId) => set({ ownerId })}
                  style={{ minWidth: 160 }}
                  loading={directory.isPending}
                  options={(directory.data ?? []).map((u) => ({ value: u.id, label: u.displayName }))}
                  data-testid="cross-sell-owner"
                />
              )}
            </Flex>
            <DataTable<CrossSellSuggestion>
              data-testid="cross-sell-table"
              cards={{ fields: ['service', 'evidence', 'score', 'owner', 'status'] }}
              {...table.props(
                page,
                columns,
                <EmptyState title={t('crossSell.empty')} hint={t('crossSell.emptyHint')} />,
              )}
            />
          </Card>
        </Col>
        <Col xs={24} xxl={7}>
          <ConversionPanel />
        </Col>
      </Row>
    </PageContainer>
  );
}
