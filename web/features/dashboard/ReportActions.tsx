import { MailOutlined, PushpinOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Modal, Radio, Typography } from 'antd';
import { useState } from 'react';
import type { ReportKind } from '../../../common/reports';
import { dashboardApi, reportPinsApi, reportSubscriptionsApi, type ReportParams } from '../../api/resources';
import { useMe } from '../../auth/session';
import { useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';

/** The report page's "Pin to start page" and "Subscribe" buttons: both keep the report with its current filters. */
export function ReportActions({ kind, params }: { kind: ReportKind; params: ReportParams }) {
  const t = useT();
  const me = useMe();
  const { message } = App.useApp();
  const client = useQueryClient();
  const failed = useErrorToast();
  const [subscribing, setSubscribing] = useState(false);
  const [frequency, setFrequency] = useState<'weekly' | 'monthly'>('weekly');
  const pin = useMutation({
    mutationFn: () => reportPinsApi.create({ kind, query: params }),
    onSuccess: () => {
      void message.success(t('dash.pinned'));
      void client.invalidateQueries({ queryKey: [dashboardApi.path] });
    },
    onError: failed,
  });
  const subscribe = useMutation({
    mutationFn: () => reportSubscriptionsApi.create({ kind, query: params, frequency }),
    onSuccess: () => {
      void message.success(t('dash.subscribed'));
      setSubscribing(false);
      void client.invalidateQueries({ queryKey: [reportSubscriptionsApi.path] });
    },
    onError: failed,
  });
  return (
    <>
      <Button icon={<PushpinOutlined />} loading={pin.isPending} onClick={() => pin.mutate()} data-testid="report-pin">
        {t('dash.pin')}
      </Button>
      <Button icon={<MailOutlined />} onClick={() => setSubscribing(true)} data-testid="report-subscribe">
        {t('dash.subscribe')}
      </Button>
      <Modal
        open={subscribing}
        title={t('dash.subscribeTitle')}
        okText={t('dash.subscribe')}
        confirmLoading={subscribe.isPending}
        onOk={() => subscribe.mutate()}
        onCancel={() => setSubscribing(false)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('dash.subscribeHint')}</Typography.Paragraph>
        <Radio.Group
          value={frequency}
          onChange={(e) => setFrequency(e.target.value)}
          options={[
            { value: 'weekly', label: t('dash.weekly') },
            { value: 'monthly', label: t('dash.monthly') },
          ]}
          data-testid="report-subscribe-frequency"
        />
        {!me.user.email && <Alert type="warning" showIcon title={t('dash.noEmail')} style={{ marginTop: 12 }} />}
      </Modal>
    </>
  );
}
