import { createHash } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { amountInCapitals } from '../../../common/money-words';
import type { TermKind, TermTrigger } from '../../../common/schemas/contracts';
import type { Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, notFound } from '../../errors';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { contacts, customers } from '../customers/customers.tables';
import { getFile, storeFile } from '../files/files.service';
import { branches, users } from '../staff/staff.tables';
import { visibleContracts } from './contracts.policy';
import { contractLines, contracts, paymentTerms } from './contracts.tables';
import { renderTemplate } from './docx';
import type { ContractDocumentData } from './template-fields';
import { templateVersionToRender } from './templates.service';

/**
 * The contract document: a contract's data in the words a Chinese contract uses, filled into its template
 * version's .docx. The document is written in Chinese whatever the reader's language (the firm's own
 * template is Chinese), so the words below are the document's, not the interface's.
 */

/** Shown for the number before the contract is signed (the number is given at signing, never before). */
export const NUMBER_BEFORE_SIGNING = '（签订时生成）';
/** A date not known yet, left for the pen. */
const BLANK_DATE = '　　　　年　　月　　日';

const TERM_KIND_WORDS: Record<TermKind, string> = { 'down-payment': '首付款', progress: '进度款', final: '尾款' };

/** "1234567.5" → "1,234,567.50": figures as a contract writes them (exact, from the text). */
export function amountInFigures(amount: string): string {
  const [whole, fraction = ''] = amount.replaceAll(',', '').trim().split('.');
  const digits = whole.replace(/^0+(?=\d)/, '');
  return `${digits.replace(/\B(?=(\d{3})+$)/g, ',')}.${fraction.padEnd(2, '0').slice(0, 2)}`;
}

/** "2026-03-05" → "2026年3月5日". */
export function dateInWords(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** "50.0000" → "50%", "33.3333" → "33.3333%". */
function percentInWords(percent: string): string {
  return `${percent.includes('.') ? percent.replace(/\.?0+$/, '') : percent}%`;
}

/** When a term is payable, in words: 合同签订时, 2026年6月30日, 合同签订后30日内, 业务完成（结项）时 … */
export function triggerInWords(trigger: TermTrigger, triggerDate: string | null, triggerDays: number | null): string {
  switch (trigger) {
    case 'signing':
      return '合同签订时';
    case 'date':
      return triggerDate ? dateInWords(triggerDate) : '约定日期';
    case 'days-after-signing':
      return `合同签订后${triggerDays ?? 0}日内`;
    case 'completion':
      return '业务完成（结项）时';
    case 'days-after-completion':
      return `业务完成（结项）后${triggerDays ?? 0}日内`;
  }
}

/** The due date, or when it will be known. */
function dueInWords(trigger: TermTrigger, dueOn: string | null): string {
  if (dueOn) return dateInWords(dueOn);
  return trigger === 'completion' || trigger === 'days-after-completion' ? '结项后确定' : '签订后确定';
}

const signatories = alias(users, 'signatory');
const owners = alias(users, 'owner');

/** The contract's document data (no visibility check: the caller has made it). NOT_FOUND for an unknown id. */
export async function contractDocumentData(db: Db, contractId: string): Promise<ContractDocumentData> {
  const [row] = await db
    .select({
      number: contracts.number,
      title: contracts.title,
      amount: contracts.amount,
      signedOn: contracts.signedOn,
      startOn: contracts.startOn,
      endOn: contracts.endOn,
      customerName: customers.name,
      creditCode: customers.creditCode,
      address: customers.address,
      contactName: contacts.name,
      contactPhones: contacts.phones,
      branchName: branches.name,
      signatoryName: signatories.displayName,
      ownerName: owners.displayName,
    })
    .from(contracts)
    .innerJoin(customers, eq(customers.id, contracts.customerId))
    .innerJoin(owners, eq(owners.id, contracts.ownerId))
    .leftJoin(contacts, eq(contacts.id, contracts.contactId))
    .leftJoin(branches, eq(branches.id, contracts.branchId))
    .leftJoin(signatories, eq(signatories.id, contracts.signatoryId))
    .where(eq(contracts.id, contractId));
  if (!row) throw notFound();
  const [lines, terms] = await Promise.all([
    db
      .select({
        position: contractLines.position,
        description: contractLines.description,
        amount: contractLines.amount,
      })
      .from(contractLines)
      .where(eq(contractLines.contractId, contractId))
      .orderBy(asc(contractLines.position)),
    db.select().from(paymentTerms).where(eq(paymentTerms.contractId, contractId)).orderBy(asc(paymentTerms.position)),
  ]);
  return {
    contractNumber: row.number ?? NUMBER_BEFORE_SIGNING,
    contractTitle: row.title,
    customerName: row.customerName,
    customerCreditCode: row.creditCode ?? '',
    customerAddress: row.address ?? '',
    contactName: row.contactName ?? '',
    contactPhone: row.contactPhones?.[0] ?? '',
    branchName: row.branchName ?? '',
    signatoryName: row.signatoryName ?? '',
    ownerName: row.ownerName,
    amount: amountInFigures(row.amount),
    amountCapitals: amountInCapitals(row.amount),
    signedOn: row.signedOn ? dateInWords(row.signedOn) : BLANK_DATE,
    startOn: row.startOn ? dateInWords(row.startOn) : BLANK_DATE,
    endOn: row.endOn ? dateInWords(row.endOn) : BLANK_DATE,
    today: dateInWords(localDate(new Date(), FIRM_TIME_ZONE)),
    lines: lines.map((l, i) => ({
      position: String(i + 1),
      description: l.description,
      amount: amountInFigures(l.amount),
    })),
    terms: terms.map((t, i) => ({
      position: String(i + 1),
      kind: TERM_KIND_WORDS[t.kind],
      amount: amountInFigures(t.amount),
      amountCapitals: amountInCapitals(t.amount),
      percent: t.percent ? percentInWords(t.percent) : '',
      trigger: triggerInWords(t.trigger, t.triggerDate, t.triggerDays),
      dueOn: dueInWords(t.trigger, t.dueOn),
      note: t.note ?? '',
    })),
  };
}

/** A name for the downloaded file: no path separators or characters Windows refuses. */
function safeFilename(name: string): string {
  return name.replace(/[\\/:*?"<>|\r\n\t]+/g, '-').slice(0, 180);
}

/**
 * The contract filled into its template: the version it was made from (contracts.templateVersionId), else
 * its business line's published version; TEMPLATE_NOT_PUBLISHED when there is none. No visibility check.
 */
export async function renderContractDocument(
  db: Db,
  contractId: string,
): Promise<{ buffer: Buffer; filename: string; templateVersionId: string }> {
  const [contract] = await db
    .select({
      title: contracts.title,
      number: contracts.number,
      businessLineId: contracts.businessLineId,
      templateVersionId: contracts.templateVersionId,
    })
    .from(contracts)
    .where(eq(contracts.id, contractId));
  if (!contract) throw notFound();
  const version = await templateVersionToRender(db, contract);
  if (!version) throw new AppError('TEMPLATE_NOT_PUBLISHED');
  const data = await contractDocumentData(db, contractId);
  const buffer = renderTemplate(version.content, data);
  const filename = safeFilename(
    contract.number ? `${contract.number} ${contract.title}.docx` : `${contract.title}（未签订）.docx`,
  );
  return { buffer, filename, templateVersionId: version.id };
}

/**
 * Renders the contract's document and stores it as a file of the contract (ownerType 'contract'); call it in
 * the signing transaction once the number and signing date are written, and keep the id and hash on the
 * contract (documentFileId, documentSha256).
 */
export async function storeContractDocument(
  tx: Pick<Ctx, 'db' | 'actor'>,
  contractId: string,
): Promise<{ fileId: string; sha256: string }> {
  const { buffer, filename } = await renderContractDocument(tx.db, contractId);
  const sha256 = createHash('sha256').update(buffer).digest('hex');
  const stored = await storeFile(
    tx.db,
    { type: 'contract', id: contractId },
    { filename, size: buffer.length, sha256, read: async () => buffer },
    tx.actor.id,
  );
  return { fileId: stored.id, sha256 };
}

/**
 * Called by signContract: the document stored as signed, or null when the
 * contract's business line has no template at all (a contract is signed on paper all the same); any other
 * failure undoes the signing.
 */
export async function storeSignedDocument(
  tx: Pick<Ctx, 'db' | 'actor'>,
  contractId: string,
): Promise<{ fileId: string; sha256: string } | null> {
  try {
    return await storeContractDocument(tx, contractId);
  } catch (error) {
    if (error instanceof AppError && error.code === 'TEMPLATE_NOT_PUBLISHED') return null;
    throw error;
  }
}

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * The contract's document for someone who may see the contract (404 otherwise): the stored signed document
 * when there is one, else freshly rendered from its template.
 */
export async function getContractDocument(
  ctx: Ctx,
  contractId: string,
): Promise<{ contentType: string; filename: string; content: Uint8Array }> {
  const [contract] = await ctx.db
    .select({ documentFileId: contracts.documentFileId })
    .from(contracts)
    .where(and(eq(contracts.id, contractId), visibleContracts(ctx.actor)));
  if (!contract) throw notFound();
  if (contract.documentFileId) return getFile(ctx.db, 'contract', contractId, contract.documentFileId);
  const { buffer, filename } = await renderContractDocument(ctx.db, contractId);
  return { contentType: DOCX_TYPE, filename, content: buffer };
}
