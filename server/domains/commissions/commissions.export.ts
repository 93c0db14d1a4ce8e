import ExcelJS from 'exceljs';
import { and, asc, between, eq, sql } from 'drizzle-orm';
import { say, type Label } from '../../lib/label';
import type { CommissionRole, Explanation } from '../../../common/schemas/commissions';
import type { Ctx } from '../../context';
import { forbidden } from '../../errors';
import { contracts, orders } from '../contracts/contracts.tables';
import { customers } from '../customers/customers.tables';
import { departments, users } from '../staff/staff.tables';
import { visibleSheets } from './commissions.policy';
import { commissionLines, commissionSheets } from './commissions.tables';
import { scaled } from './compute';
import { getSheet, moneyText, monthBounds } from './sheets.service';

/**
 * The payout lists 佣金发放表 as .xlsx, for payroll: one sheet's lines (person, department, role, rule, amount, paid
 * on, with a total row) for those who see the whole sheet, and every line of the sheets paid in a month, per person
 * with a subtotal each and a grand total (commissions:configure). Amounts are spreadsheet numbers with two decimals;
 * every total is added up in fen, never in floating point.
 */

export const ROLE_LABELS: Record<CommissionRole, Label> = {
  'sales-owner': { zh: '业务承接人', en: 'Sales owner' },
  consultant: { zh: '顾问', en: 'Consultant' },
  'project-lead': { zh: '项目负责人', en: 'Project lead' },
  'signing-cpa': { zh: '签字注册会计师', en: 'Signing CPA' },
  manager: { zh: '项目经理', en: 'Engagement manager' },
  reviewer: { zh: '复核人', en: 'Reviewer' },
  appraiser: { zh: '评估师', en: 'Appraiser' },
  'cost-engineer': { zh: '造价工程师', en: 'Cost engineer' },
  bookkeeper: { zh: '记账会计', en: 'Bookkeeper' },
  assistant: { zh: '助理', en: 'Assistant' },
};
const L = {
  payout: { zh: '佣金发放表', en: 'Commission payout' },
  summary: { zh: '按人员汇总', en: 'By person' },
  detail: { zh: '发放明细', en: 'Lines' },
  subject: { zh: '合同 / 订单', en: 'Contract / order' },
  customer: { zh: '客户', en: 'Customer' },
  period: { zh: '期间', en: 'Period' },
  paidIn: { zh: '发放月份', en: 'Paid in' },
  person: { zh: '姓名', en: 'Person' },
  department: { zh: '部门', en: 'Department' },
  role: { zh: '角色', en: 'Role' },
  rule: { zh: '规则', en: 'Rule' },
  amount: { zh: '金额', en: 'Amount' },
  paidOn: { zh: '发放日期', en: 'Paid on' },
  lines: { zh: '笔数', en: 'Lines' },
  subtotal: { zh: '小计', en: 'Subtotal' },
  total: { zh: '合计', en: 'Total' },
} satisfies Record<string, Label>;

const MONEY_FORMAT = '#,##0.00';
/** Fen as a spreadsheet number: exact to the fen (at most 15 significant digits). */
const num = (fen: bigint) => Number(moneyText(fen));
const fenOf = (value: string) => scaled(value, 2);

export type XlsxFile = { filename: string; buffer: Buffer };

async function written(workbook: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** One sheet's payout list; FORBIDDEN for a reader who sees only their own lines of it, 404 when out of sight. */
export async function exportSheetPayout(ctx: Ctx, id: string): Promise<XlsxFile> {
  const sheet = await getSheet(ctx, id);
  if (sheet.ownLinesOnly) throw forbidden();
  const locale = ctx.actor.locale;
  const workbook = new ExcelJS.Workbook();
  const ws = workbook.addWorksheet(say(L.payout, locale), { views: [{ state: 'frozen', ySplit: 3 }] });
  ws.columns = [{ width: 14 }, { width: 18 }, { width: 16 }, { width: 36 }, { width: 16 }, { width: 14 }];
  ws.addRow([
    `${say(L.subject, locale)}: ${[sheet.subjectNumber, sheet.subjectTitle].filter(Boolean).join(' ')}`,
    null,
    null,
    `${say(L.customer, locale)}: ${sheet.customerName}`,
  ]);
  ws.addRow([`${say(L.period, locale)}: ${sheet.period}`]);
  ws.addRow([L.person, L.department, L.role, L.rule, L.amount, L.paidOn].map((l) => say(l, locale))).font = {
    bold: true,
  };
  let total = 0n;
  for (const line of sheet.lines) {
    const fen = fenOf(line.amount);
    total += fen;
    const row = ws.addRow([
      line.name,
      line.departmentName,
      say(ROLE_LABELS[line.role], locale),
      `${line.explanation.ruleKey} ${line.explanation.ruleName}`,
      num(fen),
      line.paidOn,
    ]);
    row.getCell(5).numFmt = MONEY_FORMAT;
  }
  const totalRow = ws.addRow([say(L.total, locale), null, null, null, num(total), sheet.paidOn]);
  totalRow.font = { bold: true };
  totalRow.getCell(5).numFmt = MONEY_FORMAT;
  const name = sheet.subjectNumber ?? sheet.subjectTitle;
  return { filename: `佣金发放表-${name}-${sheet.period}.xlsx`, buffer: await written(workbook) };
}

/**
 * Every line of the sheets paid in a month (YYYY-MM), per person: a summary sheet (one row per person, the grand
 * total) and the lines themselves grouped by person with a subtotal after each.
 */
export async function exportPayouts(ctx: Ctx, period: string): Promise<XlsxFile> {
  const locale = ctx.actor.locale;
  const { first, last } = monthBounds(period);
  const rows = await ctx.db
    .select({
      userId: commissionLines.userId,
      name: users.displayName,
      departmentName: departments.name,
      role: commissionLines.role,
      explanation: commissionLines.explanation,
      amount: commissionLines.amount,
      paidOn: commissionLines.paidOn,
      sheetPeriod: commissionSheets.period,
      subjectNumber: sql<string | null>`coalesce(${contracts.number}, ${orders.number})`,
      subjectTitle: sql<string>`coalesce(${contracts.title}, ${orders.title})`,
      customerName: customers.name,
    })
    .from(commissionLines)
    .innerJoin(commissionSheets, eq(commissionSheets.id, commissionLines.sheetId))
    .innerJoin(users, eq(users.id, commissionLines.userId))
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .leftJoin(contracts, eq(contracts.id, commissionSheets.contractId))
    .leftJoin(orders, eq(orders.id, commissionSheets.orderId))
    .innerJoin(customers, sql`${customers.id} = coalesce(${contracts.customerId}, ${orders.customerId})`)
    .where(
      and(eq(commissionSheets.status, 'paid'), between(commissionSheets.paidOn, first, last), visibleSheets(ctx.actor)),
    )
    .orderBy(
      asc(users.displayName),
      asc(commissionLines.userId),
      asc(commissionSheets.paidOn),
      asc(commissionSheets.period),
      asc(commissionLines.id),
    );

  const people: { userId: string; name: string; departmentName: string | null; lines: typeof rows; fen: bigint }[] = [];
  for (const row of rows) {
    let person = people.at(-1);
    if (person?.userId !== row.userId) {
      person = { userId: row.userId, name: row.name, departmentName: row.departmentName, lines: [], fen: 0n };
      people.push(person);
    }
    person.lines.push(row);
    person.fen += fenOf(row.amount);
  }
  const total = people.reduce((sum, p) => sum + p.fen, 0n);

  const workbook = new ExcelJS.Workbook();
  const summary = workbook.addWorksheet(say(L.summary, locale), { views: [{ state: 'frozen', ySplit: 2 }] });
  summary.columns = [{ width: 14 }, { width: 18 }, { width: 10 }, { width: 16 }];
  summary.addRow([`${say(L.paidIn, locale)}: ${period}`]);
  summary.addRow([L.person, L.department, L.lines, L.amount].map((l) => say(l, locale))).font = { bold: true };
  for (const p of people)
    summary.addRow([p.name, p.departmentName, p.lines.length, num(p.fen)]).getCell(4).numFmt = MONEY_FORMAT;
  const summaryTotal = summary.addRow([say(L.total, locale), null, rows.length, num(total)]);
  summaryTotal.font = { bold: true };
  summaryTotal.getCell(4).numFmt = MONEY_FORMAT;

  const detail = workbook.addWorksheet(say(L.detail, locale), { views: [{ state: 'frozen', ySplit: 1 }] });
  detail.columns = [
    { width: 14 },
    { width: 18 },
    { width: 36 },
    { width: 24 },
    { width: 10 },
    { width: 16 },
    { width: 30 },
    { width: 16 },
    { width: 14 },
  ];
  detail.addRow(
    [L.person, L.department, L.subject, L.customer, L.period, L.role, L.rule, L.amount, L.paidOn].map((l) =>
      say(l, locale),
    ),
  ).font = { bold: true };
  for (const p of people) {
    for (const line of p.lines) {
      const explanation = line.explanation as Explanation;
      detail
        .addRow([
          p.name,
          p.departmentName,
          [line.subjectNumber, line.subjectTitle].filter(Boolean).join(' '),
          line.customerName,
          line.sheetPeriod,
          say(ROLE_LABELS[line.role], locale),
          `${explanation.ruleKey} ${explanation.ruleName}`,
          num(fenOf(line.amount)),
          line.paidOn,
        ])
        .getCell(8).numFmt = MONEY_FORMAT;
    }
    const sub = detail.addRow([p.name, say(L.subtotal, locale), null, null, null, null, null, num(p.fen)]);
    sub.font = { bold: true };
    sub.getCell(8).numFmt = MONEY_FORMAT;
  }
  const detailTotal = detail.addRow([say(L.total, locale), null, null, null, null, null, null, num(total)]);
  detailTotal.font = { bold: true };
  detailTotal.getCell(8).numFmt = MONEY_FORMAT;
  return { filename: `佣金发放表-${period}.xlsx`, buffer: await written(workbook) };
}
