import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Locale } from '../../../common/i18n';
import { TERM_KINDS } from '../../../common/schemas/contracts';
import {
  AGEING_BUCKETS,
  type Ageing,
  type AgeingBucket,
  type ReceivableGrouping,
  type ReceivablesQuery,
} from '../../../common/schemas/receivables';
import type { Ctx } from '../../context';
import { allGroups, eachOpenTerm, firmToday } from './receivables.service';

type Label = { zh: string; en: string };
const say = (label: Label, locale: Locale) => (locale === 'en-US' ? label.en : label.zh);

const GROUP_LABELS: Record<ReceivableGrouping, Label> = {
  customer: { zh: '客户', en: 'Customer' },
  contract: { zh: '合同 / 订单', en: 'Contract / order' },
  owner: { zh: '负责业务员', en: 'Salesperson' },
  department: { zh: '部门', en: 'Department' },
  branch: { zh: '分所', en: 'Branch' },
};
const BUCKET_LABELS: Record<AgeingBucket, Label> = {
  'not-due': { zh: '未到期', en: 'Not due' },
  'd1-30': { zh: '逾期 1–30 天', en: '1–30 days' },
  'd31-90': { zh: '逾期 31–90 天', en: '31–90 days' },
  'd91-180': { zh: '逾期 91–180 天', en: '91–180 days' },
  'over-180': { zh: '逾期 180 天以上', en: 'Over 180 days' },
};
const KIND_LABELS: Record<(typeof TERM_KINDS)[number], Label> = {
  'down-payment': { zh: '首付款', en: 'Down payment' },
  progress: { zh: '进度款', en: 'Progress payment' },
  final: { zh: '尾款', en: 'Final payment' },
};
const L = {
  sheetGroups: { zh: '应收账款', en: 'Receivables' },
  sheetTerms: { zh: '付款条件明细', en: 'Terms' },
  outstanding: { zh: '未收金额', en: 'Outstanding' },
  terms: { zh: '未结条款数', en: 'Open terms' },
  total: { zh: '合计', en: 'Total' },
  none: { zh: '（无）', en: '(none)' },
  customer: { zh: '客户', en: 'Customer' },
  number: { zh: '合同 / 订单编号', en: 'Contract / order number' },
  title: { zh: '名称', en: 'Title' },
  owner: { zh: '负责业务员', en: 'Salesperson' },
  position: { zh: '期次', en: 'No.' },
  kind: { zh: '款项', en: 'Kind' },
  dueOn: { zh: '到期日', en: 'Due on' },
  amount: { zh: '应收金额', en: 'Amount' },
  invoiced: { zh: '已开票', en: 'Invoiced' },
  received: { zh: '已收', en: 'Received' },
  daysOverdue: { zh: '逾期天数', en: 'Days overdue' },
  bucket: { zh: '账龄', en: 'Ageing' },
  asOf: { zh: '统计日', en: 'As of' },
} satisfies Record<string, Label>;

const MONEY_FORMAT = '#,##0.00';
/** Amounts as spreadsheet numbers (what finance adds up): at most 15 significant digits, exact to the fen. */
const num = (value: string) => Number(value);

/**
 * The receivables as an .xlsx, streamed: the groups with their ageing and a total row, then every open term
 * behind them (read a batch at a time, so the memory stays flat however many there are). The groups are
 * read before the answer starts, so a failure there is an ordinary error answer.
 */
export async function exportReceivables(
  ctx: Ctx,
  query: Omit<ReceivablesQuery, 'sort' | 'page' | 'pageSize'>,
): Promise<{ filename: string; stream: Readable }> {
  const locale = ctx.actor.locale;
  const asOf = firmToday();
  const { groups, totals } = await allGroups(ctx, query, asOf);
  const stream = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  void (async () => {
    const moneyColumns = query.groupBy === 'contract' ? 3 : 2;
    const sheet = workbook.addWorksheet(say(L.sheetGroups, locale), { views: [{ state: 'frozen', ySplit: 2 }] });
    // A streamed sheet takes its column widths before its first row.
    sheet.columns = Array.from({ length: moneyColumns + 6 }, (_, i) => ({ width: i < moneyColumns - 1 ? 36 : 16 }));
    sheet.addRow([`${say(L.asOf, locale)}: ${asOf}`]).commit();
    const header = sheet.addRow([
      say(GROUP_LABELS[query.groupBy], locale),
      ...(query.groupBy === 'contract' ? [say(L.customer, locale)] : []),
      say(L.outstanding, locale),
      ...AGEING_BUCKETS.map((b) => say(BUCKET_LABELS[b], locale)),
      say(L.terms, locale),
    ]);
    header.font = { bold: true };
    header.commit();
    const ageingCells = (a: Ageing) => [num(a.outstanding), ...AGEING_BUCKETS.map((b) => num(a[b])), a.terms];
    const styled = (row: ExcelJS.Row) => {
      for (let i = 0; i < 6; i++) row.getCell(moneyColumns + i).numFmt = MONEY_FORMAT;
      row.commit();
    };
    for (const g of groups)
      styled(
        sheet.addRow([
          g.name ?? say(L.none, locale),
          ...(query.groupBy === 'contract' ? [g.detail] : []),
          ...ageingCells(g),
        ]),
      );
    const totalRow = sheet.addRow([
      say(L.total, locale),
      ...(query.groupBy === 'contract' ? [null] : []),
      ...ageingCells(totals),
    ]);
    totalRow.font = { bold: true };
    styled(totalRow);
    sheet.commit();

    const terms = workbook.addWorksheet(say(L.sheetTerms, locale), { views: [{ state: 'frozen', ySplit: 1 }] });
    terms.columns = Array.from({ length: 13 }, (_, i) => ({ width: i === 0 || i === 2 ? 32 : 14 }));
    const termHeader = terms.addRow(
      [
        L.customer,
        L.number,
        L.title,
        L.owner,
        L.position,
        L.kind,
        L.dueOn,
        L.amount,
        L.invoiced,
        L.received,
        L.outstanding,
        L.daysOverdue,
        L.bucket,
      ].map((label) => say(label, locale)),
    );
    termHeader.font = { bold: true };
    termHeader.commit();
    for await (const batch of eachOpenTerm(ctx, query, asOf))
      for (const t of batch) {
        const row = terms.addRow([
          t.customerName,
          t.subjectNumber,
          t.subjectTitle,
          t.ownerName,
          t.position,
          say(KIND_LABELS[t.kind], locale),
          t.dueOn,
          num(t.amount),
          num(t.invoiced),
          num(t.received),
          num(t.outstanding),
          t.daysOverdue !== null && t.daysOverdue > 0 ? t.daysOverdue : null,
          say(BUCKET_LABELS[t.bucket], locale),
        ]);
        for (let i = 8; i <= 11; i++) row.getCell(i).numFmt = MONEY_FORMAT;
        row.commit();
      }
    terms.commit();
    await workbook.commit();
  })().catch((error: unknown) => {
    stream.destroy(error as Error);
  });
  return { filename: `应收账款-${asOf}.xlsx`, stream };
}
