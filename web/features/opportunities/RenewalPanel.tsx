import { FileDoneOutlined, SendOutlined, SyncOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Flex, Tag, Tooltip, Typography } from 'antd';
import { Link, useNavigate } from 'react-router';
import type { Quote } from '../../../common/schemas/opportunities';
import type { OPPORTUNITY_ORIGINS } from '../../../common/schemas/opportunities';
import { useWrite } from '../../api/queries';
import { contractsApi, opportunitiesApi, renewalsApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { useErrorToast } from '../../components/errors';
import { formatDate } from '../../components/format';
import { formatMoney } from '../../components/money';
import { useLocale, useT } from '../../i18n';
import { orDash } from '../customers/customer-ui';
import { QUOTE_STATUS_COLORS } from './opportunity-ui';

/** An opportunity's source (a renewal 续约 or a cross-sell suggestion 交叉销售建议), linking to the customer. */
export function OriginTag({ kind, customerId }: { kind: (typeof OPPORTUNITY_ORIGINS)[number]; customerId: string }) {
  const t = useT();
  return (
    <Link to={`/customers/${customerId}`} data-testid="opp-origin">
      <Tag color={kind === 'renewal' ? 'green' : 'purple'} icon={kind === 'renewal' ? <SyncOutlined /> : undefined}>
        {t(`opp.origin.${kind}`)}
      </Tag>
    </Link>
  );
}

/**
 * 续约 on a renewal opportunity: last period (amount, services, team, the previous contract) from the renewal, the
 * renewal quote pre-filled from last period with one click to send (its approval first when a flow applies), and
 * the engagement letter 业务约定书 — a draft contract copied from last period, opened once made.
 */
export function RenewalPanel({
  renewalId,
  opportunityId,
  editable,
}: {
  renewalId: string;
  opportunityId: string;
  editable: boolean;
}) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const renewal = useQuery({
    queryKey: [renewalsApi.path, renewalId],
    queryFn: () => renewalsApi.get(renewalId),
    retry: false,
  });
  // The same query as the quotes card: one request, one cache.
  const quotes = useQuery({
    queryKey: [opportunitiesApi.path, opportunityId, 'quotes'],
    queryFn: () => opportunitiesApi.quotes(opportunityId),
  });
  const send = useWrite(
    (quote: Quote) =>
      quote.approval.required && quote.approval.status !== 'approved'
        ? opportunitiesApi.submitQuote(opportunityId, quote.id)
        : opportunitiesApi.setQuoteStatus(opportunityId, quote.id, 'sent'),
    [opportunitiesApi.path, renewalsApi.path],
  );
  const letter = useWrite(() => renewalsApi.engagementLetter(renewalId), [renewalsApi.path, contractsApi.path]);

  const r = renewal.data;
  const quote = r?.quoteId ? quotes.data?.find((q) => q.id === r.quoteId) : undefined;
  const needsApproval = quote ? quote.approval.required && quote.approval.status !== 'approved' : false;
  const approvalRunning = quote?.approval.status === 'running';
  const mayLetter = editable && can(me, 'contracts:write');

  const makeLetter = () =>
    letter.mutateAsync(undefined).then(({ contractId }) => {
      void message.success(t('renewalPanel.letterMade'));
      void navigate(`/contracts/${contractId}`);
    }, toast);

  return (
    <Card
      size="small"
      data-testid="renewal-panel"
      title={
        <Flex gap={8} align="center">
          <SyncOutlined />
          {t('renewalPanel.title')}
        </Flex>
      }
      extra={
        r?.letterContractId ? (
          <Link to={`/contracts/${r.letterContractId}`} data-testid="renewal-letter-open">
            {t('renewalPanel.letterOpen')}
          </Link>
        ) : null
      }
    >
      {renewal.isError ? (
        <Alert type="warning" showIcon title={t('renewalPanel.loadFailed')} />
      ) : (
        <Flex vertical gap={12}>
          <Typography.Text type="secondary">{t('renewalPanel.hint')}</Typography.Text>
          <Descriptions
            size="small"
            column={{ xs: 1, md: 2 }}
            items={[
              {
                key: 'previousAmount',
                label: t('renewalPanel.previousAmount'),
                children: (
                  <Typography.Text strong data-testid="renewal-previous-amount">
                    {r ? formatMoney(r.previousAmount) : '…'}
                  </Typography.Text>
                ),
              },
              { key: 'dueOn', label: t('renewalPanel.dueOn'), children: r ? formatDate(r.dueOn, locale) : '…' },
              {
                key: 'services',
                label: t('renewalPanel.services'),
                span: 2,
                children: orDash(r?.services.join('、') || null),
              },
              {
                key: 'team',
                label: t('renewalPanel.team'),
                span: 2,
                children: orDash(r?.team.map((m) => (m.role ? `${m.name}（${m.role}）` : m.name)).join('、') || null),
              },
              r?.previousContractId
                ? {
                    key: 'previous',
                    label: t('renewalPanel.previousContract'),
                    span: 2,
                    children: (
                      <Link to={`/contracts/${r.previousContractId}`} data-testid="renewal-previous-contract">
                        {r.previousContractNumber ?? t('renewalPanel.open')}
                      </Link>
                    ),
                  }
                : {
                    key: 'previous',
                    label: t('renewalPanel.previousOrder'),
                    span: 2,
                    children: r?.previousOrderId ? (
                      <Link to={`/orders/${r.previousOrderId}`}>{r.previousOrderNumber ?? t('renewalPanel.open')}</Link>
                    ) : (
                      '—'
                    ),
                  },
            ]}
          />
          <Flex
            justify="space-between"
            align="center"
            gap={8}
            wrap
            style={{ padding: '8px 12px', background: 'rgba(22, 119, 255, 0.06)', borderRadius: 6 }}
            data-testid="renewal-quote"
          >
            <Flex gap={8} align="center" wrap>
              <Typography.Text strong>{t('renewalPanel.quote')}</Typography.Text>
              {quote ? (
                <>
                  <Typography.Text>
                    {t('renewalPanel.quoteLine', { version: quote.version, total: formatMoney(quote.total) })}
                  </Typography.Text>
                  <Tag color={QUOTE_STATUS_COLORS[quote.status]}>{t(`quote.status.${quote.status}`)}</Tag>
                </>
              ) : (
                <Typography.Text type="secondary">{t('renewalPanel.noQuote')}</Typography.Text>
              )}
            </Flex>
            {quote && editable && quote.status === 'draft' && !approvalRunning && (
              <Button
                type="primary"
                size="small"
                icon={<SendOutlined />}
                loading={send.isPending}
                onClick={() =>
                  void send
                    .mutateAsync(quote)
                    .then(
                      () =>
                        void message.success(
                          t(needsApproval ? 'quote.submitted' : 'renewalPanel.sent', { version: quote.version }),
                        ),
                      toast,
                    )
                }
                data-testid="renewal-quote-send"
              >
                {t(needsApproval ? 'quote.submit' : 'renewalPanel.send')}
              </Button>
            )}
          </Flex>
          {mayLetter && (
            <Flex>
              <Tooltip title={t('renewalPanel.letterHint')}>
                <Button
                  icon={<FileDoneOutlined />}
                  loading={letter.isPending}
                  disabled={!r}
                  onClick={() => void makeLetter()}
                  data-testid="renewal-letter"
                >
                  {t(r?.letterContractId ? 'renewalPanel.letterOpen' : 'renewalPanel.letter')}
                </Button>
              </Tooltip>
            </Flex>
          )}
        </Flex>
      )}
    </Card>
  );
}
