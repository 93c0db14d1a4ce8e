import { z } from 'zod';
import { REPORT_KINDS } from '../reports';
import { DateOnly, Id, Money, Timestamp } from './common';

/**
 * The start page 首页 (issue 16): one answer with a section per kind of reader — each present only when the reader's
 * grants allow it, its figures under the same visibility as the lists they link to — and the reports they pinned.
 */

/** A count and an amount (orders, open opportunities, terms). */
const CountAmount = z.object({ count: z.int(), amount: Money });
/** The open pipeline: how many, their expected amount, and weighted by their stage's probability. */
export const PipelineFigures = z.object({ count: z.int(), amount: Money, weighted: Money });
export type PipelineFigures = z.infer<typeof PipelineFigures>;

export const BigDeal = z.object({
  id: Id,
  name: z.string(),
  customerName: z.string(),
  ownerName: z.string(),
  stageName: z.string(),
  amount: Money,
  expectedCloseOn: DateOnly.nullable(),
});
export type BigDeal = z.infer<typeof BigDeal>;

/**
 * The three yardsticks of the firm. 员工发展: CPE hours taken this year against the hours required of active staff
 * (each person counted up to their requirement), and the share of active staff holding a qualification that has not
 * expired. 客户服务: of the engagements closed this year that had a due date, the share closed by it; of the customers
 * with an owner, the share contacted in the last 90 days. 知识积累 (this year so far, articles the reader sees): the
 * articles written (not archived, templates not counted), the deals closed (won or lost) and of them those with a
 * lesson 复盘, the articles read (distinct reader and article), the "useful" marks given, and the articles past their
 * review date now. 员工发展 also counts, per active person, the articles they read and wrote this year.
 */
export const Indicators = z.object({
  staff: z.object({
    cpeHours: z.string(),
    cpeRequired: z.string(),
    /** Percent with one decimal, null without any requirement. */
    cpeShare: z.string().nullable(),
    people: z.int(),
    qualified: z.int(),
    qualifiedShare: z.string().nullable(),
    /** Articles read this year (distinct reader and article) by active staff, per person, one decimal; null without people. */
    articlesReadPerPerson: z.string().nullable(),
    /** Articles written this year (as for 知识积累's `written`) by active staff, per person, one decimal. */
    articlesWrittenPerPerson: z.string().nullable(),
    /** Playbook steps 销售指引 completed this year (checklist items ticked, scheduled activities done), per person. */
    playbookStepsPerPerson: z.string().nullable(),
  }),
  service: z.object({
    closed: z.int(),
    onTime: z.int(),
    onTimeShare: z.string().nullable(),
    customers: z.int(),
    contacted: z.int(),
    contactedShare: z.string().nullable(),
  }),
  knowledge: z.object({
    /** Articles created this year, not archived, templates not counted. */
    written: z.int(),
    /** Opportunities closed (won or lost) this year. */
    closedDeals: z.int(),
    /** Of those, the ones with a lesson 复盘 (an article of kind lesson linked to the opportunity). */
    lessons: z.int(),
    /** Percent with one decimal, null without closed deals. */
    lessonShare: z.string().nullable(),
    /** Distinct reader × article pairs read this year. */
    reads: z.int(),
    /** "Useful" marks given this year. */
    usefulMarks: z.int(),
    /** Articles (not archived) past their review date today 待复审. */
    stale: z.int(),
  }),
});
export type Indicators = z.infer<typeof Indicators>;

/** Partners and executives (scope all on contracts and receivables): the firm at a glance. */
export const FirmSection = z.object({
  /** This year so far (1 January to today) and the same days a year earlier. */
  from: DateOnly,
  to: DateOnly,
  prevFrom: DateOnly,
  prevTo: DateOnly,
  orders: CountAmount,
  prevOrders: CountAmount,
  receipts: Money,
  prevReceipts: Money,
  pipeline: PipelineFigures,
  /** Outstanding on terms more than 90 days past their due date (the ageing's 91–180 and over-180 buckets). */
  overdue90: Money,
  /** The five largest open opportunities. */
  bigDeals: z.array(BigDeal),
  indicators: Indicators,
});

/** Managers (scope department on opportunities): their team. */
export const TeamSection = z.object({
  pipeline: PipelineFigures,
  /** Planned activities of the team (on records the manager sees) due before today. */
  overdueActivities: z.int(),
  weekStart: DateOnly,
  /** Hours logged this week against the team's capacity; null without engagements:read. */
  workload: z.object({ hours: z.string(), capacity: z.string(), people: z.int() }).nullable(),
});

/** Salespeople (scope own on opportunities): my month in figures. */
export const SalesSection = z.object({
  from: DateOnly,
  to: DateOnly,
  /** Null without contracts:read / receivables:read. */
  orders: CountAmount.nullable(),
  receipts: Money.nullable(),
  pipeline: PipelineFigures,
  activitiesDone: z.int(),
});

/** Finance (those who record receipts). */
export const FinanceSection = z.object({
  today: DateOnly,
  /** Terms due within the next 7 days with nothing received yet. */
  toRecord: CountAmount,
  /** Terms falling due within the next 30 days with something outstanding. */
  fallingDue: CountAmount,
  /** Outstanding on terms past their due date (the ageing's overdue buckets). */
  overdue: Money,
  /** Commission sheets waiting for the reader's decision (the finance steps 财务核对 / 佣金发放). */
  commissionSheets: z.int(),
});

/** Engagement staff: my work orders and my timesheet week. */
export const WorkSection = z.object({
  openWorkOrders: z.int(),
  weekStart: DateOnly,
  hoursThisWeek: z.string(),
});

export const ReportPin = z.object({
  id: Id,
  kind: z.enum(REPORT_KINDS),
  title: z.string().nullable(),
  query: z.record(z.string(), z.string()),
  position: z.int(),
  createdAt: Timestamp,
});
export type ReportPin = z.infer<typeof ReportPin>;

export const Dashboard = z.object({
  /** Today in the firm's time zone. */
  date: DateOnly,
  /** Approvals waiting for the reader (everyone may be asked to decide). */
  approvalsWaiting: z.int(),
  firm: FirmSection.nullable(),
  team: TeamSection.nullable(),
  sales: SalesSection.nullable(),
  finance: FinanceSection.nullable(),
  work: WorkSection.nullable(),
  /** The reports the reader pinned (and may still read), in their order. */
  pins: z.array(ReportPin),
});
export type Dashboard = z.infer<typeof Dashboard>;

/** A report's query as a page keeps it in the address: strings only (validated against the report's schema). */
const ReportQueryText = z.record(z.string().max(40), z.string().max(200));

export const MAX_REPORT_PINS = 12;
export const ReportPinCreate = z.strictObject({
  kind: z.enum(REPORT_KINDS),
  query: ReportQueryText.default({}),
  title: z.string().trim().min(1).max(100).optional(),
});
export type ReportPinCreate = z.infer<typeof ReportPinCreate>;
export const ReportPinList = z.object({ items: z.array(ReportPin) });

export const REPORT_FREQUENCIES = ['weekly', 'monthly'] as const;
export const MAX_REPORT_SUBSCRIPTIONS = 20;
export const ReportSubscription = z.object({
  id: Id,
  kind: z.enum(REPORT_KINDS),
  /** The report's name in the reader's language. */
  title: z.string(),
  query: z.record(z.string(), z.string()),
  frequency: z.enum(REPORT_FREQUENCIES),
  active: z.boolean(),
  nextRunAt: Timestamp,
  lastSentAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type ReportSubscription = z.infer<typeof ReportSubscription>;
export const ReportSubscriptionList = z.object({ items: z.array(ReportSubscription) });
export const ReportSubscriptionCreate = z.strictObject({
  kind: z.enum(REPORT_KINDS),
  query: ReportQueryText.default({}),
  frequency: z.enum(REPORT_FREQUENCIES),
});
export type ReportSubscriptionCreate = z.infer<typeof ReportSubscriptionCreate>;
export const ReportSubscriptionUpdate = z
  .strictObject({ frequency: z.enum(REPORT_FREQUENCIES), active: z.boolean() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'Nothing to change' });
export type ReportSubscriptionUpdate = z.infer<typeof ReportSubscriptionUpdate>;
