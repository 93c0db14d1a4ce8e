import { EditOutlined, HistoryOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Collapse, Descriptions, Flex, Modal, Tag, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import {
  WORKFLOW_SUBJECT_KINDS,
  type Workflow,
  type WorkflowCondition,
  type WorkflowStep,
  type WorkflowSubjectKind,
} from '../../../common/schemas/workflows';
import { workflowsApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { localName } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { StatusTag } from '../../components/StatusTag';
import { useLocale, useT } from '../../i18n';
import { subjectKindLabel } from './approval-ui';
import { WorkflowFormDrawer } from './WorkflowFormDrawer';
import { useWorkflowWords } from './workflow-ui';

/** A flow's conditions in words: 报价金额 大于或等于 ¥100,000.00，且 … — or "every request". */
function Conditions({ kind, conditions }: { kind: WorkflowSubjectKind; conditions: WorkflowCondition[] }) {
  const t = useT();
  const words = useWorkflowWords();
  if (conditions.length === 0) return <Typography.Text type="secondary">{t('workflow.always')}</Typography.Text>;
  return (
    <Flex vertical gap={0}>
      {conditions.map((c, i) => (
        <span key={i}>
          {i > 0 && <Typography.Text type="secondary">{t('workflow.and')} </Typography.Text>}
          {words.condition(kind, c)}
        </span>
      ))}
    </Flex>
  );
}

/** The steps in order, each with who decides it: 1. 部门经理审批 — 对象所属部门的 部门经理 */
function Steps({ steps }: { steps: WorkflowStep[] }) {
  const t = useT();
  const { locale } = useLocale();
  const words = useWorkflowWords();
  return (
    <Flex vertical gap={0}>
      {steps.map((s, i) => (
        <span key={i}>
          {i + 1}. {localName(s, locale)}{' '}
          <Typography.Text type="secondary">
            — {words.assignee(s.assignee)}
            {s.mode === 'all' && ` · ${t('workflow.mode.all')}`}
            {s.timeLimitHours && ` · ${t('workflow.hoursLimit', { hours: s.timeLimitHours })}`}
          </Typography.Text>
        </span>
      ))}
    </Flex>
  );
}

/** Every saved version of a flow, newest first: what it tested, its steps and its fallback person. */
function VersionsModal({ workflow, onClose }: { workflow: Workflow | null; onClose: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const words = useWorkflowWords();
  const versions = useQuery({
    queryKey: [workflowsApi.path, workflow?.id, 'versions'],
    queryFn: () => workflowsApi.versions(workflow!.id),
    enabled: workflow !== null,
  });
  return (
    <Modal
      open={workflow !== null}
      onCancel={onClose}
      footer={null}
      width={760}
      destroyOnHidden
      title={workflow ? t('workflow.versionsTitle', { name: localName(workflow, locale) }) : null}
    >
      <Loaded query={versions}>
        {() => (
          <Collapse
            size="small"
            defaultActiveKey={[String(versions.data![0]?.version)]}
            data-testid="workflow-versions"
            items={[...versions.data!]
              .sort((a, b) => b.version - a.version)
              .map((v) => ({
                key: String(v.version),
                label: (
                  <Flex gap={8} wrap align="center">
                    <Typography.Text strong>{t('approval.version', { version: v.version })}</Typography.Text>
                    {v.version === workflow?.version && <Tag color="blue">{t('workflow.current')}</Tag>}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {formatDateTime(v.createdAt, locale)} · {v.createdByName ?? t('audit.system')}
                    </Typography.Text>
                  </Flex>
                ),
                children: (
                  <Descriptions
                    size="small"
                    column={1}
                    items={[
                      { key: 'names', label: t('common.name'), children: `${v.nameZh} / ${v.nameEn}` },
                      {
                        key: 'conditions',
                        label: t('workflow.conditions'),
                        children: <Conditions kind={workflow!.subjectKind} conditions={v.conditions} />,
                      },
                      { key: 'steps', label: t('workflow.steps'), children: <Steps steps={v.steps} /> },
                      { key: 'fallback', label: t('workflow.fallback'), children: words.person(v.fallbackUserId) },
                    ]}
                  />
                ),
              }))}
          />
        )}
      </Loaded>
    </Modal>
  );
}

/**
 * 审批流程 (workflows:manage): per kind of request, the flows tried in priority order (the first whose
 * conditions all hold runs), each edited as a new version; the versions stay readable.
 */
export function WorkflowsPage() {
  const t = useT();
  const { locale } = useLocale();
  const flows = useQuery({ queryKey: [workflowsApi.path], queryFn: () => workflowsApi.list() });
  const [editing, setEditing] = useState<{ workflow: Workflow | null; kind: WorkflowSubjectKind } | null>(null);
  const [history, setHistory] = useState<Workflow | null>(null);

  const columns: TableProps<Workflow>['columns'] = [
    {
      key: 'name',
      title: t('common.name'),
      render: (_, w) => (
        <Flex vertical gap={2}>
          <Typography.Text strong>{localName(w, locale)}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('workflow.priorityN', { priority: w.priority })} · {t('approval.version', { version: w.version })}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'conditions',
      title: t('workflow.conditions'),
      render: (_, w) => <Conditions kind={w.subjectKind} conditions={w.conditions} />,
    },
    { key: 'steps', title: t('workflow.steps'), render: (_, w) => <Steps steps={w.steps} /> },
    { key: 'fallback', title: t('workflow.fallback'), render: (_, w) => w.fallbackUserName ?? '—' },
    {
      key: 'running',
      title: t('workflow.running'),
      align: 'right',
      render: (_, w) => w.runningCount,
    },
    { key: 'status', title: t('common.status'), render: (_, w) => <StatusTag active={w.active} /> },
    {
      key: 'actions',
      title: t('common.actions'),
      fixed: 'right',
      render: (_, w) => (
        <Flex gap={4}>
          <Button
            size="small"
            icon={<EditOutlined />}
            onClick={() => setEditing({ workflow: w, kind: w.subjectKind })}
            data-testid="workflow-edit"
          >
            {t('common.edit')}
          </Button>
          <Button
            size="small"
            type="text"
            icon={<HistoryOutlined />}
            onClick={() => setHistory(w)}
            data-testid="workflow-versions-open"
          >
            {t('workflow.versions')}
          </Button>
        </Flex>
      ),
    },
  ];

  return (
    <PageContainer title={t('workflow.nav')} hint={t('workflow.pageHint')}>
      {WORKFLOW_SUBJECT_KINDS.map((kind) => {
        const rows = flows.data
          ?.filter((w) => w.subjectKind === kind)
          .sort((a, b) => a.priority - b.priority || Number(b.active) - Number(a.active));
        return (
          <Card
            key={kind}
            title={subjectKindLabel(t, kind)}
            data-testid={`workflows-${kind}`}
            extra={
              <Button
                type="primary"
                size="small"
                icon={<PlusOutlined />}
                onClick={() => setEditing({ workflow: null, kind })}
                data-testid={`workflow-new-${kind}`}
              >
                {t('workflow.new')}
              </Button>
            }
          >
            <Typography.Paragraph type="secondary">{t(`workflow.kindHint.${kind}`)}</Typography.Paragraph>
            <DataTable<Workflow>
              rowKey="id"
              size="small"
              pagination={false}
              query={flows}
              dataSource={rows}
              columns={columns}
              cards={{ fields: ['conditions', 'steps', 'fallback', 'status'] }}
              empty={<EmptyState title={t('workflow.empty', { kind: subjectKindLabel(t, kind) })} />}
            />
          </Card>
        );
      })}
      <WorkflowFormDrawer
        open={editing !== null}
        workflow={editing?.workflow ?? null}
        kind={editing?.kind ?? 'quote'}
        onClose={() => setEditing(null)}
      />
      <VersionsModal workflow={history} onClose={() => setHistory(null)} />
    </PageContainer>
  );
}
