import {
  CheckOutlined,
  CloseOutlined,
  PaperClipOutlined,
  RollbackOutlined,
  SwapOutlined,
  UndoOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Typography,
  Upload,
  type ButtonProps,
  type UploadFile,
} from 'antd';
import { useState } from 'react';
import { MAX_FILE_BYTES } from '../../../common/schemas/files';
import type { Instance } from '../../../common/schemas/workflows';
import { useWrite } from '../../api/queries';
import { workflowInstancesApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { errorText } from '../../components/errors';
import { localName } from '../../components/labels';
import { useLocale, useT, type WebMessageKey } from '../../i18n';
import { DECISION_INVALIDATES, PersonSelect } from './approval-ui';

type Action = 'approve' | 'reject' | 'return' | 'withdraw' | 'delegate';

const DONE: Record<Action, WebMessageKey> = {
  approve: 'approval.done.approve',
  reject: 'approval.done.reject',
  return: 'approval.done.return',
  withdraw: 'approval.done.withdraw',
  delegate: 'approval.done.delegate',
};

/** Hand this one decision to a colleague (not oneself, not the submitter, not who already decided the step). */
function DelegateModal({
  instance,
  open,
  onClose,
  onDelegate,
}: {
  instance: Instance;
  open: boolean;
  onClose: () => void;
  onDelegate: (userId: string) => Promise<unknown>;
}) {
  const t = useT();
  const me = useMe();
  const [userId, setUserId] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  // Who already decided the step cannot take a second decision on it (the server refuses them too).
  const decidedThisStep =
    instance.steps.find((s) => s.state === 'current')?.assignees.flatMap((a) => (a.decision ? [a.userId] : [])) ?? [];
  return (
    <Modal
      open={open}
      onCancel={onClose}
      title={t('approval.delegateTitle')}
      okText={t('approval.delegate')}
      okButtonProps={{ disabled: !userId, ...({ 'data-testid': 'approval-delegate-confirm' } as ButtonProps) }}
      confirmLoading={saving}
      destroyOnHidden
      onOk={async () => {
        setSaving(true);
        try {
          await onDelegate(userId!);
          onClose();
        } catch {
          // shown by the panel, which reads the approval again
        } finally {
          setSaving(false);
        }
      }}
    >
      <Typography.Paragraph type="secondary">{t('approval.delegateHint')}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label={t('approval.delegateTo')} required>
          <PersonSelect
            value={userId}
            onChange={setUserId}
            exclude={[me.user.id, instance.submittedBy, ...decidedThisStep]}
            placeholder={t('approval.pickColleague')}
            data-testid="approval-delegate-to"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * What the reader may do with an approval, each in one click with an optional comment: approve; reject,
 * return (to the submitter or an earlier step the flow allows) and withdraw after a confirmation; hand
 * the decision to a colleague. A refusal (decided meanwhile, 409) is shown in the server's words and the
 * approval is read again.
 */
export function DecisionPanel({ instance }: { instance: Instance }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const [returnTo, setReturnTo] = useState(0);
  const [delegating, setDelegating] = useState(false);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [acting, setActing] = useState<Action | null>(null);
  const act = useWrite(async ({ action, userId }: { action: Action; userId?: string }) => {
    const note = comment.trim() || null;
    if (action === 'withdraw') return workflowInstancesApi.withdraw(instance.id, note);
    if (action === 'delegate') return workflowInstancesApi.delegate(instance.id, userId!, note);
    // The documents first (one request each), then the decision that names them.
    const attachmentIds: string[] = [];
    for (const file of files)
      if (file.originFileObj)
        attachmentIds.push((await workflowInstancesApi.attach(instance.id, file.originFileObj)).id);
    return workflowInstancesApi.decide(instance.id, {
      action,
      comment: note,
      attachmentIds,
      // For the step as shown: if it moved on meanwhile (a second click), 409 rather than deciding the next one.
      round: instance.round,
      ...(action === 'return' ? { returnTo } : {}),
    });
  }, DECISION_INVALIDATES);
  const run = async (action: Action, userId?: string) => {
    setActing(action);
    try {
      const updated = await act.mutateAsync({ action, userId });
      queryClient.setQueryData([workflowInstancesApi.path, instance.id], updated);
      setComment('');
      setFiles([]);
      void message.success(t(DONE[action]));
    } catch (error) {
      void message.error(errorText(t, error));
      // What is on screen may be out of date (someone decided meanwhile): read it again.
      await Promise.all(DECISION_INVALIDATES.map((path) => queryClient.invalidateQueries({ queryKey: [path] })));
      throw error;
    } finally {
      setActing(null);
    }
  };
  const quiet = (action: Action) => () => run(action).catch(() => {});

  if (!instance.mayDecide && !instance.mayWithdraw) return null;
  const stepName = (position: number) => {
    const step = instance.steps[position - 1];
    return step ? localName(step, locale) : '';
  };
  const busy = act.isPending;
  return (
    <Flex vertical gap={8} data-testid="approval-actions">
      <Input.TextArea
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        maxLength={2000}
        autoSize={{ minRows: 2, maxRows: 6 }}
        placeholder={t(instance.mayDecide ? 'approval.commentPlaceholder' : 'approval.withdrawPlaceholder')}
        aria-label={t('approval.comment')}
        data-testid="approval-comment-input"
      />
      {instance.mayDecide && (
        <Upload
          multiple
          maxCount={10}
          fileList={files}
          beforeUpload={() => false}
          onChange={({ fileList }) => setFiles(fileList)}
          data-testid="approval-files"
        >
          <Button size="small" type="dashed" icon={<PaperClipOutlined />}>
            {t('approval.attach', { maxMb: MAX_FILE_BYTES / 1024 / 1024 })}
          </Button>
        </Upload>
      )}
      <Flex gap={8} wrap>
        {instance.mayDecide && (
          <>
            <Button
              type="primary"
              icon={<CheckOutlined />}
              loading={acting === 'approve'}
              disabled={busy}
              onClick={quiet('approve')}
              data-testid="approval-approve"
            >
              {t('approval.approve')}
            </Button>
            <Popconfirm
              title={t('approval.returnConfirm')}
              description={
                <Radio.Group
                  value={returnTo}
                  onChange={(e) => setReturnTo(e.target.value as number)}
                  style={{ display: 'flex', flexDirection: 'column', gap: 4, marginBlock: 4 }}
                  options={instance.returnTargets.map((target) => ({
                    value: target,
                    label:
                      target === 0
                        ? t('approval.returnToSubmitter', { name: instance.submittedByName })
                        : t('approval.returnToStep', { step: target, name: stepName(target) }),
                  }))}
                  data-testid="approval-return-targets"
                />
              }
              okText={t('approval.return')}
              onConfirm={quiet('return')}
              onOpenChange={(open) => !open && setReturnTo(0)}
            >
              <Button
                icon={<RollbackOutlined />}
                loading={acting === 'return'}
                disabled={busy}
                data-testid="approval-return"
              >
                {t('approval.return')}
              </Button>
            </Popconfirm>
            <Popconfirm
              title={t('approval.rejectConfirm')}
              description={t('approval.rejectHint')}
              okText={t('approval.reject')}
              okButtonProps={{ danger: true }}
              onConfirm={quiet('reject')}
            >
              <Button
                danger
                icon={<CloseOutlined />}
                loading={acting === 'reject'}
                disabled={busy}
                data-testid="approval-reject"
              >
                {t('approval.reject')}
              </Button>
            </Popconfirm>
            <Button
              icon={<SwapOutlined />}
              disabled={busy}
              onClick={() => setDelegating(true)}
              data-testid="approval-delegate"
            >
              {t('approval.delegate')}
            </Button>
          </>
        )}
        {instance.mayWithdraw && (
          <Popconfirm
            title={t('approval.withdrawConfirm')}
            description={t('approval.withdrawHint')}
            okText={t('approval.withdraw')}
            okButtonProps={{ danger: true }}
            onConfirm={quiet('withdraw')}
          >
            <Button
              icon={<UndoOutlined />}
              loading={acting === 'withdraw'}
              disabled={busy}
              data-testid="approval-withdraw"
            >
              {t('approval.withdraw')}
            </Button>
          </Popconfirm>
        )}
      </Flex>
      {instance.mayDecide && (
        <DelegateModal
          instance={instance}
          open={delegating}
          onClose={() => setDelegating(false)}
          onDelegate={(userId) => run('delegate', userId)}
        />
      )}
    </Flex>
  );
}
