import { CheckCircleOutlined, ClockCircleOutlined, ExclamationCircleOutlined } from '@ant-design/icons';
import { Descriptions, Drawer, Tag, Typography, type DescriptionsProps } from 'antd';
import { Link } from 'react-router';
import type { Activity } from '../../../common/schemas/activities';
import { contactNameLabel } from '../../components/labels';
import { formatDateTime } from '../../components/format';
import { useLocale, useT } from '../../i18n';
import { CategoryTag } from '../activities/activity-ui';

/** Planned work whose due time has passed. */
export function isOverdue(a: Activity, now = Date.now()): boolean {
  return a.status === 'planned' && a.dueAt !== null && Date.parse(a.dueAt) < now;
}

function StatusTag({ activity: a }: { activity: Activity }) {
  const t = useT();
  if (a.status === 'done')
    return (
      <Tag color="success" icon={<CheckCircleOutlined />} style={{ marginInlineEnd: 0 }}>
        {t('calendar.status.done')}
      </Tag>
    );
  if (a.status === 'cancelled') return <Tag style={{ marginInlineEnd: 0 }}>{t('activity.status.cancelled')}</Tag>;
  if (isOverdue(a))
    return (
      <Tag color="error" icon={<ExclamationCircleOutlined />} style={{ marginInlineEnd: 0 }}>
        {t('activity.overdue')}
      </Tag>
    );
  return (
    <Tag color="processing" icon={<ClockCircleOutlined />} style={{ marginInlineEnd: 0 }}>
      {t('calendar.status.planned')}
    </Tag>
  );
}

/** One activity of the calendar, opened by clicking it: what, when, on which record, with whom, by whom. */
export function CalendarActivityDrawer({ activity, onClose }: { activity: Activity | null; onClose: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const a = activity;
  const items: DescriptionsProps['items'] = a
    ? [
        { key: 'status', label: t('common.status'), children: <StatusTag activity={a} /> },
        { key: 'category', label: t('activity.category'), children: <CategoryTag category={a.category} /> },
        a.status === 'planned'
          ? { key: 'dueAt', label: t('activity.dueAt'), children: formatDateTime(a.dueAt, locale) }
          : { key: 'doneAt', label: t('activity.doneAt'), children: formatDateTime(a.doneAt ?? a.dueAt, locale) },
        a.status !== 'planned' && a.dueAt
          ? { key: 'plannedFor', label: t('calendar.plannedFor'), children: formatDateTime(a.dueAt, locale) }
          : null,
        a.customerId
          ? {
              key: 'customer',
              label: t('calendar.customer'),
              children: (
                <Link to={`/customers/${a.customerId}`} data-testid="calendar-drawer-customer">
                  {a.customerName}
                </Link>
              ),
            }
          : null,
        a.opportunityId
          ? {
              key: 'opportunity',
              label: t('calendar.opportunity'),
              children: (
                <Link to={`/opportunities/${a.opportunityId}`} data-testid="calendar-drawer-opportunity">
                  {a.opportunityName}
                </Link>
              ),
            }
          : null,
        a.leadId
          ? {
              key: 'lead',
              label: t('calendar.lead'),
              children: (
                <Link to={`/leads/${a.leadId}`} data-testid="calendar-drawer-lead">
                  {a.leadName}
                </Link>
              ),
            }
          : null,
        a.contactName
          ? { key: 'contact', label: t('activity.contact'), children: contactNameLabel(t, a.contactName) }
          : null,
        { key: 'owner', label: t('calendar.owner'), children: a.ownerName },
        a.assignees.length
          ? {
              key: 'assignees',
              label: t('calendar.assignees'),
              children: a.assignees.map((p) => p.name).join(locale === 'zh-CN' ? '、' : ', '),
            }
          : null,
        a.notes
          ? {
              key: 'notes',
              label: a.status === 'done' ? t('activity.outcome') : t('activity.notes'),
              children: (
                <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{a.notes}</Typography.Paragraph>
              ),
            }
          : null,
      ].filter((item) => item !== null)
    : [];

  return (
    <Drawer
      open={a !== null}
      onClose={onClose}
      size={420}
      title={a && <span data-testid="calendar-drawer-subject">{a.subject}</span>}
    >
      {a && (
        <div data-testid="calendar-drawer">
          <Descriptions column={1} size="small" items={items} styles={{ label: { width: 96 } }} />
        </div>
      )}
    </Drawer>
  );
}
