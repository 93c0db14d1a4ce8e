import { z } from 'zod';
import { Activity } from './activities';
import { ChatMentionsDigest } from './chat';
import { DateOnly, Id, Timestamp } from './common';
import { CrossSellSuggestion } from './cross-sell';
import { TERM_KINDS } from './contracts';
import { WorkOrder } from './engagements';
import { RelatedArticle } from './knowledge-related';
import { TASK_STATUSES } from './opportunities';
import { Reminder, TimeZone } from './reminders';
import { Renewal } from './renewals';
import { Suggestion } from './suggestions';

export const TodayQuery = z.strictObject({
  /** Whose "today": defaults to my preference (Asia/Shanghai unless changed). */
  tz: TimeZone.optional(),
});
export type TodayQuery = z.infer<typeof TodayQuery>;

export const CallDue = z.object({
  customerId: Id,
  customerName: z.string(),
  nextContactOn: DateOnly,
  lastContactAt: Timestamp.nullable(),
  contactId: Id.nullable(),
  contactName: z.string().nullable(),
  phone: z.string().nullable(),
});
export type CallDue = z.infer<typeof CallDue>;

export const ServiceDue = z.object({
  serviceId: Id,
  customerId: Id,
  customerName: z.string(),
  businessLineName: z.string(),
  cycle: z.string(),
  nextDueOn: DateOnly,
});
export type ServiceDue = z.infer<typeof ServiceDue>;

export const NewLead = z.object({
  id: Id,
  companyName: z.string(),
  contactName: z.string().nullable(),
  phone: z.string().nullable(),
  source: z.string().nullable(),
  assignedAt: Timestamp.nullable(),
});
export type NewLead = z.infer<typeof NewLead>;

/** A project task assigned to me that is not done yet (项目任务). */
export const MyProjectTask = z.object({
  id: Id,
  opportunityId: Id,
  opportunityName: z.string(),
  /** Whether I may open the opportunity; the task itself is mine to work on either way. */
  opportunityVisible: z.boolean(),
  milestoneName: z.string().nullable(),
  title: z.string(),
  startsOn: DateOnly.nullable(),
  dueOn: DateOnly.nullable(),
  status: z.enum(TASK_STATUSES),
});
export type MyProjectTask = z.infer<typeof MyProjectTask>;

/** A payment term of my contract (or order) that is due — today or earlier — and not paid in full. */
export const PaymentDue = z.object({
  termId: Id,
  contractId: Id.nullable(),
  orderId: Id.nullable(),
  subjectNumber: z.string().nullable(),
  subjectTitle: z.string(),
  customerId: Id,
  customerName: z.string(),
  position: z.int(),
  kind: z.enum(TERM_KINDS),
  dueOn: DateOnly,
  outstanding: z.string(),
  /** 0: due today. */
  daysOverdue: z.int(),
});
export type PaymentDue = z.infer<typeof PaymentDue>;

/** The salesperson's start page: what to do today and whom to call, and why. */
export const Today = z.object({
  date: DateOnly,
  timeZone: z.string(),
  overdue: z.array(Activity),
  today: z.array(Activity),
  reminders: z.array(Reminder),
  callsDue: z.array(CallDue),
  inactive: z.array(Suggestion),
  servicesDue: z.array(ServiceDue),
  /** Leads given to me that are still new (empty without leads:read). */
  newLeads: z.array(NewLead),
  /** Open tasks of projects (opportunities run as projects) assigned to me, earliest due first. */
  projectTasks: z.array(MyProjectTask),
  /**
   * My open work orders 工单 (engagement tasks assigned to me) due within WORK_ORDERS_DUE_DAYS or overdue, earliest
   * due first (empty without engagements:read).
   */
  workOrders: z.array(WorkOrder),
  /** Payments my customers owe on my contracts and orders that are due (empty without receivables:read). */
  paymentsDue: z.array(PaymentDue),
  /** For those who hand leads out (leads:assign): leads waiting in the queues they work. */
  queuedLeads: z.array(NewLead.extend({ queueDepartmentName: z.string().nullable() })),
  /**
   * Today's suggested reading 今日推荐阅读: one article I have not read, relevant to the day's work (null without
   * knowledge:read or when there is none; the same as GET /api/v1/knowledge/suggestion).
   */
  knowledgeSuggestion: RelatedArticle.nullable(),
  /**
   * My unread mentions 提及 in team chat: how many, and the newest TODAY_MENTIONS_SHOWN (common/schemas/chat.ts);
   * none without chat:use.
   */
  chatMentions: ChatMentionsDigest,
  /**
   * My renewals 续约 raised and still open, the nearest season first (TODAY_RENEWALS_SHOWN; empty without
   * opportunities:read).
   */
  renewals: z.array(Renewal),
  /** This week's best cross-sell suggestions 交叉销售 for my customers (TODAY_CROSS_SELL_SHOWN, best first). */
  crossSell: z.array(CrossSellSuggestion),
});
export type Today = z.infer<typeof Today>;
export const TODAY_RENEWALS_SHOWN = 5;
export const TODAY_CROSS_SELL_SHOWN = 3;

/** Audits (and other recurring services) count as "due soon" this many days ahead. */
export const SERVICES_DUE_DAYS = 30;
/** Work orders count as "due soon" this many days ahead. */
export const WORK_ORDERS_DUE_DAYS = 7;
/** Each section shows at most this many (the lists behind them have the rest). */
export const TODAY_SECTION_LIMIT = 50;
