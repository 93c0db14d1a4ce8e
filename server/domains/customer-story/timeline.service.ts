import { sql, type SQL } from 'drizzle-orm';
import { translate, type Locale, type MessageKey } from '../../../common/i18n';
import {
  TIMELINE_KINDS,
  type TimelineItem,
  type TimelineKind,
  type TimelinePage,
  type TimelineQuery,
} from '../../../common/schemas/customer-story';
import type { Ctx } from '../../context';
import { rowsOf } from '../../db/client';
import { invalidInput, notFound } from '../../errors';
import { FIRM_TIME_ZONE } from '../../lib/time';
import type { Actor } from '../../policy';
import { visibleActivities } from '../activities/activities.policy';
import { readableConversations } from '../chat/chat.policy';
import { receivableContracts, receivableOrders, visibleContracts, visibleOrders } from '../contracts/contracts.policy';
import { visibleCustomers } from '../customers/customers.policy';
import { visibleEngagements } from '../engagements/engagements.policy';
import { visibleArticles } from '../knowledge/knowledge.policy';
import { visibleOpportunities } from '../opportunities/opportunities.policy';

/*
 * The customer's whole story (issue 19 item 3) in ONE statement: a UNION ALL of one branch per kind, each read
 * under the policy of the record it comes from, each already cut to the page (cursor condition, newest first,
 * LIMIT pageSize + 1) so a customer with hundreds of items reads only what one page needs from each table. The
 * database writes the plain facts (names, amounts, stage names); the server words the title in the reader's
 * language with one map over at most pageSize + 1 rows.
 *
 * Dates without a time (a contract's signing day, a receipt's day) stand at the time the record was written when it
 * was written that day, else at the day's start in the firm's zone: same-day events keep their real order.
 */

type Row = {
  kind: TimelineKind;
  key: string;
  /** As the API shows an instant (milliseconds). */
  at: string;
  /** Microseconds, for the cursor. */
  at_us: string;
  event: string;
  name: string | null;
  detail: string | null;
  amount: string | null;
  status: string | null;
  actor_name: string | null;
  link_type: string | null;
  link_id: string | null;
  anchor: string | null;
  extra: string | null;
  extra2: string | null;
};

type Cursor = { at: string; key: string };

const CURSOR_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.key]), 'utf8').toString('base64url');
}

export function decodeCursor(locale: Locale, text: string): Cursor {
  const bad = () => invalidInput(locale, [{ path: 'before', key: 'validation.timelineCursor' }]);
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw bad();
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'string' ||
    typeof value[1] !== 'string' ||
    !CURSOR_RE.test(value[0]) ||
    Number.isNaN(Date.parse(value[0])) ||
    value[1].length === 0 ||
    value[1].length > 120
  )
    throw bad();
  return { at: value[0], key: value[1] };
}

export function parseKinds(locale: Locale, text: string | undefined): TimelineKind[] {
  if (!text) return [...TIMELINE_KINDS];
  const wanted = text
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const unknown = wanted.filter((k) => !(TIMELINE_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw invalidInput(locale, [
      { path: 'kinds', key: 'validation.timelineKind', params: { kinds: unknown.join(', ') } },
    ]);
  if (wanted.length === 0) return [...TIMELINE_KINDS];
  return TIMELINE_KINDS.filter((k) => wanted.includes(k));
}

/** A date as an instant: the record's own time when written that day, else the day's start in the firm's zone. */
const dayAt = (day: SQL, writtenAt: SQL): SQL =>
  sql`CASE WHEN ${day} IS NULL THEN NULL WHEN (${writtenAt} AT TIME ZONE ${FIRM_TIME_ZONE})::date = ${day} THEN ${writtenAt} ELSE (${day}::timestamp AT TIME ZONE ${FIRM_TIME_ZONE}) END`;

const userName = (id: SQL): SQL => sql`(SELECT u.display_name FROM users u WHERE u.id = ${id})`;

/**
 * The branches by kind. Each selects the columns of Row except at / at_us (given as `at`, a timestamptz) and is
 * filtered to the customer `$c` and the reader's policy; the caller adds the cursor, order and limit.
 */
function branches(actor: Actor, customerId: string, locale: Locale): Record<TimelineKind, SQL> {
  const c = sql`${customerId}::uuid`;
  const zh = locale === 'zh-CN';
  const stageName = (alias: string) => sql.raw(zh ? `${alias}.name_zh` : `${alias}.name_en`);
  const myOpportunities = sql`(SELECT opportunities.id FROM opportunities WHERE opportunities.customer_id = ${c} AND ${visibleOpportunities(actor)})`;
  const myContracts = sql`(SELECT contracts.id FROM contracts WHERE contracts.customer_id = ${c} AND ${visibleContracts(actor)})`;
  const myEngagements = sql`(SELECT engagements.id FROM engagements WHERE engagements.customer_id = ${c} AND ${visibleEngagements(actor)})`;
  const receivable = (table: 'receipts' | 'invoices') => {
    const t = sql.raw(table);
    return sql`(
      (${t}.contract_id IS NOT NULL AND EXISTS (SELECT 1 FROM contracts WHERE contracts.id = ${t}.contract_id AND ${receivableContracts(actor)}))
      OR (${t}.order_id IS NOT NULL AND EXISTS (SELECT 1 FROM orders WHERE orders.id = ${t}.order_id AND ${receivableOrders(actor)})))`;
  };
  return {
    'contact-log': sql`SELECT 'contact-log' AS kind, 'contact-log:' || l.id AS key, l.occurred_at AS at, l.channel AS event,
        k.name AS name, l.summary AS detail, NULL::text AS amount, l.direction AS status, u.display_name AS actor_name,
        'customer' AS link_type, l.customer_id::text AS link_id, NULL::text AS anchor, NULL::text AS extra, NULL::text AS extra2
      FROM contact_logs l JOIN users u ON u.id = l.user_id LEFT JOIN contacts k ON k.id = l.contact_id
      WHERE l.customer_id = ${c}`,
    activity: sql`SELECT 'activity', 'activity:' || activities.id, coalesce(activities.done_at, activities.created_at),
        activities.status, activities.subject, activities.notes, NULL, activities.status, ${userName(sql`activities.owner_id`)},
        CASE WHEN activities.opportunity_id IS NOT NULL THEN 'opportunity' ELSE 'customer' END,
        coalesce(activities.opportunity_id, activities.customer_id)::text, NULL, activities.category, NULL
      FROM activities WHERE activities.customer_id = ${c} AND ${visibleActivities(actor)}`,
    opportunity: sql`SELECT 'opportunity', 'opportunity:' || opportunities.id, opportunities.created_at, 'created',
        opportunities.name, opportunities.next_step, opportunities.expected_amount::text, opportunities.status,
        ${userName(sql`opportunities.owner_id`)}, 'opportunity', opportunities.id::text, NULL, NULL, NULL
      FROM opportunities WHERE opportunities.customer_id = ${c} AND ${visibleOpportunities(actor)}`,
    'stage-change': sql`SELECT 'stage-change', 'stage-change:' || sc.id, sc.at,
        CASE WHEN sc.to_status IN ('won', 'lost') AND sc.from_status IS DISTINCT FROM sc.to_status THEN sc.to_status
             WHEN sc.to_status = 'open' AND sc.from_status IN ('won', 'lost') THEN 'reopened' ELSE 'moved' END,
        opportunities.name, sc.note, NULL, sc.to_status, ${userName(sql`sc.by_user_id`)}, 'opportunity', opportunities.id::text, NULL,
        ${stageName('fs')}, ${stageName('ts')}
      FROM opportunity_stage_changes sc JOIN opportunities ON opportunities.id = sc.opportunity_id
        JOIN pipeline_stages ts ON ts.id = sc.to_stage_id LEFT JOIN pipeline_stages fs ON fs.id = sc.from_stage_id
      WHERE opportunities.customer_id = ${c} AND sc.from_stage_id IS NOT NULL AND ${visibleOpportunities(actor)}`,
    quote: sql`SELECT 'quote', 'quote:' || q.id || ':' || ev.event, ev.at, ev.event, opportunities.name, q.notes, q.total::text,
        q.status, ${userName(sql`q.created_by`)}, 'opportunity', opportunities.id::text, NULL, q.version::text, NULL
      FROM quotes q JOIN opportunities ON opportunities.id = q.opportunity_id
        CROSS JOIN LATERAL (VALUES ('created', q.created_at),
          (q.status, CASE WHEN q.status <> 'draft' THEN q.updated_at END)) ev(event, at)
      WHERE opportunities.customer_id = ${c} AND ev.at IS NOT NULL AND ${visibleOpportunities(actor)}`,
    contract: sql`SELECT 'contract', 'contract:' || contracts.id || ':' || ev.event, ev.at, ev.event, contracts.title,
        coalesce(contracts.number, contracts.status_reason), contracts.amount::text, contracts.status,
        ${userName(sql`contracts.owner_id`)}, 'contract', contracts.id::text, NULL, NULL, NULL
      FROM contracts CROSS JOIN LATERAL (VALUES ('made', contracts.created_at),
          ('signed', ${dayAt(sql`contracts.signed_on`, sql`contracts.updated_at`)}),
          ('completed', ${dayAt(sql`contracts.completed_on`, sql`contracts.updated_at`)}),
          ('terminated', CASE WHEN contracts.status = 'terminated' THEN contracts.updated_at END)) ev(event, at)
      WHERE contracts.customer_id = ${c} AND ev.at IS NOT NULL AND ${visibleContracts(actor)}`,
    order: sql`SELECT 'order', 'order:' || orders.id || ':' || ev.event, ev.at, ev.event, orders.title,
        coalesce(orders.number, orders.status_reason), orders.amount::text, orders.status, ${userName(sql`orders.owner_id`)}, 'order', orders.id::text,
        NULL, NULL, NULL
      FROM orders CROSS JOIN LATERAL (VALUES
          ('confirmed', ${dayAt(sql`orders.confirmed_on`, sql`orders.updated_at`)}),
          ('completed', ${dayAt(sql`orders.completed_on`, sql`orders.updated_at`)})) ev(event, at)
      WHERE orders.customer_id = ${c} AND ev.at IS NOT NULL AND ${visibleOrders(actor)}`,
    engagement: sql`SELECT 'engagement', 'engagement:' || engagements.id, engagements.created_at, 'started', engagements.title,
        NULL, NULL, engagements.status, ${userName(sql`engagements.lead_id`)}, 'engagement', engagements.id::text, NULL, NULL, NULL
      FROM engagements WHERE engagements.customer_id = ${c} AND ${visibleEngagements(actor)}`,
    report: sql`SELECT 'report', 'report:' || engagements.id,
        ${dayAt(sql`engagements.report_issued_on`, sql`engagements.updated_at`)}, 'issued', engagements.title,
        engagements.report_number, NULL, engagements.status, ${userName(sql`engagements.lead_id`)}, 'engagement',
        engagements.id::text, NULL, NULL, NULL
      FROM engagements WHERE engagements.customer_id = ${c} AND engagements.report_issued_on IS NOT NULL
        AND ${visibleEngagements(actor)}`,
    receipt: sql`SELECT 'receipt', 'receipt:' || receipts.id || ':' || ev.event, ev.at, ev.event, receipts.payer,
        CASE WHEN ev.event = 'reversed' THEN receipts.reversed_reason ELSE receipts.note END, receipts.amount::text,
        receipts.status, ${userName(sql`CASE WHEN ev.event = 'reversed' THEN receipts.reversed_by ELSE receipts.created_by END`)},
        CASE WHEN receipts.contract_id IS NOT NULL THEN 'contract' ELSE 'order' END,
        coalesce(receipts.contract_id, receipts.order_id)::text, NULL, NULL, NULL
      FROM receipts CROSS JOIN LATERAL (VALUES
          ('received', ${dayAt(sql`receipts.received_on`, sql`receipts.created_at`)}),
          ('reversed', receipts.reversed_at)) ev(event, at)
      WHERE receipts.customer_id = ${c} AND ev.at IS NOT NULL AND ${receivable('receipts')}`,
    invoice: sql`SELECT 'invoice', 'invoice:' || invoices.id, ${dayAt(sql`invoices.issued_on`, sql`invoices.created_at`)},
        'issued', invoices.number, invoices.note, invoices.amount::text, invoices.status, ${userName(sql`invoices.created_by`)},
        CASE WHEN invoices.contract_id IS NOT NULL THEN 'contract' ELSE 'order' END,
        coalesce(invoices.contract_id, invoices.order_id)::text, NULL, NULL, NULL
      FROM invoices WHERE invoices.customer_id = ${c} AND ${receivable('invoices')}`,
    approval: sql`SELECT 'approval', 'approval:' || wi.id, coalesce(wi.ended_at, wi.submitted_at), wi.status,
        wi.summary->>'title', NULL, NULL, wi.status, ${userName(sql`wi.submitted_by`)}, 'approval', wi.id::text, NULL,
        wi.subject_kind, NULL
      FROM workflow_instances wi
      WHERE (wi.subject_kind = 'quote' AND wi.subject_id IN (SELECT q.id FROM quotes q WHERE q.opportunity_id IN ${myOpportunities}))
        OR (wi.subject_kind = 'independence-override' AND wi.subject_id IN ${myOpportunities})
        OR (wi.subject_kind = 'contract' AND wi.subject_id IN ${myContracts})
        OR (wi.subject_kind = 'engagement-review' AND wi.subject_id IN ${myEngagements})`,
    'chat-mention': sql`SELECT 'chat-mention', 'chat-mention:' || m.id, m.created_at, 'posted', conversations.title,
        left(m.body, 200), NULL, NULL, ${userName(sql`m.author_id`)}, 'conversation', conversations.id::text, m.seq::text,
        conversations.record_type, NULL
      FROM chat_messages m JOIN conversations ON conversations.id = m.conversation_id
      WHERE m.deleted_at IS NULL AND ${readableConversations(actor)} AND (
        (m.links @> ${JSON.stringify([{ type: 'customer', id: customerId }])}::jsonb)
        OR ((cardinality(m.mentions) > 0 OR m.mention_all) AND conversations.kind = 'record' AND (
          (conversations.record_type = 'opportunity' AND conversations.record_id IN (SELECT o.id FROM opportunities o WHERE o.customer_id = ${c}))
          OR (conversations.record_type = 'contract' AND conversations.record_id IN (SELECT k.id FROM contracts k WHERE k.customer_id = ${c}))
          OR (conversations.record_type = 'engagement' AND conversations.record_id IN (SELECT e.id FROM engagements e WHERE e.customer_id = ${c})))))`,
    lesson: knowledgeBranch(actor, c, 'lesson'),
    insight: knowledgeBranch(actor, c, 'insight'),
    renewal: sql`SELECT 'renewal', 'renewal:' || r.id, r.raised_at, 'raised', bl.name, to_char(r.due_on, 'YYYY-MM-DD'),
        r.previous_amount::text, r.status, ${userName(sql`r.owner_id`)}, 'renewal', r.id::text, NULL, r.cycle, NULL
      FROM renewals r JOIN business_lines bl ON bl.id = r.business_line_id
      WHERE r.customer_id = ${c} AND r.status = 'raised'
        AND (r.owner_id = ${actor.id} OR r.opportunity_id IN ${myOpportunities})`,
    'cross-sell': sql`SELECT 'cross-sell', 'cross-sell:' || s.id, coalesce(s.resolved_at, s.created_at), 'accepted', bl.name,
        NULL, NULL, s.status, ${userName(sql`s.resolved_by`)}, 'opportunity', s.opportunity_id::text, NULL,
        s.buying_count::text, s.similar_count::text
      FROM cross_sell_suggestions s JOIN business_lines bl ON bl.id = s.business_line_id
      WHERE s.customer_id = ${c} AND s.status = 'accepted'
        AND (s.resolved_by = ${actor.id} OR s.opportunity_id IN ${myOpportunities})`,
  };
}

function knowledgeBranch(actor: Actor, c: SQL, kind: 'lesson' | 'insight'): SQL {
  return sql`SELECT ${kind}, ${kind + ':'} || knowledge_articles.id, knowledge_articles.created_at, 'written',
      knowledge_articles.title, NULL, NULL, knowledge_articles.kind, ${userName(sql`knowledge_articles.owner_id`)}, 'knowledge',
      knowledge_articles.id::text, NULL, NULL, NULL
    FROM knowledge_articles
    WHERE knowledge_articles.kind = ${kind} AND knowledge_articles.archived_at IS NULL
      AND knowledge_articles.id IN (SELECT kl.article_id FROM knowledge_links kl WHERE
        (kl.target_type = 'customer' AND kl.target_id = ${c})
        OR (kl.target_type = 'opportunity' AND kl.target_id IN (SELECT o.id FROM opportunities o WHERE o.customer_id = ${c})))
      AND ${visibleArticles(actor)}`;
}

const COLUMNS = sql.raw(
  'kind, key, at, event, name, detail, amount, status, actor_name, link_type, link_id, anchor, extra, extra2',
);

/** The statement of one page: the chosen kinds' branches, each cut to the page, merged newest first. */
export function timelineStatement(
  actor: Actor,
  customerId: string,
  kinds: readonly TimelineKind[],
  cursor: Cursor | null,
  limit: number,
): SQL {
  const all = branches(actor, customerId, actor.locale);
  const after = cursor ? sql`WHERE (b.at, b.key) < (${cursor.at}::timestamptz, ${cursor.key}::text)` : sql``;
  const parts = kinds.map(
    (kind) => sql`(SELECT * FROM (${all[kind]}) b (${COLUMNS}) ${after} ORDER BY b.at DESC, b.key DESC LIMIT ${limit})`,
  );
  return sql`SELECT t.kind, t.key,
      to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
      to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_us,
      t.event, t.name, t.detail, t.amount, t.status, t.actor_name, t.link_type, t.link_id, t.anchor, t.extra, t.extra2
    FROM (${sql.join(parts, sql` UNION ALL `)}) t
    WHERE EXISTS (SELECT 1 FROM customers WHERE customers.id = ${customerId} AND ${visibleCustomers(actor)})
    ORDER BY t.at DESC, t.key DESC LIMIT ${limit}`;
}

/** ¥12,000.00 from an exact decimal string. */
export function yuan(amount: string): string {
  const [whole, fraction = ''] = amount.split('.');
  return `¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction.padEnd(2, '0').slice(0, 2)}`;
}

function present(locale: Locale, row: Row): TimelineItem {
  const t = (key: string, params: Record<string, unknown> = {}) => translate(locale, key as MessageKey, params);
  const name = row.name ?? '';
  const amount = row.amount ? yuan(row.amount) : '';
  let title: string;
  switch (row.kind) {
    case 'contact-log':
      title = t('timeline.contactLog', { channel: t(`timeline.channel.${row.event}`), name });
      break;
    case 'activity':
      title = t(row.event === 'done' ? 'timeline.activity.done' : 'timeline.activity.planned', { name });
      break;
    case 'stage-change':
      title =
        row.event === 'moved'
          ? t('timeline.stage.moved', { from: row.extra ?? '', to: row.extra2 ?? '', name })
          : t(`timeline.stage.${row.event}`, { name, to: row.extra2 ?? '' });
      break;
    case 'quote':
      title = t(`timeline.quote.${row.event}`, { version: row.extra ?? '', name, amount });
      break;
    case 'chat-mention':
      title = t('timeline.chat-mention.posted', { name: row.actor_name ?? '' });
      break;
    case 'approval':
      title = t(`timeline.approval.${row.event}`, { name });
      break;
    case 'cross-sell':
      title = t('timeline.cross-sell.accepted', { name, buying: row.extra ?? '', similar: row.extra2 ?? '' });
      break;
    default:
      title = t(`timeline.${row.kind}.${row.event}`, { name, amount });
  }
  return {
    kind: row.kind,
    key: row.key,
    at: row.at,
    title,
    detail: row.detail,
    amount: row.amount,
    status: row.status,
    actorName: row.actor_name,
    link: row.link_type && row.link_id ? { type: row.link_type as never, id: row.link_id, anchor: row.anchor } : null,
  };
}

/** GET /customers/:id/timeline: newest first, by the reader's policies item by item; NOT_FOUND for a customer not seen. */
export async function customerTimeline(ctx: Ctx, customerId: string, query: TimelineQuery): Promise<TimelinePage> {
  const locale = ctx.actor.locale;
  const kinds = parseKinds(locale, query.kinds);
  const cursor = query.before ? decodeCursor(locale, query.before) : null;
  // One statement; it answers nothing for a customer the reader does not see (then told apart from an empty story).
  const rows = await rowsOf<Row>(ctx.db, timelineStatement(ctx.actor, customerId, kinds, cursor, query.pageSize + 1));
  if (rows.length === 0) await requireVisibleCustomer(ctx, customerId);
  const page = rows.slice(0, query.pageSize);
  const last = page.at(-1);
  return {
    items: page.map((row) => present(locale, row)),
    nextCursor: rows.length > query.pageSize && last ? encodeCursor({ at: last.at_us, key: last.key }) : null,
  };
}

export async function requireVisibleCustomer(ctx: Ctx, customerId: string): Promise<void> {
  const found = await rowsOf<{ id: string }>(
    ctx.db,
    sql`SELECT customers.id FROM customers WHERE customers.id = ${customerId} AND ${visibleCustomers(ctx.actor)}`,
  );
  if (found.length === 0) throw notFound();
}
