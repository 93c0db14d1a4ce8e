import { FileTextOutlined, ShoppingCartOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, List, Typography } from 'antd';
import { Link, useNavigate } from 'react-router';
import type { ContractSummary, Order } from '../../../common/schemas/contracts';
import { usePage, useWrite } from '../../api/queries';
import { contractsApi, ordersApi } from '../../api/resources';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { allOf, failedWithoutData, LoadError } from '../../components/QueryState';
import { useT } from '../../i18n';
import {
  CONTRACT_INVALIDATES,
  ContractNumber,
  ContractStatusTag,
  MoneyCell,
  OrderNumber,
  OrderStatusTag,
} from './contract-ui';

type Scope = { opportunityId: string } | { customerId: string };

/**
 * 合同与订单 of an opportunity or a customer: small lists with links. On a won opportunity, whoever may write
 * contracts makes one from it (customer, services and fees from its accepted quote, team) or, for a simple
 * service, an order without a contract.
 */
export function ContractsOrdersCard({
  scope,
  fromWonOpportunity,
  hideWhenEmpty,
}: {
  scope: Scope;
  fromWonOpportunity?: boolean;
  /** Shows nothing while there is nothing to show (an open opportunity). */
  hideWhenEmpty?: boolean;
}) {
  const t = useT();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const contracts = usePage(contractsApi, { ...scope, sort: '-createdAt', page: 1, pageSize: 20 });
  const orders = usePage(ordersApi, { ...scope, sort: '-createdAt', page: 1, pageSize: 20 });
  const opportunityId = 'opportunityId' in scope ? scope.opportunityId : null;
  const createContract = useWrite(() => contractsApi.create({ opportunityId: opportunityId! }), CONTRACT_INVALIDATES);
  const createOrder = useWrite(() => ordersApi.create({ opportunityId: opportunityId! }), CONTRACT_INVALIDATES);
  const both = allOf(contracts, orders);
  const contractItems = contracts.data?.items ?? [];
  const orderItems = orders.data?.items ?? [];
  // One live contract per opportunity; an order of its own only for a simple service without one.
  const liveContract = contractItems.some((c) => c.status !== 'voided' && c.status !== 'terminated');
  const liveOrder = orderItems.some((o) => o.status !== 'cancelled');
  const offerContract = Boolean(fromWonOpportunity && opportunityId) && contracts.isSuccess && !liveContract;
  const offerOrder = offerContract && orders.isSuccess && !liveOrder;

  if (hideWhenEmpty && !offerContract && contractItems.length === 0 && orderItems.length === 0 && !both.error)
    return null;

  const actions = (offerContract || offerOrder) && (
    <Flex gap={8} wrap>
      {offerContract && (
        <Button
          size="small"
          type="primary"
          icon={<FileTextOutlined />}
          loading={createContract.isPending}
          data-testid="opp-create-contract"
          onClick={() =>
            createContract.mutateAsync(undefined).then((c) => {
              void message.success(t('contract.createdFromOpportunity'));
              navigate(`/contracts/${c.id}`);
            }, toast)
          }
        >
          {t('contract.createFromOpportunity')}
        </Button>
      )}
      {offerOrder && (
        <Button
          size="small"
          icon={<ShoppingCartOutlined />}
          loading={createOrder.isPending}
          data-testid="opp-create-order"
          title={t('order.createFromOpportunityHint')}
          onClick={() =>
            createOrder.mutateAsync(undefined).then((o) => {
              void message.success(t('order.created'));
              navigate(`/orders/${o.id}`);
            }, toast)
          }
        >
          {t('order.createFromOpportunity')}
        </Button>
      )}
    </Flex>
  );

  return (
    <Card size="small" title={t('contract.cardTitle')} data-testid="contracts-orders">
      <Flex vertical gap={12}>
        {actions}
        {failedWithoutData(both) ? (
          <LoadError query={both} compact />
        ) : both.isPending ? null : contractItems.length === 0 && orderItems.length === 0 ? (
          <EmptyState
            title={t('contract.cardEmpty')}
            hint={fromWonOpportunity ? t('contract.cardEmptyWon') : undefined}
          />
        ) : (
          <>
            {contractItems.length > 0 && (
              <List
                size="small"
                header={<Typography.Text strong>{t('contract.nav')}</Typography.Text>}
                dataSource={contractItems}
                data-testid="card-contracts"
                renderItem={(c: ContractSummary) => (
                  <List.Item key={c.id}>
                    <Flex vertical gap={2} style={{ width: '100%' }}>
                      <Flex justify="space-between" gap={8}>
                        <Link to={`/contracts/${c.id}`} style={{ minWidth: 0 }}>
                          <ContractNumber number={c.number} /> · {c.title}
                        </Link>
                        <MoneyCell value={c.amount} strong />
                      </Flex>
                      <Flex gap={8} align="center" wrap>
                        <ContractStatusTag status={c.status} />
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {c.businessLineName} · {c.ownerName}
                        </Typography.Text>
                      </Flex>
                    </Flex>
                  </List.Item>
                )}
              />
            )}
            {orderItems.length > 0 && (
              <List
                size="small"
                header={<Typography.Text strong>{t('order.nav')}</Typography.Text>}
                dataSource={orderItems}
                data-testid="card-orders"
                renderItem={(o: Order) => (
                  <List.Item key={o.id}>
                    <Flex vertical gap={2} style={{ width: '100%' }}>
                      <Flex justify="space-between" gap={8}>
                        <Link to={`/orders/${o.id}`} style={{ minWidth: 0 }}>
                          <OrderNumber number={o.number} /> · {o.title}
                        </Link>
                        <MoneyCell value={o.amount} strong />
                      </Flex>
                      <Flex gap={8} align="center" wrap>
                        <OrderStatusTag status={o.status} />
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {o.contractNumber
                            ? t('order.ofContract', { number: o.contractNumber })
                            : t('order.withoutContract')}
                        </Typography.Text>
                      </Flex>
                    </Flex>
                  </List.Item>
                )}
              />
            )}
          </>
        )}
      </Flex>
    </Card>
  );
}
