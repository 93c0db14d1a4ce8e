import type { Font } from 'exceljs';
import type { ReportAnswer, ReportCell, ReportColumn, ReportRow } from '../../../common/schemas/reports';
import { xlsxFile } from '../../lib/xlsx';

/**
 * A report's answer as .xlsx — exactly what the page shows: the title, the filters in words, the headline, then each
 * table with its heading row, its rows and its total row. Money and counts are spreadsheet numbers (money with two
 * decimals: every figure is exact to the fen within 15 significant digits), shares and days numbers with one.
 */
export type XlsxFile = { filename: string; buffer: Buffer };

const FORMATS: Partial<Record<ReportColumn['kind'], string>> = {
  money: '#,##0.00',
  count: '#,##0',
  percent: '0.0',
  days: '0.0',
  hours: '#,##0.0',
};

function value(cell: ReportCell | undefined, column: ReportColumn): string | number | null {
  if (cell === null || cell === undefined) return null;
  if (column.kind === 'text') return String(cell);
  return typeof cell === 'number' ? cell : Number(cell);
}

export async function reportXlsx(answer: ReportAnswer): Promise<XlsxFile> {
  // Written row by row (xlsxFile): each row styled, then committed.
  const file = xlsxFile();
  // A worksheet's name: at most 31 characters, none of : \ / ? * [ ].
  const ws = file.workbook.addWorksheet(answer.title.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31));
  const widest = Math.max(...answer.tables.map((t) => t.columns.length));
  ws.columns = Array.from({ length: widest }, (_, i) => ({ width: i === 0 ? 24 : 16 }));
  const add = (values: unknown[], font?: Partial<Font>) => {
    const row = ws.addRow(values);
    if (font) row.font = font;
    row.commit();
  };
  add([answer.title], { bold: true, size: 14 });
  add([answer.filtersText]);
  if (answer.headline) add([answer.headline], { italic: true });
  for (const table of answer.tables) {
    add([]);
    if (table.title) add([table.title], { bold: true });
    add(
      table.columns.map((c) => c.label),
      { bold: true },
    );
    const write = (row: ReportRow, bold: boolean) => {
      const line = ws.addRow(table.columns.map((c) => value(row.cells[c.key], c)));
      table.columns.forEach((c, i) => {
        const format = FORMATS[c.kind];
        if (format) line.getCell(i + 1).numFmt = format;
      });
      if (bold) line.font = { bold: true };
      line.commit();
    };
    for (const row of table.rows) write(row, false);
    if (table.total) write(table.total, true);
  }
  const filename = `${answer.title}-${answer.from}-${answer.to}.xlsx`;
  return { filename, buffer: await file.finish() };
}
