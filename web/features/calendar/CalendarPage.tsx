import { LeftOutlined, LinkOutlined, ProfileOutlined, RightOutlined } from '@ant-design/icons';
import type {
  DatesSetArg,
  DayHeaderContentArg,
  EventClickArg,
  EventContentArg,
  EventDropArg,
  EventInput,
} from '@fullcalendar/core';
import zhCnLocale from '@fullcalendar/core/locales/zh-cn';
import dayGridPlugin from '@fullcalendar/daygrid';
import interactionPlugin from '@fullcalendar/interaction';
import FullCalendar from '@fullcalendar/react';
import timeGridPlugin from '@fullcalendar/timegrid';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { App, Button, Card, Drawer, Flex, Segmented, Space, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import type { Activity } from '../../../common/schemas/activities';
import { CALENDAR_SCOPES, type CalendarScope, type CalendarWorkOrder } from '../../../common/schemas/calendar';
import { useWrite } from '../../api/queries';
import { activitiesApi, remindersApi, todayApi } from '../../api/resources';
import { ApiError } from '../../api/client';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { errorText } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { PageContainer } from '../../components/PageContainer';
import { useLocale, useT } from '../../i18n';
import { CATEGORY_ICONS, isCategory, useCategoryLabel } from '../activities/activity-ui';
import { CalendarActivityDrawer, isOverdue } from './CalendarActivityDrawer';
import { CalendarFeedPanel } from './CalendarFeedPanel';
import { useCategoryPalette } from './calendar-ui';
import './calendar.css';

/** The three views, by their name in the URL (?view=) and FullCalendar's. */
const VIEWS = { month: 'dayGridMonth', week: 'timeGridWeek', day: 'timeGridDay' } as const;
type View = keyof typeof VIEWS;
const viewOf = (fcView: string): View => (Object.keys(VIEWS) as View[]).find((v) => VIEWS[v] === fcView) ?? 'month';

/** Visits and meetings take an hour, everything else half an hour (as in the iCalendar feed). */
const durationMinutes = (category: string) => (category === 'visit' || category === 'meeting' ? 60 : 30);

/** Where an activity sits: planned ones at their due time, done ones when they were done. */
const placedAt = (a: Activity) => (a.status === 'planned' ? a.dueAt : (a.doneAt ?? a.dueAt));

/** What the activity is about: its customer, opportunity or lead. */
const partyOf = (a: Activity) => a.customerName ?? a.opportunityName ?? a.leadName;

/**
 * What a refused move says about the new time (e.g. 到期时间不能早于现在): the server's localised
 * field issue, more telling than the general "invalid input" of a validation failure.
 */
function issueText(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION_FAILED') return undefined;
  const issues = (error.details as { issues?: { message?: string }[] } | undefined)?.issues;
  return Array.isArray(issues) ? issues.find((i) => typeof i.message === 'string')?.message : undefined;
}

type Range = { from: string; to: string; title: string; view: View };

/**
 * 日程: the activities of a month, week or day — planned ones at their due time, done ones (greyed,
 * struck through) when they were done — mine or my team's, coloured by category. A planned
 * activity is rescheduled by dragging it (the server refuses the past; the event goes back);
 * clicking one opens it in a drawer. The view and scope are in the URL (?view=week&scope=team).
 */
export function CalendarPage() {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const [search, setSearch] = useSearchParams();
  const calendarRef = useRef<FullCalendar>(null);
  const [range, setRange] = useState<Range | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [subscribing, setSubscribing] = useState(false);
  const categoryName = useCategoryLabel();
  const palette = useCategoryPalette();

  const scope: CalendarScope = (CALENDAR_SCOPES as readonly string[]).includes(search.get('scope') ?? '')
    ? (search.get('scope') as CalendarScope)
    : 'mine';
  const [initialView] = useState(() => {
    const asked = search.get('view') ?? '';
    return VIEWS[Object.hasOwn(VIEWS, asked) ? (asked as View) : 'month'];
  });
  const setParam = useCallback(
    (name: string, value: string, fallback: string) =>
      setSearch(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (value === fallback) next.delete(name);
          else next.set(name, value);
          return next;
        },
        { replace: true },
      ),
    [setSearch],
  );

  const calendar = useQuery({
    queryKey: [activitiesApi.path, 'calendar', { from: range?.from, to: range?.to, scope }],
    queryFn: () => activitiesApi.calendar({ from: range!.from, to: range!.to, scope }),
    enabled: range !== null,
    placeholderData: keepPreviousData,
  });
  const items = useMemo(() => calendar.data?.items ?? [], [calendar.data]);
  const workOrders = useMemo(() => calendar.data?.workOrders ?? [], [calendar.data]);
  const navigate = useNavigate();
  const selected = items.find((a) => a.id === selectedId) ?? null;

  const reschedule = useWrite(
    ({ id, dueAt }: { id: string; dueAt: string }) => activitiesApi.update(id, { dueAt }),
    [activitiesApi.path, todayApi.path, remindersApi.path],
  );

  const events = useMemo<EventInput[]>(
    () =>
      items
        .flatMap((a): EventInput[] => {
          const at = placedAt(a);
          if (!at) return [];
          const start = new Date(at);
          const colors = palette(a.category);
          const done = a.status !== 'planned';
          return [
            {
              id: a.id,
              title: a.subject,
              start,
              end: new Date(start.getTime() + durationMinutes(a.category) * 60_000),
              startEditable: a.status === 'planned',
              durationEditable: false,
              backgroundColor: done ? 'var(--gd-cal-done-bg)' : colors.background,
              borderColor: colors.accent,
              textColor: done ? 'var(--gd-cal-done-text)' : colors.text,
              classNames: ['gd-cal-event', done ? 'gd-cal-done' : isOverdue(a) ? 'gd-cal-overdue' : 'gd-cal-planned'],
              extendedProps: { activity: a },
            },
          ];
        })
        .concat(
          // Work orders 工单: all day on their due date; opening one opens its engagement.
          workOrders.map((w): EventInput => ({
            id: `work-order-${w.id}`,
            title: w.title,
            start: w.dueOn,
            allDay: true,
            startEditable: false,
            durationEditable: false,
            backgroundColor: w.status === 'done' ? 'var(--gd-cal-done-bg)' : 'var(--ant-color-warning-bg, #fffbe6)',
            borderColor: 'var(--ant-color-warning, #faad14)',
            textColor: w.status === 'done' ? 'var(--gd-cal-done-text)' : 'inherit',
            classNames: ['gd-cal-event', w.status === 'done' ? 'gd-cal-done' : 'gd-cal-planned'],
            extendedProps: { workOrder: w },
          })),
        ),
    [items, workOrders, palette],
  );

  const onDatesSet = useCallback(
    (arg: DatesSetArg) => {
      const view = viewOf(arg.view.type);
      setRange({ from: arg.start.toISOString(), to: arg.end.toISOString(), title: arg.view.title, view });
      setParam('view', view, 'month');
    },
    [setParam],
  );

  const onDrop = useCallback(
    async (info: EventDropArg) => {
      const a = info.event.extendedProps.activity as Activity;
      const start = info.event.start;
      if (a.status !== 'planned' || !start) return info.revert();
      try {
        await reschedule.mutateAsync({ id: a.id, dueAt: start.toISOString() });
        void message.success(
          t('calendar.rescheduled', { subject: a.subject, time: formatDateTime(start.toISOString(), locale) }),
        );
      } catch (error) {
        info.revert();
        void message.error(issueText(error) ?? errorText(t, error));
      }
    },
    [reschedule, message, t, locale],
  );

  const onClick = useCallback(
    (info: EventClickArg) => {
      info.jsEvent.preventDefault();
      const workOrder = info.event.extendedProps.workOrder as CalendarWorkOrder | undefined;
      if (workOrder) void navigate(`/engagements/${workOrder.engagementId}`);
      else setSelectedId(info.event.id);
    },
    [navigate],
  );

  const renderEvent = useCallback(
    (arg: EventContentArg) => {
      const workOrder = arg.event.extendedProps.workOrder as CalendarWorkOrder | undefined;
      if (workOrder) {
        const who = scope === 'team' ? workOrder.assigneeName : null;
        return (
          <div
            className="gd-cal-inner"
            title={[`${t('calendar.workOrder')} · ${workOrder.title}`, who, workOrder.engagementTitle]
              .filter(Boolean)
              .join('\n')}
            data-testid="calendar-work-order"
            data-status={workOrder.status}
            data-id={workOrder.id}
          >
            <div className="gd-cal-line">
              <span className="gd-cal-icon">
                <ProfileOutlined />
              </span>
              {who && <span className="gd-cal-owner">{who}</span>}
              <span className="gd-cal-subject">{workOrder.title}</span>
            </div>
          </div>
        );
      }
      const a = arg.event.extendedProps.activity as Activity;
      const inGrid = arg.view.type !== VIEWS.month;
      const tall = inGrid && (arg.event.end?.getTime() ?? 0) - (arg.event.start?.getTime() ?? 0) >= 60 * 60_000;
      // On the team's calendar every event says whose it is (two people's "电话回访" are not duplicates).
      const owner = scope === 'team' ? a.ownerName : null;
      const detail = partyOf(a);
      const tooltip = [`${arg.timeText} ${categoryName(a.category)} · ${a.subject}`, owner, detail]
        .filter(Boolean)
        .join('\n');
      return (
        <div
          className="gd-cal-inner"
          title={tooltip}
          data-testid="calendar-event"
          data-status={a.status}
          data-id={a.id}
        >
          <div className="gd-cal-line">
            {arg.timeText && <span className="gd-cal-time">{arg.timeText}</span>}
            <span className="gd-cal-icon" style={{ color: palette(a.category).accent }}>
              {isCategory(a.category) ? CATEGORY_ICONS[a.category] : null}
            </span>
            {owner && (
              <span className="gd-cal-owner" data-testid="calendar-event-owner">
                {owner}
              </span>
            )}
            <span className="gd-cal-subject">{a.subject}</span>
            {/* Half-hour events in the week and day views have room for one line: what it is about follows the subject. */}
            {inGrid && !tall && detail && <span className="gd-cal-detail">· {detail}</span>}
          </div>
          {tall && detail && <div className="gd-cal-detail">{detail}</div>}
        </div>
      );
    },
    [scope, categoryName, palette, t],
  );

  /** Week and day columns: "周一 11/23" / "Mon 11/23"; the month keeps FullCalendar's weekday names. */
  const renderDayHeader = useCallback(
    (arg: DayHeaderContentArg) => {
      if (arg.view.type === VIEWS.month) return arg.text;
      const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short' }).format(arg.date);
      return `${weekday} ${arg.date.getMonth() + 1}/${arg.date.getDate()}`;
    },
    [locale],
  );

  const api = () => calendarRef.current?.getApi();

  // The week and day views open at 08:00, or earlier or later when that shows more of the range's
  // activities (the hour whose next ten hours hold the most; ties go to the one nearest 08:00).
  // Once per range: a drag or a refresh does not move the view.
  const scrolledFor = useRef<string | null>(null);
  useEffect(() => {
    if (!range || range.view === 'month' || !calendar.data || calendar.isPlaceholderData) return;
    const key = `${range.from}|${range.view}|${scope}`;
    if (scrolledFor.current === key) return;
    scrolledFor.current = key;
    const hours = calendar.data.items.flatMap((a) => {
      const at = placedAt(a);
      return at ? [new Date(at).getHours()] : [];
    });
    const shown = (start: number) => hours.filter((h) => h >= start && h < start + 10).length;
    let best = 8;
    for (let start = 0; start <= 14; start++) {
      if (shown(start) > shown(best) || (shown(start) === shown(best) && Math.abs(start - 8) < Math.abs(best - 8)))
        best = start;
    }
    calendarRef.current?.getApi().scrollToTime({ hours: best });
  }, [range, scope, calendar.data, calendar.isPlaceholderData]);
  const view = range?.view ?? viewOf(initialView);
  const planned = items.filter((a) => a.status === 'planned').length;
  const hint =
    !range || calendar.isPending
      ? '\u00a0'
      : items.length === 0 && workOrders.length > 0
        ? t('calendar.workOrdersOnly', { n: workOrders.length })
        : items.length === 0
          ? t(scope === 'mine' ? 'calendar.emptyMine' : 'calendar.emptyTeam')
          : t('calendar.summary', { planned, done: items.length - planned });

  return (
    <div data-testid="calendar">
      <PageContainer
        title={t('calendar.title')}
        hint={t('calendar.pageHint')}
        extra={
          <Button icon={<LinkOutlined />} onClick={() => setSubscribing(true)} data-testid="calendar-subscribe">
            {t('calendar.subscribe')}
          </Button>
        }
      >
        <Card styles={{ body: { padding: 16 } }}>
          <Flex justify="space-between" align="center" gap={12} wrap style={{ marginBottom: 8 }}>
            <Flex align="center" gap={8}>
              <Space.Compact>
                <Tooltip title={t('calendar.prev')}>
                  <Button
                    icon={<LeftOutlined />}
                    aria-label={t('calendar.prev')}
                    onClick={() => api()?.prev()}
                    data-testid="calendar-prev"
                  />
                </Tooltip>
                <Tooltip title={t('calendar.next')}>
                  <Button
                    icon={<RightOutlined />}
                    aria-label={t('calendar.next')}
                    onClick={() => api()?.next()}
                    data-testid="calendar-next"
                  />
                </Tooltip>
              </Space.Compact>
              <Button onClick={() => api()?.today()} data-testid="calendar-today">
                {t('calendar.today')}
              </Button>
              <Typography.Title level={4} style={{ margin: '0 0 0 8px' }} data-testid="calendar-title">
                {range?.title}
              </Typography.Title>
            </Flex>
            <Flex align="center" gap={12} wrap>
              <Segmented<CalendarScope>
                data-testid="calendar-scope"
                value={scope}
                onChange={(value) => setParam('scope', value, 'mine')}
                options={CALENDAR_SCOPES.map((s) => ({ value: s, label: t(`calendar.scope.${s}`) }))}
              />
              <Segmented<View>
                data-testid="calendar-view"
                value={view}
                onChange={(value) => api()?.changeView(VIEWS[value])}
                options={(Object.keys(VIEWS) as View[]).map((v) => ({ value: v, label: t(`calendar.view.${v}`) }))}
              />
            </Flex>
          </Flex>
          {failedWithoutData(calendar) ? (
            <div style={{ marginBottom: 8 }}>
              <LoadError query={calendar} compact />
            </div>
          ) : (
            <Typography.Text
              type="secondary"
              style={{ display: 'block', fontSize: 13, marginBottom: 8 }}
              data-testid="calendar-hint"
            >
              {hint}
            </Typography.Text>
          )}
          <div
            className="gd-calendar"
            data-loading={calendar.isFetching}
            style={{ height: 'max(560px, calc(100vh - 290px))' }}
          >
            <FullCalendar
              ref={calendarRef}
              plugins={[dayGridPlugin, timeGridPlugin, interactionPlugin]}
              initialView={initialView}
              locale={locale === 'zh-CN' ? zhCnLocale : 'en'}
              firstDay={1}
              headerToolbar={false}
              height="100%"
              events={events}
              datesSet={onDatesSet}
              eventDrop={onDrop}
              eventClick={onClick}
              eventContent={renderEvent}
              dayHeaderContent={renderDayHeader}
              // 28, not 28日: the month grid shows bare day numbers in both languages.
              dayCellContent={(arg) => arg.dayNumberText.replace('日', '')}
              eventDisplay="block"
              eventTimeFormat={{ hour: '2-digit', minute: '2-digit', hour12: false }}
              slotLabelFormat={{ hour: '2-digit', minute: '2-digit', hour12: false }}
              displayEventEnd={false}
              editable={false}
              eventDurationEditable={false}
              snapDuration="00:15:00"
              allDaySlot={workOrders.length > 0}
              scrollTime="08:00:00"
              nowIndicator
              navLinks
              dayMaxEvents
              businessHours={{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '18:00' }}
            />
          </div>
        </Card>
      </PageContainer>
      <CalendarActivityDrawer activity={selected} onClose={() => setSelectedId(null)} />
      <Drawer open={subscribing} onClose={() => setSubscribing(false)} size={480} title={t('calendar.feed.title')}>
        <CalendarFeedPanel />
      </Drawer>
    </div>
  );
}
