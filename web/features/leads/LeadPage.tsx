import { ArrowLeftOutlined, EditOutlined, NodeIndexOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Flex, Row, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { leadsApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useRecordTitle } from '../../components/document-title';
import { RecordQueryResult } from '../../components/Results';
import { useLocale, useT } from '../../i18n';
import { orDash } from '../customers/customer-ui';
import { ConvertModal } from './ConvertModal';
import { LeadAssignAction, LeadStatusActions } from './LeadActions';
import { LeadFormDrawer } from './LeadFormDrawer';
import { LeadHistoryCard } from './LeadHistoryCard';
import { GuidePanel } from '../playbooks/GuidePanel';
import { LeadOwner, LeadStatusTag, sourceLabel } from './lead-ui';
import { LeadActivities } from './LeadActivities';

export function LeadPage() {
  const { id = '' } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const [editing, setEditing] = useState(false);
  const [converting, setConverting] = useState(false);
  const lead = useQuery({ queryKey: [leadsApi.path, 'one', id], queryFn: () => leadsApi.get(id), retry: false });
  useRecordTitle(lead.data?.companyName);

  if (!lead.data) return <RecordQueryResult query={lead} />;
  const l = lead.data;
  const colon = locale === 'zh-CN' ? '：' : ': ';
  const converted = l.status === 'converted';
  const writer = can(me, 'leads:write') && !converted;
  const assigner = can(me, 'leads:assign') && !converted;

  return (
    <PageContainer
      title={
        <Flex align="center" gap={8} wrap>
          <Link to="/leads" aria-label={t('lead.back')}>
            <ArrowLeftOutlined />
          </Link>
          <span data-testid="lead-name">{l.companyName}</span>
          <LeadStatusTag status={l.status} />
        </Flex>
      }
      hint={
        <>
          {t('lead.owner')}
          {colon}
          <span data-testid="lead-owner">
            <LeadOwner lead={l} />
          </span>
          {l.assignedAt && (
            <>
              {' '}
              · {t('lead.assignedAt')}
              {colon}
              {formatDateTime(l.assignedAt, locale)}
            </>
          )}
        </>
      }
      extra={
        <>
          {writer && <LeadStatusActions lead={l} />}
          {writer && l.status === 'qualified' && (
            <Button
              type="primary"
              icon={<NodeIndexOutlined />}
              onClick={() => setConverting(true)}
              data-testid="lead-convert"
            >
              {t('lead.action.convert')}
            </Button>
          )}
          {assigner && <LeadAssignAction lead={l} />}
        </>
      }
    >
      {converted && (
        <Alert
          type="success"
          showIcon
          data-testid="lead-converted"
          title={t('lead.convertedAlert', { at: formatDateTime(l.convertedAt, locale) })}
          description={
            <Flex gap={16} wrap>
              {l.customerId && <Link to={`/customers/${l.customerId}`}>{t('lead.openCustomer')}</Link>}
              {l.opportunityId && <Link to={`/opportunities/${l.opportunityId}`}>{t('lead.openOpportunity')}</Link>}
            </Flex>
          }
        />
      )}
      {l.status === 'disqualified' && (
        <Alert
          type="warning"
          showIcon
          data-testid="lead-disqualified"
          title={t('lead.disqualifiedAlert')}
          description={l.disqualifyReason ?? undefined}
        />
      )}
      {l.status === 'qualified' && writer && <Alert type="info" showIcon title={t('lead.qualifiedAlert')} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Flex vertical gap={16}>
            <Card
              title={t('lead.details')}
              size="small"
              extra={
                writer && (
                  <Button
                    size="small"
                    type="link"
                    icon={<EditOutlined />}
                    onClick={() => setEditing(true)}
                    data-testid="lead-edit"
                  >
                    {t('common.edit')}
                  </Button>
                )
              }
            >
              <Descriptions
                size="small"
                column={{ xs: 1, md: 2 }}
                data-testid="lead-details"
                items={[
                  { key: 'contact', label: t('lead.contact'), children: orDash(l.contactName) },
                  { key: 'title', label: t('lead.contactTitle'), children: orDash(l.contactTitle) },
                  { key: 'phone', label: t('lead.phone'), children: orDash(l.phone) },
                  {
                    key: 'email',
                    label: t('lead.email'),
                    children: orDash(
                      l.email && <Typography.Link href={`mailto:${l.email}`}>{l.email}</Typography.Link>,
                    ),
                  },
                  { key: 'wechat', label: t('lead.wechat'), children: orDash(l.wechat) },
                  { key: 'source', label: t('lead.source'), children: orDash(sourceLabel(t, l.source)) },
                  {
                    key: 'campaign',
                    label: t('lead.campaign'),
                    children: orDash(
                      l.campaignId ? <Link to={`/campaigns/${l.campaignId}`}>{l.campaignName}</Link> : null,
                    ),
                  },
                  { key: 'businessLine', label: t('lead.businessLine'), children: orDash(l.businessLineName) },
                  { key: 'region', label: t('lead.region'), children: orDash(l.regionName) },
                  { key: 'createdAt', label: t('common.createdAt'), children: formatDateTime(l.createdAt, locale) },
                  {
                    key: 'notes',
                    label: t('lead.notes'),
                    span: 2,
                    children: orDash(
                      l.notes && (
                        <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
                          {l.notes}
                        </Typography.Paragraph>
                      ),
                    ),
                  },
                ]}
              />
            </Card>
            <LeadActivities leadId={l.id} editable={writer} />
          </Flex>
        </Col>
        <Col xs={24} xl={9}>
          <Flex vertical gap={16}>
            <GuidePanel target={{ leadId: l.id }} />
            <LeadHistoryCard leadId={l.id} />
          </Flex>
        </Col>
      </Row>
      {writer && <LeadFormDrawer open={editing} lead={l} onClose={() => setEditing(false)} />}
      {writer && l.status === 'qualified' && (
        <ConvertModal lead={l} open={converting} onClose={() => setConverting(false)} />
      )}
    </PageContainer>
  );
}
