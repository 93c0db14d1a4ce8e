import {
  ArrowLeftOutlined,
  CloseCircleOutlined,
  EditOutlined,
  RollbackOutlined,
  TrophyOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Skeleton,
  Steps,
  Tabs,
  Timeline,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import {
  OPPORTUNITY_ACTIVITY_CATEGORIES,
  type Opportunity,
  type Stage,
  type StageChange,
} from '../../../common/schemas/opportunities';
import { useWrite } from '../../api/queries';
import { opportunitiesApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { useErrorToast } from '../../components/errors';
import { formatDate, formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { RecordDiscussion } from '../chat-extras/RecordDiscussion';
import { RecordQueryResult } from '../../components/Results';
import { useLocale, useT } from '../../i18n';
import { ActivitiesCard } from '../activities/ActivitiesCard';
import { orDash } from '../customers/customer-ui';
import { AcceptanceCard } from './AcceptanceCard';
import { formatMoney } from '../../components/money';
import { ConflictList, useStageMove } from './move';
import {
  CloseDate,
  OpportunityStatusTag,
  byPosition,
  daysSince,
  stageName,
  testId,
  usePipeline,
} from './opportunity-ui';
import { OpportunityFormDrawer } from './OpportunityFormDrawer';
import { useRecordTitle } from '../../components/document-title';
import { ProjectTab } from './ProjectTab';
import { LessonButton } from '../knowledge-capture/LessonModal';
import { QuotesCard } from './QuotesCard';
import { OriginTag, RenewalPanel } from './RenewalPanel';
import { ApprovalTimeline } from '../approvals/ApprovalTimeline';
import { ContractsOrdersCard } from '../contracts/ContractsOrdersCard';
import { StageTimesCard } from './StageTimesCard';
import { GuidePanel } from '../playbooks/GuidePanel';
import { TeamCard } from './TeamCard';
import { RelatedKnowledge } from '../knowledge-related/RelatedKnowledge';

/** The pipeline as steps: the open stages, then 赢单 or 输单; a click on another stage moves there. */
function StageBar({
  opportunity,
  stages,
  onMove,
  disabled,
}: {
  opportunity: Opportunity;
  stages: Stage[];
  onMove: (stage: Stage) => void;
  disabled: boolean;
}) {
  const t = useT();
  const { locale } = useLocale();
  const open = stages.filter((s) => s.kind === 'open').sort(byPosition);
  const won = stages.find((s) => s.kind === 'won');
  const lost = stages.find((s) => s.kind === 'lost');
  const final = opportunity.status === 'lost' ? lost : won;
  const steps = [...open, ...(final ? [final] : [])];
  const current = steps.findIndex((s) => s.id === opportunity.stageId);
  // A stage no longer in the pipeline (deactivated since): show where it was by name.
  const index = current >= 0 ? current : opportunity.status === 'open' ? 0 : steps.length - 1;
  return (
    <Card size="small" data-testid="stage-bar">
      <Steps
        size="small"
        current={index}
        status={opportunity.status === 'lost' ? 'error' : opportunity.status === 'won' ? 'finish' : 'process'}
        onChange={disabled ? undefined : (i) => steps[i] && steps[i].id !== opportunity.stageId && onMove(steps[i])}
        items={steps.map((s, i) => ({
          key: s.id,
          title: (
            <span data-testid="stage-step" data-stage-id={s.id}>
              {stageName(s, locale)}
            </span>
          ),
          content: s.kind === 'open' ? `${s.probability}%` : undefined,
          disabled: disabled || i === index,
          icon: s.kind === 'won' ? <TrophyOutlined /> : s.kind === 'lost' ? <CloseCircleOutlined /> : undefined,
        }))}
      />
      {current < 0 && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('opp.stageRetired', {
            stage: stageName({ nameZh: opportunity.stageNameZh, nameEn: opportunity.stageNameEn }, locale),
          })}
        </Typography.Text>
      )}
      {!disabled && opportunity.status === 'open' && (
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, marginTop: 4 }}>
          {t('opp.stageBarHint')}
        </Typography.Text>
      )}
    </Card>
  );
}

function StageHistoryCard({ opportunityId }: { opportunityId: string }) {
  const t = useT();
  const { locale } = useLocale();
  const history = useQuery({
    queryKey: [opportunitiesApi.path, opportunityId, 'stage-history'],
    queryFn: () => opportunitiesApi.stageHistory(opportunityId),
  });
  const name = (zh: string | null, en: string | null) =>
    zh === null ? null : stageName({ nameZh: zh, nameEn: en ?? zh }, locale);
  const color = (c: StageChange) =>
    c.toStatus === 'won'
      ? 'green'
      : c.toStatus === 'lost'
        ? 'gray'
        : c.fromStatus && c.fromStatus !== 'open'
          ? 'orange'
          : 'blue';
  return (
    <Card size="small" title={t('opp.history')} data-testid="stage-history">
      {failedWithoutData(history) ? (
        <LoadError query={history} compact />
      ) : history.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : !history.data?.length ? (
        <Typography.Text type="secondary">{t('opp.historyEmpty')}</Typography.Text>
      ) : (
        <Timeline
          style={{ marginTop: 8 }}
          items={history.data.map((c) => {
            const from = name(c.fromStageNameZh, c.fromStageNameEn);
            const to = name(c.toStageNameZh, c.toStageNameEn)!;
            const kind =
              c.fromStageId === null
                ? 'created'
                : c.fromStatus !== 'open' && c.toStatus === 'open'
                  ? 'reopened'
                  : 'moved';
            return {
              key: c.id,
              color: color(c),
              content: (
                <Flex vertical gap={2} data-testid="history-entry">
                  <Typography.Text>
                    {kind === 'created'
                      ? t('opp.historyCreated', { to })
                      : kind === 'reopened'
                        ? t('opp.historyReopened', { from: from ?? '', to })
                        : t('opp.historyMoved', { from: from ?? '', to })}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatDateTime(c.at, locale)} · {c.byUserName ?? t('audit.system')}
                  </Typography.Text>
                  {c.note && (
                    <Typography.Text type="secondary" style={{ whiteSpace: 'pre-wrap' }}>
                      {c.note}
                    </Typography.Text>
                  )}
                </Flex>
              ),
            };
          })}
        />
      )}
    </Card>
  );
}

function ReopenModal({
  opportunity,
  stages,
  open,
  onClose,
}: {
  opportunity: Opportunity;
  stages: Stage[];
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [form] = Form.useForm<{ stageId?: string; note?: string }>();
  const reopen = useWrite(
    (v: { stageId?: string; note?: string }) =>
      opportunitiesApi.reopen(opportunity.id, { stageId: v.stageId, note: v.note?.trim() || null }),
    [opportunitiesApi.path],
  );
  const openStages = stages.filter((s) => s.kind === 'open').sort(byPosition);
  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={reopen.isPending}
      okText={t('opp.reopen')}
      title={t('opp.reopenTitle', { name: opportunity.name })}
      destroyOnHidden
      okButtonProps={{ ...testId('reopen-submit') }}
    >
      <Form
        form={form}
        layout="vertical"
        name="reopen"
        initialValues={{ stageId: openStages[openStages.length - 1]?.id }}
        onFinish={(v) =>
          reopen.mutateAsync(v).then(() => {
            void message.success(t('opp.reopened'));
            onClose();
          }, toast)
        }
      >
        <Typography.Paragraph type="secondary">{t('opp.reopenHint')}</Typography.Paragraph>
        <Form.Item name="stageId" label={t('opp.reopenStage')}>
          <Select
            options={openStages.map((s) => ({ value: s.id, label: `${stageName(s, locale)} · ${s.probability}%` }))}
          />
        </Form.Item>
        <Form.Item name="note" label={t('opp.note')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function OpportunityPage() {
  const { id = '' } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const [editing, setEditing] = useState(false);
  const [reopening, setReopening] = useState(false);
  const [search] = useSearchParams();
  // ?tab=project opens the project plan (Today links a project task there).
  const [tab, setTab] = useState(() => (search.get('tab') === 'project' ? 'project' : 'overview'));
  const { move, element } = useStageMove({ linkToOpportunity: false });
  const opportunity = useQuery({
    queryKey: [opportunitiesApi.path, 'one', id],
    queryFn: () => opportunitiesApi.get(id),
    retry: false,
  });
  const o = opportunity.data;
  useRecordTitle(o?.name);
  const pipeline = usePipeline(o?.businessLineId, Boolean(o));
  const independence = useQuery({
    queryKey: [opportunitiesApi.path, id, 'independence'],
    queryFn: () => opportunitiesApi.independence(id),
    enabled: o?.status === 'open',
  });
  const stages = useMemo(
    () => [...(pipeline.data?.stages ?? [])].filter((s) => s.active).sort(byPosition),
    [pipeline.data],
  );

  if (!o) return <RecordQueryResult query={opportunity} />;

  const colon = locale === 'zh-CN' ? '：' : ': ';
  // The list answers only what the user may see; writing is checked again by the server (403/404 as a toast).
  const editable = can(me, 'opportunities:write');
  const isOpen = o.status === 'open';
  const won = stages.find((s) => s.kind === 'won');
  const lost = stages.find((s) => s.kind === 'lost');
  const target = { id: o.id, name: o.name };
  const conflicts = independence.data?.conflicts ?? [];

  const overview = (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={15}>
        <Flex vertical gap={16}>
          <Card
            size="small"
            title={t('opp.details')}
            extra={
              editable && (
                <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setEditing(true)}>
                  {t('common.edit')}
                </Button>
              )
            }
          >
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2 }}
              data-testid="opp-details"
              items={[
                {
                  key: 'stage',
                  label: t('opp.stage'),
                  children: stageName({ nameZh: o.stageNameZh, nameEn: o.stageNameEn }, locale),
                },
                {
                  key: 'days',
                  label: t('opp.stageEnteredAt'),
                  children: t('opp.stageSince', {
                    date: formatDate(o.stageEnteredAt, locale),
                    days: daysSince(o.stageEnteredAt),
                  }),
                },
                {
                  key: 'amount',
                  label: t('opp.amount'),
                  children: (
                    <Typography.Text strong data-testid="opp-amount-value">
                      {formatMoney(o.expectedAmount)}
                    </Typography.Text>
                  ),
                },
                { key: 'probability', label: t('opp.probability'), children: `${o.probability}%` },
                { key: 'weighted', label: t('opp.weighted'), children: formatMoney(o.weightedAmount) },
                {
                  key: 'close',
                  label: t('opp.closeOn'),
                  children: <CloseDate date={o.expectedCloseOn} open={isOpen} />,
                },
                { key: 'contact', label: t('opp.contact'), children: orDash(o.contactName) },
                { key: 'project', label: t('opp.isProject'), children: o.isProject ? t('common.yes') : t('common.no') },
                { key: 'nextStep', label: t('opp.nextStep'), span: 2, children: orDash(o.nextStep) },
                ...(o.campaignName ? [{ key: 'campaign', label: t('opp.campaign'), children: o.campaignName }] : []),
                ...(o.origin
                  ? [
                      {
                        key: 'origin',
                        label: t('opp.origin'),
                        children: <OriginTag kind={o.origin.kind} customerId={o.customerId} />,
                      },
                    ]
                  : []),
                // The source lead, for those who may open leads (finance may not).
                ...(o.leadId && can(me, 'leads:read')
                  ? [
                      {
                        key: 'lead',
                        label: t('opp.lead'),
                        children: <Link to={`/leads/${o.leadId}`}>{t('opp.fromLead')}</Link>,
                      },
                    ]
                  : []),
                { key: 'created', label: t('common.createdAt'), children: formatDateTime(o.createdAt, locale) },
              ]}
            />
          </Card>
          {o.origin?.kind === 'renewal' && (
            <RenewalPanel renewalId={o.origin.id} opportunityId={o.id} editable={editable && isOpen} />
          )}
          <QuotesCard opportunityId={o.id} editable={editable && isOpen} />
          <ActivitiesCard
            parent={{ opportunityId: o.id }}
            customerId={o.customerId}
            editable={editable}
            categories={OPPORTUNITY_ACTIVITY_CATEGORIES}
            invalidates={[opportunitiesApi.path]}
          />
        </Flex>
      </Col>
      <Col xs={24} xl={9}>
        <Flex vertical gap={16}>
          {can(me, 'contracts:read') && (
            <ContractsOrdersCard
              scope={{ opportunityId: o.id }}
              fromWonOpportunity={o.status === 'won' && can(me, 'contracts:write')}
              hideWhenEmpty={o.status !== 'won'}
            />
          )}
          <GuidePanel target={{ opportunityId: o.id }} />
          <TeamCard opportunity={o} editable={editable} />
          {can(me, 'knowledge:read') && <RelatedKnowledge opportunityId={o.id} />}
          <AcceptanceCard opportunityId={o.id} editable={editable} open={isOpen} />
          <StageTimesCard opportunityId={o.id} />
          <StageHistoryCard opportunityId={o.id} />
        </Flex>
      </Col>
    </Row>
  );

  return (
    <PageContainer
      title={
        <Flex align="center" gap={8} wrap>
          <Link to="/opportunities" aria-label={t('opp.back')}>
            <ArrowLeftOutlined />
          </Link>
          <span data-testid="opp-name">{o.name}</span>
          <OpportunityStatusTag status={o.status} />
        </Flex>
      }
      hint={
        <>
          {t('opp.customer')}
          {colon}
          <Link to={`/customers/${o.customerId}`} data-testid="opp-customer-link">
            {o.customerName}
          </Link>
          {' · '}
          {o.businessLineName}
          {' · '}
          {t('opp.owner')}
          {colon}
          <Typography.Text strong data-testid="opp-owner">
            {o.ownerName}
          </Typography.Text>
        </>
      }
      extra={
        <>
          {editable && (
            <>
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="opp-edit">
                {t('common.edit')}
              </Button>
              {isOpen && won && (
                <Button
                  type="primary"
                  style={{ background: '#389e0d' }}
                  icon={<TrophyOutlined />}
                  onClick={() => void move(target, won)}
                  data-testid="opp-win"
                >
                  {t('opp.markWon')}
                </Button>
              )}
              {isOpen && lost && (
                <Button
                  danger
                  icon={<CloseCircleOutlined />}
                  onClick={() => void move(target, lost)}
                  data-testid="opp-lose"
                >
                  {t('opp.markLost')}
                </Button>
              )}
              {!isOpen && (
                <Button icon={<RollbackOutlined />} onClick={() => setReopening(true)} data-testid="opp-reopen">
                  {t('opp.reopen')}
                </Button>
              )}
              <LessonButton opportunity={o} editable={editable} />
            </>
          )}
          <RecordDiscussion recordType="opportunity" recordId={o.id} />
        </>
      }
    >
      {failedWithoutData(pipeline) ? (
        <LoadError query={pipeline} compact />
      ) : pipeline.isPending ? (
        <Card size="small">
          <Skeleton active paragraph={{ rows: 1 }} />
        </Card>
      ) : (
        <StageBar
          opportunity={o}
          stages={stages}
          disabled={!editable || !isOpen}
          onMove={(stage) => void move(target, stage)}
        />
      )}
      {o.status === 'won' && (
        <Alert
          type="success"
          showIcon
          title={t('opp.wonAlert', { at: formatDateTime(o.closedAt, locale) })}
          data-testid="closed-alert"
        />
      )}
      {o.status === 'lost' && (
        <Alert
          type="warning"
          showIcon
          data-testid="closed-alert"
          title={t('opp.lostAlert', { at: formatDateTime(o.closedAt, locale) })}
          description={
            <>
              {o.lostReason && (
                <div>
                  {t('opp.lostReason')}
                  {colon}
                  {o.lostReason}
                </div>
              )}
              {o.competitor && (
                <div>
                  {t('opp.competitor')}
                  {colon}
                  {o.competitor}
                </div>
              )}
            </>
          }
        />
      )}
      {isOpen && conflicts.length > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="independence-alert"
          title={t('opp.independenceAlert')}
          description={<ConflictList conflicts={conflicts} />}
        />
      )}
      {o.independenceOverride && (
        <Alert
          type="info"
          showIcon
          data-testid="independence-override"
          title={t('opp.overrideRecorded', {
            name: o.independenceOverride.byUserName,
            at: formatDateTime(o.independenceOverride.at, locale),
          })}
          description={
            <>
              <div style={{ whiteSpace: 'pre-wrap' }}>{o.independenceOverride.reason}</div>
              <ApprovalTimeline subjectKind="independence-override" subjectId={o.id} />
            </>
          }
        />
      )}
      {o.isProject ? (
        <Tabs
          activeKey={tab}
          onChange={setTab}
          data-testid="opp-tabs"
          items={[
            { key: 'overview', label: t('opp.tabOverview'), children: overview },
            {
              key: 'project',
              label: <span data-testid="tab-project">{t('opp.tabProject')}</span>,
              children: <ProjectTab opportunityId={o.id} editable={editable} />,
            },
          ]}
        />
      ) : (
        overview
      )}
      {editable && <OpportunityFormDrawer open={editing} opportunity={o} onClose={() => setEditing(false)} />}
      {editable && !isOpen && (
        <ReopenModal opportunity={o} stages={stages} open={reopening} onClose={() => setReopening(false)} />
      )}
      {element}
    </PageContainer>
  );
}
