import { ArrowLeftOutlined, CalendarOutlined, EditOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Flex, Row, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { CustomerOverview, OwnerChange } from '../../../common/schemas/customers';
import { useWrite } from '../../api/queries';
import { contactLogsApi, contactsApi, customersApi, todayApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { useErrorToast } from '../../components/errors';
import { formatDate, formatDateTime } from '../../components/format';
import { listSeparator } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { ReschedulePopover } from '../../components/ReschedulePopover';
import { useRecordTitle } from '../../components/document-title';
import { RecordQueryResult } from '../../components/Results';
import { useLocale, useT } from '../../i18n';
import { LegalHoldControl } from './PrivacyActions';
import { ContactLogCard, FIRST_LOG_PAGE } from './ContactLogCard';
import { ContactsCard, customerContactsParams } from './ContactsCard';
import { CustomerOpportunitiesCard } from './CustomerOpportunitiesCard';
import { ActivitiesCard } from '../activities/ActivitiesCard';
import { ContractsOrdersCard } from '../contracts/ContractsOrdersCard';
import { CustomerFormDrawer } from './CustomerFormDrawer';
import { CustomerStatusTag, NextContactDate, orDash } from './customer-ui';
import { MergeAction } from './MergeAction';
import { OwnerActions } from './OwnerActions';
import { ValueCard } from './ValueCard';
import { RelatedKnowledge } from '../knowledge-related/RelatedKnowledge';
import { CustomerTimeline } from '../customer-story/CustomerTimeline';
import { CustomerFiguresCard } from '../customer-story/CustomerFiguresCard';
import { CustomerCrossSellCard } from '../cross-sell/CustomerCrossSellCard';

/** The next contact date, and (for who works on the customer) a one-tap move to another day. */
function NextContact({ customerId, on, editable }: { customerId: string; on: string | null; editable: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const move = useWrite(
    (day: string) => customersApi.setNextContact(customerId, day),
    [customersApi.path, todayApi.path, '/api/v1/answers'],
  );
  return (
    <Flex gap={8} align="center" wrap>
      <span data-testid="customer-next-contact">
        <NextContactDate date={on} />
      </span>
      {editable && (
        <ReschedulePopover
          title={t('customer.nextContactMoveTo')}
          withTime={false}
          testId="customer-next-contact-move"
          onPick={(value) =>
            move
              .mutateAsync(value.format('YYYY-MM-DD'))
              .then(
                (c) => message.success(t('customer.nextContactMoved', { date: formatDate(c.nextContactOn, locale) })),
                toast,
              )
          }
        >
          <Button size="small" icon={<CalendarOutlined />} loading={move.isPending}>
            {t('customer.nextContactMove')}
          </Button>
        </ReschedulePopover>
      )}
    </Flex>
  );
}

function OwnerHistory({ customerId }: { customerId: string }) {
  const t = useT();
  const { locale } = useLocale();
  const history = useQuery({
    queryKey: [customersApi.path, customerId, 'owner-history'],
    queryFn: () => customersApi.ownerHistory(customerId),
  });
  const pool = t('customer.pool');
  const colon = locale === 'zh-CN' ? '：' : ': ';
  return (
    <Card title={t('customer.ownerHistory')} size="small">
      <DataTable<OwnerChange>
        size="small"
        pagination={false}
        query={history}
        dataSource={history.data}
        data-testid="owner-history"
        empty={t('customer.ownerHistoryEmpty')}
        columns={[
          {
            key: 'at',
            title: t('audit.at'),
            render: (_, h) => (
              <Typography.Text style={{ whiteSpace: 'nowrap' }}>{formatDateTime(h.at, locale)}</Typography.Text>
            ),
          },
          {
            key: 'change',
            title: t('audit.action'),
            render: (_, h) => (
              <Flex vertical>
                <Typography.Text>
                  {t(`customer.ownerChange.${h.kind}`)}
                  {colon}
                  {h.kind === 'create'
                    ? (h.toUserName ?? pool)
                    : t('customer.ownerChangeFromTo', { from: h.fromUserName ?? pool, to: h.toUserName ?? pool })}
                </Typography.Text>
                {h.reason && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {h.reason}
                  </Typography.Text>
                )}
              </Flex>
            ),
          },
          { key: 'by', title: t('customer.by'), render: (_, h) => h.byUserName ?? t('audit.system') },
        ]}
      />
    </Card>
  );
}

/**
 * The page loads in one request (/overview); its answer fills the caches the contact and
 * contact-log cards read, so they render without asking again. Writes invalidate as usual.
 */
function seedCards(queryClient: QueryClient, id: string, overview: CustomerOverview) {
  queryClient.setQueryData([contactsApi.path, 'all', customerContactsParams(id)], overview.contacts);
  queryClient.setQueryData([contactLogsApi.path, 'page', { customerId: id, ...FIRST_LOG_PAGE }], overview.contactLog);
}

export function CustomerPage() {
  const { id = '' } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const [editing, setEditing] = useState(false);
  const queryClient = useQueryClient();
  const customer = useQuery({
    queryKey: [customersApi.path, 'one', id],
    queryFn: async () => {
      const overview = await customersApi.overview(id);
      seedCards(queryClient, id, overview);
      return overview.customer;
    },
    retry: false,
  });
  useRecordTitle(customer.data?.name);

  if (!customer.data) return <RecordQueryResult query={customer} />;
  const c = customer.data;
  const colon = locale === 'zh-CN' ? '：' : ': ';
  const inPool = c.ownerId === null;
  // In the pool everyone may look, but only the owner's side works on the record.
  const editable = can(me, 'customers:write') && !inPool;

  return (
    <PageContainer
      title={
        <Flex align="center" gap={8} wrap>
          <Link to="/customers" aria-label={t('customer.back')}>
            <ArrowLeftOutlined />
          </Link>
          <span data-testid="customer-name">{c.name}</span>
          <CustomerStatusTag status={c.status} />
          <LegalHoldControl customer={c} />
        </Flex>
      }
      hint={
        <>
          {t('customer.owner')}
          {colon}
          {inPool ? (
            <Tag color="purple">{t('customer.pool')}</Tag>
          ) : (
            <Typography.Text strong data-testid="customer-owner">
              {c.ownerName}
            </Typography.Text>
          )}
          {c.sharedWith.length > 0 && (
            <>
              {' '}
              · {t('customer.sharedWith')}
              {colon}
              {c.sharedWith.map((p) => p.name).join(listSeparator(locale))}
            </>
          )}
        </>
      }
      extra={
        <>
          {editable && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t('common.edit')}
            </Button>
          )}
          <OwnerActions customer={c} />
          {editable && <MergeAction customer={c} />}
        </>
      }
    >
      {inPool && <Alert type="info" showIcon title={t('customer.inPoolAlert')} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Flex vertical gap={16}>
            <Card title={t('customer.profile')} size="small">
              <Descriptions
                size="small"
                column={{ xs: 1, md: 2 }}
                data-testid="customer-profile"
                items={[
                  {
                    key: 'phone',
                    label: t('customer.phone'),
                    children: c.phone ? <a href={`tel:${c.phone}`}>{c.phone}</a> : orDash(null),
                  },
                  { key: 'email', label: t('customer.email'), children: orDash(c.email) },
                  {
                    key: 'lastContact',
                    label: t('customer.lastContact'),
                    children: orDash(formatDateTime(c.lastContactAt, locale)),
                  },
                  {
                    key: 'nextContact',
                    label: t('customer.nextContact'),
                    children: <NextContact customerId={c.id} on={c.nextContactOn} editable={editable} />,
                  },
                  { key: 'creditCode', label: t('customer.creditCode'), children: orDash(c.creditCode) },
                  { key: 'industry', label: t('customer.industry'), children: orDash(c.industry) },
                  { key: 'size', label: t('customer.size'), children: orDash(c.size && t(`customer.size.${c.size}`)) },
                  { key: 'source', label: t('customer.source'), children: orDash(c.source) },
                  { key: 'region', label: t('customer.region'), children: orDash(c.regionName) },
                  { key: 'branch', label: t('customer.branch'), children: orDash(c.branchName) },
                  { key: 'address', label: t('customer.address'), span: 2, children: orDash(c.address) },
                  {
                    key: 'tags',
                    label: t('customer.tags'),
                    span: 2,
                    children: c.tags.length ? (
                      <Flex gap={4} wrap>
                        {c.tags.map((tag) => (
                          <Tag key={tag}>{tag}</Tag>
                        ))}
                      </Flex>
                    ) : (
                      orDash(null)
                    ),
                  },
                ]}
              />
            </Card>
            <ContactLogCard customerId={c.id} editable={editable} />
            <ActivitiesCard parent={{ customerId: c.id }} customerId={c.id} editable={editable} />
            <CustomerTimeline customerId={c.id} />
          </Flex>
        </Col>
        <Col xs={24} xl={9}>
          <Flex vertical gap={16}>
            <ContactsCard customerId={c.id} editable={editable} />
            <CustomerFiguresCard customerId={c.id} />
            <CustomerCrossSellCard customerId={c.id} editable={editable && can(me, 'opportunities:write')} />
            {can(me, 'opportunities:read') && <CustomerOpportunitiesCard customerId={c.id} />}
            {can(me, 'knowledge:read') && <RelatedKnowledge customerId={c.id} />}
            {can(me, 'contracts:read') && <ContractsOrdersCard scope={{ customerId: c.id }} />}
            <ValueCard customer={c} editable={editable} />
            <OwnerHistory customerId={c.id} />
          </Flex>
        </Col>
      </Row>
      {editable && <CustomerFormDrawer open={editing} customer={c} onClose={() => setEditing(false)} />}
    </PageContainer>
  );
}
