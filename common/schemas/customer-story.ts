import { z } from 'zod';
import { DateOnly, Id, Money, Timestamp } from './common';

/**
 * The customer's whole story (issue 19): one timeline of everything that happened with a customer, each item shown
 * only when the reader may see the record it comes from, and the customer card's figures.
 */
export const TIMELINE_KINDS = [
  'contact-log',
  'activity',
  'opportunity',
  'stage-change',
  'quote',
  'contract',
  'order',
  'engagement',
  'report',
  'receipt',
  'invoice',
  'approval',
  'chat-mention',
  'lesson',
  'insight',
  'renewal',
  'cross-sell',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** What an item opens (the web app's route of that record). */
export const TimelineLink = z.object({
  type: z.enum([
    'customer',
    'opportunity',
    'contract',
    'order',
    'engagement',
    'knowledge',
    'conversation',
    'approval',
    'renewal',
  ]),
  id: Id,
  /** A place inside the record (a chat message's seq). */
  anchor: z.string().nullable(),
});

export const TimelineItem = z.object({
  kind: z.enum(TIMELINE_KINDS),
  /** Unique within the timeline (kind + record id [+ sub id]): the cursor's tie-breaker. */
  key: z.string(),
  at: Timestamp,
  /** Written in the reader's language by the server ("阶段 初步接洽 → 商务报价", "到款 ¥12,000.00"). */
  title: z.string(),
  detail: z.string().nullable(),
  amount: Money.nullable(),
  status: z.string().nullable(),
  actorName: z.string().nullable(),
  link: TimelineLink.nullable(),
});
export type TimelineItem = z.infer<typeof TimelineItem>;

/** Newest first; `before` is the last item's cursor of the previous page. */
export const TimelineQuery = z.strictObject({
  /** Comma-separated kinds (default all). */
  kinds: z.string().trim().max(400).optional(),
  before: z.string().trim().max(200).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(30),
});
export type TimelineQuery = z.infer<typeof TimelineQuery>;

export const TimelinePage = z.object({
  items: z.array(TimelineItem),
  /** Pass as `before` for the next page; null at the end. */
  nextCursor: z.string().nullable(),
});
export type TimelinePage = z.infer<typeof TimelinePage>;

/**
 * The customer card's figures, over what the reader may see (contracts and orders by contracts:read). The rule, item
 * by item: `contracted`, `firstSaleOn`, `servicesByYear` and the contracts' and orders' renewal dates count the
 * contracts and orders the reader sees under contracts:read (owner and team / department / all); `lifetimeRevenue` and
 * `outstanding` count the receipts and terms of the contracts and orders the reader may read under receivables:read
 * (the same owner / department rule) — a reader without it sees 0.00; recurring services come with the customer; open
 * renewals are the reader's own or those whose opportunity the reader sees. A customer not seen at all is NOT_FOUND.
 */
export const CustomerFigures = z.object({
  customerId: Id,
  /** Received in all (receipts less reversals), exact. */
  lifetimeRevenue: Money,
  /** Contracted (signed contracts and confirmed orders without one, not voided). */
  contracted: Money,
  /** What the terms still wait for. */
  outstanding: Money,
  firstSaleOn: DateOnly.nullable(),
  /**
   * Services bought by year (newest first): the business lines and their amounts (contracted) — a contract by its
   * business line in the year it was signed, an order without a contract by its lines in the year it was confirmed.
   */
  servicesByYear: z.array(
    z.object({
      year: z.int(),
      total: Money,
      lines: z.array(z.object({ businessLineId: Id, businessLineName: z.string(), amount: Money })),
    }),
  ),
  /**
   * The coming seasons, soonest first: recurring services (next_due_on), recurring contracts (their end, else signing,
   * moved on by whole cycles to today or later), recurring orders without a contract (confirmation plus whole cycles)
   * and raised renewals whose opportunity is still open.
   */
  renewalDates: z.array(
    z.object({
      businessLineName: z.string(),
      dueOn: DateOnly,
      source: z.enum(['service', 'contract', 'order', 'renewal']),
      renewalId: Id.nullable(),
    }),
  ),
});
export type CustomerFigures = z.infer<typeof CustomerFigures>;
