import { ArrowLeftOutlined, EditOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, Flex, Row, Statistic, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Lead } from '../../../common/schemas/leads';
import type { Opportunity } from '../../../common/schemas/opportunities';
import { usePage } from '../../api/queries';
import { campaignsApi, leadsApi, opportunitiesApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useRecordTitle } from '../../components/document-title';
import { RecordQueryResult } from '../../components/Results';
import { useLocale, useT } from '../../i18n';
import { LeadStatusTag } from '../leads/lead-ui';
import { formatMoney } from '../../components/money';
import { StageTag } from '../opportunities/opportunity-ui';
import { CampaignFormDrawer } from './CampaignFormDrawer';
import { DeleteCampaign } from './CampaignsPage';
import { CampaignDates, CampaignStatusTag, CampaignTypeTag, conversionRate } from './campaign-ui';

const dash = <Typography.Text type="secondary">—</Typography.Text>;

/** The leads that came from the campaign (those the viewer may see), newest first. */
function CampaignLeads({ campaignId, count }: { campaignId: string; count: number }) {
  const t = useT();
  const { locale } = useLocale();
  const [page, setPage] = useState(1);
  const leads = usePage(leadsApi, { campaignId, page, pageSize: 10, sort: '-createdAt' });
  return (
    <Card
      size="small"
      title={t('campaigns.leadsTitle')}
      extra={
        leads.data &&
        leads.data.total > 0 &&
        leads.data.total < count && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('campaigns.visibleOnly', { shown: leads.data.total, count })}
          </Typography.Text>
        )
      }
      data-testid="campaign-leads-card"
    >
      <DataTable<Lead>
        size="small"
        query={leads}
        dataSource={leads.data?.items}
        pagination={{
          current: page,
          pageSize: 10,
          total: leads.data?.total ?? 0,
          onChange: setPage,
          hideOnSinglePage: true,
          size: 'small',
        }}
        empty={count > 0 ? t('campaigns.noVisibleLeads') : t('campaigns.noLeads')}
        columns={[
          {
            key: 'company',
            title: t('campaigns.col.company'),
            render: (_, l) => <Link to={`/leads/${l.id}`}>{l.companyName}</Link>,
          },
          { key: 'status', title: t('campaigns.status'), render: (_, l) => <LeadStatusTag status={l.status} /> },
          { key: 'owner', title: t('campaigns.col.owner'), render: (_, l) => l.ownerName ?? dash },
          { key: 'createdAt', title: t('common.createdAt'), render: (_, l) => formatDateTime(l.createdAt, locale) },
        ]}
      />
    </Card>
  );
}

/** The opportunities the campaign brought (those the viewer may see), with their amounts. */
function CampaignOpportunities({ campaignId }: { campaignId: string }) {
  const t = useT();
  const [page, setPage] = useState(1);
  const opportunities = usePage(opportunitiesApi, { campaignId, page, pageSize: 10, sort: '-createdAt' });
  return (
    <Card size="small" title={t('campaigns.opportunitiesTitle')} data-testid="campaign-opportunities-card">
      <DataTable<Opportunity>
        size="small"
        query={opportunities}
        dataSource={opportunities.data?.items}
        pagination={{
          current: page,
          pageSize: 10,
          total: opportunities.data?.total ?? 0,
          onChange: setPage,
          hideOnSinglePage: true,
          size: 'small',
        }}
        empty={t('campaigns.noOpportunities')}
        columns={[
          {
            key: 'name',
            title: t('campaigns.col.opportunity'),
            render: (_, o) => <Link to={`/opportunities/${o.id}`}>{o.name}</Link>,
          },
          { key: 'customer', title: t('campaigns.col.customer'), dataIndex: 'customerName' },
          {
            key: 'stage',
            title: t('campaigns.col.stage'),
            render: (_, o) => <StageTag nameZh={o.stageNameZh} nameEn={o.stageNameEn} status={o.status} />,
          },
          {
            key: 'amount',
            title: t('campaigns.col.amount'),
            align: 'right',
            render: (_, o) => formatMoney(o.expectedAmount),
          },
          { key: 'owner', title: t('campaigns.col.owner'), dataIndex: 'ownerName' },
        ]}
      />
    </Card>
  );
}

/** One campaign: what it is, what it brought (attribution), and the leads and opportunities behind the numbers. */
export function CampaignPage() {
  const { id = '' } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const campaign = useQuery({
    queryKey: [campaignsApi.path, 'one', id],
    queryFn: () => campaignsApi.get(id),
    retry: false,
  });
  useRecordTitle(campaign.data?.name);

  if (!campaign.data) return <RecordQueryResult query={campaign} />;
  const c = campaign.data;
  const manager = can(me, 'campaigns:manage');

  return (
    <PageContainer
      title={
        <Flex align="center" gap={8} wrap>
          <Link to="/campaigns" aria-label={t('campaigns.back')}>
            <ArrowLeftOutlined />
          </Link>
          <span data-testid="campaign-name">{c.name}</span>
          <CampaignTypeTag type={c.type} />
          <CampaignStatusTag status={c.status} />
        </Flex>
      }
      hint={<CampaignDates startsOn={c.startsOn} endsOn={c.endsOn} />}
      extra={
        manager && (
          <>
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t('common.edit')}
            </Button>
            <DeleteCampaign campaign={c} button="default" onDeleted={() => navigate('/campaigns')} />
          </>
        )
      }
    >
      <Card size="small" data-testid="campaign-attribution">
        <Row gutter={[16, 16]}>
          <Col xs={12} md={6}>
            <Statistic title={t('campaigns.leads')} value={c.leadCount} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic
              title={t('campaigns.converted')}
              value={c.convertedCount}
              suffix={
                <Typography.Text type="secondary" style={{ fontSize: 14 }}>
                  ({conversionRate(c.leadCount, c.convertedCount)})
                </Typography.Text>
              }
            />
          </Col>
          <Col xs={12} md={6}>
            {/* Exact strings from the server: shown as they are, never parsed into a float. */}
            <Statistic
              title={t('campaigns.wonAmount')}
              valueRender={() => <span data-testid="campaign-won-amount">{formatMoney(c.wonAmount)}</span>}
            />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('campaigns.budget')} valueRender={() => <span>{formatMoney(c.budget)}</span>} />
          </Col>
        </Row>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('campaigns.wonHint')}
        </Typography.Text>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={9}>
          <Card size="small" title={t('campaigns.details')}>
            <Descriptions
              size="small"
              column={1}
              items={[
                { key: 'type', label: t('campaigns.type'), children: <CampaignTypeTag type={c.type} /> },
                {
                  key: 'dates',
                  label: t('campaigns.dates'),
                  children: <CampaignDates startsOn={c.startsOn} endsOn={c.endsOn} />,
                },
                {
                  key: 'lines',
                  label: t('campaigns.businessLines'),
                  children: c.businessLines.length ? (
                    <Flex gap={4} wrap>
                      {c.businessLines.map((l) => (
                        <Tag key={l.id} style={{ marginInlineEnd: 0 }}>
                          {l.name}
                        </Tag>
                      ))}
                    </Flex>
                  ) : (
                    t('campaigns.allLines')
                  ),
                },
                { key: 'owner', label: t('campaigns.owner'), children: c.ownerName },
                {
                  key: 'description',
                  label: t('campaigns.description'),
                  children: c.description ? (
                    <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
                      {c.description}
                    </Typography.Paragraph>
                  ) : (
                    dash
                  ),
                },
                { key: 'createdAt', label: t('common.createdAt'), children: formatDateTime(c.createdAt, locale) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={15}>
          <Flex vertical gap={16}>
            {can(me, 'leads:read') && <CampaignLeads campaignId={c.id} count={c.leadCount} />}
            {can(me, 'opportunities:read') && <CampaignOpportunities campaignId={c.id} />}
          </Flex>
        </Col>
      </Row>
      {manager && <CampaignFormDrawer open={editing} campaign={c} onClose={() => setEditing(false)} />}
    </PageContainer>
  );
}
