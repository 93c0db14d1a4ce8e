import { useQuery } from '@tanstack/react-query';
import { Collapse, Flex, Timeline, Typography } from 'antd';
import { Link } from 'react-router';
import type { Instance, Transition, WorkflowSubjectKind } from '../../../common/schemas/workflows';
import { workflowInstancesApi } from '../../api/resources';
import { AttachmentLink } from '../../components/AttachmentLink';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { dynamicKey, listSeparator, localName } from '../../components/labels';
import { Loaded } from '../../components/QueryState';
import { useLocale, useT, type Translate } from '../../i18n';
import type { Locale } from '../../../common/i18n';
import { InstanceStatusTag } from './approval-ui';

const COLORS: Partial<Record<Transition['action'], string>> = {
  submit: 'blue',
  approve: 'green',
  reject: 'red',
  return: 'orange',
  withdraw: 'gray',
  overdue: 'red',
};

/** Why a step went to someone other than whom the flow names (workflow.note.*). */
export const noteText = (t: Translate, note: string) => dynamicKey(t, `workflow.note.${note}`, note);

/** One transition as a sentence: 王建国 同意 · 第 2 步「部门经理审批」开始，审批人：王建国 … */
function sentence(t: Translate, locale: Locale, instance: Instance, tr: Transition): string {
  const actor = tr.forUserName
    ? t('approval.onBehalf', { actor: tr.actorName ?? t('audit.system'), for: tr.forUserName })
    : (tr.actorName ?? t('audit.system'));
  const stepName = (position: number | null) => {
    const step = position ? instance.steps[position - 1] : undefined;
    return step ? localName(step, locale) : '';
  };
  const people = tr.assignees.map((a) => a.name).join(listSeparator(locale));
  switch (tr.action) {
    case 'step':
      return t('approval.tr.step', { step: tr.step ?? 0, name: stepName(tr.step), people });
    case 'return':
      return tr.toStep
        ? t('approval.tr.returnToStep', { actor, step: tr.toStep, name: stepName(tr.toStep) })
        : t('approval.tr.returnToSubmitter', { actor });
    case 'delegate':
      return t('approval.tr.delegate', { actor: tr.actorName ?? t('audit.system'), people });
    case 'reassign':
      return t('approval.tr.reassign', { for: tr.forUserName ?? '', people });
    case 'overdue':
      return t('approval.tr.overdue', { step: tr.step ?? 0, name: stepName(tr.step) });
    default:
      return t(`approval.tr.${tr.action}`, { actor });
  }
}

/** The history of one approval, oldest first, and who it waits for now. */
export function InstanceTimeline({ instance }: { instance: Instance }) {
  const t = useT();
  const { locale } = useLocale();
  const current = instance.steps.find((s) => s.state === 'current');
  const waitingFor = current?.assignees.filter((a) => !a.decision).map((a) => a.userName) ?? [];
  return (
    <Timeline
      style={{ marginTop: 8 }}
      data-testid="approval-timeline"
      items={[
        ...instance.transitions.map((tr) => ({
          key: tr.id,
          color: COLORS[tr.action] ?? 'gray',
          content: (
            <Flex vertical gap={2} data-testid="approval-transition" data-action={tr.action}>
              <Typography.Text strong={tr.action !== 'step'}>{sentence(t, locale, instance, tr)}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatDateTime(tr.at, locale)}
              </Typography.Text>
              {tr.note && (
                <Typography.Text type="warning" style={{ fontSize: 13 }}>
                  {noteText(t, tr.note)}
                </Typography.Text>
              )}
              {tr.comment && (
                <Typography.Paragraph
                  style={{
                    whiteSpace: 'pre-wrap',
                    margin: '2px 0 0',
                    padding: '4px 10px',
                    background: '#fafafa',
                    borderInlineStart: '3px solid #d9d9d9',
                  }}
                  data-testid="approval-comment"
                >
                  {tr.comment}
                </Typography.Paragraph>
              )}
              {tr.attachments.length > 0 && (
                <Flex gap={12} wrap data-testid="approval-attachments">
                  {tr.attachments.map((a) => (
                    <AttachmentLink
                      key={a.id}
                      href={workflowInstancesApi.attachmentUrl(instance.id, a.id)}
                      attachment={a}
                    />
                  ))}
                </Flex>
              )}
            </Flex>
          ),
        })),
        ...(instance.status === 'running' && waitingFor.length
          ? [
              {
                key: 'waiting',
                loading: true,
                content: (
                  <Typography.Text type="secondary">
                    {t('approval.waitingFor', { people: waitingFor.join(listSeparator(locale)) })}
                  </Typography.Text>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

/** An earlier approval's history, read when its panel is first opened. */
function EarlierTimeline({ id }: { id: string }) {
  const instance = useQuery({ queryKey: [workflowInstancesApi.path, id], queryFn: () => workflowInstancesApi.get(id) });
  return <Loaded query={instance}>{() => <InstanceTimeline instance={instance.data!} />}</Loaded>;
}

/**
 * The approval timeline of a subject (a quote, an independence override …) for its own page: every
 * approval it went through, newest first — the newest open with its full history, each earlier one's
 * history read when it is opened. Whoever may see the subject may see them.
 */
export function ApprovalTimeline({ subjectKind, subjectId }: { subjectKind: WorkflowSubjectKind; subjectId: string }) {
  const t = useT();
  const { locale } = useLocale();
  const approvals = useQuery({
    queryKey: [workflowInstancesApi.path, 'subject', subjectKind, subjectId],
    queryFn: () => workflowInstancesApi.ofSubject(subjectKind, subjectId),
  });
  return (
    <Loaded query={approvals}>
      {() => {
        const { latest, earlier } = approvals.data!;
        return !latest ? (
          <EmptyState title={t('approval.historyEmpty')} />
        ) : (
          <Collapse
            size="small"
            ghost
            defaultActiveKey={[latest.id]}
            data-testid="subject-approvals"
            items={[latest, ...earlier].map((instance) => ({
              key: instance.id,
              label: (
                <Flex gap={8} wrap align="center">
                  <InstanceStatusTag status={instance.status} />
                  <Typography.Text strong>
                    {localName({ nameZh: instance.workflowNameZh, nameEn: instance.workflowNameEn }, locale)}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('approval.submittedBy', {
                      name: instance.submittedByName,
                      time: formatDateTime(instance.submittedAt, locale),
                    })}
                  </Typography.Text>
                </Flex>
              ),
              extra: (
                <Link to={`/approvals?open=${instance.id}`} onClick={(e) => e.stopPropagation()}>
                  {t('approval.openInInbox')}
                </Link>
              ),
              children:
                instance === latest ? <InstanceTimeline instance={latest} /> : <EarlierTimeline id={instance.id} />,
            }))}
          />
        );
      }}
    </Loaded>
  );
}
