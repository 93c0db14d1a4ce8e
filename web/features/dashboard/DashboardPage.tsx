import { useQuery } from '@tanstack/react-query';
import { Card, Col, Flex, List, Row, Typography } from 'antd';
import { lazy, Suspense, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Dashboard } from '../../../common/schemas/dashboard';
import { toQueryString } from '../../api/client';
import { dashboardApi } from '../../api/resources';
import { formatMoney } from '../../components/money';
import { Loaded } from '../../components/QueryState';
import { useT } from '../../i18n';

/** One figure: its label, its value as a link to the list behind it, and a line below (a comparison). */
function Figure({
  label,
  value,
  to,
  sub,
  testId,
}: {
  label: string;
  value: ReactNode;
  to: string;
  sub?: ReactNode;
  testId?: string;
}) {
  return (
    <Flex vertical gap={2} style={{ minWidth: 0 }} data-testid={testId}>
      <Typography.Text type="secondary" style={{ fontSize: 13 }}>
        {label}
      </Typography.Text>
      <Link to={to} style={{ fontSize: 22, fontWeight: 600, wordBreak: 'break-all' }}>
        {value}
      </Link>
      {sub && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {sub}
        </Typography.Text>
      )}
    </Flex>
  );
}

/** Figures in a grid: four across on a wide screen, two on a phone. */
function Figures({ children }: { children: ReactNode[] }) {
  return (
    <Row gutter={[16, 16]}>
      {children.filter(Boolean).map((child, i) => (
        <Col key={i} xs={12} md={6}>
          {child}
        </Col>
      ))}
    </Row>
  );
}

export const q = (query: Record<string, string>) => toQueryString(query);

function FirmCard({ firm }: { firm: NonNullable<Dashboard['firm']> }) {
  const t = useT();
  const range = { confirmedFrom: firm.from, confirmedTo: firm.to };
  const s = firm.indicators.staff;
  const c = firm.indicators.service;
  const k = firm.indicators.knowledge;
  const share = (value: string | null) => (value === null ? '—' : `${value}%`);
  return (
    <Card title={t('dash.firm')} data-testid="dash-firm">
      <Figures>
        {[
          <Figure
            key="orders"
            label={t('dash.yearOrders')}
            value={formatMoney(firm.orders.amount)}
            to={`/orders${q(range)}`}
            sub={`${t('dash.count', { count: firm.orders.count })} · ${t('dash.lastYear', { value: formatMoney(firm.prevOrders.amount) })}`}
            testId="dash-year-orders"
          />,
          <Figure
            key="receipts"
            label={t('dash.yearReceipts')}
            value={formatMoney(firm.receipts)}
            to={`/finance/receipts${q({ from: firm.from, to: firm.to, status: 'valid' })}`}
            sub={t('dash.lastYear', { value: formatMoney(firm.prevReceipts) })}
          />,
          <Figure
            key="pipeline"
            label={t('dash.pipeline')}
            value={formatMoney(firm.pipeline.amount)}
            to={`/opportunities${q({ status: 'open' })}`}
            sub={`${firm.pipeline.count} · ${t('dash.weighted', { value: formatMoney(firm.pipeline.weighted) })}`}
          />,
          <Figure
            key="overdue"
            label={t('dash.overdue90')}
            value={formatMoney(firm.overdue90)}
            to={`/finance/receivables${q({ sort: '-overdue' })}`}
          />,
        ]}
      </Figures>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} lg={12}>
          <Typography.Title level={5}>{t('dash.bigDeals')}</Typography.Title>
          <List
            size="small"
            dataSource={firm.bigDeals}
            locale={{ emptyText: t('dash.noDeals') }}
            renderItem={(deal) => (
              <List.Item extra={<Typography.Text strong>{formatMoney(deal.amount)}</Typography.Text>}>
                <List.Item.Meta
                  title={<Link to={`/opportunities/${deal.id}`}>{deal.name}</Link>}
                  description={`${deal.customerName} · ${deal.stageName} · ${deal.ownerName}`}
                />
              </List.Item>
            )}
          />
        </Col>
        <Col xs={24} lg={12} data-testid="dash-indicators">
          <Typography.Title level={5}>{t('dash.indicators')}</Typography.Title>
          <Flex vertical gap={12}>
            <div>
              <Typography.Text strong>{t('dash.staffDev')}</Typography.Text>
              <div>
                <Link to="/staff/cpe">
                  {t('dash.cpe', { hours: s.cpeHours, required: s.cpeRequired })} ({share(s.cpeShare)})
                </Link>
              </div>
              <div>
                <Link to="/staff/users">
                  {t('dash.qualified', { count: s.qualified, people: s.people })} ({share(s.qualifiedShare)})
                </Link>
              </div>
              <div data-testid="dash-staff-knowledge">
                <Link to="/knowledge">
                  {t('relatedKnowledge.perPerson', {
                    read: s.articlesReadPerPerson ?? '—',
                    written: s.articlesWrittenPerPerson ?? '—',
                    steps: s.playbookStepsPerPerson ?? '—',
                  })}
                </Link>
              </div>
            </div>
            <div>
              <Typography.Text strong>{t('dash.service')}</Typography.Text>
              <div>
                <Link to={`/engagements${q({ status: 'closed' })}`}>
                  {t('dash.onTime', { count: c.onTime, closed: c.closed })} ({share(c.onTimeShare)})
                </Link>
              </div>
              <div>
                <Link to="/customers">
                  {t('dash.contacted', { count: c.contacted, customers: c.customers })} ({share(c.contactedShare)})
                </Link>
              </div>
            </div>
            <div>
              <Typography.Text strong>{t('dash.knowledge')}</Typography.Text>
              <Flex vertical data-testid="dash-knowledge">
                <Link to="/knowledge">{t('relatedKnowledge.written', { count: k.written })}</Link>
                <Link to="/knowledge">
                  {t('relatedKnowledge.lessons', { count: k.lessons, closed: k.closedDeals })} ({share(k.lessonShare)})
                </Link>
                <Link to="/knowledge">
                  {t('relatedKnowledge.reads', { count: k.reads })}
                  {' · '}
                  {t('relatedKnowledge.usefulMarks', { count: k.usefulMarks })}
                </Link>
                <Link to="/knowledge">{t('relatedKnowledge.stale', { count: k.stale })}</Link>
              </Flex>
            </div>
          </Flex>
        </Col>
      </Row>
    </Card>
  );
}

function TeamCard({ team, approvals }: { team: NonNullable<Dashboard['team']>; approvals: number }) {
  const t = useT();
  return (
    <Card title={t('dash.team')} data-testid="dash-team">
      <Figures>
        {[
          <Figure
            key="pipeline"
            label={t('dash.teamPipeline')}
            value={formatMoney(team.pipeline.amount)}
            to={`/opportunities${q({ status: 'open' })}`}
            sub={`${team.pipeline.count} · ${t('dash.weighted', { value: formatMoney(team.pipeline.weighted) })}`}
          />,
          <Figure key="approvals" label={t('dash.approvals')} value={approvals} to="/approvals" />,
          <Figure key="overdue" label={t('dash.overdueActivities')} value={team.overdueActivities} to="/calendar" />,
          team.workload && (
            <Figure
              key="workload"
              label={t('dash.workload')}
              value={`${team.workload.hours} / ${team.workload.capacity}`}
              to={`/workload${q({ from: team.weekStart, weeks: '1' })}`}
              sub={t('dash.people', { count: team.workload.people })}
            />
          ),
        ]}
      </Figures>
    </Card>
  );
}

function SalesCard({ sales }: { sales: NonNullable<Dashboard['sales']> }) {
  const t = useT();
  return (
    <Card title={t('dash.myMonth')} data-testid="dash-sales">
      <Figures>
        {[
          sales.orders && (
            <Figure
              key="orders"
              label={t('dash.monthOrders')}
              value={formatMoney(sales.orders.amount)}
              to={`/orders${q({ confirmedFrom: sales.from, confirmedTo: sales.to })}`}
              sub={t('dash.count', { count: sales.orders.count })}
            />
          ),
          sales.receipts !== null && (
            <Figure
              key="receipts"
              label={t('dash.monthReceipts')}
              value={formatMoney(sales.receipts)}
              to={`/finance/receipts${q({ from: sales.from, to: sales.to, status: 'valid' })}`}
            />
          ),
          <Figure
            key="pipeline"
            label={t('dash.myPipeline')}
            value={formatMoney(sales.pipeline.amount)}
            to={`/opportunities${q({ status: 'open' })}`}
            sub={`${sales.pipeline.count} · ${t('dash.weighted', { value: formatMoney(sales.pipeline.weighted) })}`}
          />,
          <Figure key="done" label={t('dash.activitiesDone')} value={sales.activitiesDone} to="/calendar" />,
        ]}
      </Figures>
    </Card>
  );
}

function FinanceCard({ finance }: { finance: NonNullable<Dashboard['finance']> }) {
  const t = useT();
  return (
    <Card title={t('dash.finance')} data-testid="dash-finance">
      <Figures>
        {[
          <Figure
            key="record"
            label={t('dash.toRecord')}
            value={formatMoney(finance.toRecord.amount)}
            to="/finance/receivables"
            sub={t('dash.terms', { count: finance.toRecord.count })}
          />,
          <Figure
            key="due"
            label={t('dash.fallingDue')}
            value={formatMoney(finance.fallingDue.amount)}
            to="/finance/receivables"
            sub={t('dash.terms', { count: finance.fallingDue.count })}
          />,
          <Figure
            key="overdue"
            label={t('dash.overdue')}
            value={formatMoney(finance.overdue)}
            to={`/finance/receivables${q({ sort: '-overdue' })}`}
          />,
          <Figure
            key="sheets"
            label={t('dash.commissionSheets')}
            value={finance.commissionSheets}
            to={`/approvals${q({ subjectKind: 'commission-sheet' })}`}
          />,
        ]}
      </Figures>
    </Card>
  );
}

function WorkCard({ work }: { work: NonNullable<Dashboard['work']> }) {
  const t = useT();
  return (
    <Card title={t('dash.work')} data-testid="dash-work">
      <Figures>
        {[
          <Figure key="orders" label={t('dash.workOrders')} value={work.openWorkOrders} to="/work-orders" />,
          <Figure key="hours" label={t('dash.hoursThisWeek')} value={work.hoursThisWeek} to="/timesheet" />,
        ]}
      </Figures>
    </Card>
  );
}

/** The pinned reports' cards, with the charts' code: loaded only for a reader who pinned something. */
const PinnedReports = lazy(() => import('./PinnedReports').then((m) => ({ default: m.PinnedReports })));

/**
 * The start page 首页: the reader's sections (one request) and pinned reports — a partner's begins with the firm's
 * figures, never an empty to-do list —; below them Today 今日 for everyone with a to-do list (`today`: those who work
 * with customers); the profile (`home`) for a reader with neither sections, pins nor Today.
 */
export function DashboardPage({ today, home }: { today: ReactNode | null; home: ReactNode }) {
  const t = useT();
  const query = useQuery({ queryKey: [dashboardApi.path], queryFn: dashboardApi.get, refetchInterval: 5 * 60_000 });
  const d = query.data;
  const sections = d ? [d.firm, d.team, d.finance, d.sales, d.work].filter(Boolean).length : 0;
  // A partner's start page shows where the firm loses sales (this year's funnel) unless they pinned it themselves.
  const shown = d
    ? [
        ...(d.firm && !d.pins.some((p) => p.kind === 'funnel-loss')
          ? [{ kind: 'funnel-loss' as const, query: { period: 'this-year' } }]
          : []),
        ...d.pins,
      ]
    : [];
  return (
    <Flex vertical gap={16}>
      <Loaded query={query}>
        {() => (
          <Flex vertical gap={16}>
            {d!.firm && <FirmCard firm={d!.firm} />}
            {d!.team && <TeamCard team={d!.team} approvals={d!.approvalsWaiting} />}
            {d!.finance && <FinanceCard finance={d!.finance} />}
            {d!.sales && <SalesCard sales={d!.sales} />}
            {d!.work && <WorkCard work={d!.work} />}
            {shown.length > 0 && (
              <div>
                {d!.pins.length > 0 && <Typography.Title level={5}>{t('dash.pins')}</Typography.Title>}
                <Suspense fallback={null}>
                  <PinnedReports pins={shown} />
                </Suspense>
              </div>
            )}
          </Flex>
        )}
      </Loaded>
      {d && (today ?? (sections === 0 && d.pins.length === 0 ? home : null))}
    </Flex>
  );
}
