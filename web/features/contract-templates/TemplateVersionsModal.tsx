import { CheckCircleOutlined, DownloadOutlined, EyeOutlined, SendOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Modal, Popconfirm, Tag, Typography } from 'antd';
import type { ContractTemplate, ContractTemplateVersion } from '../../../common/schemas/contract-templates';
import { useWrite } from '../../api/queries';
import { contractTemplatesApi } from '../../api/resources';
import { errorText } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { useLocale, useT } from '../../i18n';
import { testId } from '../opportunities/opportunity-ui';

/** One version: when and by whom it came, what it uses, and its preview, file and publishing. */
function VersionCard({ template, version }: { template: ContractTemplate; version: ContractTemplateVersion }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const publish = useWrite(
    () => contractTemplatesApi.publish(template.id, version.version),
    [contractTemplatesApi.path],
  );
  const current = template.publishedVersion === version.version;
  const run = () =>
    publish.mutateAsync(undefined).then(
      () => void message.success(t('contractTemplate.publishedToast', { version: version.version })),
      (error: unknown) => void message.error(errorText(t, error)),
    );
  return (
    <Card size="small" data-testid={`template-version-${version.version}`}>
      <Flex vertical gap={6}>
        <Flex gap={8} wrap align="center">
          <Typography.Text strong>{t('contractTemplate.versionN', { version: version.version })}</Typography.Text>
          {current ? (
            <Tag color="success" icon={<CheckCircleOutlined />} data-testid="template-current">
              {t('contractTemplate.current')}
            </Tag>
          ) : (
            !version.publishedAt && <Tag>{t('contractTemplate.notPublished')}</Tag>
          )}
        </Flex>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('contractTemplate.uploadedBy', {
            at: formatDateTime(version.createdAt, locale),
            name: version.createdByName ?? '—',
          })}
          {' · '}
          {version.publishedAt
            ? t('contractTemplate.publishedOn', { at: formatDateTime(version.publishedAt, locale) })
            : t('contractTemplate.neverPublished')}
        </Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {version.filename} · {t('contractTemplate.fieldCount', { count: version.fields.length })} ·{' '}
          {t('contractTemplate.contractCount', { count: version.contractCount })}
        </Typography.Text>
        <Flex gap={8} wrap>
          <Button
            size="small"
            icon={<EyeOutlined />}
            href={contractTemplatesApi.previewUrl(template.id, version.version)}
            title={t('contractTemplate.previewHint')}
            data-testid="template-preview"
          >
            {t('contractTemplate.preview')}
          </Button>
          <Button
            size="small"
            icon={<DownloadOutlined />}
            href={contractTemplatesApi.fileUrl(template.id, version.version)}
            data-testid="template-download"
          >
            {t('contractTemplate.download')}
          </Button>
          {!current && (
            <Popconfirm
              title={t('contractTemplate.publishConfirm', { name: template.name, version: version.version })}
              description={<div style={{ maxWidth: 300 }}>{t('contractTemplate.publishHint')}</div>}
              okText={t('contractTemplate.publish')}
              okButtonProps={testId('template-publish-confirm')}
              onConfirm={run}
            >
              <Button
                size="small"
                type="primary"
                icon={<SendOutlined />}
                loading={publish.isPending}
                data-testid="template-publish"
              >
                {t('contractTemplate.publish')}
              </Button>
            </Popconfirm>
          )}
        </Flex>
      </Flex>
    </Card>
  );
}

/** A template's versions, newest first. */
export function TemplateVersionsModal({
  template,
  onClose,
}: {
  template: ContractTemplate | null;
  onClose: () => void;
}) {
  const t = useT();
  return (
    <Modal
      open={template !== null}
      onCancel={onClose}
      footer={null}
      width={640}
      destroyOnHidden
      title={template ? t('contractTemplate.versionsTitle', { name: template.name }) : null}
    >
      {template && (
        <Flex vertical gap={12} data-testid="template-versions">
          {template.versions.map((version) => (
            <VersionCard key={version.id} template={template} version={version} />
          ))}
        </Flex>
      )}
    </Modal>
  );
}
