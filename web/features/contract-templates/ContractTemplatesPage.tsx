import { HistoryOutlined, ProfileOutlined, UploadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Flex, Popconfirm, Tag, Typography, type TableProps } from 'antd';
import { useMemo, useState } from 'react';
import type { ContractTemplate } from '../../../common/schemas/contract-templates';
import { useAllBusinessLines, useWrite } from '../../api/queries';
import { contractTemplatesApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { errorText } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { allOf, Loaded } from '../../components/QueryState';
import { StatusTag } from '../../components/StatusTag';
import { useLocale, useT } from '../../i18n';
import { TemplateFieldsDrawer } from './TemplateFieldsDrawer';
import { TemplateUploadDrawer, type UploadTarget } from './TemplateUploadDrawer';
import { TemplateVersionsModal } from './TemplateVersionsModal';

/** The published version, and a newer upload waiting to be published. */
function PublishedCell({ template }: { template: ContractTemplate }) {
  const t = useT();
  const latest = template.versions[0]?.version ?? 0;
  return (
    <Flex vertical gap={4} align="flex-start">
      {template.publishedVersion ? (
        <Tag color="success" data-testid="template-published" data-version={template.publishedVersion}>
          {t('contractTemplate.versionN', { version: template.publishedVersion })}
        </Tag>
      ) : (
        <Tag>{t('contractTemplate.notPublished')}</Tag>
      )}
      {latest > (template.publishedVersion ?? 0) && template.publishedVersion !== null && (
        <Tag color="warning">{t('contractTemplate.newerDraft', { version: latest })}</Tag>
      )}
    </Flex>
  );
}

/** Switching a template off is confirmed; on again is not. */
function ActiveToggle({ template }: { template: ContractTemplate }) {
  const t = useT();
  const { message } = App.useApp();
  const toggle = useWrite(
    (active: boolean) => contractTemplatesApi.setActive(template.id, active),
    [contractTemplatesApi.path],
  );
  const run = (active: boolean) =>
    toggle.mutateAsync(active).then(
      () => void message.success(t(active ? 'common.activated' : 'common.deactivated')),
      (error: unknown) => void message.error(errorText(t, error)),
    );
  if (!template.active)
    return (
      <Button size="small" type="text" loading={toggle.isPending} onClick={() => void run(true)}>
        {t('common.activate')}
      </Button>
    );
  return (
    <Popconfirm
      title={t('common.deactivateConfirm', { name: template.name })}
      okText={t('common.deactivate')}
      okButtonProps={{ danger: true }}
      onConfirm={() => run(false)}
    >
      <Button size="small" type="text" danger loading={toggle.isPending} data-testid="template-deactivate">
        {t('common.deactivate')}
      </Button>
    </Popconfirm>
  );
}

/**
 * 合同模板 (contracts:configure): per business line, its Word templates with the published version; upload a
 * template or a new version (refused placeholders explained), copy placeholders from the field list, download a
 * version filled with a sample contract, publish with a confirmation.
 */
export function ContractTemplatesPage() {
  const t = useT();
  const { locale } = useLocale();
  const templates = useQuery({
    queryKey: [contractTemplatesApi.path],
    queryFn: () => contractTemplatesApi.list({ active: 'all' }),
  });
  const allLines = useAllBusinessLines();
  const [upload, setUpload] = useState<UploadTarget | null>(null);
  const [showFields, setShowFields] = useState(false);
  const [versionsOf, setVersionsOf] = useState<string | null>(null);

  // Active lines, and inactive ones that still have templates, in the firm's order.
  const lines = useMemo(() => {
    const used = new Set((templates.data ?? []).map((x) => x.businessLineId));
    return (allLines.data ?? [])
      .filter((l) => l.active || used.has(l.id))
      .sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name));
  }, [allLines.data, templates.data]);
  const versionsTemplate = templates.data?.find((x) => x.id === versionsOf) ?? null;

  const columns: TableProps<ContractTemplate>['columns'] = [
    {
      key: 'name',
      title: t('contractTemplate.name'),
      render: (_, x) => {
        const latest = x.versions[0];
        return (
          <Flex vertical gap={2}>
            <Typography.Text strong>{x.name}</Typography.Text>
            {latest && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('contractTemplate.versionN', { version: latest.version })} ·{' '}
                {t('contractTemplate.uploadedBy', {
                  at: formatDateTime(latest.createdAt, locale),
                  name: latest.createdByName ?? '—',
                })}
              </Typography.Text>
            )}
          </Flex>
        );
      },
    },
    {
      key: 'published',
      title: t('contractTemplate.published'),
      render: (_, x) => <PublishedCell template={x} />,
    },
    { key: 'status', title: t('common.status'), render: (_, x) => <StatusTag active={x.active} /> },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, x) => (
        <Flex gap={4} wrap>
          <Button
            size="small"
            icon={<HistoryOutlined />}
            onClick={() => setVersionsOf(x.id)}
            data-testid="template-versions-open"
          >
            {t('contractTemplate.versions')} ({x.versions.length})
          </Button>
          <Button
            size="small"
            type="text"
            icon={<UploadOutlined />}
            onClick={() => setUpload({ kind: 'version', template: x })}
            data-testid="template-upload-version"
          >
            {t('contractTemplate.uploadVersion')}
          </Button>
          <ActiveToggle template={x} />
        </Flex>
      ),
    },
  ];

  return (
    <PageContainer
      title={t('contractTemplate.nav')}
      hint={t('contractTemplate.pageHint')}
      extra={
        <>
          <Button icon={<ProfileOutlined />} onClick={() => setShowFields(true)} data-testid="template-fields-open">
            {t('contractTemplate.fields')}
          </Button>
          <Button
            type="primary"
            icon={<UploadOutlined />}
            onClick={() => setUpload({ kind: 'create' })}
            data-testid="template-new"
          >
            {t('contractTemplate.new')}
          </Button>
        </>
      }
    >
      <Loaded query={allOf(templates, allLines)} compact={false}>
        {() => {
          const withTemplates = lines.filter((line) => templates.data!.some((x) => x.businessLineId === line.id));
          const without = lines.filter((line) => line.active && !withTemplates.includes(line));
          return (
            <>
              {withTemplates.map((line) => (
                <Card
                  key={line.id}
                  title={line.name}
                  data-testid={`template-line-${line.code}`}
                  extra={
                    <Button
                      size="small"
                      icon={<UploadOutlined />}
                      onClick={() => setUpload({ kind: 'create', businessLineId: line.id })}
                    >
                      {t('contractTemplate.new')}
                    </Button>
                  }
                >
                  <DataTable<ContractTemplate>
                    rowKey="id"
                    size="small"
                    pagination={false}
                    dataSource={templates.data!.filter((x) => x.businessLineId === line.id)}
                    columns={columns}
                    cards={{ fields: ['published', 'status'] }}
                  />
                </Card>
              ))}
              {withTemplates.length === 0 && (
                <EmptyState title={t('contractTemplate.empty')} hint={t('contractTemplate.lineEmptyHint')} />
              )}
              {without.length > 0 && (
                <Card title={t('contractTemplate.withoutTitle')} data-testid="template-lines-without">
                  <Typography.Paragraph type="secondary">{t('contractTemplate.lineEmptyHint')}</Typography.Paragraph>
                  <Flex gap={8} wrap>
                    {without.map((line) => (
                      <Button
                        key={line.id}
                        icon={<UploadOutlined />}
                        onClick={() => setUpload({ kind: 'create', businessLineId: line.id })}
                        data-testid={`template-new-${line.code}`}
                      >
                        {line.name}
                      </Button>
                    ))}
                  </Flex>
                </Card>
              )}
            </>
          );
        }}
      </Loaded>
      <TemplateUploadDrawer
        target={upload}
        lines={lines.filter((l) => l.active)}
        onClose={() => setUpload(null)}
        onUploaded={(template) => {
          setUpload(null);
          setVersionsOf(template.id);
        }}
        onShowFields={() => setShowFields(true)}
      />
      <TemplateVersionsModal template={versionsTemplate} onClose={() => setVersionsOf(null)} />
      <TemplateFieldsDrawer open={showFields} onClose={() => setShowFields(false)} />
    </PageContainer>
  );
}
