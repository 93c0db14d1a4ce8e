import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Flex, Form, Input, List, Modal, Tag, Typography } from 'antd';
import { useCallback, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import type { IndependenceConflict, Opportunity, OpportunityMove, Stage } from '../../../common/schemas/opportunities';
import { isApiError } from '../../api/client';
import { opportunitiesApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { listSeparator } from '../../components/labels';
import { useLocale, useT } from '../../i18n';
import { LessonModal, type LessonTarget } from '../knowledge-capture/LessonModal';
import { requirementLabel, stageName, testId } from './opportunity-ui';

type Target = { id: string; name: string };
type LostAnswer = { lostReason: string; competitor?: string };
type Dialog =
  | { kind: 'lost'; target: Target; resolve: (answer: LostAnswer | null) => void }
  | {
      kind: 'independence';
      target: Target;
      conflicts: IndependenceConflict[];
      resolve: (reason: string | null) => void;
    };

function LostDialog({ dialog, onDone }: { dialog: Extract<Dialog, { kind: 'lost' }>; onDone: () => void }) {
  const t = useT();
  const [form] = Form.useForm<LostAnswer>();
  const finish = (answer: LostAnswer | null) => {
    dialog.resolve(answer);
    onDone();
  };
  return (
    <Modal
      open
      title={t('opp.lostTitle', { name: dialog.target.name })}
      okText={t('opp.markLost')}
      okButtonProps={{ danger: true, ...testId('lost-submit') }}
      onOk={() => form.submit()}
      onCancel={() => finish(null)}
      destroyOnHidden
    >
      <Form<LostAnswer>
        form={form}
        layout="vertical"
        name="lost"
        onFinish={(v) => finish({ lostReason: v.lostReason.trim(), competitor: v.competitor?.trim() || undefined })}
      >
        <Form.Item
          name="lostReason"
          label={t('opp.lostReason')}
          rules={[{ required: true, whitespace: true, message: t('opp.lostReasonRequired') }, { max: 500 }]}
        >
          <Input.TextArea rows={3} autoFocus placeholder={t('opp.lostReasonPlaceholder')} data-testid="lost-reason" />
        </Form.Item>
        <Form.Item name="competitor" label={t('opp.competitor')} rules={[{ max: 200 }]}>
          <Input placeholder={t('opp.competitorPlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ConflictList({ conflicts }: { conflicts: IndependenceConflict[] }) {
  const t = useT();
  return (
    <List
      size="small"
      dataSource={conflicts}
      data-testid="independence-conflicts"
      renderItem={(c) => (
        <List.Item style={{ paddingInline: 0 }}>
          <Flex gap={8} wrap align="center">
            <Tag color={c.kind === 'opportunity' ? 'blue' : 'purple'} style={{ marginInlineEnd: 0 }}>
              {t(`opp.conflictKind.${c.kind}`)}
            </Tag>
            {c.kind === 'opportunity' ? (
              <Link to={`/opportunities/${c.id}`}>{c.name}</Link>
            ) : (
              <Typography.Text>{c.name}</Typography.Text>
            )}
            <Typography.Text type="secondary">
              · {c.businessLineName}
              {c.ownerName ? ` · ${c.ownerName}` : ''}
            </Typography.Text>
          </Flex>
        </List.Item>
      )}
    />
  );
}

function IndependenceDialog({
  dialog,
  onDone,
}: {
  dialog: Extract<Dialog, { kind: 'independence' }>;
  onDone: () => void;
}) {
  const t = useT();
  const [form] = Form.useForm<{ reason: string }>();
  const finish = (reason: string | null) => {
    dialog.resolve(reason);
    onDone();
  };
  return (
    <Modal
      open
      width={600}
      title={t('opp.independenceTitle')}
      okText={t('opp.overrideAndMove')}
      okButtonProps={{ danger: true, ...testId('override-submit') }}
      onOk={() => form.submit()}
      onCancel={() => finish(null)}
      destroyOnHidden
    >
      <Alert
        type="warning"
        showIcon
        title={t('opp.independenceIntro', { name: dialog.target.name })}
        style={{ marginBottom: 12 }}
      />
      <ConflictList conflicts={dialog.conflicts} />
      <Form
        form={form}
        layout="vertical"
        name="override"
        onFinish={(v) => finish(v.reason.trim())}
        style={{ marginTop: 12 }}
      >
        <Form.Item
          name="reason"
          label={t('opp.overrideReason')}
          rules={[{ required: true, whitespace: true, message: t('opp.overrideReasonRequired') }, { max: 500 }]}
        >
          <Input.TextArea rows={3} autoFocus data-testid="override-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * Moving an opportunity to a stage, with everything the server may ask for: confirmation before
 * 赢单, the lost reason before 输单, an override reason for an independence conflict, and a
 * message (with a link to the opportunity) naming what a stage still requires.
 * `move` resolves with the moved opportunity, or null when it did not happen.
 */
export function useStageMove({ linkToOpportunity }: { linkToOpportunity: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const { message, modal } = App.useApp();
  const toast = useErrorToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  // Won or lost: the lesson 复盘 is asked for right after (skippable).
  const [lesson, setLesson] = useState<LessonTarget | null>(null);
  const busy = useRef(false);

  const askLost = (target: Target) =>
    new Promise<LostAnswer | null>((resolve) => setDialog({ kind: 'lost', target, resolve }));
  const askOverride = (target: Target, conflicts: IndependenceConflict[]) =>
    new Promise<string | null>((resolve) => setDialog({ kind: 'independence', target, conflicts, resolve }));

  const withLink = useCallback(
    (text: string, target: Target) => (
      <span data-testid="move-error">
        {text}
        {linkToOpportunity && (
          <>
            {' '}
            <Typography.Link onClick={() => navigate(`/opportunities/${target.id}`)} data-testid="move-error-link">
              {t('opp.openToFix')}
            </Typography.Link>
          </>
        )}
      </span>
    ),
    [linkToOpportunity, navigate, t],
  );

  const move = useCallback(
    async (target: Target, stage: Stage, extra: Partial<OpportunityMove> = {}): Promise<Opportunity | null> => {
      if (busy.current) return null;
      busy.current = true;
      try {
        let body: OpportunityMove = { stageId: stage.id, ...extra };
        if (stage.kind === 'won') {
          const confirmed = await modal.confirm({
            title: t('opp.winConfirmTitle', { name: target.name }),
            content: t('opp.winConfirm'),
            okText: t('opp.markWon'),
            cancelText: t('common.cancel'),
          });
          if (!confirmed) return null;
        }
        if (stage.kind === 'lost' && !body.lostReason) {
          const answer = await askLost(target);
          if (!answer) return null;
          body = { ...body, ...answer };
        }
        for (;;) {
          try {
            const moved = await opportunitiesApi.move(target.id, body);
            void queryClient.invalidateQueries({ queryKey: [opportunitiesApi.path] });
            void message.success(
              t(stage.kind === 'won' ? 'opp.wonDone' : stage.kind === 'lost' ? 'opp.lostDone' : 'opp.moved', {
                stage: stageName(stage, locale),
              }),
            );
            if (stage.kind !== 'open')
              setLesson({ id: target.id, name: target.name, outcome: stage.kind, competitor: moved.competitor });
            return moved;
          } catch (error) {
            if (isApiError(error, 'REASON_REQUIRED') && !body.lostReason) {
              const answer = await askLost(target);
              if (!answer) return null;
              body = { ...body, ...answer };
              continue;
            }
            if (isApiError(error, 'INDEPENDENCE_CONFLICT')) {
              // Won only with a partner's approval: the reason goes to them as an exception request.
              const conflicts = (error.details as { conflicts?: IndependenceConflict[] } | undefined)?.conflicts ?? [];
              const reason = await askOverride(target, conflicts);
              if (!reason) return null;
              await opportunitiesApi.requestIndependenceOverride(target.id, reason);
              void queryClient.invalidateQueries({ queryKey: [opportunitiesApi.path] });
              void message.success(t('opp.overrideRequested'));
              return null;
            }
            if (isApiError(error, 'STAGE_REQUIREMENTS_MISSING')) {
              const missing = ((error.details as { missing?: string[] } | undefined)?.missing ?? []).map((key) =>
                requirementLabel(t, key),
              );
              const text = missing.length
                ? t('opp.requirementsMissing', {
                    stage: stageName(stage, locale),
                    missing: missing.join(listSeparator(locale)),
                  })
                : error.message;
              void message.error({ content: withLink(text, target), duration: 8 });
              return null;
            }
            if (isApiError(error, 'ACCEPTANCE_INCOMPLETE') || isApiError(error, 'OPPORTUNITY_CLOSED')) {
              void message.error({
                content: withLink(
                  error.message ||
                    t(isApiError(error, 'OPPORTUNITY_CLOSED') ? 'opp.closedHint' : 'opp.acceptanceIncomplete'),
                  target,
                ),
                duration: 8,
              });
              return null;
            }
            toast(error);
            return null;
          }
        }
      } finally {
        busy.current = false;
      }
    },
    [modal, message, t, locale, queryClient, toast, withLink],
  );

  const element: ReactNode = (
    <>
      {dialog?.kind === 'lost' ? (
        <LostDialog dialog={dialog} onDone={() => setDialog(null)} />
      ) : dialog?.kind === 'independence' ? (
        <IndependenceDialog dialog={dialog} onDone={() => setDialog(null)} />
      ) : null}
      <LessonModal target={lesson} onClose={() => setLesson(null)} />
    </>
  );

  return { move, element };
}
