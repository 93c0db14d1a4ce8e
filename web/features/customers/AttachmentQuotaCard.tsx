import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Flex, InputNumber, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { MAX_ATTACHMENT_QUOTA_MB } from '../../../common/schemas/files';
import { customersApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';

/** How much each user may keep in attachments (customer settings `attachmentQuotaMb`). */
export function AttachmentQuotaCard() {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: [customersApi.path, 'settings'], queryFn: customersApi.settings });
  const [quota, setQuota] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => setQuota(settings.data?.attachmentQuotaMb ?? null), [settings.data]);
  const save = async () => {
    if (quota === null) return;
    setSaving(true);
    try {
      await customersApi.saveSettings({ attachmentQuotaMb: quota });
      await queryClient.invalidateQueries({ queryKey: [customersApi.path, 'settings'] });
      void message.success(t('common.saved'));
    } catch (error) {
      toast(error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Card size="small" title={t('attachmentQuota.title')}>
      <Flex gap={12} align="center" wrap>
        <Typography.Text>{t('attachmentQuota.before')}</Typography.Text>
        <InputNumber
          min={1}
          max={MAX_ATTACHMENT_QUOTA_MB}
          precision={0}
          value={quota}
          onChange={(v) => setQuota(v)}
          style={{ width: 160 }}
          addonAfter="MB"
          aria-label={t('attachmentQuota.title')}
          data-testid="attachment-quota"
        />
        <Typography.Text>{t('attachmentQuota.after')}</Typography.Text>
        <Button onClick={() => void save()} loading={saving} disabled={quota === null}>
          {t('common.save')}
        </Button>
      </Flex>
      <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
        {t('attachmentQuota.help')}
      </Typography.Paragraph>
    </Card>
  );
}
