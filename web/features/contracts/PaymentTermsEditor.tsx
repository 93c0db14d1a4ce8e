import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Flex,
  Form,
  Input,
  InputNumber,
  Row,
  Segmented,
  Select,
  Typography,
  type FormInstance,
} from 'antd';
import { TERM_KINDS, TERM_TRIGGERS, TermPercent } from '../../../common/schemas/contracts';
import { formatMoney } from '../../components/money';
import { MoneyInput } from '../../components/MoneyInput';
import { useT, type WebMessageKey } from '../../i18n';
import { termKindLabel, triggerLabel } from './contract-ui';
import { needsDate, needsDays, newTermRow, tallyTerms, type TermRow, type TermsTally } from './terms-form';

/** The most terms a contract may have (the API's limit). */
const MAX_TERMS = 24;

/** The running total against the contract amount: what is still to place, or how much too much. */
export function TermsTotal({
  tally,
  amount,
  amountLabel = 'contract.amount',
}: {
  tally: TermsTally;
  amount: string;
  amountLabel?: WebMessageKey;
}) {
  const t = useT();
  const remaining = tally.remaining.startsWith('-') ? tally.remaining.slice(1) : tally.remaining;
  const [type, text] =
    tally.state === 'exact'
      ? (['success', t('contract.termsExact')] as const)
      : tally.state === 'over'
        ? (['error', t('contract.termsOver', { amount: formatMoney(remaining) })] as const)
        : tally.state === 'short'
          ? (['warning', t('contract.termsShort', { amount: formatMoney(remaining) })] as const)
          : ([
              'warning',
              remaining === '0.00'
                ? t('contract.termsIncomplete')
                : `${t('contract.termsIncomplete')} ${t('contract.termsShort', { amount: formatMoney(remaining) })}`,
            ] as const);
  return (
    <Alert
      type={type}
      showIcon
      data-testid="terms-total"
      data-state={tally.state}
      title={
        <Flex gap="4px 16px" wrap>
          <span>
            {t('contract.termsTotal')} <strong data-testid="terms-total-amount">{formatMoney(tally.total)}</strong>
          </span>
          <span>
            {t(amountLabel)} <strong>{formatMoney(amount)}</strong>
          </span>
        </Flex>
      }
      description={<span data-testid="terms-remaining">{text}</span>}
    />
  );
}

/**
 * 付款条件: any number of terms, each a fixed amount or a percentage of the contract amount, a kind (首付款 /
 * 进度款 / 尾款) and when it falls due; the running total says how much of the contract amount is left. Lives
 * in a Form as its `terms` list; the form must be exact (the terms add up to the amount) to be sent.
 */
export function PaymentTermsEditor({
  form,
  amount,
  amountLabel = 'contract.amount',
}: {
  form: FormInstance;
  amount: string;
  /** What the amount is called: the contract's, or an order's. */
  amountLabel?: WebMessageKey;
}) {
  const t = useT();
  const rows = (Form.useWatch('terms', form) as TermRow[] | undefined) ?? [];
  const tally = tallyTerms(rows, amount);
  return (
    <Form.List
      name="terms"
      rules={[
        {
          validator: async (_, value: TermRow[] | undefined) => {
            if (!value?.length) throw new Error(t('contract.termsRequired'));
            const check = tallyTerms(value, amount);
            if (check.state === 'over' || check.state === 'short')
              throw new Error(
                t('contract.termsMismatch', { total: formatMoney(check.total), amount: formatMoney(amount) }),
              );
          },
        },
      ]}
    >
      {(fields, { add, remove }, { errors }) => (
        <Flex vertical gap={8}>
          {fields.map((field, index) => {
            const row = rows[index] as TermRow | undefined;
            const basis = row?.basis ?? 'percent';
            const trigger = row?.trigger ?? 'signing';
            const computed = tally.amounts[index];
            return (
              <Card
                key={field.key}
                size="small"
                data-testid="term-row"
                styles={{ body: { padding: '10px 12px 0' } }}
                title={
                  <Typography.Text type="secondary" style={{ fontWeight: 'normal', fontSize: 13 }}>
                    {t('contract.termNumber', { n: index + 1 })}
                  </Typography.Text>
                }
                extra={
                  <Button
                    type="text"
                    size="small"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={t('contract.termRemove', { n: index + 1 })}
                    disabled={fields.length === 1}
                    onClick={() => remove(field.name)}
                    data-testid="term-remove"
                  />
                }
              >
                <Row gutter={[8, 0]}>
                  <Col xs={12} sm={6}>
                    <Form.Item name={[field.name, 'kind']} label={t('contract.termKind')}>
                      <Select
                        data-testid="term-kind"
                        options={TERM_KINDS.map((k) => ({ value: k, label: termKindLabel(t, k) }))}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={12} sm={8}>
                    <Form.Item name={[field.name, 'trigger']} label={t('contract.trigger')}>
                      <Select
                        data-testid="term-trigger"
                        popupMatchSelectWidth={false}
                        options={TERM_TRIGGERS.map((k) => ({ value: k, label: triggerLabel(t, k) }))}
                      />
                    </Form.Item>
                  </Col>
                  {needsDate(trigger) && (
                    <Col xs={24} sm={10}>
                      <Form.Item
                        name={[field.name, 'triggerDate']}
                        label={t('contract.triggerDate')}
                        rules={[{ required: true, message: t('contract.triggerDateRequired') }]}
                      >
                        <DatePicker style={{ width: '100%' }} data-testid="term-date" />
                      </Form.Item>
                    </Col>
                  )}
                  {needsDays(trigger) && (
                    <Col xs={24} sm={10}>
                      <Form.Item
                        name={[field.name, 'triggerDays']}
                        label={t('contract.triggerDays')}
                        rules={[{ required: true, message: t('contract.triggerDaysRequired') }]}
                      >
                        <InputNumber
                          min={0}
                          max={3650}
                          precision={0}
                          suffix={t('contract.days')}
                          style={{ width: '100%' }}
                          data-testid="term-days"
                        />
                      </Form.Item>
                    </Col>
                  )}
                  <Col xs={24} sm={14}>
                    <Form.Item label={t('contract.termAmount')} required style={{ marginBottom: 0 }}>
                      <Flex gap={8} align="flex-start">
                        <Form.Item name={[field.name, 'basis']} noStyle>
                          <Segmented
                            data-testid="term-basis"
                            options={[
                              { value: 'percent', label: t('contract.basisPercent') },
                              { value: 'amount', label: t('contract.basisAmount') },
                            ]}
                          />
                        </Form.Item>
                        {basis === 'percent' ? (
                          <Form.Item
                            name={[field.name, 'percent']}
                            style={{ flex: '1 1 auto', minWidth: 0 }}
                            rules={[
                              { required: true, message: t('contract.percentRequired') },
                              {
                                validator: async (_, v: string | null) => {
                                  if (v && !TermPercent.safeParse(String(v)).success)
                                    throw new Error(t('contract.percentInvalid'));
                                },
                              },
                            ]}
                            extra={
                              computed && (
                                <span data-testid="term-computed">
                                  {t('contract.termComputed', { amount: formatMoney(computed) })}
                                </span>
                              )
                            }
                          >
                            <InputNumber<string>
                              stringMode
                              min="0"
                              max="100"
                              suffix="%"
                              style={{ width: '100%' }}
                              aria-label={t('contract.basisPercent')}
                              data-testid="term-percent"
                            />
                          </Form.Item>
                        ) : (
                          <Form.Item
                            name={[field.name, 'amount']}
                            style={{ flex: '1 1 auto', minWidth: 0 }}
                            rules={[{ required: true, message: t('contract.amountRequired') }]}
                          >
                            <MoneyInput aria-label={t('contract.basisAmount')} data-testid="term-amount" />
                          </Form.Item>
                        )}
                      </Flex>
                    </Form.Item>
                  </Col>
                  <Col xs={24} sm={10}>
                    <Form.Item name={[field.name, 'note']} label={t('contract.termNote')} rules={[{ max: 200 }]}>
                      <Input placeholder={t('contract.termNotePlaceholder')} />
                    </Form.Item>
                  </Col>
                </Row>
              </Card>
            );
          })}
          <Button
            type="dashed"
            icon={<PlusOutlined />}
            onClick={() => add(newTermRow(fields.length))}
            disabled={fields.length >= MAX_TERMS}
            data-testid="term-add"
          >
            {t('contract.termAdd')}
          </Button>
          <TermsTotal tally={tally} amount={amount} amountLabel={amountLabel} />
          <Form.ErrorList errors={errors} />
        </Flex>
      )}
    </Form.List>
  );
}
