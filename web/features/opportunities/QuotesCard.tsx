import { CopyOutlined, DeleteOutlined, PlusOutlined, SendOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import type { Quote, QuoteApproval } from '../../../common/schemas/opportunities';
import { useWrite } from '../../api/queries';
import { opportunitiesApi } from '../../api/resources';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast, useFormSubmitError } from '../../components/errors';
import { formatDate, formatDateTime } from '../../components/format';
import { useLocale, useT } from '../../i18n';
import { discountPercent, formatMoney, multiplyMoney, sumMoney } from '../../components/money';
import { MoneyInput } from '../../components/MoneyInput';
import { DECISION_INVALIDATES, INSTANCE_STATUS_COLORS } from '../approvals/approval-ui';
import { ApprovalTimeline } from '../approvals/ApprovalTimeline';
import { TemplateTools } from '../knowledge-capture/TemplatePicker';
import { QUOTE_STATUS_COLORS, testId } from './opportunity-ui';

type Item = {
  description?: string;
  quantity?: string | null;
  listUnitPrice?: string | null;
  unitPrice?: string | null;
};
type Values = { items: Item[]; validUntil?: Dayjs | null; notes?: string };
const QUANTITY = /^(0|[1-9]\d{0,9})(\.\d{1,2})?$/;

/** A quote may be sent, accepted or count for a stage when no flow applies to it, or once approved. */
const isUsable = (approval: QuoteApproval) => !approval.required || approval.status === 'approved';
/** Sent for approval when a flow applies and it is not waiting or approved already (again after a return). */
const mayBeSubmitted = (approval: QuoteApproval) =>
  approval.required && approval.status !== 'running' && approval.status !== 'approved';

/** Where a quote stands with approval: 需审批 until sent, then the approval's status; nothing when none is needed. */
function QuoteApprovalTag({ approval }: { approval: QuoteApproval }) {
  const t = useT();
  if (!approval.required) return null;
  return (
    <Tag
      color={approval.status ? INSTANCE_STATUS_COLORS[approval.status] : 'orange'}
      style={{ marginInlineEnd: 0 }}
      data-testid="quote-approval"
      data-status={approval.status ?? 'required'}
    >
      {approval.status ? t(`approval.status.${approval.status}`) : t('quote.approvalRequired')}
    </Tag>
  );
}

/** Status changes offered from each status. */
const NEXT: Record<Quote['status'], Quote['status'][]> = {
  draft: ['sent', 'accepted', 'rejected'],
  sent: ['accepted', 'rejected'],
  accepted: [],
  rejected: [],
};

function QuoteModal({
  opportunityId,
  open,
  onClose,
  from,
}: {
  opportunityId: string;
  open: boolean;
  onClose: () => void;
  from: Quote | null;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, { names: ['items', 'validUntil', 'notes'] });
  const items = Form.useWatch('items', form) ?? [];
  const amounts = items.map((i) => multiplyMoney(i?.quantity ?? null, i?.unitPrice ?? null));
  const total = sumMoney(amounts);
  // A line without a list fee is at its price (no discount), as the server takes it.
  const listTotal = sumMoney(
    items.map((i) => multiplyMoney(i?.quantity ?? null, i?.listUnitPrice || i?.unitPrice || null)),
  );
  const discount = discountPercent(total, listTotal);
  const create = useWrite(
    (v: Values) =>
      opportunitiesApi.createQuote(opportunityId, {
        validUntil: v.validUntil ? v.validUntil.format('YYYY-MM-DD') : null,
        notes: v.notes?.trim() || null,
        items: v.items.map((i) => ({
          description: (i.description ?? '').trim(),
          quantity: i.quantity ?? '1',
          unitPrice: i.unitPrice ?? '0',
          listUnitPrice: i.listUnitPrice || null,
        })),
      }),
    [opportunitiesApi.path],
  );
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({
      items: from
        ? from.items.map((i) => ({
            description: i.description,
            quantity: i.quantity,
            listUnitPrice: i.listUnitPrice,
            unitPrice: i.unitPrice,
          }))
        : [{ quantity: '1' }],
      notes: from?.notes ?? undefined,
    });
  }, [open, from, form]);

  const submit = async (values: Values) => {
    try {
      const quote = await create.mutateAsync(values);
      void message.success(t('quote.created', { version: quote.version }));
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={create.isPending}
      title={from ? t('quote.newFrom', { version: from.version }) : t('quote.new')}
      width={820}
      destroyOnHidden
      okButtonProps={{ ...testId('quote-submit') }}
    >
      <Form<Values> form={form} name="quote" layout="vertical" onFinish={submit}>
        <Form.List
          name="items"
          rules={[
            {
              validator: async (_, value: Item[]) => {
                if (!value?.length) throw new Error(t('quote.itemsRequired'));
              },
            },
          ]}
        >
          {(fields, { add, remove }, { errors }) => (
            <>
              <Row gutter={8} style={{ fontWeight: 600, marginBottom: 4 }}>
                <Col span={7}>{t('quote.description')}</Col>
                <Col span={3}>{t('quote.quantity')}</Col>
                <Col span={5} title={t('quote.listUnitPriceHint')}>
                  {t('quote.listUnitPrice')}
                </Col>
                <Col span={4}>{t('quote.unitPrice')}</Col>
                <Col span={4} style={{ textAlign: 'right' }}>
                  {t('quote.amount')}
                </Col>
              </Row>
              {fields.map((field, index) => (
                <Row key={field.key} gutter={8} align="top" data-testid="quote-item">
                  <Col span={7}>
                    <Form.Item
                      name={[field.name, 'description']}
                      rules={[
                        {
                          required: true,
                          whitespace: true,
                          message: t('form.required', { field: t('quote.description') }),
                        },
                        { max: 200 },
                      ]}
                    >
                      <Input placeholder={t('quote.descriptionPlaceholder')} data-testid="quote-description" />
                    </Form.Item>
                  </Col>
                  <Col span={3}>
                    <Form.Item
                      name={[field.name, 'quantity']}
                      rules={[
                        { required: true, message: t('form.required', { field: t('quote.quantity') }) },
                        {
                          validator: async (_, v: string | null) => {
                            if (v && !QUANTITY.test(v)) throw new Error(t('quote.quantityInvalid'));
                          },
                        },
                      ]}
                    >
                      <InputNumber<string> stringMode min="0" style={{ width: '100%' }} data-testid="quote-quantity" />
                    </Form.Item>
                  </Col>
                  <Col span={5}>
                    <Form.Item name={[field.name, 'listUnitPrice']}>
                      <MoneyInput placeholder={t('quote.listUnitPricePlaceholder')} data-testid="quote-list-price" />
                    </Form.Item>
                  </Col>
                  <Col span={4}>
                    <Form.Item
                      name={[field.name, 'unitPrice']}
                      rules={[{ required: true, message: t('form.required', { field: t('quote.unitPrice') }) }]}
                    >
                      <MoneyInput data-testid="quote-price" />
                    </Form.Item>
                  </Col>
                  <Col span={4} style={{ textAlign: 'right', paddingTop: 5 }}>
                    <Typography.Text data-testid="quote-line-amount">{formatMoney(amounts[index])}</Typography.Text>
                  </Col>
                  <Col span={1}>
                    <Button
                      type="text"
                      icon={<DeleteOutlined />}
                      aria-label={t('common.delete')}
                      disabled={fields.length === 1}
                      onClick={() => remove(field.name)}
                    />
                  </Col>
                </Row>
              ))}
              <Form.ErrorList errors={errors} />
              <Flex justify="space-between" align="center" style={{ marginBottom: 16 }}>
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  onClick={() => add({ quantity: '1' })}
                  disabled={fields.length >= 100}
                  data-testid="quote-add-item"
                >
                  {t('quote.addItem')}
                </Button>
                <Flex vertical align="flex-end">
                  <Typography.Text strong style={{ fontSize: 16 }}>
                    {t('quote.totalLabel')}
                    <span data-testid="quote-total">{formatMoney(total)}</span>
                  </Typography.Text>
                  {discount !== '0.00' && (
                    <Typography.Text type="secondary" data-testid="quote-discount">
                      {t('quote.discountLine', { list: formatMoney(listTotal), discount })}
                    </Typography.Text>
                  )}
                </Flex>
              </Flex>
            </>
          )}
        </Form.List>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="validUntil" label={t('quote.validUntil')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={16}>
            <Form.Item
              name="notes"
              label={t('quote.notes')}
              rules={[{ max: 2000 }]}
              extra={<TemplateTools form={form} field="notes" use="proposal" context={{ opportunityId }} />}
            >
              <Input.TextArea rows={2} placeholder={t('quote.notesPlaceholder')} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

/** 报价: every version, newest first, each with its lines; a new version starts from the latest. */
export function QuotesCard({ opportunityId, editable }: { opportunityId: string; editable: boolean }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const quotes = useQuery({
    queryKey: [opportunitiesApi.path, opportunityId, 'quotes'],
    queryFn: () => opportunitiesApi.quotes(opportunityId),
  });
  const [creating, setCreating] = useState<{ from: Quote | null } | null>(null);
  const setStatus = useWrite(
    ({ quote, status }: { quote: Quote; status: Quote['status'] }) =>
      opportunitiesApi.setQuoteStatus(opportunityId, quote.id, status),
    [opportunitiesApi.path],
  );
  const submit = useWrite(
    (quote: Quote) => opportunitiesApi.submitQuote(opportunityId, quote.id),
    DECISION_INVALIDATES,
  );
  const latest = quotes.data?.[0] ?? null;

  const change = (quote: Quote, status: Quote['status']) =>
    setStatus.mutateAsync({ quote, status }).then(() => void message.success(t(`quote.statusDone.${status}`)), toast);
  const send = (quote: Quote) =>
    submit.mutateAsync(quote).then(() => void message.success(t('quote.submitted', { version: quote.version })), toast);

  return (
    <Card
      size="small"
      title={t('quote.title')}
      data-testid="quotes-card"
      extra={
        editable && (
          <Flex gap={8}>
            {latest && (
              <Button size="small" icon={<CopyOutlined />} onClick={() => setCreating({ from: latest })}>
                {t('quote.copyLatest')}
              </Button>
            )}
            <Button
              size="small"
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setCreating({ from: null })}
              data-testid="quote-new"
            >
              {t('quote.new')}
            </Button>
          </Flex>
        )
      }
    >
      {failedWithoutData(quotes) ? (
        <LoadError query={quotes} compact />
      ) : quotes.isPending ? null : !quotes.data?.length ? (
        <EmptyState title={t('quote.empty')} hint={editable ? t('quote.emptyHint') : undefined} />
      ) : (
        <Table<Quote>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={quotes.data}
          data-testid="quotes-table"
          // On a phone the versions scroll sideways inside the card instead of widening the page.
          scroll={{ x: 'max-content' }}
          expandable={{
            defaultExpandedRowKeys: latest ? [latest.id] : [],
            expandedRowRender: (q) => (
              <Flex vertical gap={4}>
                <Table
                  rowKey="id"
                  size="small"
                  pagination={false}
                  scroll={{ x: 'max-content' }}
                  dataSource={q.items}
                  columns={[
                    { key: 'd', dataIndex: 'description', title: t('quote.description') },
                    { key: 'q', dataIndex: 'quantity', title: t('quote.quantity'), align: 'right' },
                    {
                      key: 'l',
                      title: t('quote.listUnitPrice'),
                      align: 'right',
                      render: (_, i) => formatMoney(i.listUnitPrice),
                    },
                    {
                      key: 'p',
                      title: t('quote.unitPrice'),
                      align: 'right',
                      render: (_, i) => formatMoney(i.unitPrice),
                    },
                    { key: 'a', title: t('quote.amount'), align: 'right', render: (_, i) => formatMoney(i.amount) },
                  ]}
                />
                {q.notes && (
                  <Typography.Text type="secondary" style={{ whiteSpace: 'pre-wrap' }}>
                    {q.notes}
                  </Typography.Text>
                )}
                {q.approval.instanceId && (
                  <div data-testid="quote-approvals">
                    <Typography.Text strong>{t('approval.history')}</Typography.Text>
                    <ApprovalTimeline subjectKind="quote" subjectId={q.id} />
                  </div>
                )}
              </Flex>
            ),
          }}
          columns={[
            {
              key: 'version',
              title: t('quote.version'),
              // A fixed column makes antd draw each expanded row at the card's visible width (sticky), so a quote's
              // items and approval timeline are not cut off inside the sideways scroll on a phone.
              fixed: 'left',
              render: (_, q) => <Typography.Text strong>V{q.version}</Typography.Text>,
            },
            {
              key: 'status',
              title: t('common.status'),
              render: (_, q) => (
                <Flex vertical gap={4} align="flex-start">
                  <Tag color={QUOTE_STATUS_COLORS[q.status]} style={{ marginInlineEnd: 0 }} data-testid="quote-status">
                    {t(`quote.status.${q.status}`)}
                  </Tag>
                  <QuoteApprovalTag approval={q.approval} />
                </Flex>
              ),
            },
            {
              key: 'total',
              title: t('quote.total'),
              align: 'right',
              render: (_, q) => (
                <Flex vertical gap={0} align="flex-end" style={{ whiteSpace: 'nowrap' }}>
                  <Typography.Text strong data-testid="quote-row-total">
                    {formatMoney(q.total)}
                  </Typography.Text>
                  {q.discountPercent !== '0.00' && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="quote-row-discount">
                      {t('quote.listAndDiscount', { list: formatMoney(q.listTotal), discount: q.discountPercent })}
                    </Typography.Text>
                  )}
                </Flex>
              ),
            },
            {
              key: 'validUntil',
              title: t('quote.validUntil'),
              render: (_, q) => (q.validUntil ? formatDate(q.validUntil, locale) : '—'),
            },
            {
              key: 'created',
              title: t('quote.createdBy'),
              render: (_, q) => (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {q.createdByName ?? '—'} · {formatDateTime(q.createdAt, locale)}
                </Typography.Text>
              ),
            },
            ...(editable
              ? [
                  {
                    key: 'actions',
                    title: t('common.actions'),
                    render: (_: unknown, q: Quote) => (
                      <Flex gap={4} wrap>
                        {q.status === 'draft' && mayBeSubmitted(q.approval) && (
                          <Button
                            size="small"
                            type="primary"
                            icon={<SendOutlined />}
                            loading={submit.isPending && submit.variables?.id === q.id}
                            onClick={() => void send(q)}
                            data-testid="quote-submit-approval"
                          >
                            {t(q.approval.status === 'returned' ? 'quote.resubmit' : 'quote.submit')}
                          </Button>
                        )}
                        {/* Sent or accepted only once approved, when a flow applies (the server says so too). */}
                        {NEXT[q.status]
                          .filter((status) => status === 'rejected' || isUsable(q.approval))
                          .map((status) =>
                            status === 'sent' ? (
                              <Button
                                key={status}
                                size="small"
                                onClick={() => void change(q, status)}
                                data-testid={`quote-${status}`}
                              >
                                {t(`quote.action.${status}`)}
                              </Button>
                            ) : (
                              <Popconfirm
                                key={status}
                                title={t(`quote.confirm.${status}`, { version: q.version })}
                                onConfirm={() => change(q, status)}
                                okButtonProps={{ danger: status === 'rejected' }}
                              >
                                <Button
                                  size="small"
                                  type={status === 'accepted' ? 'primary' : 'default'}
                                  danger={status === 'rejected'}
                                  ghost={status === 'accepted'}
                                  data-testid={`quote-${status}`}
                                >
                                  {t(`quote.action.${status}`)}
                                </Button>
                              </Popconfirm>
                            ),
                          )}
                      </Flex>
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
      {editable && (
        <QuoteModal
          opportunityId={opportunityId}
          open={creating !== null}
          from={creating?.from ?? null}
          onClose={() => setCreating(null)}
        />
      )}
    </Card>
  );
}
