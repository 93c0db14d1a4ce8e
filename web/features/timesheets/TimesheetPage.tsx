import { DeleteOutlined, LeftOutlined, RightOutlined, SaveOutlined, SendOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Flex,
  Input,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
  type TableProps,
} from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState, type KeyboardEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  TIME_CATEGORIES,
  type TimeCategory,
  type TimesheetStatus,
  type TimesheetWeek,
} from '../../../common/schemas/timesheets';
import { ApiError } from '../../api/client';
import { useAll } from '../../api/queries';
import { timesheetsApi, usersApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { firmToday, formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useIsMobile } from '../../components/responsive';
import { useLocale, useT } from '../../i18n';
import { ApprovalTimeline } from '../approvals/ApprovalTimeline';
import { bodyOf, dayTotal, gridOf, hoursText, hundredthsOf, newKey, rowTotal, type GridRow } from './timesheet-grid';

const DAY_LIMIT = 2400;

/** The Monday of a date's week (YYYY-MM-DD). */
export function mondayOf(date: string): string {
  const d = dayjs(date);
  return d.subtract((d.day() + 6) % 7, 'day').format('YYYY-MM-DD');
}
const addDays = (date: string, days: number) => dayjs(date).add(days, 'day').format('YYYY-MM-DD');

const STATUS_COLORS: Record<TimesheetStatus, string> = {
  open: 'default',
  submitted: 'processing',
  approved: 'success',
  returned: 'warning',
};

export function TimesheetStatusTag({ status }: { status: TimesheetStatus }) {
  const t = useT();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="timesheet-status" data-status={status}>
      {t(`timesheet.status.${status}`)}
    </Tag>
  );
}

/**
 * 工时: the weekly timesheet. A grid of rows (an engagement, optionally one of my work orders on it, or a category)
 * by days, typed from the keyboard (Tab / Enter to the next cell, ↑ ↓ between rows), totals updating as one types
 * and a day over 24 hours shown in red before saving; saved as a whole, submitted for approval. Managers may read a
 * person of their department (partners and finance anyone's); submitted and approved weeks are read only.
 */
export function TimesheetPage() {
  const t = useT();
  const me = useMe();
  const [search, setSearch] = useSearchParams();
  const thisWeek = mondayOf(firmToday());
  const asked = search.get('week');
  const weekStart = asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) ? mondayOf(asked) : thisWeek;
  const userId = search.get('userId') || me.user.id;
  const own = userId === me.user.id;
  const query = useQuery({
    queryKey: [timesheetsApi.path, weekStart, userId],
    queryFn: () => timesheetsApi.week(weekStart, own ? undefined : userId),
    refetchOnWindowFocus: false,
    retry: false,
  });
  const [dirty, setDirty] = useState(false);
  const { modal } = App.useApp();

  const go = (next: { week?: string; userId?: string }) => {
    const apply = () => {
      const params = new URLSearchParams(search);
      if (next.week !== undefined) params.set('week', next.week);
      if (next.userId !== undefined) {
        if (next.userId === me.user.id) params.delete('userId');
        else params.set('userId', next.userId);
      }
      setDirty(false);
      setSearch(params);
    };
    if (!dirty) return apply();
    modal.confirm({ title: t('timesheet.unsaved'), okText: t('timesheet.discard'), okType: 'danger', onOk: apply });
  };

  // Managers pick a person of their department (partners and finance anyone); the list is what staff:read shows.
  const mayPick = can(me, 'engagements:read', 'department') && can(me, 'staff:read', 'department');
  const people = useAll(usersApi, { active: 'true' }, mayPick);

  return (
    <PageContainer title={t('timesheet.nav')} hint={t('timesheet.pageHint')}>
      <Card size="small">
        <Flex gap={8} wrap align="center" justify="space-between">
          <Space.Compact>
            <Tooltip title={t('timesheet.prevWeek')}>
              <Button
                icon={<LeftOutlined />}
                aria-label={t('timesheet.prevWeek')}
                onClick={() => go({ week: addDays(weekStart, -7) })}
                data-testid="timesheet-prev"
              />
            </Tooltip>
            <DatePicker
              picker="week"
              allowClear={false}
              value={dayjs(weekStart)}
              format={(value) =>
                t('timesheet.weekRange', {
                  from: mondayOf(value.format('YYYY-MM-DD')),
                  to: addDays(mondayOf(value.format('YYYY-MM-DD')), 6),
                })
              }
              onChange={(value) => value && go({ week: mondayOf(value.format('YYYY-MM-DD')) })}
              aria-label={t('timesheet.pickWeek')}
              style={{ width: 210 }}
              data-testid="timesheet-week"
            />
            <Tooltip title={t('timesheet.nextWeek')}>
              <Button
                icon={<RightOutlined />}
                aria-label={t('timesheet.nextWeek')}
                onClick={() => go({ week: addDays(weekStart, 7) })}
                data-testid="timesheet-next"
              />
            </Tooltip>
          </Space.Compact>
          <Flex gap={8} wrap align="center">
            {weekStart !== thisWeek && (
              <Button onClick={() => go({ week: thisWeek })} data-testid="timesheet-this-week">
                {t('timesheet.thisWeek')}
              </Button>
            )}
            {mayPick && (
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                value={userId}
                onChange={(value: string) => go({ userId: value })}
                loading={people.isPending}
                aria-label={t('timesheet.person')}
                style={{ minWidth: 180 }}
                data-testid="timesheet-person"
                options={[
                  { value: me.user.id, label: `${me.user.displayName}（${t('timesheet.me')}）` },
                  ...(people.data ?? [])
                    .filter((u) => u.id !== me.user.id)
                    .map((u) => ({ value: u.id, label: u.displayName })),
                  ...(!own && !people.data?.some((u) => u.id === userId)
                    ? [{ value: userId, label: query.data?.userName ?? userId }]
                    : []),
                ]}
              />
            )}
          </Flex>
        </Flex>
      </Card>
      <Loaded query={query}>
        {() => (
          <WeekGrid
            key={`${weekStart}|${userId}|${query.dataUpdatedAt}`}
            week={query.data!}
            own={own}
            onDirty={setDirty}
          />
        )}
      </Loaded>
    </PageContainer>
  );
}

/** The week's grid (its state starts from the week's answer; saving gives a new answer and a fresh grid). */
function WeekGrid({ week, own, onDirty }: { week: TimesheetWeek; own: boolean; onDirty: (dirty: boolean) => void }) {
  const t = useT();
  const { locale } = useLocale();
  const mobile = useIsMobile();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const [rows, setRows] = useState<GridRow[]>(() => gridOf(week));
  const [dirty, setDirtyState] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'save' | 'submit' | null>(null);
  const editable = week.mayEdit;
  const today = firmToday();

  const change = (next: GridRow[]) => {
    setRows(next);
    setErrors({});
    if (!dirty) {
      setDirtyState(true);
      onDirty(true);
    }
  };
  const update = (key: string, patch: Partial<GridRow>) =>
    change(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  const totals = useMemo(() => week.days.map((d) => dayTotal(rows, d)), [rows, week.days]);
  const weekTotal = totals.reduce((a, b) => a + b, 0);
  const billableTotal = rows.reduce((sum, row) => sum + (row.engagementId && row.billable ? rowTotal(row) : 0), 0);
  const invalid = rows.some((row) => Object.values(row.hours).some((text) => hundredthsOf(text) === null));
  const over = totals.some((h) => h > DAY_LIMIT);

  const publish = (answer: TimesheetWeek) => {
    onDirty(false);
    queryClient.setQueryData([timesheetsApi.path, week.weekStart, week.userId], answer);
  };

  /** Puts the server's field errors on the cells and rows they name; anything else as a toast. */
  const showError = (error: unknown) => {
    const issues = (
      error instanceof ApiError && error.code === 'VALIDATION_FAILED'
        ? ((error.details as { issues?: { path: string; message: string }[] })?.issues ?? [])
        : []
    ).flatMap((issue) => {
      const match = /^(?:body\.)?rows\.(\d+)\.(hours\.(\d{4}-\d{2}-\d{2})|\w+)/.exec(issue.path);
      const row = match && rows[Number(match[1])];
      return row ? [[`${row.key}|${match[3] ?? 'row'}`, issue.message] as const] : [];
    });
    if (issues.length) setErrors(Object.fromEntries(issues));
    toast(error);
  };

  const save = async () => {
    const answer = await timesheetsApi.save(week.weekStart, bodyOf(rows));
    publish(answer);
    return answer;
  };
  const onSave = async () => {
    setBusy('save');
    try {
      await save();
      message.success(t('timesheet.saved'));
    } catch (error) {
      showError(error);
    } finally {
      setBusy(null);
    }
  };
  const onSubmit = async () => {
    setBusy('submit');
    try {
      if (dirty) await save();
      const answer = await timesheetsApi.submit(week.weekStart);
      publish(answer);
      message.success(t(answer.status === 'approved' ? 'timesheet.approvedAtOnce' : 'timesheet.submitted'));
    } catch (error) {
      showError(error);
    } finally {
      setBusy(null);
    }
  };

  /** Enter: the next cell (then the next row's first); ↑ ↓: the same day a row up or down. */
  const onCellKey = (event: KeyboardEvent<HTMLInputElement>, row: number, day: number) => {
    const target =
      event.key === 'Enter'
        ? day < 6
          ? [row, day + 1]
          : [row + 1, 0]
        : event.key === 'ArrowDown'
          ? [row + 1, day]
          : event.key === 'ArrowUp'
            ? [row - 1, day]
            : null;
    if (!target) return;
    const cell = document.querySelector<HTMLInputElement>(
      `[data-grid="timesheet"] input[data-cell="${target[0]}-${target[1]}"]`,
    );
    if (!cell) return;
    event.preventDefault();
    cell.focus();
    cell.select();
  };

  const weekday = (i: number) => t(`timesheet.weekday.${i}` as 'timesheet.weekday.0');
  const columns: TableProps<GridRow>['columns'] = [
    {
      key: 'row',
      title: t('timesheet.row'),
      fixed: 'left',
      width: mobile ? 132 : 280,
      render: (_, row) => (
        <Flex vertical gap={4} style={{ width: mobile ? 116 : 264 }}>
          {row.engagementId ? (
            <Typography.Text ellipsis={{ tooltip: row.engagementTitle }} style={{ maxWidth: '100%' }}>
              <Link to={`/engagements/${row.engagementId}`}>{row.engagementTitle}</Link>
            </Typography.Text>
          ) : (
            <Typography.Text strong>{t(`timesheet.category.${row.category}`)}</Typography.Text>
          )}
          {row.taskTitle && (
            <Typography.Text type="secondary" ellipsis={{ tooltip: row.taskTitle }} style={{ fontSize: 12 }}>
              {row.taskTitle}
            </Typography.Text>
          )}
          {row.closed && <Tag style={{ width: 'fit-content' }}>{t('timesheet.closedEngagement')}</Tag>}
          <Flex gap={6} wrap align="center">
            {row.engagementId && (
              <Checkbox
                checked={row.billable}
                disabled={!editable || row.closed}
                onChange={(e) => update(row.key, { billable: e.target.checked })}
                data-testid="timesheet-billable"
              >
                <span style={{ fontSize: 12 }}>{t('timesheet.billable')}</span>
              </Checkbox>
            )}
            {editable && !row.closed ? (
              <Input
                size="small"
                value={row.note}
                maxLength={200}
                placeholder={t('timesheet.note')}
                aria-label={t('timesheet.note')}
                onChange={(e) => update(row.key, { note: e.target.value })}
                style={{ flex: 1, minWidth: 80 }}
                data-testid="timesheet-note"
              />
            ) : (
              row.note && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {row.note}
                </Typography.Text>
              )
            )}
          </Flex>
          {errors[`${row.key}|row`] && (
            <Typography.Text type="danger" style={{ fontSize: 12 }}>
              {errors[`${row.key}|row`]}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    ...week.days.map((date, day) => ({
      key: date,
      align: 'center' as const,
      width: 76,
      title: (
        <Flex vertical align="center" style={date === today ? { color: 'var(--ant-color-primary)' } : undefined}>
          <span>{weekday(day)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12, color: 'inherit' }}>
            {date.slice(5)}
          </Typography.Text>
        </Flex>
      ),
      render: (_: unknown, row: GridRow, index: number) => {
        const text = row.hours[date] ?? '';
        const bad = hundredthsOf(text) === null;
        const serverError = errors[`${row.key}|${date}`];
        const ahead = date > week.lastDay;
        if (!editable || row.closed)
          return <span data-testid="timesheet-cell-value">{text && hundredthsOf(text) ? text : ''}</span>;
        return (
          <Tooltip
            title={
              bad
                ? t('timesheet.badHours')
                : (serverError ?? (ahead ? t('timesheet.tooFarAhead', { date: week.lastDay }) : ''))
            }
          >
            <Input
              size="small"
              value={text}
              inputMode="decimal"
              disabled={ahead}
              status={bad || serverError || totals[day] > DAY_LIMIT ? 'error' : undefined}
              aria-label={`${row.engagementTitle ?? t(`timesheet.category.${row.category}`)} ${weekday(day)} ${date}`}
              onChange={(e) =>
                update(row.key, { hours: { ...row.hours, [date]: e.target.value.replace(/[^\d.,]/g, '') } })
              }
              onKeyDown={(e) => onCellKey(e, index, day)}
              onFocus={(e) => e.target.select()}
              data-cell={`${index}-${day}`}
              style={{ width: 60, textAlign: 'center' }}
            />
          </Tooltip>
        );
      },
    })),
    {
      key: 'total',
      title: t('timesheet.total'),
      align: 'right',
      width: 70,
      render: (_, row) => <Typography.Text strong>{hoursText(rowTotal(row))}</Typography.Text>,
    },
    ...(editable
      ? [
          {
            key: 'remove',
            width: 44,
            render: (_: unknown, row: GridRow) =>
              !row.closed && (
                <Tooltip title={t('timesheet.removeRow')}>
                  <Button
                    type="text"
                    size="small"
                    icon={<DeleteOutlined />}
                    aria-label={t('timesheet.removeRow')}
                    onClick={() => change(rows.filter((r) => r.key !== row.key))}
                    data-testid="timesheet-remove-row"
                  />
                </Tooltip>
              ),
          },
        ]
      : []),
  ];

  /** Options for a new row: per engagement of mine, the whole engagement or one of my work orders on it; then categories. */
  const addOptions = [
    ...week.engagements.map((e) => ({
      label: e.title,
      title: e.title,
      options: [
        // Searched by the engagement's title too (its customer): the group's label is not searched.
        { value: `e|${e.id}|`, label: t('timesheet.wholeEngagement'), search: e.title },
        ...e.tasks.map((task) => ({
          value: `e|${e.id}|${task.id}`,
          label: `${task.phaseName} · ${task.title}`,
          search: `${e.title} ${task.phaseName} ${task.title}`,
        })),
      ],
    })),
    {
      label: t('timesheet.addCategoryGroup'),
      title: 'categories',
      options: TIME_CATEGORIES.filter((c) => c !== 'engagement').map((c) => ({
        value: `c|${c}`,
        label: t(`timesheet.category.${c}`),
        search: t(`timesheet.category.${c}`),
      })),
    },
  ];
  const addRow = (value: string) => {
    const [kind, id, taskId] = value.split('|');
    if (kind === 'c') {
      change([...rows, blankRow({ category: id as TimeCategory })]);
      return;
    }
    const engagement = week.engagements.find((e) => e.id === id)!;
    const task = engagement.tasks.find((x) => x.id === taskId);
    change([
      ...rows,
      blankRow({
        category: 'engagement',
        engagementId: engagement.id,
        engagementTitle: engagement.title,
        customerName: engagement.customerName,
        taskId: task?.id ?? null,
        taskTitle: task?.title ?? null,
        billable: true,
      }),
    ]);
  };

  const lockedText =
    week.status === 'submitted'
      ? t('timesheet.lockedSubmitted')
      : week.status === 'approved'
        ? t('timesheet.lockedApproved')
        : null;

  return (
    <Flex vertical gap={16}>
      {!own && <Alert type="info" showIcon title={t('timesheet.readOnly', { name: week.userName })} />}
      {own && lockedText && <Alert type="info" showIcon title={lockedText} data-testid="timesheet-locked" />}
      {week.status === 'returned' && (
        <Alert
          type="warning"
          showIcon
          title={t('timesheet.returnedAlert')}
          description={week.comment && <span style={{ whiteSpace: 'pre-wrap' }}>{week.comment}</span>}
          data-testid="timesheet-returned"
        />
      )}
      <Card
        size="small"
        title={
          <Flex gap={8} wrap align="center">
            <span>{t('timesheet.weekRange', { from: week.days[0], to: week.days[6] })}</span>
            <TimesheetStatusTag status={week.status} />
            {dirty && <Tag color="orange">{t('timesheet.unsaved')}</Tag>}
          </Flex>
        }
        extra={
          !mobile && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {week.decidedAt && week.decidedByName
                ? t('timesheet.decided', { name: week.decidedByName, time: formatDateTime(week.decidedAt, locale) })
                : week.submittedAt
                  ? t('timesheet.submittedAt', { time: formatDateTime(week.submittedAt, locale) })
                  : editable
                    ? t('timesheet.keyboardHint')
                    : ''}
            </Typography.Text>
          )
        }
      >
        <div data-grid="timesheet">
          <Table<GridRow>
            size="small"
            rowKey="key"
            pagination={false}
            columns={columns}
            dataSource={rows}
            scroll={{ x: 'max-content' }}
            data-testid="timesheet-grid"
            locale={{
              emptyText: (
                <EmptyState
                  title={own ? t('timesheet.empty') : t('timesheet.emptyOther')}
                  hint={editable ? t('timesheet.emptyHint') : undefined}
                />
              ),
            }}
            summary={() => (
              <Table.Summary fixed>
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>
                    <Typography.Text strong>{t('timesheet.dayTotal')}</Typography.Text>
                  </Table.Summary.Cell>
                  {totals.map((h, i) => (
                    <Table.Summary.Cell key={week.days[i]} index={i + 1} align="center">
                      <Tooltip title={h > DAY_LIMIT ? t('timesheet.dayOver') : ''}>
                        <Typography.Text
                          strong
                          type={h > DAY_LIMIT ? 'danger' : undefined}
                          data-testid="timesheet-day-total"
                          data-over={h > DAY_LIMIT ? 'true' : undefined}
                        >
                          {hoursText(h)}
                        </Typography.Text>
                      </Tooltip>
                    </Table.Summary.Cell>
                  ))}
                  <Table.Summary.Cell index={8} align="right">
                    <Typography.Text strong data-testid="timesheet-week-total">
                      {hoursText(weekTotal)}
                    </Typography.Text>
                  </Table.Summary.Cell>
                  {editable && <Table.Summary.Cell index={9} />}
                </Table.Summary.Row>
              </Table.Summary>
            )}
          />
        </div>
        <Flex gap={8} wrap align="center" justify="space-between" style={{ marginTop: 12 }}>
          {editable ? (
            <Select
              value={null}
              placeholder={t('timesheet.addRowPlaceholder')}
              options={addOptions}
              onChange={(value: string | null) => value && addRow(value)}
              showSearch={{ optionFilterProp: 'search' }}
              style={{ width: mobile ? '100%' : 360 }}
              aria-label={t('timesheet.addRow')}
              data-testid="timesheet-add-row"
            />
          ) : (
            <span />
          )}
          <Space wrap>
            <Typography.Text type="secondary">
              {t('timesheet.weekTotal', { hours: hoursText(weekTotal) })}
              {' · '}
              {t('timesheet.billableTotal', { hours: hoursText(billableTotal) })}
            </Typography.Text>
            {editable && (
              <>
                <Button
                  icon={<SaveOutlined />}
                  type={dirty ? 'primary' : 'default'}
                  disabled={!dirty || invalid || over}
                  loading={busy === 'save'}
                  onClick={() => void onSave()}
                  data-testid="timesheet-save"
                >
                  {t('timesheet.save')}
                </Button>
                <Popconfirm
                  title={t('timesheet.submitConfirm')}
                  onConfirm={() => onSubmit()}
                  okText={t('timesheet.submit')}
                  disabled={weekTotal === 0 || invalid || over}
                >
                  <Button
                    icon={<SendOutlined />}
                    disabled={weekTotal === 0 || invalid || over}
                    loading={busy === 'submit'}
                    data-testid="timesheet-submit"
                  >
                    {t('timesheet.submit')}
                  </Button>
                </Popconfirm>
              </>
            )}
          </Space>
        </Flex>
      </Card>
      {week.id && week.approval && (
        <Card size="small" title={t('timesheet.approvals')} data-testid="timesheet-approvals">
          <ApprovalTimeline subjectKind="timesheet" subjectId={week.id} />
        </Card>
      )}
    </Flex>
  );
}

function blankRow(patch: Partial<GridRow> & { category: TimeCategory }): GridRow {
  return {
    key: newKey(),
    engagementId: null,
    engagementTitle: null,
    customerName: null,
    closed: false,
    taskId: null,
    taskTitle: null,
    billable: false,
    note: '',
    hours: {},
    ...patch,
  };
}
