import {
  ArrowLeftOutlined,
  CloseCircleOutlined,
  EditOutlined,
  FileDoneOutlined,
  SendOutlined,
  ShoppingCartOutlined,
  StopOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  List,
  Popconfirm,
  Row,
  Table,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Contract } from '../../../common/schemas/contracts';
import { useWrite } from '../../api/queries';
import { contractsApi, ordersApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { contactNameLabel } from '../../components/labels';
import { useRecordTitle } from '../../components/document-title';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { formatDate, formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { RecordDiscussion } from '../chat-extras/RecordDiscussion';
import { RecordQueryResult } from '../../components/Results';
import { useLocale, useT } from '../../i18n';
import { ApprovalTimeline } from '../approvals/ApprovalTimeline';
import { orDash } from '../customers/customer-ui';
import { testId } from '../opportunities/opportunity-ui';
import {
  AmountWithCapitals,
  CONTRACT_INVALIDATES,
  ContractNumber,
  ContractStatusTag,
  MoneyCell,
  OrderNumber,
  OrderStatusTag,
  OutstandingCell,
} from './contract-ui';
import { ContractFormDrawer } from './ContractFormDrawer';
import { DownloadButton } from './DownloadButton';
import { PaymentTermsTable } from './PaymentTermsTable';
import { ReasonModal } from './ReasonModal';
import { RecurringControl } from './RecurringControl';
import { SignContractModal } from './TermsModal';

/** Statuses in which the contract is signed (its document stored, a signed copy may be attached, orders made). */
const SIGNED = new Set<Contract['status']>(['signed', 'in-progress', 'completed']);

/** 合同文本 and 签字盖章扫描件: the generated .docx at any time, the stored one's hash, the scanned signed copy. */
function DocumentsCard({ contract, writable }: { contract: Contract; writable: boolean }) {
  const t = useT();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const upload = useWrite((file: File) => contractsApi.uploadSignedCopy(contract.id, file), CONTRACT_INVALIDATES);
  const signed = SIGNED.has(contract.status);
  return (
    <Card size="small" title={t('contract.documents')} data-testid="contract-documents">
      <Flex vertical gap={12}>
        <Flex vertical gap={2}>
          <DownloadButton
            url={contractsApi.documentUrl(contract.id)}
            filename={`${contract.number ?? contract.title}.docx`}
            data-testid="contract-document-download"
          >
            {t('contract.documentDownload')}
          </DownloadButton>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {contract.documentFileId
              ? t('contract.documentStored')
              : contract.templateName
                ? t('contract.documentFromTemplate', {
                    template: contract.templateName,
                    version: contract.templateVersion ?? 1,
                  })
                : t('contract.documentGenerated')}
          </Typography.Text>
          {contract.documentSha256 && (
            <Typography.Text
              type="secondary"
              style={{ fontSize: 12, wordBreak: 'break-all' }}
              copyable={{ text: contract.documentSha256 }}
              data-testid="contract-document-hash"
            >
              SHA-256 {contract.documentSha256}
            </Typography.Text>
          )}
        </Flex>
        <Flex vertical gap={4}>
          <Typography.Text strong>{t('contract.signedCopy')}</Typography.Text>
          {contract.signedCopyFileId ? (
            <DownloadButton
              url={contractsApi.signedCopyUrl(contract.id)}
              filename={`${contract.number ?? contract.title}`}
              data-testid="contract-signed-copy-download"
            >
              {t('contract.signedCopyDownload')}
            </DownloadButton>
          ) : (
            <Typography.Text type="secondary" style={{ fontSize: 13 }}>
              {t(signed ? 'contract.signedCopyNone' : 'contract.signedCopyAfterSigning')}
            </Typography.Text>
          )}
          {writable && signed && (
            <Upload
              accept=".pdf,.jpg,.jpeg,.png,.tif,.tiff"
              showUploadList={false}
              beforeUpload={(file) => {
                upload.mutateAsync(file).then(() => void message.success(t('contract.signedCopyUploaded')), toast);
                return false;
              }}
            >
              <Button
                size="small"
                icon={<UploadOutlined />}
                loading={upload.isPending}
                data-testid="contract-signed-copy-upload"
              >
                {t(contract.signedCopyFileId ? 'contract.signedCopyReplace' : 'contract.signedCopyUpload')}
              </Button>
            </Upload>
          )}
        </Flex>
      </Flex>
    </Card>
  );
}

/** 销售订单 of the contract, and (once it is signed) the button that makes one from it. */
function OrdersCard({ contract, writable }: { contract: Contract; writable: boolean }) {
  const t = useT();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const create = useWrite(() => ordersApi.create({ contractId: contract.id }), CONTRACT_INVALIDATES);
  const active = contract.orders.filter((o) => o.status !== 'cancelled');
  const mayCreate =
    writable && (contract.status === 'signed' || contract.status === 'in-progress') && active.length === 0;
  return (
    <Card
      size="small"
      title={t('order.nav')}
      data-testid="contract-orders"
      extra={
        mayCreate && (
          <Button
            size="small"
            type="primary"
            icon={<ShoppingCartOutlined />}
            loading={create.isPending}
            data-testid="contract-create-order"
            onClick={() =>
              create.mutateAsync(undefined).then((order) => {
                void message.success(t('order.created'));
                navigate(`/orders/${order.id}`);
              }, toast)
            }
          >
            {t('order.createFromContract')}
          </Button>
        )
      }
    >
      {contract.orders.length === 0 ? (
        <EmptyState
          title={t('order.noneForContract')}
          hint={SIGNED.has(contract.status) ? undefined : t('order.afterSigning')}
        />
      ) : (
        <List
          size="small"
          dataSource={contract.orders}
          renderItem={(o) => (
            <List.Item key={o.id}>
              <Flex justify="space-between" gap={8} style={{ width: '100%' }} wrap>
                <Link to={`/orders/${o.id}`} data-testid="contract-order-link">
                  <OrderNumber number={o.number} />
                </Link>
                <OrderStatusTag status={o.status} />
              </Flex>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

export function ContractPage() {
  const { id = '' } = useParams();
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [editing, setEditing] = useState(false);
  const [signing, setSigning] = useState(false);
  const [ending, setEnding] = useState<'terminate' | 'void' | null>(null);
  const query = useQuery({
    queryKey: [contractsApi.path, 'one', id],
    queryFn: () => contractsApi.get(id),
    retry: false,
  });
  const c = query.data;
  useRecordTitle(c ? (c.number ?? c.title) : undefined);
  const submit = useWrite(() => contractsApi.submit(id), CONTRACT_INVALIDATES);
  const terminate = useWrite((reason: string) => contractsApi.terminate(id, { reason }), CONTRACT_INVALIDATES);
  const voidIt = useWrite((reason: string) => contractsApi.void(id, { reason }), CONTRACT_INVALIDATES);

  if (!c) return <RecordQueryResult query={query} />;

  const colon = locale === 'zh-CN' ? '：' : ': ';
  const writable = can(me, 'contracts:write');
  const lines = [...c.lines].sort((a, b) => a.position - b.position);

  const send = () =>
    submit
      .mutateAsync(undefined)
      .then(
        (after) =>
          void message.success(t(after.status === 'approved' ? 'contract.approvedWithoutFlow' : 'contract.submitted')),
        toast,
      );

  return (
    <PageContainer
      title={
        <Flex align="center" gap={8} wrap>
          <Link to="/contracts" aria-label={t('contract.back')}>
            <ArrowLeftOutlined />
          </Link>
          <span data-testid="contract-title">{c.title}</span>
          <ContractStatusTag status={c.status} />
        </Flex>
      }
      hint={
        <>
          {t('contract.customer')}
          {colon}
          <Link to={`/customers/${c.customerId}`} data-testid="contract-customer-link">
            {c.customerName}
          </Link>
          {c.opportunityId && (
            <>
              {' · '}
              {t('contract.opportunity')}
              {colon}
              <Link to={`/opportunities/${c.opportunityId}`} data-testid="contract-opportunity-link">
                {c.opportunityName ?? t('contract.opportunityOpen')}
              </Link>
            </>
          )}
          {' · '}
          {c.businessLineName}
          {' · '}
          {t('contract.owner')}
          {colon}
          <Typography.Text strong>{c.ownerName}</Typography.Text>
        </>
      }
      extra={
        <>
          {c.can.edit && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="contract-edit">
              {t('common.edit')}
            </Button>
          )}
          {c.can.submit && (
            <Popconfirm
              title={t('contract.submitConfirmTitle')}
              description={<div style={{ maxWidth: 320 }}>{t('contract.submitConfirm')}</div>}
              okText={t('contract.submit')}
              onConfirm={send}
              okButtonProps={testId('contract-submit-confirm')}
            >
              <Button type="primary" icon={<SendOutlined />} loading={submit.isPending} data-testid="contract-submit">
                {t('contract.submit')}
              </Button>
            </Popconfirm>
          )}
          {c.can.sign && (
            <Button
              type="primary"
              icon={<FileDoneOutlined />}
              onClick={() => setSigning(true)}
              data-testid="contract-sign"
            >
              {t('contract.signAction')}
            </Button>
          )}
          {c.can.terminate && (
            <Button
              danger
              icon={<StopOutlined />}
              onClick={() => setEnding('terminate')}
              data-testid="contract-terminate"
            >
              {t('contract.terminate')}
            </Button>
          )}
          {c.can.void && (
            <Button danger icon={<CloseCircleOutlined />} onClick={() => setEnding('void')} data-testid="contract-void">
              {t('contract.void')}
            </Button>
          )}
          <RecordDiscussion recordType="contract" recordId={c.id} />
        </>
      }
    >
      {(c.status === 'terminated' || c.status === 'voided') && (
        <Alert
          type={c.status === 'voided' ? 'error' : 'warning'}
          showIcon
          data-testid="contract-ended"
          title={t(c.status === 'voided' ? 'contract.voidedAlert' : 'contract.terminatedAlert')}
          description={c.statusReason && <span style={{ whiteSpace: 'pre-wrap' }}>{c.statusReason}</span>}
        />
      )}
      {c.status === 'approved' && c.can.sign && (
        <Alert type="info" showIcon title={t('contract.approvedAlert')} data-testid="contract-approved" />
      )}
      <Card size="small" data-testid="contract-summary">
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2, xl: 3 }}
          items={[
            {
              key: 'number',
              label: t('contract.number'),
              children: <ContractNumber number={c.number} style={{ fontWeight: 600 }} />,
            },
            {
              key: 'amount',
              label: t('contract.amount'),
              span: { xs: 1, md: 2, xl: 2 },
              children: <AmountWithCapitals amount={c.amount} />,
            },
            {
              key: 'signedOn',
              label: t('contract.signedOn'),
              children: c.signedOn ? formatDate(c.signedOn, locale) : '—',
            },
            {
              key: 'outstanding',
              label: t('contract.outstanding'),
              children: <OutstandingCell status={c.status} value={c.outstanding} />,
            },
            {
              key: 'period',
              label: t('contract.period'),
              children:
                c.startOn || c.endOn
                  ? `${c.startOn ? formatDate(c.startOn, locale) : '…'} – ${c.endOn ? formatDate(c.endOn, locale) : '…'}`
                  : '—',
            },
            {
              key: 'recurring',
              label: t('contract.recurring'),
              children: (
                <RecurringControl
                  kind="contract"
                  id={c.id}
                  value={c.recurringCycle}
                  editable={can(me, 'contracts:write') && c.status !== 'voided' && c.status !== 'terminated'}
                />
              ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={t('contract.terms')} data-testid="contract-terms">
        {c.terms.length === 0 ? (
          <EmptyState
            title={t('contract.termsNone')}
            hint={c.can.sign || c.can.edit ? t('contract.termsNoneHint') : undefined}
          />
        ) : (
          <PaymentTermsTable terms={c.terms} />
        )}
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Flex vertical gap={16}>
            <Card size="small" title={t('contract.lines')} data-testid="contract-lines">
              <Table
                size="small"
                rowKey="id"
                pagination={false}
                dataSource={lines}
                columns={[
                  {
                    key: 'description',
                    dataIndex: 'description',
                    title: t('contract.lineDescription'),
                    render: (text: string) => <span style={{ whiteSpace: 'normal' }}>{text}</span>,
                  },
                  {
                    key: 'amount',
                    title: t('contract.lineAmount'),
                    align: 'right',
                    render: (_, l) => <MoneyCell value={l.amount} />,
                  },
                ]}
                summary={() =>
                  lines.length > 1 ? (
                    <Table.Summary.Row>
                      <Table.Summary.Cell index={0}>
                        <Typography.Text strong>{t('contract.amount')}</Typography.Text>
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={1} align="right">
                        <MoneyCell value={c.amount} strong />
                      </Table.Summary.Cell>
                    </Table.Summary.Row>
                  ) : null
                }
              />
            </Card>
            <Card size="small" title={t('contract.approval')} data-testid="contract-approval">
              <ApprovalTimeline subjectKind="contract" subjectId={c.id} />
            </Card>
          </Flex>
        </Col>
        <Col xs={24} xl={9}>
          <Flex vertical gap={16}>
            <OrdersCard contract={c} writable={writable} />
            <DocumentsCard contract={c} writable={writable} />
            <Card size="small" title={t('contract.details')}>
              <Descriptions
                size="small"
                column={1}
                data-testid="contract-details"
                items={[
                  {
                    key: 'contact',
                    label: t('contract.contact'),
                    children: orDash(c.contactName && contactNameLabel(t, c.contactName)),
                  },
                  { key: 'branch', label: t('contract.branch'), children: orDash(c.branchName) },
                  { key: 'signatory', label: t('contract.signatory'), children: orDash(c.signatoryName) },
                  {
                    key: 'template',
                    label: t('contract.template'),
                    children: c.templateName ? `${c.templateName} · V${c.templateVersion ?? 1}` : '—',
                  },
                  ...(c.completedOn
                    ? [
                        {
                          key: 'completed',
                          label: t('contract.completedOn'),
                          children: formatDate(c.completedOn, locale),
                        },
                      ]
                    : []),
                  {
                    key: 'note',
                    label: t('contract.note'),
                    children: <span style={{ whiteSpace: 'pre-wrap' }}>{orDash(c.note)}</span>,
                  },
                  { key: 'created', label: t('common.createdAt'), children: formatDateTime(c.createdAt, locale) },
                  { key: 'updated', label: t('common.updatedAt'), children: formatDateTime(c.updatedAt, locale) },
                ]}
              />
            </Card>
          </Flex>
        </Col>
      </Row>
      {c.can.edit && <ContractFormDrawer open={editing} contract={c} onClose={() => setEditing(false)} />}
      {c.can.sign && <SignContractModal contract={c} open={signing} onClose={() => setSigning(false)} />}
      <ReasonModal
        open={ending !== null}
        title={t(ending === 'void' ? 'contract.voidTitle' : 'contract.terminateTitle', { title: c.title })}
        warning={t(
          ending === 'void'
            ? c.number
              ? 'contract.voidWarningNumbered'
              : 'contract.voidWarning'
            : 'contract.terminateWarning',
        )}
        okText={t(ending === 'void' ? 'contract.voidConfirm' : 'contract.terminateConfirm')}
        onClose={() => setEnding(null)}
        onSubmit={(reason) =>
          (ending === 'void' ? voidIt : terminate)
            .mutateAsync(reason)
            .then(() => void message.success(t(ending === 'void' ? 'contract.voided' : 'contract.terminated')))
        }
        testIdPrefix={`contract-${ending ?? 'end'}`}
      />
    </PageContainer>
  );
}
