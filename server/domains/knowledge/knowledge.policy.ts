import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { can, departmentAncestry, visibleTo, type Actor } from '../../policy';
import { visibleCustomers } from '../customers/customers.policy';
import { customers } from '../customers/customers.tables';
import { visibleEngagements } from '../engagements/engagements.policy';
import { engagements } from '../engagements/engagements.tables';
import { visibleOpportunities } from '../opportunities/opportunities.policy';
import { opportunities } from '../opportunities/opportunities.tables';
import { departments } from '../staff/staff.tables';
import { knowledgeArticles, knowledgeLinks } from './knowledge.tables';

/** The article is shown to a department the actor belongs to (that department or one above the actor's). */
const shownToMyDepartment = (actor: Actor): SQL =>
  actor.departmentPath
    ? and(
        eq(knowledgeArticles.visibility, 'department'),
        inArray(
          knowledgeArticles.departmentId,
          sql`(SELECT ${departments.id} FROM ${departments} WHERE ${inArray(departments.path, departmentAncestry(actor.departmentPath))})`,
        ),
      )!
    : sql`false`;

/**
 * The records an article may link to, each read under its own policy: a link confers visibility (for
 * visibility `linked`) and is shown with its title only when the reader sees the record. Each link's record is
 * looked up by its key: an `IN (visible records)` read every record the reader sees (a salesperson's 5,000
 * customers, 3.4 ms; the partner's 100,000) to check a handful of links.
 */
export function visibleLinkTargets(actor: Actor): SQL {
  const linked = (table: typeof customers | typeof opportunities | typeof engagements, visible: SQL) =>
    sql`EXISTS (SELECT 1 FROM ${table} WHERE ${table.id} = ${knowledgeLinks.targetId} AND ${visible})`;
  return sql`(
    (${knowledgeLinks.targetType} = 'customer' AND ${linked(customers, visibleCustomers(actor))})
    OR (${knowledgeLinks.targetType} = 'opportunity' AND ${linked(opportunities, visibleOpportunities(actor))})
    OR (${knowledgeLinks.targetType} = 'engagement' AND ${linked(engagements, visibleEngagements(actor))})
  )`;
}

/**
 * The article links to a customer, an opportunity or an engagement the actor sees — as one uncorrelated id array
 * read once (as customers.policy's shares): a correlated EXISTS was priced per article at ~1.3M, which made
 * PostgreSQL compile the statement (JIT) for 1.3–3.5 s on every salesperson's read; this is ~5k and 3 ms.
 */
const onALinkedRecord = (actor: Actor): SQL =>
  and(
    eq(knowledgeArticles.visibility, 'linked'),
    sql`${knowledgeArticles.id} = ANY(ARRAY(SELECT ${knowledgeLinks.articleId} FROM ${knowledgeLinks} WHERE ${visibleLinkTargets(actor)}))`,
  )!;

/**
 * Who reads an article (archived ones included — lists filter those out themselves):
 * - scope own: its owner and its author, everyone for `firm`, the people of the department and below it for
 *   `department`, the people who see one of its linked customers, opportunities or engagements for `linked`;
 * - scope department: also every article owned in the actor's department subtree;
 * - scope all: every article.
 */
export function visibleArticles(actor: Actor): SQL {
  if (!can(actor, 'knowledge:read')) return sql`false`;
  return visibleTo(actor, 'knowledge:read', {
    owner: knowledgeArticles.ownerId,
    ownerDepartment: true,
    shared: (a) =>
      or(
        eq(knowledgeArticles.createdBy, a.id),
        eq(knowledgeArticles.visibility, 'firm'),
        shownToMyDepartment(a),
        onALinkedRecord(a),
      )!,
  });
}

/** Who may change an article: its owner and author (with knowledge:write), anyone with knowledge:manage. */
export function writableArticles(actor: Actor): SQL {
  if (can(actor, 'knowledge:manage')) return sql`true`;
  if (!can(actor, 'knowledge:write')) return sql`false`;
  return or(eq(knowledgeArticles.ownerId, actor.id), eq(knowledgeArticles.createdBy, actor.id))!;
}
