import { BulbOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Checkbox, Form, Input, Modal, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { InsightMark } from '../../../common/schemas/knowledge-capture';
import { useWrite } from '../../api/queries';
import { can, useMe } from '../../auth/session';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useT } from '../../i18n';
import { articleUrl, captureApi } from './api';

type Values = { title?: string; body?: string; firm?: boolean };
const FIELDS: FormFields = { names: ['title', 'body'] };

/**
 * The entries of a customer (contact logs, engagements) or of one engagement that became insights, by entry id.
 * Asked once per list (the customers domain knows nothing of the knowledge base).
 */
export function useInsightMarks(query: { customerId?: string; engagementId?: string }) {
  const me = useMe();
  const enabled = can(me, 'knowledge:read') && Boolean(query.customerId || query.engagementId);
  const marks = useQuery({
    queryKey: [captureApi.path, 'insight-marks', query],
    queryFn: () => captureApi.insightMarks(query),
    enabled,
  });
  return useMemo(() => new Map((marks.data ?? []).map((m) => [m.sourceId, m])), [marks.data]);
}

/**
 * 标记为客户洞察 on a contact-log entry or an engagement: a small button that asks for a title and the text
 * (both default from the entry); once marked, a tag linking to the article instead.
 */
export function InsightAction({
  sourceType,
  sourceId,
  mark,
  size = 'small',
}: {
  sourceType: 'contact-log' | 'engagement';
  sourceId: string;
  mark: InsightMark | undefined;
  size?: 'small' | 'middle';
}) {
  const t = useT();
  const me = useMe();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const save = useWrite(
    (v: Values) =>
      captureApi.markInsight(sourceType, sourceId, {
        title: v.title?.trim() || null,
        body: v.body?.trim() || null,
        visibility: v.firm ? 'firm' : 'linked',
      }),
    [captureApi.path],
  );

  if (mark)
    return mark.title ? (
      <Tooltip title={mark.title}>
        <Link to={articleUrl(mark.articleId)} data-testid="insight-mark">
          <Tag color="gold" icon={<BulbOutlined />} style={{ marginInlineEnd: 0 }}>
            {t('capture.insightMark')}
          </Tag>
        </Link>
      </Tooltip>
    ) : (
      <Tooltip title={t('capture.insightHidden')}>
        <Tag color="gold" icon={<BulbOutlined />} style={{ marginInlineEnd: 0 }} data-testid="insight-mark">
          {t('capture.insightMark')}
        </Tag>
      </Tooltip>
    );
  if (!can(me, 'knowledge:write')) return null;

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t('capture.insightSaved'));
      setOpen(false);
    } catch (error) {
      onError(error);
    }
  };

  return (
    <>
      {size === 'small' ? (
        <Tooltip title={t('capture.markInsight')}>
          <Button
            type="text"
            size="small"
            icon={<BulbOutlined />}
            aria-label={t('capture.markInsight')}
            onClick={() => setOpen(true)}
            data-testid="mark-insight"
          />
        </Tooltip>
      ) : (
        <Button icon={<BulbOutlined />} onClick={() => setOpen(true)} data-testid="mark-insight">
          {t('capture.markInsight')}
        </Button>
      )}
      <Modal
        open={open}
        width={560}
        title={t('capture.insightTitle')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('common.save')}
        okButtonProps={{ loading: save.isPending, 'data-testid': 'insight-submit' }}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('capture.insightIntro')}</Typography.Paragraph>
        <Form<Values> form={form} layout="vertical" name="insight" onFinish={submit}>
          <Form.Item name="title" label={t('capture.insightName')} rules={[{ max: 200 }]}>
            <Input placeholder={t('capture.insightNamePlaceholder')} />
          </Form.Item>
          <Form.Item name="body" label={t('capture.insightBody')} rules={[{ max: 20000 }]}>
            <Input.TextArea rows={4} placeholder={t('capture.insightBodyPlaceholder')} />
          </Form.Item>
          <Form.Item name="firm" valuePropName="checked" style={{ marginBottom: 0 }}>
            <Checkbox>{t('capture.insightFirm')}</Checkbox>
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** 标记为客户洞察 on the engagement page (or the tag linking to the insight it became). */
export function EngagementInsight({ engagementId }: { engagementId: string }) {
  const marks = useInsightMarks({ engagementId });
  return <InsightAction sourceType="engagement" sourceId={engagementId} mark={marks.get(engagementId)} size="middle" />;
}
