import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Select, Tooltip, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import type { EngagementTemplate } from '../../../common/schemas/engagements';
import { useAllBusinessLines, useEngagementTemplatePage } from '../../api/queries';
import type { EngagementTemplateListParams } from '../../api/resources';
import { ActiveFilter, type ActiveValue } from '../../components/ActiveFilter';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { StatusTag } from '../../components/StatusTag';
import { useLocale, useT } from '../../i18n';
import { EngagementTemplateDrawer } from './EngagementTemplateDrawer';

const FIRST_PAGE: EngagementTemplateListParams = { page: 1, pageSize: 20, active: 'true' };

/**
 * 业务模板 (engagements:configure): the templates engagements are made from, per business line — filter by business
 * line and active, open one to edit its phases and default work orders.
 */
export function EngagementTemplatesPage() {
  const t = useT();
  const { locale } = useLocale();
  const [params, setParams] = useState<EngagementTemplateListParams>(FIRST_PAGE);
  // undefined: closed; null: a new template.
  const [editing, setEditing] = useState<EngagementTemplate | null | undefined>(undefined);
  const page = useEngagementTemplatePage(params);
  const lines = useAllBusinessLines();
  const table = useServerTable<EngagementTemplate, EngagementTemplateListParams>(params, setParams, page.data?.total);

  /** A filter change starts again at page 1. */
  const filter = (patch: Partial<EngagementTemplateListParams>) => setParams((p) => ({ ...p, ...patch, page: 1 }));
  const filtered = Boolean(params.q || params.businessLineId || params.active !== 'true');

  const columns: TableProps<EngagementTemplate>['columns'] = [
    {
      key: 'name',
      title: t('engagementTemplate.name'),
      sorter: true,
      render: (_, x) => (
        <Flex vertical gap={2} align="flex-start">
          <Typography.Link onClick={() => setEditing(x)} data-testid="engagement-template-open">
            {x.name}
          </Typography.Link>
          {x.note && (
            <Typography.Text type="secondary" ellipsis={{ tooltip: x.note }} style={{ fontSize: 12, maxWidth: 280 }}>
              {x.note}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    { key: 'businessLine', dataIndex: 'businessLineName', title: t('engagementTemplate.businessLine') },
    { key: 'cycle', title: t('engagementTemplate.cycle'), render: (_, x) => t(`engagementCycle.${x.cycle}`) },
    {
      key: 'phases',
      title: t('engagementTemplate.phaseCount'),
      render: (_, x) => (
        <Tooltip title={x.phases.map((p) => p.name).join(' → ')}>
          <span>{x.phases.length}</span>
        </Tooltip>
      ),
    },
    {
      key: 'plannedHours',
      title: t('engagementTemplate.plannedHours'),
      align: 'right',
      render: (_, x) => t('engagementTemplate.hoursValue', { hours: x.plannedHours }),
    },
    {
      key: 'engagements',
      title: t('engagementTemplate.inUse'),
      align: 'right',
      render: (_, x) => t('engagementTemplate.inUseValue', { count: x.engagements }),
    },
    { key: 'status', title: t('common.status'), render: (_, x) => <StatusTag active={x.active} /> },
    {
      key: 'updatedAt',
      title: t('common.updatedAt'),
      sorter: true,
      render: (_, x) => formatDateTime(x.updatedAt, locale),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, x) => (
        <Button type="link" size="small" onClick={() => setEditing(x)}>
          {t('common.edit')}
        </Button>
      ),
    },
  ];

  return (
    <PageContainer
      title={t('engagementTemplate.nav')}
      hint={t('engagementTemplate.pageHint')}
      extra={
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setEditing(null)}
          data-testid="engagement-template-new"
        >
          {t('engagementTemplate.new')}
        </Button>
      }
    >
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            placeholder={t('engagementTemplate.searchPlaceholder')}
            aria-label={t('common.search')}
            style={{ width: 260, maxWidth: '100%' }}
            onSearch={(q) => filter({ q: q || undefined })}
          />
          <Select
            allowClear
            placeholder={t('engagementTemplate.businessLine')}
            aria-label={t('engagementTemplate.businessLine')}
            style={{ width: 160 }}
            options={(lines.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
            value={params.businessLineId}
            onChange={(businessLineId) => filter({ businessLineId })}
          />
          <ActiveFilter value={(params.active ?? 'true') as ActiveValue} onChange={(active) => filter({ active })} />
        </Flex>
        <DataTable<EngagementTemplate>
          data-testid="engagement-templates-table"
          cards={{ fields: ['businessLine', 'phases', 'plannedHours', 'engagements', 'status'] }}
          {...table.props(
            page,
            columns,
            <EmptyState
              title={t('engagementTemplate.empty')}
              hint={filtered ? undefined : t('engagementTemplate.emptyHint')}
            />,
          )}
        />
      </Card>
      <EngagementTemplateDrawer
        open={editing !== undefined}
        template={editing ?? null}
        onClose={() => setEditing(undefined)}
      />
    </PageContainer>
  );
}
