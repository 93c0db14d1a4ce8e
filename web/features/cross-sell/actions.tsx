import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { App, Button, Flex, Form, Input, Modal, Popconfirm, Radio, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { DISMISS_REASONS, type CrossSellSuggestion, type DismissReason } from '../../../common/schemas/cross-sell';
import { isApiError } from '../../api/client';
import { useWrite } from '../../api/queries';
import { crossSellApi, customerStoryApi, opportunitiesApi, todayApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';

/** What an accept or a dismiss changes: the lists of suggestions, Today, the customer's story and opportunities. */
const TOUCHED = [crossSellApi.path, todayApi.path, customerStoryApi.path, opportunitiesApi.path];

/** The opportunity id a 409 CROSS_SELL_ALREADY_ACCEPTED names (details.opportunityId), if any. */
function acceptedOpportunity(error: unknown): string | null {
  if (!isApiError(error, 'CROSS_SELL_ALREADY_ACCEPTED')) return null;
  const details = error.details as { opportunityId?: unknown } | null | undefined;
  return typeof details?.opportunityId === 'string' ? details.opportunityId : null;
}

const STATUS_COLORS: Record<CrossSellSuggestion['status'], string> = {
  open: 'blue',
  accepted: 'green',
  dismissed: 'default',
  excluded: 'orange',
};

export function CrossSellStatusTag({ status }: { status: CrossSellSuggestion['status'] }) {
  const t = useT();
  return <Tag color={STATUS_COLORS[status]}>{t(`crossSell.status.${status}`)}</Tag>;
}

/** The score as a percentage tag ("80.0%"). */
export function ScoreTag({ score }: { score: string }) {
  const t = useT();
  return (
    <Tag color="geekblue" data-testid="cross-sell-score" style={{ marginInlineEnd: 0 }}>
      {t('crossSell.scoreValue', { score })}
    </Tag>
  );
}

/** 忽略 asks why: not needed, has another provider, later (+ a note); the suggestion then leaves the open list. */
function DismissModal({ suggestion, onClose }: { suggestion: CrossSellSuggestion; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [form] = Form.useForm<{ reason: DismissReason; note?: string }>();
  const dismiss = useWrite(
    (body: { reason: DismissReason; note?: string }) =>
      crossSellApi.dismiss(suggestion.id, { reason: body.reason, note: body.note?.trim() || null }),
    TOUCHED,
  );
  return (
    <Modal
      open
      title={t('crossSell.dismissTitle', { service: suggestion.businessLineName })}
      okText={t('crossSell.dismiss')}
      confirmLoading={dismiss.isPending}
      onCancel={onClose}
      onOk={() =>
        form.validateFields().then((values) =>
          dismiss.mutateAsync(values).then(() => {
            void message.success(t('crossSell.dismissed'));
            onClose();
          }, toast),
        )
      }
      destroyOnHidden
      data-testid="cross-sell-dismiss-modal"
    >
      <Typography.Paragraph type="secondary">{suggestion.evidenceText}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ reason: 'not-needed' }}>
        <Form.Item name="reason" label={t('crossSell.dismissWhy')} rules={[{ required: true }]}>
          <Radio.Group data-testid="cross-sell-dismiss-reason">
            <Space orientation="vertical">
              {DISMISS_REASONS.map((reason) => (
                <Radio key={reason} value={reason} data-testid={`cross-sell-reason-${reason}`}>
                  {t(`crossSell.reason.${reason}`)}
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="note" label={t('crossSell.dismissNote')}>
          <Input.TextArea rows={2} maxLength={500} data-testid="cross-sell-dismiss-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * 接受 / 忽略 for an open suggestion: accepting makes the opportunity (its source the suggestion) and opens it — a
 * suggestion someone accepted already opens that opportunity; dismissing asks why.
 */
export function CrossSellActions({
  suggestion,
  size = 'small',
}: {
  suggestion: CrossSellSuggestion;
  size?: 'small' | 'middle';
}) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const navigate = useNavigate();
  const [dismissing, setDismissing] = useState(false);
  const accept = useWrite(() => crossSellApi.accept(suggestion.id, {}), TOUCHED);
  if (suggestion.status !== 'open') return null;
  const onAccept = () =>
    accept.mutateAsync(undefined).then(
      (answer) => {
        void message.success(t('crossSell.accepted'));
        if (answer.opportunityId) void navigate(`/opportunities/${answer.opportunityId}`);
      },
      (error: unknown) => {
        const existing = acceptedOpportunity(error);
        if (!existing) return toast(error);
        void message.info(t('crossSell.alreadyAccepted'));
        void navigate(`/opportunities/${existing}`);
      },
    );
  return (
    <Flex gap={4} wrap>
      <Popconfirm
        title={t('crossSell.acceptConfirm', { service: suggestion.businessLineName })}
        onConfirm={onAccept}
        okButtonProps={{ 'data-testid': 'cross-sell-accept-ok' }}
      >
        <Button
          size={size}
          type="primary"
          ghost
          icon={<CheckOutlined />}
          loading={accept.isPending}
          data-testid="cross-sell-accept"
        >
          {t('crossSell.accept')}
        </Button>
      </Popconfirm>
      <Button size={size} icon={<CloseOutlined />} onClick={() => setDismissing(true)} data-testid="cross-sell-dismiss">
        {t('crossSell.dismiss')}
      </Button>
      {dismissing && <DismissModal suggestion={suggestion} onClose={() => setDismissing(false)} />}
    </Flex>
  );
}
