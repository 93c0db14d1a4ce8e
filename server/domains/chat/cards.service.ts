import { and, inArray, sql, type AnyColumn } from 'drizzle-orm';
import { CHAT_LINK_TYPES, type ChatLink, type ChatLinkRef, type ChatLinkType } from '../../../common/schemas/chat';
import type { Ctx } from '../../context';
import { invalidInput } from '../../errors';
import type { Actor } from '../../policy';
import { visibleContracts } from '../contracts/contracts.policy';
import { contracts } from '../contracts/contracts.tables';
import { visibleCustomers } from '../customers/customers.policy';
import { customers } from '../customers/customers.tables';
import { visibleEngagements } from '../engagements/engagements.policy';
import { engagements } from '../engagements/engagements.tables';
import { visibleArticles } from '../knowledge/knowledge.policy';
import { knowledgeArticles } from '../knowledge/knowledge.tables';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities } from '../opportunities/opportunities.tables';

/**
 * Record cards for the links of messages (customer, opportunity, engagement, contract, knowledge article): each read
 * under its own domain's policy for the reader, so a card shows a title only to who may see the record — the same
 * message reads as a card to one colleague and as "not available" to another.
 */

type Card = { title: string; subtitle: string | null };

const customerName = (id: AnyColumn) => sql<string | null>`(SELECT c.name FROM ${customers} c WHERE c.id = ${id})`;

/** The cards of one type among `ids` that the actor sees, by id. */
async function cardsOf(ctx: Ctx, actor: Actor, type: ChatLinkType, ids: string[]): Promise<Map<string, Card>> {
  const found = new Map<string, Card>();
  if (ids.length === 0) return found;
  let rows: { id: string; title: string; subtitle: string | null }[];
  if (type === 'customer')
    rows = await ctx.db
      .select({ id: customers.id, title: customers.name, subtitle: customers.industry })
      .from(customers)
      .where(and(inArray(customers.id, ids), visibleCustomers(actor)));
  else if (type === 'opportunity')
    rows = await ctx.db
      .select({ id: opportunities.id, title: opportunities.name, subtitle: customerName(opportunities.customerId) })
      .from(opportunities)
      .where(and(inArray(opportunities.id, ids), visibleOpportunities(actor)));
  else if (type === 'engagement')
    rows = await ctx.db
      .select({ id: engagements.id, title: engagements.title, subtitle: customerName(engagements.customerId) })
      .from(engagements)
      .where(and(inArray(engagements.id, ids), visibleEngagements(actor)));
  else if (type === 'contract')
    rows = await ctx.db
      .select({
        id: contracts.id,
        title: sql<string>`coalesce(${contracts.number} || ' ', '') || ${contracts.title}`,
        subtitle: customerName(contracts.customerId),
      })
      .from(contracts)
      .where(and(inArray(contracts.id, ids), visibleContracts(actor)));
  else
    rows = await ctx.db
      .select({ id: knowledgeArticles.id, title: knowledgeArticles.title, subtitle: sql<null>`NULL` })
      .from(knowledgeArticles)
      .where(and(inArray(knowledgeArticles.id, ids), visibleArticles(actor)));
  for (const row of rows) found.set(row.id, { title: row.title, subtitle: row.subtitle ?? null });
  return found;
}

/** The links as cards the reader may see, in the order asked: a title when visible, else `available: false`. */
export async function readCards(ctx: Ctx, links: ChatLinkRef[]): Promise<ChatLink[]> {
  const byType = new Map<ChatLinkType, Map<string, Card>>();
  for (const type of CHAT_LINK_TYPES) {
    const ids = [...new Set(links.filter((l) => l.type === type).map((l) => l.id))];
    byType.set(type, await cardsOf(ctx, ctx.actor, type, ids));
  }
  return links.map(({ type, id }) => {
    const card = byType.get(type)!.get(id);
    return card
      ? { type, id, title: card.title, subtitle: card.subtitle, available: true }
      : { type, id, title: null, subtitle: null, available: false };
  });
}

/**
 * A poster links only records they see: any other (hidden or not there — the same answer) is refused as a
 * validation error on that link, and nothing is posted.
 */
export async function assertLinksVisible(ctx: Ctx, links: ChatLinkRef[]): Promise<void> {
  if (links.length === 0) return;
  const cards = await readCards(ctx, links);
  const issues = cards.flatMap((card, i) =>
    card.available ? [] : [{ path: `body.links.${i}`, key: 'validation.chatLinkNotVisible' as const }],
  );
  if (issues.length) throw invalidInput(ctx.actor.locale, issues);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `type:id,type:id…` (GET /chat/cards) as links; a malformed one is a validation error on `links`. */
export function parseLinks(ctx: Ctx, text: string): ChatLinkRef[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const links: ChatLinkRef[] = [];
  for (const part of parts) {
    const [type, id, ...rest] = part.split(':');
    if (rest.length > 0 || !CHAT_LINK_TYPES.includes(type as ChatLinkType) || !id || !UUID.test(id))
      throw invalidInput(ctx.actor.locale, [{ path: 'querystring.links', key: 'validation.chatLinks' }]);
    links.push({ type: type as ChatLinkType, id: id.toLowerCase() });
  }
  return links;
}
