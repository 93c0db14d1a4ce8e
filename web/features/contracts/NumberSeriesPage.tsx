import { OrderedListOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Flex,
  Form,
  Input,
  Select,
  Switch,
  Tag,
  Typography,
  type TableProps,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { NUMBERED_KINDS, type NumberedKind, type NumberSeries } from '../../../common/schemas/numbering';
import { useAllBusinessLines, useWrite } from '../../api/queries';
import { numberSeriesApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { firmToday, formatDateTime } from '../../components/format';
import { FormDrawer } from '../../components/FormDrawer';
import { dynamicKey } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useIsMobile } from '../../components/responsive';
import { useRules } from '../../components/rules';
import { StatusTag } from '../../components/StatusTag';
import { useLocale, useT } from '../../i18n';
import { ENGAGEMENT_STATUS_COLORS } from '../engagements/engagement-ui';
import { CONTRACT_STATUS_COLORS, ORDER_STATUS_COLORS } from './contract-ui';
import { isYearly, previewNumber } from './series-form';

/** Where each numbered record is shown (a report number belongs to its engagement). */
const SUBJECT_PAGES: Record<NumberedKind, string> = { contract: 'contracts', order: 'orders', report: 'engagements' };

type Values = { kind: NumberedKind; businessLineId?: string | null; name: string; pattern: string; active: boolean };
const FIELDS: FormFields = { names: ['kind', 'businessLineId', 'name', 'pattern', 'active'] };
const TOKENS = ['{yyyy}', '{yy}', '{seq:N}'] as const;

/** Create or edit a series: the pattern with its tokens explained and what it gives, the server's issues per field. */
function SeriesFormDrawer({
  open,
  series,
  kind,
  onClose,
}: {
  open: boolean;
  series: NumberSeries | null;
  kind: NumberedKind;
  onClose: () => void;
}) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const lines = useAllBusinessLines();
  const pattern = Form.useWatch('pattern', form) ?? '';
  const example = previewNumber(pattern, firmToday(), 1);
  const save = useWrite(
    (v: Values) =>
      series
        ? numberSeriesApi.update(series.id, { name: v.name.trim(), pattern: v.pattern.trim(), active: v.active })
        : numberSeriesApi.create({
            kind: v.kind,
            businessLineId: v.businessLineId ?? null,
            name: v.name.trim(),
            pattern: v.pattern.trim(),
          }),
    [numberSeriesApi.path],
  );
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      series
        ? {
            kind: series.kind,
            businessLineId: series.businessLineId,
            name: series.name,
            pattern: series.pattern,
            active: series.active,
          }
        : { kind, businessLineId: null, active: true },
    );
  }, [open, series, kind, form]);

  const submit = (values: Values) =>
    save.mutateAsync(values).then(() => {
      void message.success(t(series ? 'common.saved' : 'common.created'));
      onClose();
    }, onError);

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={series ? t('series.editTitle', { name: series.name }) : t('series.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="series-form-submit"
      width={560}
    >
      <Form<Values> form={form} layout="vertical" name="number-series" onFinish={submit}>
        <Form.Item name="kind" label={t('series.kind')} rules={[rules.required('series.kind', 'select')]}>
          <Select
            disabled={Boolean(series)}
            options={NUMBERED_KINDS.map((k) => ({ value: k, label: t(`series.kind.${k}`) }))}
          />
        </Form.Item>
        <Form.Item name="businessLineId" label={t('contract.businessLine')} extra={t('series.lineHint')}>
          <Select
            disabled={Boolean(series)}
            allowClear
            placeholder={t('series.allLines')}
            loading={lines.isPending}
            options={(lines.data ?? []).filter((l) => l.active).map((l) => ({ value: l.id, label: l.name }))}
            data-testid="series-line"
          />
        </Form.Item>
        <Form.Item name="name" label={t('series.name')} rules={[rules.required('series.name'), { max: 100 }]}>
          <Input placeholder={t('series.namePlaceholder')} data-testid="series-name" />
        </Form.Item>
        <Form.Item
          name="pattern"
          label={t('series.pattern')}
          rules={[rules.required('series.pattern'), { max: 60 }]}
          extra={
            pattern.trim() && (
              <span data-testid="series-example">
                {example ? t('series.example', { number: example }) : t('series.exampleNone')}
              </span>
            )
          }
        >
          <Input
            placeholder="SJ-{yyyy}-{seq:4}"
            style={{ fontFamily: 'monospace' }}
            autoComplete="off"
            data-testid="series-pattern"
          />
        </Form.Item>
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('series.tokensTitle')}
          description={
            <Flex vertical gap={4} data-testid="series-tokens">
              {TOKENS.map((token) => (
                <span key={token}>
                  <Typography.Text code>{token}</Typography.Text> {t(`series.token.${token}`)}
                </span>
              ))}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('series.tokensExample')}
              </Typography.Text>
            </Flex>
          }
        />
        {series && (
          <Form.Item name="active" label={t('common.status')} valuePropName="checked" extra={t('series.activeHint')}>
            <Switch checkedChildren={t('common.active')} unCheckedChildren={t('common.inactive')} />
          </Form.Item>
        )}
        {series && <Alert type="warning" showIcon title={t('series.changeWarning')} />}
      </Form>
    </FormDrawer>
  );
}

/** 合同登记簿: every number of a series in a period, in order, with what it was given to and where that stands; gaps. */
function RegisterDrawer({ series, onClose }: { series: NumberSeries | null; onClose: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const mobile = useIsMobile();
  const yearly = series ? isYearly(series.pattern) : true;
  const thisYear = Number(firmToday().slice(0, 4));
  const [period, setPeriod] = useState(String(thisYear));
  useEffect(() => setPeriod(yearly ? String(thisYear) : 'all'), [series, yearly, thisYear]);
  const register = useQuery({
    queryKey: [numberSeriesApi.path, series?.id, 'register', period],
    queryFn: () => numberSeriesApi.register(series!.id, period),
    enabled: Boolean(series),
  });
  const statusTag = (kind: NumberedKind, status: string) => {
    const colors: Record<string, string> =
      kind === 'contract' ? CONTRACT_STATUS_COLORS : kind === 'order' ? ORDER_STATUS_COLORS : ENGAGEMENT_STATUS_COLORS;
    // A report's record is its engagement.
    const prefix = kind === 'report' ? 'engagement' : kind;
    return (
      <Tag color={colors[status] ?? 'default'} style={{ marginInlineEnd: 0 }} data-testid="register-status">
        {dynamicKey(t, `${prefix}.status.${status}`, status)}
      </Tag>
    );
  };
  type Item = NonNullable<typeof register.data>['items'][number];
  const columns: TableProps<Item>['columns'] = [
    { key: 'seq', dataIndex: 'seq', title: t('series.seq'), align: 'right', width: 70 },
    {
      key: 'number',
      title: t('series.number'),
      render: (_, item) => (
        <Link to={`/${SUBJECT_PAGES[item.subjectKind]}/${item.subjectId}`}>
          <span style={{ fontVariantNumeric: 'tabular-nums' }}>{item.number}</span>
        </Link>
      ),
    },
    { key: 'status', title: t('common.status'), render: (_, item) => statusTag(item.subjectKind, item.status) },
    {
      key: 'title',
      dataIndex: 'title',
      title: t('series.subject'),
      render: (title: string) => (
        <span style={{ whiteSpace: 'normal', display: 'inline-block', minWidth: 120, maxWidth: 240 }}>{title}</span>
      ),
    },
    {
      key: 'issuedAt',
      title: t('series.issuedAt'),
      render: (_, item) => (
        <Flex vertical>
          <span>{formatDateTime(item.issuedAt, locale)}</span>
          {item.issuedByName && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {item.issuedByName}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
  ];
  const years = Array.from({ length: 6 }, (_, i) => String(thisYear - i));
  return (
    <Drawer
      open={series !== null}
      onClose={onClose}
      size={mobile ? '100%' : 760}
      destroyOnHidden
      title={series ? t(`series.registerTitle.${series.kind}`, { name: series.name }) : ''}
    >
      {series && (
        <Flex vertical gap={12} data-testid="series-register">
          <Flex gap={8} align="center" wrap>
            <Typography.Text code>{series.pattern}</Typography.Text>
            {yearly ? (
              <Select
                value={period}
                onChange={setPeriod}
                style={{ width: 110 }}
                aria-label={t('series.period')}
                options={years.map((y) => ({ value: y, label: t('series.year', { year: y }) }))}
                data-testid="register-period"
              />
            ) : (
              <Typography.Text type="secondary">{t('series.runsOn')}</Typography.Text>
            )}
          </Flex>
          <Loaded query={register}>
            {() => {
              const data = register.data!;
              return (
                <Flex vertical gap={12}>
                  {data.gaps.length > 0 ? (
                    <Alert
                      type="error"
                      showIcon
                      data-testid="register-gaps"
                      data-gaps={data.gaps.length}
                      title={t('series.gaps', { count: data.gaps.length })}
                      description={data.gaps.join(locale === 'zh-CN' ? '、' : ', ')}
                    />
                  ) : (
                    <Alert
                      type={data.lastSeq === 0 ? 'info' : 'success'}
                      showIcon
                      data-testid="register-gaps"
                      data-gaps="0"
                      title={
                        data.lastSeq === 0
                          ? t('series.registerEmpty')
                          : t('series.noGaps', { count: data.items.length, last: data.lastSeq })
                      }
                    />
                  )}
                  {data.items.length > 0 && (
                    <DataTable<Item>
                      size="small"
                      rowKey="seq"
                      pagination={data.items.length > 100 ? { pageSize: 100, showSizeChanger: false } : false}
                      dataSource={data.items}
                      columns={columns}
                      data-testid="register-table"
                      cards={{ fields: ['status', 'title', 'issuedAt'] }}
                    />
                  )}
                </Flex>
              );
            }}
          </Loaded>
        </Flex>
      )}
    </Drawer>
  );
}

/** 编号规则: the series of contract and order numbers, per business line, with their next number and registers. */
export function NumberSeriesPage() {
  const t = useT();
  const series = useQuery({ queryKey: [numberSeriesApi.path, 'all'], queryFn: numberSeriesApi.list });
  const [editing, setEditing] = useState<{ series: NumberSeries | null; kind: NumberedKind } | null>(null);
  const [registerOf, setRegisterOf] = useState<NumberSeries | null>(null);
  const byKind = useMemo(() => {
    const sorted = [...(series.data ?? [])].sort(
      (a, b) =>
        Number(a.businessLineId !== null) - Number(b.businessLineId !== null) ||
        (a.businessLineName ?? '').localeCompare(b.businessLineName ?? '', 'zh-CN'),
    );
    return Object.fromEntries(NUMBERED_KINDS.map((k) => [k, sorted.filter((s) => s.kind === k)])) as Record<
      NumberedKind,
      NumberSeries[]
    >;
  }, [series.data]);

  const columns: TableProps<NumberSeries>['columns'] = [
    {
      key: 'line',
      title: t('contract.businessLine'),
      render: (_, s) =>
        s.businessLineName ?? <Typography.Text type="secondary">{t('series.allLines')}</Typography.Text>,
    },
    { key: 'name', dataIndex: 'name', title: t('series.name') },
    {
      key: 'pattern',
      title: t('series.pattern'),
      render: (_, s) => <Typography.Text code>{s.pattern}</Typography.Text>,
    },
    {
      key: 'next',
      title: t('series.next'),
      render: (_, s) => (
        <Typography.Text strong style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="series-next">
          {s.nextPreview}
        </Typography.Text>
      ),
    },
    { key: 'active', title: t('common.status'), render: (_, s) => <StatusTag active={s.active} /> },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, s) => (
        <Flex wrap>
          <Button type="link" size="small" onClick={() => setEditing({ series: s, kind: s.kind })}>
            {t('common.edit')}
          </Button>
          <Button
            type="link"
            size="small"
            icon={<OrderedListOutlined />}
            onClick={() => setRegisterOf(s)}
            data-testid="series-register-open"
          >
            {t('series.register')}
          </Button>
        </Flex>
      ),
    },
  ];

  return (
    <PageContainer title={t('series.nav')} hint={t('series.pageHint')}>
      {NUMBERED_KINDS.map((kind) => (
        <Card
          key={kind}
          title={t(`series.kindTitle.${kind}`)}
          data-testid={`series-${kind}`}
          extra={
            <Button
              size="small"
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setEditing({ series: null, kind })}
              data-testid={`series-create-${kind}`}
            >
              {t('series.create')}
            </Button>
          }
        >
          <DataTable<NumberSeries>
            rowKey="id"
            pagination={false}
            query={series}
            dataSource={byKind[kind]}
            columns={columns}
            cards={{ fields: ['name', 'pattern', 'next', 'active'] }}
            empty={<EmptyState title={t('series.empty')} hint={t(`series.emptyHint.${kind}`)} />}
          />
        </Card>
      ))}
      <SeriesFormDrawer
        open={editing !== null}
        series={editing?.series ?? null}
        kind={editing?.kind ?? 'contract'}
        onClose={() => setEditing(null)}
      />
      <RegisterDrawer series={registerOf} onClose={() => setRegisterOf(null)} />
    </PageContainer>
  );
}
