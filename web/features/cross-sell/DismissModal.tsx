import { App, Form, Input, Modal, Radio, Space, Typography } from 'antd';
import { DISMISS_REASONS, type DismissReason } from '../../../common/cross-sell';
import type { CrossSellSuggestion } from '../../../common/schemas/cross-sell';
import { useWrite } from '../../api/queries';
import { crossSellApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';

/** 忽略 asks why: not needed, has another provider, later (+ a note); the suggestion then leaves the open list. */
export function DismissModal({
  suggestion,
  touched,
  onClose,
}: {
  suggestion: CrossSellSuggestion;
  /** The lists a dismissal changes (actions.tsx). */
  touched: string[];
  onClose: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [form] = Form.useForm<{ reason: DismissReason; note?: string }>();
  const dismiss = useWrite(
    (body: { reason: DismissReason; note?: string }) =>
      crossSellApi.dismiss(suggestion.id, { reason: body.reason, note: body.note?.trim() || null }),
    touched,
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
