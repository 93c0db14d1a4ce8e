import { ExportOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Descriptions, Divider, Drawer, Flex, Skeleton, Steps, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { Instance } from '../../../common/schemas/workflows';
import { workflowInstancesApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { formatDateTime } from '../../components/format';
import { localName } from '../../components/labels';
import { Loaded } from '../../components/QueryState';
import { useIsMobile } from '../../components/responsive';
import { useLocale, useT } from '../../i18n';
import { DueTime, factValue, fieldLabel, InstanceStatusTag, stepText, subjectKindLabel } from './approval-ui';
import { InstanceTimeline, noteText } from './ApprovalTimeline';
import { DecisionPanel } from './DecisionPanel';

type Step = Instance['steps'][number];
type Assignment = Step['assignees'][number];

const DECISION_COLORS = { approve: 'success', reject: 'error', return: 'warning' } as const;

/** How a step stands: decided steps green, the rejecting one red, the current one in progress. */
function stepStatus(instance: Instance, step: Step): 'wait' | 'process' | 'finish' | 'error' {
  if (step.state === 'current') return 'process';
  if (step.state === 'done') return 'finish';
  const decisions = step.assignees.map((a) => a.decision);
  if (decisions.includes('reject')) return 'error';
  if (instance.status !== 'running' && decisions.includes('approve')) return 'finish';
  return 'wait';
}

/** A step's assignee: name, why they hold it (fallback, on someone's behalf), and their decision. */
function AssigneeLine({ a }: { a: Assignment }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <Flex gap={6} wrap align="center" data-testid="approval-assignee">
      <Typography.Text>{a.userName}</Typography.Text>
      {a.reason === 'fallback' && <Tag style={{ marginInlineEnd: 0 }}>{t('approval.reason.fallback')}</Tag>}
      {a.forUserName && a.reason !== 'fallback' && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t(`approval.reason.${a.reason === 'reassigned' ? 'reassigned' : 'for'}`, { name: a.forUserName })}
        </Typography.Text>
      )}
      {a.decision && (
        <Tag color={DECISION_COLORS[a.decision]} style={{ marginInlineEnd: 0 }}>
          {t(`approval.decision.${a.decision}`)}
        </Tag>
      )}
      {a.decidedAt && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {formatDateTime(a.decidedAt, locale)}
        </Typography.Text>
      )}
    </Flex>
  );
}

function InstanceDetail({ instance }: { instance: Instance }) {
  const t = useT();
  const { locale } = useLocale();
  const mobile = useIsMobile();
  const me = useMe();
  const step = stepText(t, locale, instance);
  return (
    <Flex vertical gap={16} data-testid="approval-detail">
      <Flex vertical gap={6}>
        <Flex gap={8} wrap align="center">
          <InstanceStatusTag status={instance.status} />
          <Tag style={{ marginInlineEnd: 0 }}>{subjectKindLabel(t, instance.subjectKind)}</Tag>
          <Link to={instance.summary.link} data-testid="approval-subject-link">
            <ExportOutlined /> {t('approval.openSubject')}
          </Link>
        </Flex>
        <Typography.Text type="secondary">
          {localName({ nameZh: instance.workflowNameZh, nameEn: instance.workflowNameEn }, locale)} ·{' '}
          {t('approval.version', { version: instance.version })}
          {step && ` · ${step}`}
        </Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('approval.submittedBy', {
            name: instance.submittedByName,
            time: formatDateTime(instance.submittedAt, locale),
          })}
          {instance.endedAt && ` · ${t('approval.endedAt', { time: formatDateTime(instance.endedAt, locale) })}`}
        </Typography.Text>
        <DueTime at={instance.dueAt} />
      </Flex>
      {instance.summary.facts.length > 0 && (
        <Descriptions
          size="small"
          bordered
          column={mobile ? 1 : 2}
          data-testid="approval-facts-table"
          items={instance.summary.facts.map((fact) => ({
            key: fact.key,
            label: fieldLabel(t, fact.key),
            children: <Typography.Text strong={fact.money}>{factValue(instance.subjectKind, fact)}</Typography.Text>,
          }))}
        />
      )}
      {instance.status === 'returned' && instance.submittedBy === me.user.id && (
        <Alert type="warning" showIcon title={t('approval.returnedHint')} data-testid="approval-returned-hint" />
      )}
      <DecisionPanel instance={instance} />
      <div>
        <Divider titlePlacement="start" style={{ marginBlock: '0 12px' }}>
          {t('approval.steps')}
        </Divider>
        <Steps
          orientation="vertical"
          size="small"
          // Each step says its own status; none is "current" once the approval waits for nobody.
          current={instance.steps.findIndex((s) => s.state === 'current')}
          data-testid="approval-steps"
          items={instance.steps.map((s) => ({
            key: s.position,
            status: stepStatus(instance, s),
            title: localName(s, locale),
            subTitle: t(`workflow.mode.${s.mode}`),
            content: (
              <Flex vertical gap={2} style={{ paddingBottom: 8 }}>
                {s.assignees.map((a) => (
                  <AssigneeLine key={`${a.userId}-${a.forUserId ?? ''}`} a={a} />
                ))}
                {s.note && (
                  <Typography.Text type="warning" style={{ fontSize: 12 }}>
                    {noteText(t, s.note)}
                  </Typography.Text>
                )}
                {s.dueAt && <DueTime at={s.dueAt} />}
              </Flex>
            ),
          }))}
        />
      </div>
      <div>
        <Divider titlePlacement="start" style={{ marginBlock: '0 12px' }}>
          {t('approval.history')}
        </Divider>
        <InstanceTimeline instance={instance} />
      </div>
    </Flex>
  );
}

/** One approval in full beside the inbox: what is being approved, its steps and history, what the reader may do. */
export function InstanceDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const mobile = useIsMobile();
  const instance = useQuery({
    queryKey: [workflowInstancesApi.path, id],
    queryFn: () => workflowInstancesApi.get(id!),
    enabled: id !== null,
  });
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      size={mobile ? '100%' : 720}
      destroyOnHidden
      title={instance.data?.summary.title ?? ' '}
      data-testid="approval-drawer"
      styles={{ body: { paddingTop: 12 } }}
    >
      <Loaded query={instance} loading={<Skeleton active paragraph={{ rows: 8 }} />} compact={false}>
        {() => <InstanceDetail instance={instance.data!} />}
      </Loaded>
    </Drawer>
  );
}
