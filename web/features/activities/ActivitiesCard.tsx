import {
  CalendarOutlined,
  CheckOutlined,
  DeleteOutlined,
  EditOutlined,
  PlusOutlined,
  UserAddOutlined,
} from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Divider,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Row,
  Select,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Activity } from '../../../common/schemas/activities';
import { useAll, useDirectory, usePage, useWrite } from '../../api/queries';
import { activitiesApi, contactsApi } from '../../api/resources';
import { allOf, failedWithoutData, LoadError } from '../../components/QueryState';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { useRules } from '../../components/rules';
import { useMe } from '../../auth/session';
import { contactNameLabel, listSeparator, personLabel } from '../../components/labels';
import { useLocale, useT } from '../../i18n';
import { CategoryTag, useActivityCategories, useCategoryOptions } from './activity-ui';

/** The record the activities hang off: exactly one of a lead, an opportunity or a customer. */
export type ActivityParent = { leadId: string } | { opportunityId: string } | { customerId: string };

export type ActivitiesCardProps = {
  /** Whose activities: `{ leadId }`, `{ opportunityId }` or `{ customerId }` (a customer's also include those on its opportunities and leads). */
  parent: ActivityParent;
  /** The viewer may work on the parent: log, plan, complete, edit and delete (the server checks again). */
  editable: boolean;
  /**
   * Preferred categories, the first being the default: the forms offer those of them that are active, then the
   * firm's other active custom categories (default: every active category in the firm's order). Leads use the light ones.
   */
  categories?: readonly string[];
  /** The customer whose contacts the forms offer (implied for a customer parent; pass the opportunity's customer on its page). */
  customerId?: string | null;
  /** Card title (default 活动 / Activities). */
  title?: ReactNode;
  /** Further collections (API paths) to refresh after a change, e.g. the parent's. */
  invalidates?: string[];
};

type Mode = 'log' | 'plan' | 'edit' | 'complete';

type Values = {
  category: string;
  subject: string;
  contactId?: string;
  assigneeIds?: string[];
  notes?: string;
  /** When it was done (log, done ones) or is due (plan, planned ones). */
  at: Dayjs;
  planNext?: boolean;
  nextCategory?: string;
  nextSubject?: string;
  nextDueAt?: Dayjs;
};

const FIELDS: FormFields = {
  names: ['category', 'subject', 'contactId', 'assigneeIds', 'notes', 'at', 'nextDueAt'],
  rename: { dueAt: 'at', doneAt: 'at', next: 'nextDueAt' },
};

/** Tomorrow at 10:00: a sensible first suggestion for planned work. */
const tomorrowMorning = () => dayjs().add(1, 'day').hour(10).minute(0).second(0).millisecond(0);

function ActivityModal({
  mode,
  activity,
  parent,
  categories,
  customerId,
  invalidates,
  onClose,
}: {
  mode: Mode | null;
  activity: Activity | null;
  parent: ActivityParent;
  categories?: readonly string[];
  customerId: string | null;
  invalidates: string[];
  onClose: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const open = mode !== null;
  const contacts = useAll(
    contactsApi,
    { customerId: customerId ?? undefined, sort: 'name' },
    open && Boolean(customerId),
  );
  const directory = useDirectory(open && mode !== 'complete');
  const planNext = Form.useWatch('planNext', form);
  const planning = mode === 'plan' || (mode === 'edit' && activity?.status === 'planned');
  const editedCategory = mode === 'edit' ? activity?.category : undefined;
  const category = useCategoryOptions(categories, editedCategory);
  const nextCategory = useCategoryOptions(categories);
  // Colleagues besides the owner (who is always on it); assignees no longer in the directory (switched off) stay listed by name.
  const ownerId = mode === 'edit' && activity ? activity.ownerId : me.user.id;
  const assigneeOptions = useMemo(() => {
    const options = (directory.data ?? [])
      .filter((u) => u.id !== ownerId)
      .map((u) => ({ value: u.id, label: personLabel(locale, u) }));
    const kept = (mode === 'edit' ? (activity?.assignees ?? []) : [])
      .filter((a) => !options.some((o) => o.value === a.id))
      .map((a) => ({ value: a.id, label: a.name }));
    return [...options, ...kept];
  }, [directory.data, ownerId, locale, mode, activity]);

  const save = useWrite(
    async (v: Values) => {
      const common = {
        category: v.category,
        subject: v.subject,
        notes: v.notes?.trim() || null,
        contactId: v.contactId ?? null,
      };
      const assigneeIds = v.assigneeIds ?? [];
      if (mode === 'log')
        return activitiesApi.create({ ...parent, ...common, assigneeIds, status: 'done', doneAt: v.at.toISOString() });
      if (mode === 'plan')
        return activitiesApi.create({
          ...parent,
          ...common,
          assigneeIds,
          status: 'planned',
          dueAt: v.at.toISOString(),
        });
      if (mode === 'edit' && activity) {
        const was = activity.status === 'planned' ? activity.dueAt : activity.doneAt;
        const moved = !was || dayjs(was).valueOf() !== v.at.valueOf();
        const time = moved
          ? activity.status === 'planned'
            ? { dueAt: v.at.toISOString() }
            : { doneAt: v.at.toISOString() }
          : {};
        // Assignees only when changed: an unchanged list with a colleague switched off since would be refused.
        const before = activity.assignees
          .map((a) => a.id)
          .sort()
          .join();
        const people = [...assigneeIds].sort().join() === before ? {} : { assigneeIds };
        return activitiesApi.update(activity.id, {
          ...common,
          ...people,
          ...(activity.status === 'cancelled' ? {} : time),
        });
      }
      if (mode === 'complete' && activity) {
        return activitiesApi.complete(activity.id, {
          notes: v.notes?.trim() || null,
          doneAt: v.at.toISOString(),
          next:
            v.planNext && v.nextCategory && v.nextSubject && v.nextDueAt
              ? {
                  category: v.nextCategory,
                  subject: v.nextSubject,
                  dueAt: v.nextDueAt.toISOString(),
                  contactId: activity.contactId,
                }
              : undefined,
        });
      }
      throw new Error('no activity');
    },
    [activitiesApi.path, ...invalidates],
  );

  const firstCategory = category.codes[0];
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (mode === 'log') form.setFieldsValue({ category: firstCategory, at: dayjs() });
    if (mode === 'plan') form.setFieldsValue({ category: firstCategory, at: tomorrowMorning() });
    if (mode === 'edit' && activity) {
      const at = activity.status === 'planned' ? activity.dueAt : (activity.doneAt ?? activity.dueAt);
      form.setFieldsValue({
        category: activity.category,
        subject: activity.subject,
        contactId: activity.contactId ?? undefined,
        assigneeIds: activity.assignees.map((a) => a.id),
        notes: activity.notes ?? undefined,
        at: at ? dayjs(at) : undefined,
      });
    }
    if (mode === 'complete' && activity) {
      form.setFieldsValue({
        notes: activity.notes ?? undefined,
        at: dayjs(),
        planNext: false,
        nextCategory: nextCategory.codes[0],
        nextDueAt: tomorrowMorning(),
      });
    }
    // Defaults are set when the modal opens, not again when the card re-renders (callers may pass a new categories array each time).
    // eslint-disable-next-line react-hooks/exhaustive-deps -- defaults only when the modal opens
  }, [open, mode, activity?.id, form]);
  // The categories may arrive after the modal opened: then default to the first one.
  useEffect(() => {
    if (!open || !firstCategory) return;
    if ((mode === 'log' || mode === 'plan') && !form.getFieldValue('category'))
      form.setFieldValue('category', firstCategory);
    if (mode === 'complete' && !form.getFieldValue('nextCategory')) form.setFieldValue('nextCategory', firstCategory);
  }, [open, mode, firstCategory, form]);

  const submit = async (values: Values) => {
    try {
      const saved = await save.mutateAsync(values);
      const key =
        mode === 'log'
          ? 'activity.logged'
          : mode === 'plan'
            ? 'activity.scheduled'
            : mode === 'edit'
              ? 'common.saved'
              : 'next' in saved && saved.next
                ? 'activity.completedWithNext'
                : 'activity.completed';
      void message.success(t(key));
      onClose();
    } catch (error) {
      onError(error);
    }
  };

  const title =
    mode === 'log'
      ? t('activity.logTitle')
      : mode === 'plan'
        ? t('activity.planTitle')
        : mode === 'edit'
          ? t('activity.editTitle')
          : t('activity.completeTitle', { subject: activity?.subject ?? '' });
  const contactOptions = (contacts.data ?? []).map((c) => ({
    value: c.id,
    label: c.department ? `${c.name}（${c.department}）` : c.name,
  }));
  const noPast = (d: Dayjs) => d.isBefore(dayjs().startOf('day'));
  const noFuture = (d: Dayjs) => d.isAfter(dayjs().endOf('day'));
  const dateTime = { showTime: { format: 'HH:mm' }, format: 'YYYY-MM-DD HH:mm', style: { width: '100%' } } as const;

  return (
    <Modal
      open={open}
      onCancel={onClose}
      width={600}
      destroyOnHidden
      forceRender
      title={title}
      onOk={() => form.submit()}
      okText={mode === 'complete' ? t('activity.complete') : t('common.save')}
      okButtonProps={{ loading: save.isPending, 'data-testid': 'activity-submit' }}
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} name="activity" data-testid="activity-form">
        {mode === 'complete' ? (
          <Row gutter={16}>
            <Col span={24}>
              <Form.Item name="notes" label={t('activity.outcome')} rules={[{ max: 4000 }]}>
                <Input.TextArea rows={3} placeholder={t('activity.outcomePlaceholder')} autoFocus />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item
                name="at"
                label={t('activity.doneAt')}
                rules={[{ ...rules.required('activity.doneAt', 'select'), type: 'object' }]}
              >
                <DatePicker {...dateTime} disabledDate={noFuture} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="planNext" valuePropName="checked" style={{ marginBottom: 8 }}>
                <Checkbox data-testid="activity-plan-next">{t('activity.planNext')}</Checkbox>
              </Form.Item>
            </Col>
            {planNext && (
              <>
                <Col span={12}>
                  <Form.Item
                    name="nextCategory"
                    label={t('activity.category')}
                    rules={[rules.required('activity.category', 'select')]}
                  >
                    <Select options={nextCategory.options} loading={nextCategory.loading} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item
                    name="nextDueAt"
                    label={t('activity.dueAt')}
                    rules={[{ ...rules.required('activity.dueAt', 'select'), type: 'object' }]}
                  >
                    <DatePicker {...dateTime} disabledDate={noPast} />
                  </Form.Item>
                </Col>
                <Col span={24}>
                  <Form.Item
                    name="nextSubject"
                    label={t('activity.nextSubject')}
                    rules={[rules.required('activity.nextSubject'), { max: 200 }]}
                  >
                    <Input placeholder={t('activity.subjectPlaceholder')} autoComplete="off" />
                  </Form.Item>
                </Col>
              </>
            )}
          </Row>
        ) : (
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item
                name="category"
                label={t('activity.category')}
                rules={[rules.required('activity.category', 'select')]}
              >
                <Select options={category.options} loading={category.loading} data-testid="activity-category" />
              </Form.Item>
            </Col>
            <Col span={12}>
              {planning ? (
                <Form.Item
                  name="at"
                  label={t('activity.dueAt')}
                  rules={[{ ...rules.required('activity.dueAt', 'select'), type: 'object' }]}
                >
                  <DatePicker {...dateTime} disabledDate={noPast} />
                </Form.Item>
              ) : (
                <Form.Item
                  name="at"
                  label={t('activity.doneAt')}
                  rules={[{ ...rules.required('activity.doneAt', 'select'), type: 'object' }]}
                >
                  <DatePicker {...dateTime} disabledDate={noFuture} disabled={activity?.status === 'cancelled'} />
                </Form.Item>
              )}
            </Col>
            <Col span={24}>
              <Form.Item
                name="subject"
                label={t('activity.subject')}
                rules={[rules.required('activity.subject'), { max: 200 }]}
              >
                <Input placeholder={t('activity.subjectPlaceholder')} autoComplete="off" />
              </Form.Item>
            </Col>
            {customerId && (
              <Col span={24}>
                <Form.Item name="contactId" label={t('activity.contact')}>
                  <Select allowClear loading={contacts.isLoading} options={contactOptions} />
                </Form.Item>
              </Col>
            )}
            <Col span={24}>
              <Form.Item
                name="assigneeIds"
                label={t('activity.assignee.label')}
                extra={t('activity.assignee.help')}
                rules={[{ type: 'array', max: 20 }]}
              >
                <Select
                  mode="multiple"
                  allowClear
                  showSearch={{ optionFilterProp: 'label' }}
                  options={assigneeOptions}
                  loading={directory.isLoading}
                  placeholder={t('activity.assignee.placeholder')}
                  data-testid="activity-assignees"
                />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item
                name="notes"
                label={planning ? t('activity.notes') : t('activity.outcome')}
                rules={[{ max: 4000 }]}
              >
                <Input.TextArea rows={3} placeholder={planning ? undefined : t('activity.outcomePlaceholder')} />
              </Form.Item>
            </Col>
          </Row>
        )}
      </Form>
    </Modal>
  );
}

function ActivityItem({
  activity: a,
  parent,
  editable,
  onEdit,
  onComplete,
  onDelete,
}: {
  activity: Activity;
  parent: ActivityParent;
  editable: boolean;
  onEdit: () => void;
  onComplete: () => void;
  onDelete: () => Promise<unknown>;
}) {
  const t = useT();
  const { locale } = useLocale();
  const planned = a.status === 'planned';
  const overdue = planned && a.dueAt !== null && Date.parse(a.dueAt) < Date.now();
  const stage = a.stageId && (locale === 'zh-CN' ? a.stageNameZh : a.stageNameEn);
  // On a customer's card, say which opportunity or lead the work was on.
  const via =
    'customerId' in parent ? (
      a.opportunityId ? (
        <Link to={`/opportunities/${a.opportunityId}`}>
          {t('activity.onOpportunity', { name: a.opportunityName ?? '' })}
        </Link>
      ) : a.leadId ? (
        <Link to={`/leads/${a.leadId}`}>{t('activity.onLead', { name: a.leadName ?? '' })}</Link>
      ) : null
    ) : null;
  return (
    <Flex gap={12} align="flex-start" data-testid="activity-item" data-status={a.status} style={{ padding: '10px 0' }}>
      <Flex vertical gap={4} style={{ flex: 1, minWidth: 0 }}>
        <Flex gap={8} align="center" wrap>
          <CategoryTag category={a.category} />
          <Typography.Text strong delete={a.status === 'cancelled'}>
            {a.subject}
          </Typography.Text>
          {a.contactName && <Typography.Text type="secondary">· {contactNameLabel(t, a.contactName)}</Typography.Text>}
          {a.status === 'cancelled' && <Tag style={{ marginInlineEnd: 0 }}>{t('activity.status.cancelled')}</Tag>}
        </Flex>
        <Flex gap={8} align="center" wrap style={{ fontSize: 13 }}>
          {planned ? (
            <Typography.Text
              type={overdue ? 'danger' : undefined}
              data-testid={overdue ? 'activity-overdue' : undefined}
            >
              <CalendarOutlined /> {t('activity.due', { time: formatDateTime(a.dueAt, locale) })}
              {overdue && (
                <Tag color="red" style={{ marginInlineStart: 6, marginInlineEnd: 0 }}>
                  {t('activity.overdue')}
                </Tag>
              )}
            </Typography.Text>
          ) : a.doneAt ? (
            <Typography.Text type="secondary">
              <CheckOutlined /> {t('activity.doneOn', { time: formatDateTime(a.doneAt, locale) })}
            </Typography.Text>
          ) : null}
          <Typography.Text type="secondary">{t('activity.by', { name: a.ownerName })}</Typography.Text>
          {a.assignees.length > 0 && (
            <Typography.Text type="secondary" data-testid="activity-assignees-list">
              <UserAddOutlined />{' '}
              {t('activity.assignee.with', { names: a.assignees.map((p) => p.name).join(listSeparator(locale)) })}
            </Typography.Text>
          )}
          {stage && (
            <Tag color="blue" variant="filled" style={{ marginInlineEnd: 0 }}>
              {t('activity.inStage', { stage })}
            </Tag>
          )}
          {via && <Typography.Text type="secondary">{via}</Typography.Text>}
        </Flex>
        {a.notes && (
          <Typography.Paragraph type="secondary" style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
            {a.notes}
          </Typography.Paragraph>
        )}
      </Flex>
      {editable && (
        <Flex gap={4} align="center" style={{ flexShrink: 0 }}>
          {planned && (
            <Button
              size="small"
              type="primary"
              ghost
              icon={<CheckOutlined />}
              onClick={onComplete}
              data-testid={`activity-complete-${a.id}`}
            >
              {t('activity.complete')}
            </Button>
          )}
          <Tooltip title={t('common.edit')}>
            <Button type="text" size="small" icon={<EditOutlined />} aria-label={t('common.edit')} onClick={onEdit} />
          </Tooltip>
          <Popconfirm
            title={t('activity.deleteConfirm', { subject: a.subject })}
            okButtonProps={{ danger: true }}
            onConfirm={onDelete}
          >
            <Button
              type="text"
              size="small"
              icon={<DeleteOutlined />}
              aria-label={t('common.delete')}
              data-testid={`activity-delete-${a.id}`}
            />
          </Popconfirm>
        </Flex>
      )}
    </Flex>
  );
}

/**
 * 活动 on a lead, an opportunity or a customer: planned work first (soonest due first, overdue in
 * red), then what was done (newest first), each with its category, time, owner and — on an
 * opportunity — the stage it was done in. With `editable`: "记录活动" logs work done now, "安排"
 * plans work with a due time, "完成" marks planned work done (optionally planning the next step),
 * and entries are edited or deleted (confirmed).
 *
 * ```tsx
 * <ActivitiesCard parent={{ leadId: lead.id }} editable={canWork} categories={['call', 'email', 'materials', 'question']} />
 * <ActivitiesCard parent={{ opportunityId: o.id }} customerId={o.customerId} editable={canWork} categories={OPPORTUNITY_ACTIVITY_CATEGORIES} />
 * <ActivitiesCard parent={{ customerId: c.id }} editable={canWork} />
 * ```
 */
export function ActivitiesCard({
  parent,
  editable,
  categories,
  customerId,
  title,
  invalidates = [],
}: ActivitiesCardProps) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const [pageSize, setPageSize] = useState(20);
  const [modal, setModal] = useState<{ mode: Mode; activity: Activity | null } | null>(null);
  const list = usePage(activitiesApi, { ...parent, page: 1, pageSize });
  // Category names come from the firm's list: wait for it rather than flash the codes.
  const categoryList = useActivityCategories();
  const remove = useWrite((id: string) => activitiesApi.remove(id), [activitiesApi.path, ...invalidates]);
  const items = list.data?.items ?? [];
  const plannedCount = items.filter((a) => a.status === 'planned').length;
  const contactsOf = 'customerId' in parent ? parent.customerId : (customerId ?? null);

  return (
    <Card
      title={title ?? t('activity.title')}
      size="small"
      data-testid="activities-card"
      extra={
        editable && (
          <Flex gap={8}>
            <Button
              size="small"
              icon={<CalendarOutlined />}
              onClick={() => setModal({ mode: 'plan', activity: null })}
              data-testid="activity-plan"
            >
              {t('activity.plan')}
            </Button>
            <Button
              size="small"
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setModal({ mode: 'log', activity: null })}
              data-testid="activity-log"
            >
              {t('activity.log')}
            </Button>
          </Flex>
        )
      }
    >
      {failedWithoutData(allOf(list, categoryList)) ? (
        <LoadError query={allOf(list, categoryList)} compact />
      ) : list.isPending || categoryList.isPending ? null : items.length === 0 ? (
        <EmptyState title={t('activity.empty')} hint={editable ? t('activity.emptyHint') : undefined} />
      ) : (
        <Flex vertical>
          {items.map((a, i) => (
            <div key={a.id}>
              {i === 0 && plannedCount > 0 && (
                <Divider titlePlacement="start" plain style={{ margin: '0 0 4px' }}>
                  {t('activity.sectionPlanned', { count: plannedCount })}
                </Divider>
              )}
              {i === plannedCount && plannedCount > 0 && (
                <Divider titlePlacement="start" plain style={{ margin: '8px 0 4px' }}>
                  {t('activity.sectionDone')}
                </Divider>
              )}
              {i > 0 && (i !== plannedCount || plannedCount === 0) && <Divider style={{ margin: 0 }} />}
              <ActivityItem
                activity={a}
                parent={parent}
                editable={editable}
                onEdit={() => setModal({ mode: 'edit', activity: a })}
                onComplete={() => setModal({ mode: 'complete', activity: a })}
                onDelete={() => remove.mutateAsync(a.id).then(() => void message.success(t('common.deleted')), toast)}
              />
            </div>
          ))}
        </Flex>
      )}
      {(list.data?.total ?? 0) > items.length && (
        <Button block type="link" loading={list.isFetching} onClick={() => setPageSize((s) => Math.min(s + 20, 100))}>
          {t('common.more')}
        </Button>
      )}
      {editable && (
        <ActivityModal
          mode={modal?.mode ?? null}
          activity={modal?.activity ?? null}
          parent={parent}
          categories={categories}
          customerId={contactsOf}
          invalidates={invalidates}
          onClose={() => setModal(null)}
        />
      )}
    </Card>
  );
}
