import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Input, Popconfirm, Select, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { CAMPAIGN_STATUSES, CAMPAIGN_TYPES, type Campaign } from '../../../common/schemas/campaigns';
import { useAllBusinessLines, usePage, useWrite } from '../../api/queries';
import { campaignsApi, type CampaignListParams } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useT } from '../../i18n';
import { formatMoney } from '../../components/money';
import { CAMPAIGN_INVALIDATES, CampaignFormDrawer } from './CampaignFormDrawer';
import { CampaignDates, CampaignStatusTag, CampaignTypeTag, conversionRate } from './campaign-ui';

const FIRST_PAGE: CampaignListParams = { page: 1, pageSize: 20 };

/** Delete, confirmed; a campaign leads or opportunities came from is refused with the server's message. */
export function DeleteCampaign({
  campaign,
  onDeleted,
  button,
}: {
  campaign: Campaign;
  onDeleted?: () => void;
  button?: 'link' | 'default';
}) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const del = useWrite(() => campaignsApi.remove(campaign.id), CAMPAIGN_INVALIDATES);
  return (
    <Popconfirm
      title={t('common.delete')}
      description={<div style={{ maxWidth: 320 }}>{t('campaigns.deleteConfirm', { name: campaign.name })}</div>}
      okButtonProps={{ danger: true }}
      onConfirm={() =>
        del.mutateAsync(undefined).then(() => {
          void message.success(t('common.deleted'));
          onDeleted?.();
        }, toast)
      }
    >
      <Button
        type={button === 'default' ? 'default' : 'link'}
        size={button === 'default' ? 'middle' : 'small'}
        danger
        loading={del.isPending}
        data-testid={`campaign-delete-${campaign.id}`}
      >
        {t('common.delete')}
      </Button>
    </Popconfirm>
  );
}

export function CampaignsPage() {
  const t = useT();
  const me = useMe();
  const navigate = useNavigate();
  const manager = can(me, 'campaigns:manage');
  const [params, setParams] = useState<CampaignListParams>(FIRST_PAGE);
  const [editing, setEditing] = useState<Campaign | null | undefined>(undefined);
  const page = usePage(campaignsApi, params);
  const lines = useAllBusinessLines();
  const table = useServerTable<Campaign, CampaignListParams>(params, setParams, page.data?.total);

  const filter = (patch: Partial<CampaignListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(params.q || params.type || params.status || params.businessLineId);

  const columns: TableProps<Campaign>['columns'] = [
    {
      key: 'name',
      title: t('campaigns.name'),
      sorter: true,
      fixed: 'left',
      render: (_, c) => <Link to={`/campaigns/${c.id}`}>{c.name}</Link>,
    },
    { key: 'type', title: t('campaigns.type'), render: (_, c) => <CampaignTypeTag type={c.type} /> },
    { key: 'status', title: t('campaigns.status'), render: (_, c) => <CampaignStatusTag status={c.status} /> },
    {
      key: 'startsOn',
      title: t('campaigns.dates'),
      sorter: true,
      render: (_, c) => <CampaignDates startsOn={c.startsOn} endsOn={c.endsOn} />,
    },
    { key: 'budget', title: t('campaigns.budget'), align: 'right', render: (_, c) => formatMoney(c.budget) },
    {
      key: 'lines',
      title: t('campaigns.businessLines'),
      render: (_, c) =>
        c.businessLines.length ? (
          <Flex gap={4} wrap>
            {c.businessLines.map((l) => (
              <Tag key={l.id} style={{ marginInlineEnd: 0 }}>
                {l.name}
              </Tag>
            ))}
          </Flex>
        ) : (
          <Typography.Text type="secondary">{t('campaigns.allLines')}</Typography.Text>
        ),
    },
    {
      key: 'leads',
      title: t('campaigns.leads'),
      align: 'right',
      render: (_, c) => <span data-testid="campaign-leads">{c.leadCount}</span>,
    },
    {
      key: 'converted',
      title: t('campaigns.converted'),
      align: 'right',
      render: (_, c) => (
        <Tooltip title={t('campaigns.conversionRate')}>
          <span data-testid="campaign-converted">{c.convertedCount}</span>{' '}
          <Typography.Text type="secondary">({conversionRate(c.leadCount, c.convertedCount)})</Typography.Text>
        </Tooltip>
      ),
    },
    {
      key: 'won',
      title: <Tooltip title={t('campaigns.wonHint')}>{t('campaigns.wonAmount')}</Tooltip>,
      align: 'right',
      render: (_, c) => (
        <Typography.Text strong={c.wonAmount !== '0.00'} data-testid="campaign-won">
          {formatMoney(c.wonAmount)}
        </Typography.Text>
      ),
    },
    ...(manager
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            fixed: 'right' as const,
            render: (_: unknown, c: Campaign) => (
              <Flex>
                <Button type="link" size="small" onClick={() => setEditing(c)}>
                  {t('common.edit')}
                </Button>
                <DeleteCampaign campaign={c} />
              </Flex>
            ),
          },
        ]
      : []),
  ];

  const empty = filtered ? (
    <EmptyState title={t('campaigns.emptyFiltered')} hint={t('campaigns.emptyFilteredHint')} />
  ) : (
    <EmptyState
      title={t('campaigns.empty')}
      hint={t('campaigns.emptyHint')}
      action={
        manager && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)}>
            {t('campaigns.create')}
          </Button>
        )
      }
    />
  );

  return (
    <PageContainer
      title={t('nav.campaigns')}
      hint={t('campaigns.hint')}
      extra={
        manager && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)} data-testid="campaign-create">
            {t('campaigns.create')}
          </Button>
        )
      }
    >
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="campaign-filters">
          <Input.Search
            allowClear
            placeholder={t('campaigns.searchPlaceholder')}
            aria-label={t('common.search')}
            style={{ width: 300 }}
            onSearch={(q) => filter({ q: q.trim() || undefined })}
          />
          <Select
            allowClear
            placeholder={t('campaigns.type')}
            aria-label={t('campaigns.type')}
            style={{ width: 140 }}
            options={CAMPAIGN_TYPES.map((v) => ({ value: v, label: t(`campaigns.type.${v}`) }))}
            value={params.type}
            onChange={(type) => filter({ type })}
          />
          <Select
            allowClear
            placeholder={t('campaigns.status')}
            aria-label={t('campaigns.status')}
            style={{ width: 130 }}
            options={CAMPAIGN_STATUSES.map((v) => ({ value: v, label: t(`campaigns.status.${v}`) }))}
            value={params.status}
            onChange={(status) => filter({ status })}
          />
          <Select
            allowClear
            placeholder={t('campaigns.businessLines')}
            aria-label={t('campaigns.businessLines')}
            style={{ width: 160 }}
            options={(lines.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
            value={params.businessLineId}
            onChange={(businessLineId) => filter({ businessLineId })}
          />
        </Flex>
        <DataTable<Campaign> data-testid="campaigns-table" {...table.props(page, columns, empty)} />
      </Card>
      {manager && (
        <CampaignFormDrawer
          open={editing !== undefined}
          campaign={editing ?? null}
          onClose={() => setEditing(undefined)}
          onCreated={(c) => navigate(`/campaigns/${c.id}`)}
        />
      )}
    </PageContainer>
  );
}
