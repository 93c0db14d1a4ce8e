import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Flex, Input, Segmented, Select, Tag, Typography, type TableProps } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { LEAD_STATUSES, LEAD_VIEWS, type Lead } from '../../../common/schemas/leads';
import {
  useAllBranches,
  useAllBusinessLines,
  useAllDepartments,
  useAllRegions,
  useDirectory,
  usePage,
} from '../../api/queries';
import { leadsApi, type LeadListParams } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { personLabel } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { orDash } from '../customers/customer-ui';
import { useLeadUrl } from './filters';
import { LeadFormDrawer } from './LeadFormDrawer';
import { assignmentOutcome, filterOptions, LeadOwner, LeadStatusTag, useCampaignOptions } from './lead-ui';

type View = (typeof LEAD_VIEWS)[number];

/** A reference's name among those loaded (its id until they are). */
const nameOf = (items: { id: string; name: string }[] | undefined, id: string) =>
  items?.find((i) => i.id === id)?.name ?? '…';

export function LeadsPage() {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const { notification } = App.useApp();
  const navigate = useNavigate();
  const writer = can(me, 'leads:write');
  const assigner = can(me, 'leads:assign');
  // Someone who sees only their own leads has no team, and picks no owner.
  const wide = can(me, 'leads:read', 'department');
  // Kept in the address: a report's drill-down opens the list filtered.
  const [params, setParams] = useLeadUrl();
  const [creating, setCreating] = useState(false);
  const page = usePage(leadsApi, params);
  const businessLines = useAllBusinessLines();
  const regions = useAllRegions();
  const campaigns = useCampaignOptions();
  const reportFiltered = Boolean(
    params.source || params.converted || params.won || params.branchId || params.departmentId,
  );
  const branches = useAllBranches();
  const departments = useAllDepartments();
  const people = useDirectory(wide && can(me, 'customers:write'));

  const views = LEAD_VIEWS.filter((v) => (v === 'team' ? wide : v === 'queue' ? assigner : true));
  const filter = (patch: Partial<LeadListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(
    params.q ||
    params.status ||
    params.campaignId ||
    params.businessLineId ||
    params.regionId ||
    params.ownerId ||
    params.createdFrom ||
    params.createdTo ||
    reportFiltered,
  );
  const ownerOptions = useMemo(
    () => (people.data ?? []).map((u) => ({ value: u.id, label: personLabel(locale, u) })),
    [people.data, locale],
  );

  const columns: TableProps<Lead>['columns'] = [
    {
      key: 'companyName',
      title: t('lead.company'),
      sorter: true,
      fixed: 'left',
      render: (_, l) => <Link to={`/leads/${l.id}`}>{l.companyName}</Link>,
    },
    {
      key: 'contact',
      title: t('lead.contact'),
      render: (_, l) =>
        l.contactName || l.phone ? (
          <Flex vertical>
            <Typography.Text>
              {l.contactName ?? '—'}
              {l.contactTitle && <Typography.Text type="secondary"> · {l.contactTitle}</Typography.Text>}
            </Typography.Text>
            {l.phone && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {l.phone}
              </Typography.Text>
            )}
          </Flex>
        ) : (
          orDash(null)
        ),
    },
    { key: 'campaign', dataIndex: 'campaignName', title: t('lead.campaign'), render: orDash },
    { key: 'businessLine', dataIndex: 'businessLineName', title: t('lead.businessLine'), render: orDash },
    { key: 'region', dataIndex: 'regionName', title: t('lead.region'), render: orDash },
    { key: 'status', title: t('lead.statusLabel'), render: (_, l) => <LeadStatusTag status={l.status} /> },
    { key: 'owner', title: t('lead.owner'), render: (_, l) => <LeadOwner lead={l} /> },
    {
      key: 'assignedAt',
      title: t('lead.assignedAt'),
      sorter: true,
      render: (_, l) => orDash(formatDateTime(l.assignedAt, locale)),
    },
    {
      key: 'createdAt',
      title: t('common.createdAt'),
      sorter: true,
      render: (_, l) => formatDateTime(l.createdAt, locale),
    },
  ];
  const table = useServerTable<Lead, LeadListParams>(params, setParams, page.data?.total);

  /** Says where the new lead went: its answer names the owner or queue, its history the rule. */
  const announce = async (lead: Lead, byRules: boolean) => {
    const history = await leadsApi.history(lead.id).catch(() => null);
    const key = `lead-created-${lead.id}`;
    notification.success({
      key,
      title: t('lead.created'),
      description: (
        <Flex vertical gap={4} data-testid="lead-created-outcome">
          <Typography.Text>{assignmentOutcome(t, lead, history, byRules)}</Typography.Text>
          {/* The notification renders outside the router: a plain link that navigates through this page's router. */}
          {history && (
            <Typography.Link
              onClick={() => {
                // The lead's page opens with its own actions in the top right: the notice goes, not to cover them.
                notification.destroy(key);
                navigate(`/leads/${lead.id}`);
              }}
            >
              {t('lead.open')}
            </Typography.Link>
          )}
        </Flex>
      ),
      // Bottom right: away from the page actions (top right) of this page and of the one it links to.
      placement: 'bottomRight',
      duration: 8,
    });
  };

  const empty = filtered ? (
    <EmptyState title={t('lead.emptyFiltered')} hint={t('lead.emptyFilteredHint')} />
  ) : params.view === 'queue' ? (
    <EmptyState title={t('lead.emptyQueue')} hint={t('lead.emptyQueueHint')} />
  ) : (
    <EmptyState
      title={t('lead.empty')}
      hint={writer ? t('lead.emptyHint') : undefined}
      action={
        writer && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('lead.create')}
          </Button>
        )
      }
    />
  );

  return (
    <PageContainer
      title={t('lead.nav')}
      hint={t('lead.pageHint')}
      extra={
        writer && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="lead-create">
            {t('lead.create')}
          </Button>
        )
      }
    >
      <Card>
        <Flex vertical gap={12} style={{ marginBottom: 16 }}>
          <Segmented<View>
            data-testid="lead-views"
            value={params.view ?? 'visible'}
            onChange={(view) => filter({ view })}
            options={views.map((v) => ({ value: v, label: t(`lead.view.${v}`) }))}
          />
          <Flex gap={8} wrap data-testid="lead-filters">
            <Input.Search
              allowClear
              key={params.q ?? ''}
              defaultValue={params.q}
              placeholder={t('lead.searchPlaceholder')}
              aria-label={t('common.search')}
              style={{ width: 300 }}
              onSearch={(q) => filter({ q: q.trim() || undefined })}
            />
            <Select
              allowClear
              placeholder={t('lead.statusLabel')}
              aria-label={t('lead.statusLabel')}
              style={{ width: 120 }}
              options={LEAD_STATUSES.map((s) => ({ value: s, label: t(`lead.status.${s}`) }))}
              value={params.status}
              onChange={(status) => filter({ status })}
            />
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('lead.campaign')}
              aria-label={t('lead.campaign')}
              style={{ width: 180 }}
              popupMatchSelectWidth={false}
              options={campaigns.options.map((c) => ({ value: c.value, label: c.label }))}
              loading={campaigns.isLoading}
              value={params.campaignId}
              onChange={(campaignId) => filter({ campaignId })}
            />
            <Select
              allowClear
              placeholder={t('lead.businessLine')}
              aria-label={t('lead.businessLine')}
              style={{ width: 150 }}
              popupMatchSelectWidth={false}
              options={filterOptions(businessLines.data)}
              value={params.businessLineId}
              onChange={(businessLineId) => filter({ businessLineId })}
            />
            <Select
              allowClear
              placeholder={t('lead.region')}
              aria-label={t('lead.region')}
              style={{ width: 110 }}
              options={filterOptions(regions.data)}
              value={params.regionId}
              onChange={(regionId) => filter({ regionId })}
            />
            {wide && (
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                placeholder={t('lead.owner')}
                aria-label={t('lead.owner')}
                style={{ width: 170 }}
                popupMatchSelectWidth={false}
                options={ownerOptions}
                loading={people.isLoading}
                value={params.ownerId}
                onChange={(ownerId) => filter({ ownerId })}
              />
            )}
            <DatePicker.RangePicker
              allowEmpty={[true, true]}
              placeholder={[t('lead.createdFrom'), t('lead.createdTo')]}
              aria-label={t('lead.createdOn')}
              style={{ width: 250 }}
              value={[
                params.createdFrom ? dayjs(params.createdFrom) : null,
                params.createdTo ? dayjs(params.createdTo) : null,
              ]}
              onChange={(range) =>
                filter({ createdFrom: range?.[0]?.format('YYYY-MM-DD'), createdTo: range?.[1]?.format('YYYY-MM-DD') })
              }
              data-testid="lead-created-range"
            />
            {/* The filters a report's drill-down sets that have no control of their own: shown, each clearable. */}
            {params.source && (
              <Tag closable onClose={() => filter({ source: undefined })}>
                {t('lead.filter.source', { source: params.source })}
              </Tag>
            )}
            {params.converted && (
              <Tag closable onClose={() => filter({ converted: undefined })}>
                {t(params.converted === 'true' ? 'lead.filter.converted' : 'lead.filter.notConverted')}
              </Tag>
            )}
            {params.won && (
              <Tag closable onClose={() => filter({ won: undefined })}>
                {t(params.won === 'true' ? 'lead.filter.won' : 'lead.filter.notWon')}
              </Tag>
            )}
            {params.branchId && (
              <Tag closable onClose={() => filter({ branchId: undefined })}>
                {t('lead.filter.branch', { name: nameOf(branches.data, params.branchId) })}
              </Tag>
            )}
            {params.departmentId && (
              <Tag closable onClose={() => filter({ departmentId: undefined })}>
                {t('lead.filter.department', { name: nameOf(departments.data, params.departmentId) })}
              </Tag>
            )}
            {filtered && (
              <Button
                type="link"
                onClick={() => setParams({ page: 1, pageSize: params.pageSize, view: params.view, sort: params.sort })}
              >
                {t('lead.clearFilters')}
              </Button>
            )}
          </Flex>
        </Flex>
        <DataTable<Lead>
          data-testid="leads-table"
          {...table.props(page, columns, empty)}
          cards={{ fields: ['contact', 'status', 'owner', 'createdAt'] }}
        />
      </Card>
      {writer && (
        <LeadFormDrawer
          open={creating}
          lead={null}
          onClose={() => setCreating(false)}
          onCreated={(lead, byRules) => void announce(lead, byRules)}
        />
      )}
    </PageContainer>
  );
}
