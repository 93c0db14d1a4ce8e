import { and, asc, eq } from 'drizzle-orm';
import type { PaymentTermInput } from '../../../common/schemas/contracts';
import { CYCLE_MONTHS, type RecurringCycle } from '../../../common/schemas/renewals';
import { inTransaction, type Ctx } from '../../context';
import { AppError, invalidInput, notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { checkedTerms, replaceTerms } from '../contracts/contracts.service';
import {
  contractLines,
  contractMembers,
  contracts,
  contractTemplateVersions,
  orderLines,
  paymentTerms,
} from '../contracts/contracts.tables';
import { publishedTemplateVersion } from '../contracts/templates.service';
import { customers } from '../customers/customers.tables';
import { visibleOpportunities, writableOpportunities } from '../opportunities/opportunities.policy';
import { opportunities, quoteItems } from '../opportunities/opportunities.tables';
import { fromHundredths, toHundredths } from '../opportunities/quotes.service';
import { businessLines, users } from '../staff/staff.tables';
import { renewals } from './renewals.tables';

/**
 * Reminders that produce the document (issue 19, item 4): the engagement letter 业务约定书 of a renewal — a DRAFT
 * contract made from last period, linked to the renewal's opportunity and kept in renewals.letter_contract_id (one
 * per renewal: asked again, the same contract, under a row lock on the renewal).
 *
 * The copy, from the renewal's previous contract: title + " 续约", customer, contact, business line, branch,
 * signatory, the newest published version of the same template (else the line's newest), the lines and amount, the
 * planned terms as percentages of the amount (a term's own percentage, else its share of last amount; the last term
 * takes what is left of 100 %), the recurring cycle, start and end moved one cycle on, the team. Owner: the renewal
 * opportunity's owner.
 *
 * A renewal without a previous contract (raised from a customer's recurring service or an order without a
 * contract): the lines of the renewal quote (pre-filled from last period), else of the previous order, else one line
 * "<business line>" of the previous amount; no terms (entered before signing), no dates; the contact the
 * opportunity's, the line's newest published template, the renewal's cycle.
 */

type LineInput = { description: string; amount: string };

/** Adds months to a YYYY-MM-DD date; a month's last day stays its last day (2026-02-28 + 12 → 2027-02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const lastDay = (year: number, month0: number) => new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const ty = target.getUTCFullYear();
  const tm = target.getUTCMonth();
  const day = d === lastDay(y, m - 1) ? lastDay(ty, tm) : Math.min(d, lastDay(ty, tm));
  return `${ty}-${String(tm + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Ten-thousandths of a percent → "33.3333". */
const percentText = (units: bigint) => `${units / 10_000n}.${String(units % 10_000n).padStart(4, '0')}`;

/**
 * Last period's terms as percentages of the amount: a term's own percentage, else its amount's share of the
 * previous amount (half up, to 0.0001 %); the last takes what is left of 100 % so they add up exactly.
 */
export function termsAsPercentages(
  previous: (typeof paymentTerms.$inferSelect)[],
  previousAmount: string,
  moveDate: (date: string) => string,
): PaymentTermInput[] {
  const whole = toHundredths(previousAmount);
  if (previous.length === 0 || whole <= 0n) return [];
  let used = 0n;
  return previous.map((t, index) => {
    let units: bigint;
    if (index === previous.length - 1) units = 1_000_000n - used;
    else if (t.percent !== null) {
      const [w, f = ''] = t.percent.split('.');
      units = BigInt(w) * 10_000n + BigInt(f.slice(0, 4).padEnd(4, '0'));
    } else units = (toHundredths(t.amount) * 1_000_000n + whole / 2n) / whole;
    used += units;
    return {
      kind: t.kind,
      percent: percentText(units),
      trigger: t.trigger,
      triggerDate: t.triggerDate ? moveDate(t.triggerDate) : undefined,
      triggerDays: t.triggerDays ?? undefined,
      note: t.note ?? undefined,
    };
  });
}

/**
 * The renewal's engagement letter: made now (a draft contract), or the one made before. Needs the renewal's
 * opportunity writable (else 403 when visible, 404 when not — as an unknown id).
 */
export async function engagementLetter(ctx: Ctx, renewalId: string): Promise<{ contractId: string }> {
  return inTransaction(ctx, async (tx) => {
    const [renewal] = await tx.db
      .select({ r: renewals, opportunity: opportunities })
      .from(renewals)
      .innerJoin(opportunities, eq(opportunities.id, renewals.opportunityId))
      .where(and(eq(renewals.id, renewalId), writableOpportunities(tx.actor)))
      .for('update', { of: renewals });
    if (!renewal) {
      const seen = await tx.db
        .select({ id: renewals.id })
        .from(renewals)
        .innerJoin(opportunities, eq(opportunities.id, renewals.opportunityId))
        .where(and(eq(renewals.id, renewalId), visibleOpportunities(tx.actor)));
      throw seen.length ? new AppError('FORBIDDEN') : notFound();
    }
    const { r, opportunity } = renewal;
    if (r.letterContractId) {
      const [existing] = await tx.db
        .select({ id: contracts.id, status: contracts.status })
        .from(contracts)
        .where(eq(contracts.id, r.letterContractId));
      // A voided letter is replaced by a new one; any other is the letter.
      if (existing && existing.status !== 'voided') return { contractId: existing.id };
    }

    const cycle: RecurringCycle = r.cycle;
    const months = CYCLE_MONTHS[cycle];
    const move = (date: string) => addMonths(date, months);
    const [previous] = r.previousContractId
      ? await tx.db.select().from(contracts).where(eq(contracts.id, r.previousContractId))
      : [];

    let values: Pick<
      typeof contracts.$inferInsert,
      | 'title'
      | 'customerId'
      | 'contactId'
      | 'businessLineId'
      | 'branchId'
      | 'signatoryId'
      | 'templateVersionId'
      | 'startOn'
      | 'endOn'
      | 'recurringCycle'
      | 'note'
    >;
    let lines: LineInput[];
    let termInputs: PaymentTermInput[] = [];
    let members: string[] = [];
    if (previous) {
      lines = await tx.db
        .select({ description: contractLines.description, amount: contractLines.amount })
        .from(contractLines)
        .where(eq(contractLines.contractId, previous.id))
        .orderBy(asc(contractLines.position));
      const terms = await tx.db
        .select()
        .from(paymentTerms)
        .where(eq(paymentTerms.contractId, previous.id))
        .orderBy(asc(paymentTerms.position));
      termInputs = termsAsPercentages(terms, previous.amount, move);
      members = (
        await tx.db
          .select({ userId: contractMembers.userId })
          .from(contractMembers)
          .where(eq(contractMembers.contractId, previous.id))
      ).map((m) => m.userId);
      if (previous.ownerId !== opportunity.ownerId) members.push(previous.ownerId);
      let templateVersionId: string | null = null;
      if (previous.templateVersionId) {
        const [old] = await tx.db
          .select({ templateId: contractTemplateVersions.templateId })
          .from(contractTemplateVersions)
          .where(eq(contractTemplateVersions.id, previous.templateVersionId));
        if (old)
          templateVersionId =
            (await publishedTemplateVersion(tx.db, previous.businessLineId, old.templateId))?.id ?? null;
      }
      templateVersionId ??= (await publishedTemplateVersion(tx.db, previous.businessLineId))?.id ?? null;
      values = {
        title: `${previous.title} 续约`,
        customerId: previous.customerId,
        contactId: previous.contactId ?? opportunity.contactId,
        businessLineId: previous.businessLineId,
        branchId: previous.branchId,
        signatoryId: previous.signatoryId,
        templateVersionId,
        startOn: previous.startOn ? move(previous.startOn) : null,
        endOn: previous.endOn ? move(previous.endOn) : null,
        recurringCycle: previous.recurringCycle ?? cycle,
        note: previous.note,
      };
    } else {
      lines = r.quoteId
        ? await tx.db
            .select({ description: quoteItems.description, amount: quoteItems.amount })
            .from(quoteItems)
            .where(eq(quoteItems.quoteId, r.quoteId))
            .orderBy(asc(quoteItems.position))
        : [];
      if (lines.length === 0 && r.previousOrderId)
        lines = await tx.db
          .select({ description: orderLines.description, amount: orderLines.amount })
          .from(orderLines)
          .where(eq(orderLines.orderId, r.previousOrderId))
          .orderBy(asc(orderLines.position));
      const [names] = await tx.db
        .select({ customer: customers.name, line: businessLines.name })
        .from(customers)
        .innerJoin(businessLines, eq(businessLines.id, r.businessLineId))
        .where(eq(customers.id, r.customerId));
      if (lines.length === 0 && r.previousAmount && toHundredths(r.previousAmount) > 0n)
        lines = [{ description: names.line, amount: r.previousAmount }];
      values = {
        title: `${names.customer} ${names.line} 续约`,
        customerId: r.customerId,
        contactId: opportunity.contactId,
        businessLineId: r.businessLineId,
        templateVersionId: (await publishedTemplateVersion(tx.db, r.businessLineId))?.id ?? null,
        recurringCycle: cycle,
      };
    }
    if (lines.length === 0) throw invalidInput(tx.actor.locale, [{ path: 'lines', key: 'validation.contractLines' }]);
    const amount = fromHundredths(lines.reduce((s, l) => s + toHundredths(l.amount), 0n));
    const terms = checkedTerms(tx, termInputs, amount);
    const [owner] = await tx.db
      .select({ departmentId: users.departmentId })
      .from(users)
      .where(eq(users.id, opportunity.ownerId));
    const departmentId = owner?.departmentId ?? opportunity.departmentId ?? tx.actor.departmentId;
    if (!departmentId) throw invalidInput(tx.actor.locale, [{ path: 'ownerId', key: 'validation.required' }]);
    const [row] = await tx.db
      .insert(contracts)
      .values({
        ...values,
        opportunityId: opportunity.id,
        ownerId: opportunity.ownerId,
        departmentId,
        amount,
        createdBy: tx.actor.id,
        updatedBy: tx.actor.id,
      })
      .returning();
    await tx.db
      .insert(contractLines)
      .values(
        lines.map((l, i) => ({ contractId: row.id, position: i + 1, description: l.description, amount: l.amount })),
      );
    await replaceTerms(tx, { contractId: row.id }, terms, null);
    const team = [...new Set(members)].filter((u) => u !== opportunity.ownerId);
    if (team.length) await tx.db.insert(contractMembers).values(team.map((userId) => ({ contractId: row.id, userId })));
    await tx.db.update(renewals).set({ letterContractId: row.id }).where(eq(renewals.id, r.id));
    await recordAudit(tx, {
      action: 'create',
      entityType: 'contract',
      entityId: row.id,
      after: { ...row, lines, terms, renewalId: r.id, previousContractId: previous?.id ?? null },
    });
    return { contractId: row.id };
  });
}
