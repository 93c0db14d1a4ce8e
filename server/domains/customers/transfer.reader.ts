import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { IMPORT_MAX_BYTES } from '../../../common/schemas/transfer';
import { AppError } from '../../errors';
import { CsvReader } from '../../lib/csv';

/**
 * Reading an import file row by row from disk (CSV through CsvReader as it is decoded, XLSX through
 * ExcelJS's streaming reader), so memory does not grow with the file: every pass re-reads it.
 */

/** An uploaded file on disk (the route spools it to a temporary file). */
export type ImportUpload = { filename: string; path: string; size: number; truncated?: boolean };
export type SheetRow = { line: number; cells: string[] };

export const isBlankRow = (cells: string[]) => cells.every((c) => (c ?? '').trim() === '');

const isZip = (b: Buffer) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/**
 * The encoding of a CSV file: UTF-8 (with or without BOM) when all its bytes are valid UTF-8, else
 * GB18030 (a superset of GBK, as Excel on Chinese Windows saves CSV). One streamed pass over the
 * bytes, which also refuses binary files (a NUL byte) and ZIP archives (an .xlsx renamed).
 */
async function csvEncoding(file: string): Promise<'utf8' | 'gb18030'> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let utf8 = true;
  let first = true;
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    if (first && isZip(chunk)) throw new AppError('IMPORT_FILE_UNREADABLE');
    first = false;
    if (chunk.includes(0)) throw new AppError('IMPORT_FILE_UNREADABLE');
    if (utf8) {
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        utf8 = false;
      }
    }
  }
  if (utf8) {
    try {
      decoder.decode();
    } catch {
      utf8 = false;
    }
  }
  return utf8 ? 'utf8' : 'gb18030';
}

async function* csvRows(file: string, encoding: 'utf8' | 'gb18030'): AsyncGenerator<SheetRow> {
  const source = createReadStream(file, { highWaterMark: 256 * 1024 });
  const decoded = source.pipe(iconv.decodeStream(encoding)); // strips a BOM
  source.on('error', (e) => decoded.emit('error', e));
  const reader = new CsvReader();
  try {
    for await (const text of decoded as AsyncIterable<string>) yield* reader.push(text);
    yield* reader.end();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('IMPORT_FILE_UNREADABLE');
  } finally {
    source.destroy();
  }
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return v.result === undefined || v.result === null ? '' : String(v.result);
    if ('sharedFormula' in v || 'formula' in v) return '';
    return '';
  }
  return String(v);
}

type StreamedSheet = AsyncIterable<ExcelJS.Row> & { name: string };
type StreamedBook = AsyncIterable<StreamedSheet> & { model?: { sheets?: { name: string }[] } };

/** The rows of the sheet named 客户, else of the first sheet; only rows with a value. */
async function* xlsxRows(file: string): AsyncGenerator<SheetRow> {
  let reader: StreamedBook;
  try {
    reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
      sharedStrings: 'cache',
      styles: 'cache', // dates are told from numbers by their format
      hyperlinks: 'ignore',
      worksheets: 'emit',
      entries: 'ignore',
    }) as unknown as StreamedBook;
  } catch {
    throw new AppError('IMPORT_FILE_UNREADABLE');
  }
  let wanted: string | undefined;
  try {
    for await (const sheet of reader) {
      wanted ??= reader.model?.sheets?.some((s) => s.name === '客户') ? '客户' : sheet.name;
      if (sheet.name !== wanted) continue; // the reader drains it
      for await (const row of sheet) {
        const cells: string[] = [];
        row.eachCell({ includeEmpty: true }, (cell, col) => (cells[col - 1] = cellText(cell)));
        const filled = Array.from(cells, (c) => c ?? '');
        if (!row.hasValues || isBlankRow(filled)) continue;
        yield { line: row.number, cells: filled };
      }
      return;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('IMPORT_FILE_UNREADABLE');
  }
}

/** An import file, readable any number of times from its first row (the header) on. */
export type ImportSheet = { rows(): AsyncGenerator<SheetRow> };

/** Checks the file's type and size, and for CSV its encoding; reads nothing else yet. */
export async function openSheet(upload: ImportUpload): Promise<ImportSheet> {
  if (upload.truncated || upload.size > IMPORT_MAX_BYTES)
    throw new AppError('FILE_TOO_LARGE', { maxMb: IMPORT_MAX_BYTES / 1024 / 1024 }, { maxBytes: IMPORT_MAX_BYTES });
  const ext = path.extname(upload.filename).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') throw new AppError('IMPORT_FILE_TYPE');
  if (upload.size === 0) throw new AppError('IMPORT_FILE_EMPTY');
  if (ext === '.xlsx') {
    const head = Buffer.alloc(4);
    const handle = await open(upload.path);
    try {
      await handle.read(head, 0, 4, 0);
    } finally {
      await handle.close();
    }
    if (!isZip(head)) throw new AppError('IMPORT_FILE_UNREADABLE');
    return { rows: () => xlsxRows(upload.path) };
  }
  const encoding = await csvEncoding(upload.path);
  return { rows: () => csvRows(upload.path, encoding) };
}

const SAMPLES = 3;

/**
 * One pass over the file: its header row, the number of data rows (non-blank rows below the
 * header) and the first values of each column. Every file error (unreadable, empty, no header)
 * is found here, before anything is imported.
 */
export async function scanSheet(sheet: ImportSheet): Promise<{ headers: string[]; rows: number; samples: string[][] }> {
  let headers: string[] | undefined;
  let rows = 0;
  let headerLine = 0;
  const samples: string[][] = [];
  let open = 0; // columns still short of samples
  for await (const row of sheet.rows()) {
    if (!headers) {
      headers = row.cells;
      headerLine = row.line;
      headers.forEach((_, i) => (samples[i] = []));
      open = headers.length;
      continue;
    }
    if (isBlankRow(row.cells)) continue;
    rows++;
    if (open > 0 || row.cells.length > samples.length) {
      row.cells.forEach((raw, i) => {
        const list = (samples[i] ??= []);
        if (list.length === SAMPLES) return;
        const cell = unguardFormula((raw ?? '').trim());
        if (cell === '') return;
        list.push(cell);
        if (list.length === SAMPLES && i < (headers?.length ?? 0)) open--;
      });
    }
  }
  if (!headers || (rows === 0 && isBlankRow(headers))) throw new AppError('IMPORT_FILE_EMPTY');
  if (headerLine !== 1) throw new AppError('IMPORT_NO_HEADER');
  return { headers, rows, samples };
}

/** Cells starting like a formula are prefixed with `'` in CSV so a spreadsheet never runs them; imports strip it. */
export const FORMULA_START = /^[=+\-@\t\r]/;
export const unguardFormula = (cell: string) =>
  cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
