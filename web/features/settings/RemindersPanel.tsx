import { useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Col,
  Divider,
  Form,
  InputNumber,
  Row,
  Select,
  Skeleton,
  Switch,
  Table,
  Typography,
  type TableProps,
} from 'antd';
import { useMemo } from 'react';
import { NOTIFICATION_KINDS, type NotificationKind, type Preferences } from '../../../common/schemas/notifications';
import { useWrite } from '../../api/queries';
import { preferencesApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { TIME_ZONE } from '../../components/format';
import { useRules } from '../../components/rules';
import { useLocale, useT, type Locale } from '../../i18n';
import { CalendarFeedPanel, usePreferences } from '../calendar/CalendarFeedPanel';

type Channels = { inApp: boolean; email: boolean };
type Values = {
  timeZone: string;
  reminderLeadMinutes: number;
  channels: Record<NotificationKind, Channels>;
  chatDigest: boolean;
};
const FIELDS: FormFields = { names: ['timeZone', 'reminderLeadMinutes', 'channels', 'chatDigest'] };
/** The longest lead time the server takes: a week. */
const MAX_LEAD_MINUTES = 7 * 24 * 60;
const LEAD_PRESETS = [0, 15, 30, 60, 24 * 60] as const;

/** Zones offered first (the firm's first); the server takes any IANA zone, and a saved one not listed here is offered too. */
const COMMON_ZONES = [
  TIME_ZONE,
  'Asia/Hong_Kong',
  'Asia/Macau',
  'Asia/Taipei',
  'Asia/Urumqi',
  'Asia/Singapore',
  'Asia/Kuala_Lumpur',
  'Asia/Bangkok',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Moscow',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Toronto',
  'America/Sao_Paulo',
  'Australia/Sydney',
  'Pacific/Auckland',
  'UTC',
];

/** A zone as people know it, in the UI language: "中国标准时间 · Asia/Shanghai (GMT+8)". */
function zoneLabel(zone: string, locale: Locale): string {
  const part = (loc: string, timeZoneName: 'longGeneric' | 'shortOffset') => {
    try {
      return (
        new Intl.DateTimeFormat(loc, { timeZone: zone, timeZoneName })
          .formatToParts(new Date())
          .find((p) => p.type === 'timeZoneName')?.value ?? ''
      );
    } catch {
      return '';
    }
  };
  const name = part(locale, 'longGeneric');
  const offset = part('en-US', 'shortOffset') || 'GMT';
  return name && !name.startsWith('GMT') ? `${name} · ${zone} (${offset})` : `${zone} (${offset})`;
}

/** A lead time in words: "1 小时", "1 day 2 hours". */
function leadText(minutes: number, t: ReturnType<typeof useT>): string {
  if (minutes === 0) return t('prefs.leadAtDue');
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  return [
    days && t('prefs.days', { n: days }),
    hours && t('prefs.hours', { n: hours }),
    rest && t('prefs.minutesN', { n: rest }),
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * 提醒与通知: my time zone, how long before a planned activity I am reminded, and for each kind
 * of notification whether it reaches me in the app and / or by e-mail, whether unread chat mentions are e-mailed to
 * me as a digest; then my calendar feed.
 */
export function RemindersPanel() {
  const t = useT();
  const me = useMe();
  const { locale } = useLocale();
  const rules = useRules();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const prefs = usePreferences();
  const save = useWrite(preferencesApi.update, []);
  const lead = Form.useWatch('reminderLeadMinutes', form);

  const zones = useMemo(() => {
    const saved = prefs.data?.timeZone;
    const list = saved && !COMMON_ZONES.includes(saved) ? [...COMMON_ZONES, saved] : COMMON_ZONES;
    return list.map((zone) => ({ value: zone, label: zoneLabel(zone, locale) }));
  }, [prefs.data?.timeZone, locale]);

  const submit = async (values: Values) => {
    try {
      const next = await save.mutateAsync(values);
      queryClient.setQueryData([preferencesApi.path], next);
      form.setFieldsValue(toValues(next));
      void message.success(t('common.saved'));
    } catch (error) {
      onError(error);
    }
  };

  const columns: TableProps<{ kind: NotificationKind }>['columns'] = [
    {
      key: 'kind',
      title: t('prefs.kind'),
      render: (_, { kind }) => (
        <>
          <Typography.Text>{t(`prefs.kind.${kind}`)}</Typography.Text>
          <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
            {t(`prefs.kindHint.${kind}`)}
          </Typography.Text>
        </>
      ),
    },
    ...(['inApp', 'email'] as const).map((channel) => ({
      key: channel,
      title: t(channel === 'inApp' ? 'prefs.inApp' : 'prefs.email'),
      width: 120,
      align: 'center' as const,
      render: (_: unknown, { kind }: { kind: NotificationKind }) => (
        <Form.Item name={['channels', kind, channel]} valuePropName="checked" noStyle>
          <Switch
            size="small"
            aria-label={`${t(`prefs.kind.${kind}`)} · ${t(channel === 'inApp' ? 'prefs.inApp' : 'prefs.email')}`}
            data-testid={`prefs-${kind}-${channel}`}
          />
        </Form.Item>
      ),
    })),
  ];

  return (
    <div data-testid="prefs">
      <Typography.Paragraph type="secondary">{t('prefs.hint')}</Typography.Paragraph>
      {failedWithoutData(prefs) ? (
        <LoadError query={prefs} compact />
      ) : !prefs.data ? (
        <Skeleton active />
      ) : (
        // The form takes the server's values when it mounts; later refreshes (e.g. the feed switched on) leave edits alone.
        <Form<Values>
          form={form}
          layout="vertical"
          name="preferences"
          onFinish={submit}
          initialValues={toValues(prefs.data)}
          style={{ maxWidth: 760 }}
        >
          <Row gutter={24}>
            <Col xs={24} md={13}>
              <Form.Item
                name="timeZone"
                label={t('prefs.timeZone')}
                extra={t('prefs.timeZoneHint')}
                rules={[rules.required('prefs.timeZone', 'select')]}
              >
                <Select showSearch={{ optionFilterProp: 'label' }} options={zones} data-testid="prefs-time-zone" />
              </Form.Item>
            </Col>
            <Col xs={24} md={11}>
              <Form.Item
                name="reminderLeadMinutes"
                label={t('prefs.reminderLead')}
                rules={[{ ...rules.required('prefs.reminderLead'), whitespace: false, type: 'number' }]}
                extra={
                  <>
                    {typeof lead === 'number' && (
                      <div>
                        {lead === 0
                          ? t('prefs.reminderAtDue')
                          : t('prefs.reminderLeadHint', { lead: leadText(lead, t) })}
                      </div>
                    )}
                    <div data-testid="prefs-lead-presets">
                      {t('prefs.presets')}
                      {LEAD_PRESETS.map((minutes, i) => (
                        <span key={minutes}>
                          {i > 0 && ' · '}
                          <Typography.Link onClick={() => form.setFieldValue('reminderLeadMinutes', minutes)}>
                            {leadText(minutes, t)}
                          </Typography.Link>
                        </span>
                      ))}
                    </div>
                  </>
                }
              >
                <InputNumber
                  min={0}
                  max={MAX_LEAD_MINUTES}
                  precision={0}
                  step={15}
                  suffix={t('prefs.minutes')}
                  style={{ width: '100%' }}
                  data-testid="prefs-lead"
                />
              </Form.Item>
            </Col>
          </Row>
          <Typography.Title level={5} style={{ marginTop: 0 }}>
            {t('prefs.channels')}
          </Typography.Title>
          {!me.user.email && <Alert type="info" showIcon title={t('prefs.noEmail')} style={{ marginBottom: 12 }} />}
          <Table<{ kind: NotificationKind }>
            rowKey="kind"
            size="small"
            bordered
            data-testid="prefs-channels"
            columns={columns}
            dataSource={NOTIFICATION_KINDS.map((kind) => ({ kind }))}
            pagination={false}
            style={{ marginBottom: 16 }}
          />
          <Form.Item
            name="chatDigest"
            label={t('prefs.chatDigest')}
            extra={t('prefs.chatDigestHint')}
            valuePropName="checked"
          >
            <Switch data-testid="prefs-chat-digest" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="prefs-save">
            {t('common.save')}
          </Button>
        </Form>
      )}
      <Divider />
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('prefs.calendarFeed')}
      </Typography.Title>
      <div style={{ maxWidth: 760 }}>
        <CalendarFeedPanel />
      </div>
    </div>
  );
}

function toValues(p: Preferences): Values {
  const channels = Object.fromEntries(
    NOTIFICATION_KINDS.map((kind) => [kind, p.channels[kind] ?? { inApp: true, email: false }]),
  ) as Record<NotificationKind, Channels>;
  return { timeZone: p.timeZone, reminderLeadMinutes: p.reminderLeadMinutes, channels, chatDigest: p.chatDigest };
}
