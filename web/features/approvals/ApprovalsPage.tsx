import { Badge, Button, Card, Flex, Segmented, Tabs, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import {
  APPROVAL_BOXES,
  WORKFLOW_SUBJECT_KINDS,
  type InstanceSummary,
  type WorkflowSubjectKind,
} from '../../../common/schemas/workflows';
import { usePage } from '../../api/queries';
import { approvalsApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../components/format';
import { localName } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { useServerTable } from '../../components/server-table';
import { useLocale, useT } from '../../i18n';
import { useApprovalCount } from './ApprovalCountBadge';
import { DueTime, InstanceStatusTag, stepText, SubjectFacts, subjectKindLabel } from './approval-ui';
import { InstanceDrawer } from './InstanceDrawer';

type Box = (typeof APPROVAL_BOXES)[number];
type Paging = { subjectKind?: WorkflowSubjectKind; page: number; pageSize: number };

const isBox = (value: string | null): value is Box => (APPROVAL_BOXES as readonly (string | null)[]).includes(value);

/**
 * 审批: the approvals waiting for me (the longest waiting first), those I sent, and those I decided, each
 * with what is being approved inline; one opens beside the list with its history and my actions
 * (`?open=<id>`, which notifications link to).
 */
export function ApprovalsPage() {
  const t = useT();
  const { locale } = useLocale();
  const [search, setSearch] = useSearchParams();
  const box: Box = isBox(search.get('box')) ? (search.get('box') as Box) : 'waiting';
  const openId = search.get('open');
  const [paging, setPaging] = useState<Paging>({ page: 1, pageSize: 20 });
  const page = usePage(approvalsApi, { ...paging, box });
  const count = useApprovalCount();
  const table = useServerTable<InstanceSummary, Paging>(paging, setPaging, page.data?.total);

  const setSearchParam = (key: string, value: string | null) =>
    setSearch(
      (s) => {
        const n = new URLSearchParams(s);
        if (value === null) n.delete(key);
        else n.set(key, value);
        return n;
      },
      { replace: key === 'box' },
    );
  const open = (id: string) => setSearchParam('open', id);

  const columns: TableProps<InstanceSummary>['columns'] = [
    {
      key: 'subject',
      title: t('approval.subject'),
      render: (_, i) => (
        <Flex vertical gap={2} style={{ minWidth: 0, maxWidth: 380, whiteSpace: 'normal' }}>
          <Typography.Link strong onClick={() => open(i.id)} data-testid="approval-open">
            {i.summary.title}
          </Typography.Link>
          <SubjectFacts kind={i.subjectKind} summary={i.summary} />
        </Flex>
      ),
    },
    {
      key: 'flow',
      title: t('approval.flow'),
      render: (_, i) => (
        <Flex vertical gap={2} style={{ maxWidth: 220, whiteSpace: 'normal' }}>
          <span>{localName({ nameZh: i.workflowNameZh, nameEn: i.workflowNameEn }, locale)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {i.status === 'returned' ? t('approval.waitingSubmitter') : stepText(t, locale, i)}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'submitter',
      title: t('approval.submitter'),
      render: (_, i) => (
        <Flex vertical gap={2}>
          <span>{i.submittedByName}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {formatDateTime(i.submittedAt, locale)}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'due',
      title: t(box === 'waiting' ? 'approval.due' : 'approval.dueOrEnded'),
      render: (_, i) =>
        i.endedAt ? (
          formatDateTime(i.endedAt, locale)
        ) : i.dueAt ? (
          <DueTime at={i.dueAt} />
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    { key: 'status', title: t('common.status'), render: (_, i) => <InstanceStatusTag status={i.status} /> },
    {
      key: 'actions',
      title: t('common.actions'),
      fixed: 'right',
      render: (_, i) => (
        <Button
          size="small"
          type={box === 'waiting' ? 'primary' : 'default'}
          onClick={() => open(i.id)}
          data-testid="approval-row-open"
        >
          {t(box === 'waiting' ? 'approval.handle' : 'approval.view')}
        </Button>
      ),
    },
  ];

  const waiting = count.data ?? 0;
  return (
    <PageContainer title={t('approval.nav')} hint={t('approval.pageHint')}>
      <Card styles={{ body: { paddingTop: 4 } }}>
        <Tabs
          activeKey={box}
          onChange={(key) => {
            setPaging((p) => ({ ...p, page: 1 }));
            setSearchParam('box', key);
          }}
          data-testid="approval-boxes"
          items={APPROVAL_BOXES.map((key) => ({
            key,
            label:
              key === 'waiting' ? (
                <Flex gap={6} align="center">
                  {t('approval.box.waiting')}
                  <Badge count={waiting} size="small" overflowCount={99} />
                </Flex>
              ) : (
                t(`approval.box.${key}`)
              ),
          }))}
        />
        <Flex gap={8} wrap align="center" style={{ marginBottom: 12 }}>
          <Segmented<WorkflowSubjectKind | 'all'>
            value={paging.subjectKind ?? 'all'}
            onChange={(v) => setPaging((p) => ({ ...p, subjectKind: v === 'all' ? undefined : v, page: 1 }))}
            options={[
              { value: 'all', label: t('common.all') },
              ...WORKFLOW_SUBJECT_KINDS.map((k) => ({ value: k, label: subjectKindLabel(t, k) })),
            ]}
            // On a phone the kinds scroll sideways rather than widen the page.
            style={{ maxWidth: '100%', overflowX: 'auto' }}
            data-testid="approval-kind-filter"
          />
        </Flex>
        <DataTable<InstanceSummary>
          {...table.props(
            page,
            columns,
            <EmptyState
              title={t(`approval.empty.${box}`)}
              hint={paging.subjectKind ? undefined : t(`approval.emptyHint.${box}`)}
            />,
          )}
          cards={{ fields: ['flow', 'submitter', 'due', 'status'] }}
          data-testid="approvals-table"
        />
      </Card>
      <InstanceDrawer id={openId} onClose={() => setSearchParam('open', null)} />
    </PageContainer>
  );
}
