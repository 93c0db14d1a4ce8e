import { Card, Flex, List, Typography } from 'antd';
import { Link } from 'react-router';
import type { Opportunity } from '../../../common/schemas/opportunities';
import { opportunitiesApi } from '../../api/resources';
import { usePage } from '../../api/queries';
import { allOf, failedWithoutData, LoadError } from '../../components/QueryState';
import { EmptyState } from '../../components/EmptyState';
import { formatMoney } from '../../components/money';
import { useT } from '../../i18n';
import { CloseDate, StageTag } from '../opportunities/opportunity-ui';

/** The customer's opportunities the reader may see: open ones first by close date, then the closed ones. */
export function CustomerOpportunitiesCard({ customerId }: { customerId: string }) {
  const t = useT();
  const open = usePage(opportunitiesApi, {
    customerId,
    status: 'open',
    sort: 'expectedCloseOn',
    pageSize: 20,
    page: 1,
  });
  const closed = usePage(opportunitiesApi, { customerId, sort: '-createdAt', pageSize: 10, page: 1 });
  const items = [...(open.data?.items ?? []), ...(closed.data?.items ?? []).filter((o) => o.status !== 'open')];
  return (
    <Card title={t('customer.opportunities')} size="small" data-testid="customer-opportunities">
      {failedWithoutData(allOf(open, closed)) ? (
        <LoadError query={allOf(open, closed)} compact />
      ) : open.isPending || closed.isPending ? null : items.length === 0 ? (
        <EmptyState title={t('customer.noOpportunities')} />
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(o: Opportunity) => (
            <List.Item key={o.id}>
              <Flex vertical gap={2} style={{ width: '100%' }}>
                <Flex justify="space-between" gap={8}>
                  <Link to={`/opportunities/${o.id}`}>{o.name}</Link>
                  <Typography.Text strong style={{ whiteSpace: 'nowrap' }}>
                    {formatMoney(o.expectedAmount)}
                  </Typography.Text>
                </Flex>
                <Flex gap={8} align="center" wrap>
                  <StageTag nameZh={o.stageNameZh} nameEn={o.stageNameEn} status={o.status} />
                  <Typography.Text type="secondary">
                    {o.businessLineName} · {o.ownerName}
                  </Typography.Text>
                  {o.status === 'open' && <CloseDate date={o.expectedCloseOn} />}
                </Flex>
              </Flex>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
