import {
  ArrowLeftOutlined,
  CloseCircleOutlined,
  EditOutlined,
  PieChartOutlined,
  SendOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Popconfirm,
  Space,
  Tag,
  Typography,
  type TableProps,
} from 'antd';
import { useEffect, useMemo, useState, type HTMLAttributes } from 'react';
import { Link, useParams } from 'react-router';
import type { Sheet, SheetLine } from '../../../common/schemas/commissions';
import { useWrite } from '../../api/queries';
import { commissionSheetsApi, workflowInstancesApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { useRecordTitle } from '../../components/document-title';
import { applyServerErrors, useErrorToast } from '../../components/errors';
import { formatDate, formatDateTime } from '../../components/format';
import { formatMoney, multiplyMoney } from '../../components/money';
import { MoneyInput } from '../../components/MoneyInput';
import { PageContainer } from '../../components/PageContainer';
import { RecordQueryResult } from '../../components/Results';
import { useLocale, useT } from '../../i18n';
import { ApprovalTimeline } from '../approvals/ApprovalTimeline';
import { DecisionPanel } from '../approvals/DecisionPanel';
import { DownloadButton } from '../contracts/DownloadButton';
import { MoneyCell } from '../contracts/contract-ui';
import { testId } from '../opportunities/opportunity-ui';
import { COMMISSION_INVALIDATES, FormulaStepText, roleText, SheetStatusTag } from './commission-ui';

const CIRCLED = ['', '①', '②', '③', '④', '⑤'];

/** The people of the sheet's pools split by shares (the project lead enters their shares). */
function shareMembers(sheet: Sheet): { userId: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const line of sheet.lines)
    if (line.explanation.steps.some((s) => s.kind === 'share' && s.split === 'shares'))
      seen.set(line.userId, line.name);
  for (const userId of Object.keys(sheet.shares)) if (!seen.has(userId)) seen.set(userId, userId.slice(0, 8));
  return [...seen].map(([userId, name]) => ({ userId, name }));
}

/**
 * 分配表: one month of a contract (or order) — what it received, the hours, a line per person and side that
 * explains itself (rule, policy version, formula with the numbers), the pools, and the five-step flow: ① the
 * owner fills in and submits, ②–⑤ whoever holds the step may adjust lines with a reason; paid at the last approval.
 */
export function SheetPage() {
  const { id = '' } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const query = useQuery({
    queryKey: [commissionSheetsApi.path, 'one', id],
    queryFn: () => commissionSheetsApi.get(id),
    retry: false,
  });
  const approvals = useQuery({
    queryKey: [workflowInstancesApi.path, 'subject', 'commission-sheet', id],
    queryFn: () => workflowInstancesApi.ofSubject('commission-sheet', id),
    // Also for a draft: one returned to its writer shows why.
    enabled: Boolean(query.data),
  });
  const latest = approvals.data?.latest ?? null;
  // A decision taken below moves the sheet on (a return, the payout): read it again then.
  const decided = latest ? `${latest.status}.${latest.round}.${latest.transitions.length}` : '';
  const refetchSheet = query.refetch;
  useEffect(() => {
    if (decided) void refetchSheet();
  }, [decided, refetchSheet]);
  const submit = useWrite(() => commissionSheetsApi.submit(id), COMMISSION_INVALIDATES);
  const cancel = useWrite(() => commissionSheetsApi.cancel(id), COMMISSION_INVALIDATES);
  const [adjusting, setAdjusting] = useState<SheetLine | null>(null);
  const [sharing, setSharing] = useState(false);
  const s = query.data;
  useRecordTitle(s ? t('commission.sheet.title', { period: s.period }) : undefined);
  if (!s) return <RecordQueryResult query={query} />;

  const colon = locale === 'zh-CN' ? '：' : ': ';
  const draft = s.status === 'draft';
  const mayAdjust = (draft && s.mayChange) || s.heldStep !== null;
  const members = shareMembers(s);
  const policyId = s.lines[0]?.explanation.policyId;
  const send = () =>
    submit
      .mutateAsync(undefined)
      .then(
        (after) =>
          void message.success(
            t(after.status === 'paid' ? 'commission.sheet.paidAtOnce' : 'commission.sheet.submitted'),
          ),
        toast,
      );
  const cancelIt = () =>
    cancel.mutateAsync(undefined).then(() => void message.success(t('commission.sheet.cancelled')), toast);

  return (
    <PageContainer
      title={
        <Flex align="center" gap={8} wrap>
          <Link to="/commissions/sheets" aria-label={t('commission.sheet.back')}>
            <ArrowLeftOutlined />
          </Link>
          <span data-testid="sheet-title">{t('commission.sheet.title', { period: s.period })}</span>
          <SheetStatusTag status={s.status} />
        </Flex>
      }
      hint={
        <>
          {s.contractId ? t('commission.sheet.contract') : t('commission.sheet.order')}
          {colon}
          <Link to={s.contractId ? `/contracts/${s.contractId}` : `/orders/${s.orderId}`} data-testid="sheet-subject">
            {s.subjectNumber ? `${s.subjectNumber} ` : ''}
            {s.subjectTitle}
          </Link>
          {' · '}
          {t('commission.sheet.customer')}
          {colon}
          {s.customerName}
          {' · '}
          {t('commission.sheet.owner')}
          {colon}
          <Typography.Text strong>{s.ownerName}</Typography.Text>
        </>
      }
      extra={
        <>
          {mayAdjust && members.length > 0 && (
            <Button icon={<PieChartOutlined />} onClick={() => setSharing(true)} data-testid="sheet-shares">
              {t('commission.sheet.sharesTitle')}
            </Button>
          )}
          {draft && s.mayChange && (
            <>
              <Popconfirm
                title={t('commission.sheet.submitConfirmTitle')}
                description={<div style={{ maxWidth: 340 }}>{t('commission.sheet.submitConfirm')}</div>}
                okText={t('commission.sheet.submit')}
                onConfirm={send}
                okButtonProps={testId('sheet-submit-confirm')}
              >
                <Button type="primary" icon={<SendOutlined />} loading={submit.isPending} data-testid="sheet-submit">
                  {t('commission.sheet.submit')}
                </Button>
              </Popconfirm>
              <Popconfirm
                title={t('commission.sheet.cancelConfirmTitle')}
                description={<div style={{ maxWidth: 320 }}>{t('commission.sheet.cancelConfirm')}</div>}
                okText={t('commission.sheet.cancel')}
                onConfirm={cancelIt}
                okButtonProps={{ danger: true, ...testId('sheet-cancel-confirm') }}
              >
                <Button danger icon={<CloseCircleOutlined />} loading={cancel.isPending} data-testid="sheet-cancel">
                  {t('commission.sheet.cancel')}
                </Button>
              </Popconfirm>
            </>
          )}
          {s.status === 'paid' && can(me, 'commissions:configure') && (
            <DownloadButton
              url={commissionSheetsApi.payoutUrl(s.id)}
              filename={`commission-${s.period}-${s.subjectNumber ?? s.id.slice(0, 8)}.xlsx`}
              data-testid="sheet-payout"
            >
              {t('commission.sheet.payout')}
            </DownloadButton>
          )}
        </>
      }
    >
      {s.heldStep !== null && (
        <Alert
          type="warning"
          showIcon
          data-testid="sheet-held"
          data-step={s.heldStep}
          title={t('commission.sheet.held', {
            circled: CIRCLED[s.heldStep] ?? String(s.heldStep),
            name: t(`commission.sheet.step.${s.heldStep as 2 | 3 | 4 | 5}`),
          })}
          description={t('commission.sheet.heldHint')}
        />
      )}
      {s.ownLinesOnly && (
        <Alert type="info" showIcon title={t('commission.sheet.ownLinesOnly')} data-testid="sheet-own-lines" />
      )}
      <Card size="small" data-testid="sheet-summary">
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, xl: 4 }}
          items={[
            { key: 'period', label: t('commission.sheet.period'), children: s.period },
            { key: 'line', label: t('commission.sheet.businessLine'), children: s.businessLineName },
            {
              key: 'policy',
              label: t('commission.sheet.policyVersion'),
              children: (
                <Link to={`/commissions/policies${policyId ? `?v=${policyId}` : ''}`} data-testid="sheet-policy">
                  {t('commission.policy.versionN', { version: s.policyVersion })}
                </Link>
              ),
            },
            {
              key: 'paidOn',
              label: t('commission.sheet.paidOn'),
              children: s.paidOn ? formatDate(s.paidOn, locale) : '—',
            },
            { key: 'received', label: t('commission.sheet.received'), children: <MoneyCell value={s.received} /> },
            {
              key: 'receivedBefore',
              label: t('commission.sheet.receivedBefore'),
              children: <MoneyCell value={s.receivedBefore} />,
            },
            {
              key: 'hours',
              label: t('commission.sheet.hours'),
              children: t('commission.sheet.hoursValue', { hours: s.hours }),
            },
            {
              key: 'total',
              label: t('commission.sheet.total'),
              children: (
                <span data-testid="sheet-total">
                  <MoneyCell value={s.total} strong />
                </span>
              ),
            },
          ]}
        />
      </Card>
      {s.pools.length > 0 && <PoolsCard sheet={s} />}
      <Card size="small" title={t('commission.sheet.lines')}>
        <LinesTable sheet={s} mayAdjust={mayAdjust} onAdjust={setAdjusting} />
      </Card>
      {(s.status !== 'draft' || latest) && (
        <Card size="small" title={t('commission.sheet.flow')} data-testid="sheet-approvals">
          <Flex vertical gap={12}>
            {latest && (latest.mayDecide || latest.mayWithdraw) && latest.status === 'running' && (
              <DecisionPanel instance={latest} />
            )}
            <ApprovalTimeline subjectKind="commission-sheet" subjectId={s.id} />
          </Flex>
        </Card>
      )}
      {adjusting && <AdjustModal sheet={s} line={adjusting} onClose={() => setAdjusting(null)} />}
      {sharing && <SharesModal sheet={s} members={members} onClose={() => setSharing(false)} />}
    </PageContainer>
  );
}

/** Each pool of the sheet: its amount, and what is left undistributed (no hours, no shares yet). */
function PoolsCard({ sheet }: { sheet: Sheet }) {
  const t = useT();
  return (
    <Card size="small" title={t('commission.sheet.pools')} data-testid="sheet-pools">
      <List
        size="small"
        dataSource={sheet.pools}
        renderItem={(p) => (
          <List.Item data-testid="sheet-pool" data-rule={p.ruleKey} extra={<MoneyCell value={p.pool} strong />}>
            <Flex vertical gap={4}>
              <span>{t('commission.sheet.pool', { key: p.ruleKey })}</span>
              {p.reason ? (
                <Typography.Text type="warning" data-testid="sheet-pool-undistributed">
                  <WarningOutlined />{' '}
                  {t(`commission.sheet.undistributed.${p.reason}`, {
                    key: p.ruleKey,
                    amount: formatMoney(p.undistributed),
                  })}
                </Typography.Text>
              ) : (
                <Typography.Text type="secondary">{t('commission.sheet.allDistributed')}</Typography.Text>
              )}
            </Flex>
          </List.Item>
        )}
      />
    </Card>
  );
}

/** The lines: person, side, role, method, what the policy gave and what stands; each expands to its explanation. */
function LinesTable({
  sheet,
  mayAdjust,
  onAdjust,
}: {
  sheet: Sheet;
  mayAdjust: boolean;
  onAdjust: (line: SheetLine) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const columns: TableProps<SheetLine>['columns'] = [
    {
      key: 'person',
      title: t('commission.sheet.person'),
      fixed: 'left',
      render: (_, l) => (
        <Typography.Text strong={l.userId === me.user.id} data-testid="line-person">
          {l.name}
        </Typography.Text>
      ),
    },
    {
      key: 'department',
      title: t('commission.sheet.department'),
      render: (_, l) => l.departmentName ?? '—',
    },
    { key: 'side', title: t('commission.sheet.side'), render: (_, l) => t(`commission.side.${l.side}`) },
    { key: 'role', title: t('commission.sheet.role'), render: (_, l) => roleText(t, l.role) },
    { key: 'method', title: t('commission.sheet.method'), render: (_, l) => t(`commission.method.${l.method}`) },
    {
      key: 'computed',
      title: t('commission.sheet.computed'),
      align: 'right',
      render: (_, l) => <MoneyCell value={l.computed} />,
    },
    {
      key: 'amount',
      title: t('commission.sheet.amount'),
      align: 'right',
      render: (_, l) =>
        l.adjusted ? (
          <Flex vertical align="flex-end" gap={2} data-testid="line-adjusted">
            <span style={{ background: '#fff7e6', padding: '0 4px', borderRadius: 4 }}>
              <Tag color="orange" style={{ marginInlineEnd: 4 }}>
                {t('commission.sheet.adjustedTag')}
              </Tag>
              <span data-testid="line-amount">
                <MoneyCell value={l.amount} strong />
              </span>
            </span>
            <Typography.Text
              type="secondary"
              style={{ fontSize: 12, whiteSpace: 'normal', maxWidth: 260, textAlign: 'end' }}
            >
              {t('commission.sheet.adjustedBy', {
                name: l.adjusted.byName,
                step: CIRCLED[l.adjusted.step] ?? l.adjusted.step,
                reason: l.adjusted.reason,
              })}{' '}
              · {formatDateTime(l.adjusted.at, locale)}
            </Typography.Text>
          </Flex>
        ) : (
          <span data-testid="line-amount">
            <MoneyCell value={l.amount} strong />
          </span>
        ),
    },
    {
      key: 'paidOn',
      title: t('commission.sheet.paidOn'),
      render: (_, l) =>
        l.paidOn ? formatDate(l.paidOn, locale) : <Typography.Text type="secondary">—</Typography.Text>,
    },
    ...(mayAdjust
      ? [
          {
            key: 'actions',
            title: '',
            render: (_: unknown, l: SheetLine) => (
              <Button
                size="small"
                type="link"
                icon={<EditOutlined />}
                onClick={() => onAdjust(l)}
                data-testid="line-adjust"
              >
                {t('commission.sheet.adjust')}
              </Button>
            ),
          },
        ]
      : []),
  ];
  return (
    <DataTable<SheetLine>
      data-testid="sheet-lines"
      rowKey="id"
      columns={columns}
      dataSource={sheet.lines}
      pagination={false}
      className="gd-nowrap"
      cards={{ fields: ['role', 'method', 'computed', 'amount'] }}
      empty={<Typography.Text type="secondary">{t('commission.sheet.noLines')}</Typography.Text>}
      expandable={{
        expandedRowRender: (l) => <Explanation sheet={sheet} line={l} />,
        rowExpandable: () => true,
        // A short sheet opens with every line's formula shown (a long one: click a line's +).
        defaultExpandAllRows: sheet.lines.length <= 8,
      }}
      onRow={(l) => ({ 'data-testid': 'sheet-line', 'data-user': l.userId }) as HTMLAttributes<HTMLElement>}
    />
  );
}

/** How a line was computed: the rule and policy version, the formula step by step with the numbers, what it counted. */
function Explanation({ sheet, line }: { sheet: Sheet; line: SheetLine }) {
  const t = useT();
  const { locale } = useLocale();
  const e = line.explanation;
  const summed = e.steps.filter((s) => s.kind === 'received' || s.kind === 'hours').length > 1;
  return (
    <Flex vertical gap={4} data-testid="line-explanation" style={{ whiteSpace: 'normal', maxWidth: 720 }}>
      <Typography.Text type="secondary">
        {t('commission.sheet.rule')}
        {locale === 'zh-CN' ? '：' : ': '}
        <Link to={`/commissions/policies?v=${e.policyId}`} data-testid="line-rule">
          {t('commission.sheet.ruleOf', { key: e.ruleKey, name: e.ruleName, version: e.policyVersion })}
        </Link>
      </Typography.Text>
      {e.steps.length === 0 ? (
        <Typography.Text type="secondary">{t('commission.sheet.noSteps')}</Typography.Text>
      ) : (
        <ul style={{ margin: 0, paddingInlineStart: 20 }}>
          {e.steps.map((step, i) => (
            <li key={i} style={{ fontVariantNumeric: 'tabular-nums' }}>
              <FormulaStepText step={step} contractId={sheet.contractId} />
            </li>
          ))}
          {summed && (
            <li style={{ listStyle: 'none', fontWeight: 600 }}>
              {t('commission.formula.sum', { value: formatMoney(line.computed) })}
            </li>
          )}
        </ul>
      )}
      {e.timeEntryIds.length > 0 && (
        <Typography.Text type="secondary">
          {t('commission.sheet.timeEntries', { count: e.timeEntryIds.length })}
        </Typography.Text>
      )}
    </Flex>
  );
}

/** Change a line's amount, with the reason: within a fifth while filling in, any amount from zero at a later step. */
function AdjustModal({ sheet, line, onClose }: { sheet: Sheet; line: SheetLine; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [form] = Form.useForm<{ amount: string | null; reason: string }>();
  const adjust = useWrite(
    (v: { amount: string; reason: string }) => commissionSheetsApi.adjust(sheet.id, line.id, v),
    COMMISSION_INVALIDATES,
  );
  const filling = sheet.heldStep === null;
  const low = multiplyMoney('0.8', line.computed);
  const high = multiplyMoney('1.2', line.computed);
  const save = (v: { amount: string | null; reason: string }) =>
    adjust.mutateAsync({ amount: v.amount ?? '', reason: v.reason.trim() }).then(
      () => {
        void message.success(t('commission.sheet.adjusted'));
        onClose();
      },
      (error: unknown) => {
        if (
          !applyServerErrors(form, error, {
            names: ['amount', 'reason'],
            codes: { COMMISSION_ADJUST_LIMIT: 'amount' },
          })
        )
          toast(error);
      },
    );
  return (
    <Modal
      open
      title={t('commission.sheet.adjustTitle', { name: line.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={adjust.isPending}
      okButtonProps={testId('adjust-save')}
      destroyOnHidden
    >
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title={
          filling
            ? t('commission.sheet.adjustLimit', {
                computed: formatMoney(line.computed),
                low: formatMoney(low),
                high: formatMoney(high),
              })
            : t('commission.sheet.adjustAny')
        }
      />
      <Form
        form={form}
        layout="vertical"
        name="commission-adjust"
        initialValues={{ amount: line.amount, reason: line.adjusted?.reason ?? '' }}
        onFinish={save}
      >
        <Form.Item
          name="amount"
          label={t('commission.sheet.amount')}
          rules={[{ required: true, message: t('form.required', { field: t('commission.sheet.amount') }) }]}
        >
          <MoneyInput data-testid="adjust-amount" />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('commission.sheet.reason')}
          rules={[
            { required: true, whitespace: true, message: t('form.required', { field: t('commission.sheet.reason') }) },
            { max: 500 },
          ]}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={500} data-testid="adjust-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The project lead's shares of the pools split by shares: a number per person; the pools are split again to the fen. */
function SharesModal({
  sheet,
  members,
  onClose,
}: {
  sheet: Sheet;
  members: { userId: string; name: string }[];
  onClose: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const initial = useMemo(
    () => Object.fromEntries(members.map((m) => [m.userId, sheet.shares[m.userId] ?? null])),
    [members, sheet.shares],
  );
  const [values, setValues] = useState<Record<string, string | null>>(initial);
  const save = useWrite(
    (shares: Record<string, string>) => commissionSheetsApi.setShares(sheet.id, shares),
    COMMISSION_INVALIDATES,
  );
  const submit = () => {
    const shares = Object.fromEntries(
      Object.entries(values).filter((e): e is [string, string] => e[1] !== null && e[1] !== ''),
    );
    return save.mutateAsync(shares).then(() => {
      void message.success(t('commission.sheet.sharesSaved'));
      onClose();
    }, toast);
  };
  return (
    <Modal
      open
      title={t('commission.sheet.sharesTitle')}
      onCancel={onClose}
      onOk={() => void submit()}
      confirmLoading={save.isPending}
      okButtonProps={testId('shares-save')}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('commission.sheet.sharesHint')}</Typography.Paragraph>
      <Space direction="vertical" style={{ width: '100%' }} data-testid="shares-editor">
        {members.map((m) => (
          <Flex key={m.userId} justify="space-between" align="center" gap={12}>
            <span>{m.name}</span>
            <InputNumber<string>
              stringMode
              min="0"
              max="999999.9999"
              step="1"
              precision={undefined}
              value={values[m.userId] ?? null}
              onChange={(v) => setValues((all) => ({ ...all, [m.userId]: v === null ? null : String(v) }))}
              aria-label={`${t('commission.sheet.share')} ${m.name}`}
              placeholder={t('commission.sheet.share')}
              style={{ width: 140 }}
              data-testid="share-input"
            />
          </Flex>
        ))}
      </Space>
    </Modal>
  );
}
