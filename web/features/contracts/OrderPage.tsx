import { ArrowLeftOutlined, CheckCircleOutlined, CloseCircleOutlined, FlagOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Flex, Popconfirm, Row, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Order } from '../../../common/schemas/contracts';
import { useWrite } from '../../api/queries';
import { ordersApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { useRecordTitle } from '../../components/document-title';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDate, formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { RecordQueryResult } from '../../components/Results';
import { useLocale, useT } from '../../i18n';
import { testId } from '../opportunities/opportunity-ui';
import { CONTRACT_INVALIDATES, MoneyCell, OrderNumber, OrderStatusTag } from './contract-ui';
import { PaymentTermsTable } from './PaymentTermsTable';
import { RecurringControl } from './RecurringControl';
import { CompleteOrderModal, ReasonModal } from './ReasonModal';
import { ConfirmOrderModal } from './TermsModal';
import { OrderEngagementsCard } from '../engagements/OrderEngagementsCard';

/** 销售订单: its lines, its terms (its contract's, or its own without one), confirm / 结项 / cancel. */
export function OrderPage() {
  const { id = '' } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [completing, setCompleting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [settingTerms, setSettingTerms] = useState(false);
  const query = useQuery({ queryKey: [ordersApi.path, 'one', id], queryFn: () => ordersApi.get(id), retry: false });
  const o = query.data;
  useRecordTitle(o ? (o.number ?? o.title) : undefined);
  const confirm = useWrite(() => ordersApi.confirm(id), CONTRACT_INVALIDATES);
  const complete = useWrite((completedOn: string) => ordersApi.complete(id, { completedOn }), CONTRACT_INVALIDATES);
  const cancel = useWrite((reason: string) => ordersApi.cancel(id, { reason }), CONTRACT_INVALIDATES);

  if (!o) return <RecordQueryResult query={query} />;

  const colon = locale === 'zh-CN' ? '：' : ': ';
  const writable = can(me, 'contracts:write');
  const lines = [...o.lines].sort((a, b) => a.position - b.position);
  const mayConfirm = writable && o.status === 'draft';
  const confirmButton = (onClick?: () => void) => (
    <Button
      type="primary"
      icon={<CheckCircleOutlined />}
      loading={confirm.isPending}
      onClick={onClick}
      data-testid="order-confirm"
    >
      {t('order.confirm')}
    </Button>
  );
  const mayComplete = writable && o.status === 'confirmed';
  const mayCancel = writable && (o.status === 'draft' || o.status === 'confirmed');

  return (
    <PageContainer
      title={
        <Flex align="center" gap={8} wrap>
          <Link to="/orders" aria-label={t('order.back')}>
            <ArrowLeftOutlined />
          </Link>
          <span data-testid="order-title">{o.title}</span>
          <OrderStatusTag status={o.status} />
        </Flex>
      }
      hint={
        <>
          {t('contract.customer')}
          {colon}
          <Link to={`/customers/${o.customerId}`}>{o.customerName}</Link>
          {' · '}
          {o.contractId ? (
            <>
              {t('order.contract')}
              {colon}
              <Link to={`/contracts/${o.contractId}`} data-testid="order-contract-link">
                {o.contractNumber ?? t('order.contractOpen')}
              </Link>
            </>
          ) : (
            t('order.withoutContract')
          )}
          {o.opportunityId && (
            <>
              {' · '}
              <Link to={`/opportunities/${o.opportunityId}`}>{t('contract.opportunityOpen')}</Link>
            </>
          )}
          {' · '}
          {t('contract.owner')}
          {colon}
          <Typography.Text strong>{o.ownerName}</Typography.Text>
        </>
      }
      extra={
        <>
          {/* Without a contract the order's own payment terms are entered as it is confirmed. */}
          {mayConfirm && !o.contractId && confirmButton(() => setSettingTerms(true))}
          {mayConfirm && o.contractId && (
            <Popconfirm
              title={t('order.confirmTitle')}
              description={<div style={{ maxWidth: 320 }}>{t('order.confirmHint')}</div>}
              okText={t('order.confirm')}
              okButtonProps={testId('order-confirm-ok')}
              onConfirm={() =>
                confirm
                  .mutateAsync(undefined)
                  .then((after) => void message.success(t('order.confirmed', { number: after.number ?? '' })), toast)
              }
            >
              {confirmButton()}
            </Popconfirm>
          )}
          {mayComplete && (
            <Button
              type="primary"
              icon={<FlagOutlined />}
              onClick={() => setCompleting(true)}
              data-testid="order-complete"
            >
              {t('order.completeAction')}
            </Button>
          )}
          {mayCancel && (
            <Button
              danger
              icon={<CloseCircleOutlined />}
              onClick={() => setCancelling(true)}
              data-testid="order-cancel"
            >
              {t('order.cancel')}
            </Button>
          )}
        </>
      }
    >
      {o.status === 'cancelled' && (
        <Alert
          type="warning"
          showIcon
          title={t('order.cancelledAlert')}
          description={o.statusReason && <span style={{ whiteSpace: 'pre-wrap' }}>{o.statusReason}</span>}
        />
      )}
      <Card size="small" data-testid="order-summary">
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2, xl: 4 }}
          items={[
            { key: 'number', label: t('order.number'), children: <OrderNumber number={o.number} /> },
            { key: 'amount', label: t('order.amount'), children: <MoneyCell value={o.amount} strong /> },
            {
              key: 'confirmedOn',
              label: t('order.confirmedOn'),
              children: o.confirmedOn ? formatDate(o.confirmedOn, locale) : '—',
            },
            {
              key: 'completedOn',
              label: t('order.completedOn'),
              children: o.completedOn ? formatDate(o.completedOn, locale) : '—',
            },
            { key: 'line', label: t('contract.businessLine'), children: o.businessLineName },
            {
              key: 'recurring',
              label: t('contract.recurring'),
              children: o.contractId ? (
                <Typography.Text type="secondary">{t('order.recurringWithContract')}</Typography.Text>
              ) : (
                <RecurringControl
                  kind="order"
                  id={o.id}
                  value={o.recurringCycle}
                  editable={writable && o.status !== 'cancelled'}
                />
              ),
            },
            { key: 'created', label: t('common.createdAt'), children: formatDateTime(o.createdAt, locale) },
          ]}
        />
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('order.lines')} data-testid="order-lines">
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={lines}
              columns={[
                {
                  key: 'description',
                  title: t('contract.lineDescription'),
                  render: (_, l: Order['lines'][number]) => (
                    <Flex vertical>
                      <span style={{ whiteSpace: 'normal' }}>{l.description}</span>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {l.businessLineName}
                      </Typography.Text>
                    </Flex>
                  ),
                },
                {
                  key: 'amount',
                  title: t('contract.lineAmount'),
                  align: 'right',
                  render: (_, l: Order['lines'][number]) => <MoneyCell value={l.amount} />,
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('contract.terms')} data-testid="order-terms">
            {o.terms.length > 0 ? (
              <PaymentTermsTable terms={o.terms} />
            ) : o.contractId ? (
              <Typography.Text type="secondary">
                {t('order.termsOnContract')}{' '}
                <Link to={`/contracts/${o.contractId}`}>{o.contractNumber ?? t('order.contractOpen')}</Link>
              </Typography.Text>
            ) : (
              <EmptyState title={t('contract.termsNone')} />
            )}
          </Card>
        </Col>
        <Col xs={24}>
          <OrderEngagementsCard order={o} />
        </Col>
      </Row>
      {mayConfirm && !o.contractId && (
        <ConfirmOrderModal order={o} open={settingTerms} onClose={() => setSettingTerms(false)} />
      )}
      <CompleteOrderModal
        open={completing}
        onClose={() => setCompleting(false)}
        onSubmit={(completedOn) =>
          complete.mutateAsync(completedOn).then(() => void message.success(t('order.completed')))
        }
      />
      <ReasonModal
        open={cancelling}
        title={t('order.cancelTitle', { title: o.title })}
        warning={t('order.cancelWarning')}
        okText={t('order.cancelConfirm')}
        onClose={() => setCancelling(false)}
        onSubmit={(reason) => cancel.mutateAsync(reason).then(() => void message.success(t('order.cancelled')))}
        testIdPrefix="order-cancel"
      />
    </PageContainer>
  );
}
