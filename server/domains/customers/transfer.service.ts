import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { normalizeCreditCode } from '../../../common/credit-code';
import { translate, type Locale, type MessageKey } from '../../../common/i18n';
import { ContactCreate, CustomerCreate, type CustomerUpdate } from '../../../common/schemas/customers';
import {
  IMPORT_MAX_BYTES,
  TRANSFER_FIELDS,
  type CustomerExportQuery,
  type CustomerImportQuery,
  type ImportColumns,
  type ImportReport,
  type ImportRowError,
  type TransferField,
} from '../../../common/schemas/transfer';
import { inTransaction, type Ctx } from '../../context';
import { AppError } from '../../errors';
import { issueMessage, type IssueLike } from '../../lib/issues';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { can } from '../../policy';
import { recordAudits } from '../audit/audit.service';
import { branches, regions, users } from '../staff/staff.tables';
import { visibleCustomers, writableCustomers } from './customers.policy';
import { contactSearchText } from './contacts.service';
import { customerSearchText, findCustomers, updateCustomer } from './customers.service';
import { contacts, customerOwnerChanges, customers } from './customers.tables';
import {
  LIST_SEPARATOR,
  SIZE_LABELS,
  STATUS_LABELS,
  TRANSFER_COLUMNS,
  YES_NO,
  allowedLabels,
  codeOf,
  headerOf,
  labelOf,
  parseYesNo,
  splitList,
} from './transfer.columns';

// ---------------------------------------------------------------- export

export type ExportFile = { filename: string; contentType: string; content: Buffer };

const EXPORT_PAGE = 2000;
/** Chunk size for IN lists and multi-row inserts (well below PostgreSQL's 65,535 parameters). */
const CHUNK = 500;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Cells starting like a formula are prefixed with `'` in CSV so a spreadsheet never runs them; imports strip it. */
const FORMULA_START = /^[=+\-@\t\r]/;
const guardFormula = (cell: string) => (FORMULA_START.test(cell) ? `'${cell}` : cell);
const unguardFormula = (cell: string) =>
  cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;

function today(): string {
  return localDate(new Date(), FIRM_TIME_ZONE);
}

/**
 * Every customer the caller may see that matches the list filters, one row per contact
 * (a customer without contacts gets one row). Customers are read page by page through
 * the list service, so filters and visibility are exactly those of the customer list.
 */
export async function exportCustomers(ctx: Ctx, query: CustomerExportQuery): Promise<ExportFile> {
  const locale = ctx.actor.locale;
  const { format, ...filters } = query;
  const rows: string[][] = [];
  await inTransaction(ctx, async (tx) => {
    for (let page = 1; ; page++) {
      const { items } = await findCustomers(tx, {
        ...filters,
        sort: filters.sort ?? 'name',
        page,
        pageSize: EXPORT_PAGE,
      });
      if (items.length === 0) break;
      const ids = items.map((c) => c.id);
      const ownerIds = [...new Set(items.map((c) => c.ownerId).filter((id): id is string => id !== null))];
      const owners = new Map<string, string>();
      for (const part of chunks(ownerIds)) {
        for (const u of await tx.db
          .select({ id: users.id, username: users.username })
          .from(users)
          .where(inArray(users.id, part)))
          owners.set(u.id, u.username);
      }
      const byCustomer = new Map<string, (typeof contacts.$inferSelect)[]>();
      for (const part of chunks(ids)) {
        const found = await tx.db
          .select()
          .from(contacts)
          .where(inArray(contacts.customerId, part))
          .orderBy(
            asc(contacts.customerId),
            sql`${contacts.isPrimary} DESC`,
            asc(contacts.createdAt),
            asc(contacts.id),
          );
        for (const c of found) {
          const list = byCustomer.get(c.customerId) ?? [];
          list.push(c);
          byCustomer.set(c.customerId, list);
        }
      }
      for (const c of items) {
        const customerCells = [
          c.name,
          c.creditCode ?? '',
          labelOf(STATUS_LABELS, c.status, locale),
          c.industry ?? '',
          labelOf(SIZE_LABELS, c.size, locale),
          c.regionName ?? '',
          c.branchName ?? '',
          c.address ?? '',
          c.email ?? '',
          c.phone ?? '',
          c.source ?? '',
          c.tags.join(LIST_SEPARATOR),
          c.ownerId ? (owners.get(c.ownerId) ?? '') : '',
        ];
        const list = byCustomer.get(c.id) ?? [];
        if (list.length === 0) rows.push([...customerCells, '', '', '', '', '', '', '', '']);
        for (const p of list) {
          rows.push([
            ...customerCells,
            p.name,
            p.title ?? '',
            p.department ?? '',
            p.phones.join(LIST_SEPARATOR),
            p.emails.join(LIST_SEPARATOR),
            p.wechat ?? '',
            locale === 'en-US'
              ? p.isPrimary
                ? YES_NO.yes.en
                : YES_NO.no.en
              : p.isPrimary
                ? YES_NO.yes.zh
                : YES_NO.no.zh,
            p.notes ?? '',
          ]);
        }
      }
      if (items.length < EXPORT_PAGE) break;
    }
  });
  const header = TRANSFER_COLUMNS.map((c) => headerOf(c.field, locale));
  const base = `客户-${today()}`;
  if (format === 'xlsx') {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('客户', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow(header).font = { bold: true };
    sheet.addRows(rows);
    sheet.columns.forEach((column, i) => (column.width = i === 0 || i === 7 ? 36 : 16));
    const content = Buffer.from(await workbook.xlsx.writeBuffer());
    return {
      filename: `${base}.xlsx`,
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      content,
    };
  }
  const content = Buffer.from(
    stringify([header, ...rows.map((r) => r.map(guardFormula))], { bom: true, record_delimiter: 'windows' }),
    'utf8',
  );
  return { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', content };
}

// ---------------------------------------------------------------- reading files

export type ImportUpload = { filename: string; content: Buffer; truncated: boolean };
type Sheet = { headers: string[]; rows: { line: number; cells: string[] }[] };

/** UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030 (a superset of GBK, as Excel on Chinese Windows saves CSV). */
export function decodeText(content: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    text = iconv.decode(content, 'gb18030');
  }
  return text.replace(/^\uFEFF/, '');
}

function readCsv(content: Buffer): Sheet {
  if (content.includes(0)) throw new AppError('IMPORT_FILE_UNREADABLE');
  const text = decodeText(content);
  if (text.trim() === '') throw new AppError('IMPORT_FILE_EMPTY');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: false, info: true }) as never;
  } catch {
    throw new AppError('IMPORT_FILE_UNREADABLE');
  }
  const rows: Sheet['rows'] = [];
  let nextLine = 1;
  for (const { record, info } of records) {
    rows.push({ line: nextLine, cells: record });
    nextLine = info.lines + 1;
  }
  const [first, ...rest] = rows;
  return { headers: first.cells, rows: rest };
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return v.result === undefined || v.result === null ? '' : String(v.result);
    return cell.text ?? '';
  }
  return String(v);
}

async function readXlsx(content: Buffer): Promise<Sheet> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch {
    throw new AppError('IMPORT_FILE_UNREADABLE');
  }
  const sheet = workbook.getWorksheet('客户') ?? workbook.worksheets[0];
  if (!sheet) throw new AppError('IMPORT_FILE_EMPTY');
  const all: Sheet['rows'] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => (cells[col - 1] = cellText(cell)));
    all.push({ line, cells: Array.from(cells, (c) => c ?? '') });
  });
  if (all.length === 0) throw new AppError('IMPORT_FILE_EMPTY');
  if (all[0].line !== 1) throw new AppError('IMPORT_NO_HEADER');
  const [first, ...rest] = all;
  return { headers: first.cells, rows: rest };
}

const isZip = (b: Buffer) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

export async function readSheet(upload: ImportUpload): Promise<Sheet> {
  if (upload.truncated)
    throw new AppError('FILE_TOO_LARGE', { maxMb: IMPORT_MAX_BYTES / 1024 / 1024 }, { maxBytes: IMPORT_MAX_BYTES });
  const ext = path.extname(upload.filename).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') throw new AppError('IMPORT_FILE_TYPE');
  if (upload.content.length === 0) throw new AppError('IMPORT_FILE_EMPTY');
  if (ext === '.xlsx') return readXlsx(upload.content);
  if (isZip(upload.content)) throw new AppError('IMPORT_FILE_UNREADABLE');
  return readCsv(upload.content);
}

// ---------------------------------------------------------------- column mapping

export type Mapping = Record<string, string | null>;

/** The export's headers (Chinese, English) and the field names themselves, for matching a file's header. */
function fieldByHeader(header: string): TransferField | undefined {
  const h = header.trim().toLowerCase();
  for (const c of TRANSFER_COLUMNS)
    if (h === c.zh || h === c.en.toLowerCase() || h === c.field.toLowerCase()) return c.field;
  return undefined;
}

/**
 * The field of each column (null: not imported): the export's header names (of repeated
 * headers the first column wins), then the explicit mapping, which may rename or skip
 * columns. With a mapping, two columns importing into one field is IMPORT_MAPPING_DUPLICATE.
 */
export function matchColumns(
  headers: string[],
  mapping: Mapping | undefined,
  locale: Locale = 'zh-CN',
): (TransferField | null)[] {
  const trimmed = headers.map((h) => (h ?? '').trim());
  if (trimmed.every((h) => h === '')) throw new AppError('IMPORT_NO_HEADER');
  const matched = new Set<TransferField>();
  const fields: (TransferField | null)[] = trimmed.map((h) => {
    const field = h ? fieldByHeader(h) : undefined;
    if (!field || matched.has(field)) return null; // a repeated header: the first column wins
    matched.add(field);
    return field;
  });
  if (!mapping) return fields;
  for (const [header, target] of Object.entries(mapping)) {
    const i = trimmed.indexOf(header.trim());
    if (i < 0) throw new AppError('IMPORT_MAPPING_INVALID', { reason: `“${header}”` });
    if (target === null || target === '') {
      fields[i] = null;
      continue;
    }
    const field = (TRANSFER_FIELDS as readonly string[]).includes(target)
      ? (target as TransferField)
      : fieldByHeader(target);
    if (!field) throw new AppError('IMPORT_MAPPING_INVALID', { reason: `“${header}” → “${target}”` });
    fields[i] = field;
  }
  const columnOf = new Map<TransferField, number>();
  fields.forEach((f, i) => {
    if (!f) return;
    const first = columnOf.get(f);
    if (first !== undefined) {
      throw new AppError(
        'IMPORT_MAPPING_DUPLICATE',
        { first: trimmed[first], second: trimmed[i], field: headerOf(f, locale) },
        { field: f, columns: [trimmed[first], trimmed[i]] },
      );
    }
    columnOf.set(f, i);
  });
  return fields;
}

/** The field of each column, as matchColumns; the customer's name must have a column. */
export function mapColumns(
  headers: string[],
  mapping: Mapping | undefined,
  locale: Locale = 'zh-CN',
): (TransferField | null)[] {
  const fields = matchColumns(headers, mapping, locale);
  if (!fields.includes('name')) throw new AppError('IMPORT_NO_HEADER');
  return fields;
}

/** Fields every import needs a column for. */
const REQUIRED_FIELDS: readonly TransferField[] = ['name'];
const SAMPLES = 3;
const isBlankRow = (cells: string[]) => cells.every((c) => (c ?? '').trim() === '');

/**
 * The header row of an upload with the field each column would import into (with the
 * mapping, if one is given) and its first values, so a person can map the columns before
 * importing. Columns with neither a header nor a value are left out.
 */
export async function importColumns(
  ctx: Ctx,
  upload: ImportUpload,
  mapping: Mapping | undefined,
): Promise<ImportColumns> {
  const sheet = await readSheet(upload);
  const fields = matchColumns(sheet.headers, mapping, ctx.actor.locale);
  const rows = sheet.rows.filter((r) => !isBlankRow(r.cells));
  const headers: ImportColumns['headers'] = [];
  sheet.headers.forEach((raw, i) => {
    const samples: string[] = [];
    for (const row of rows) {
      const cell = unguardFormula((row.cells[i] ?? '').trim());
      if (cell !== '') samples.push(cell);
      if (samples.length === SAMPLES) break;
    }
    const header = (raw ?? '').trim();
    if (header !== '' || samples.length > 0) headers.push({ header, field: fields[i], samples });
  });
  return {
    headers,
    fields: TRANSFER_COLUMNS.map((c) => ({ field: c.field, required: REQUIRED_FIELDS.includes(c.field) })),
    rows: rows.length,
  };
}

// ---------------------------------------------------------------- rows

type CustomerFields = Omit<CustomerCreate, 'ownerId' | 'regionId' | 'branchId'>;
type ContactFields = Omit<ContactCreate, 'customerId'>;
type Row = {
  line: number;
  customer: CustomerFields;
  owner?: string;
  region?: string;
  branch?: string;
  contact: ContactFields | null;
  errors: ImportRowError[];
};

const CustomerInput = CustomerCreate.omit({ ownerId: true, regionId: true, branchId: true });
const ContactInput = ContactCreate.omit({ customerId: true });
const CONTACT_KEYS: Record<string, TransferField> = {
  name: 'contactName',
  title: 'contactTitle',
  department: 'contactDepartment',
  phones: 'contactPhones',
  emails: 'contactEmails',
  wechat: 'contactWechat',
  isPrimary: 'contactPrimary',
  notes: 'contactNotes',
};

function parseRow(
  locale: Locale,
  line: number,
  cells: string[],
  fields: (TransferField | null)[],
  headers: string[],
): Row {
  const errors: ImportRowError[] = [];
  const columnOf = (field: TransferField) => {
    const i = fields.indexOf(field);
    return i >= 0 ? headers[i].trim() : headerOf(field, locale);
  };
  const fail = (field: TransferField, code: string, key: MessageKey, params: Record<string, unknown> = {}) =>
    errors.push({
      row: line,
      column: columnOf(field),
      code,
      message: translate(locale, key, { column: columnOf(field), ...params }),
    });
  const value: Partial<Record<TransferField, string>> = {};
  fields.forEach((f, i) => {
    if (!f) return;
    const cell = unguardFormula((cells[i] ?? '').trim());
    if (cell !== '') value[f] = cell;
  });

  const customer: Record<string, unknown> = { name: value.name ?? '' };
  if (value.name === undefined) fail('name', 'REQUIRED', 'import.REQUIRED');
  for (const f of ['creditCode', 'industry', 'address', 'email', 'phone', 'source'] as const)
    if (value[f] !== undefined) customer[f] = value[f];
  if (value.tags !== undefined) customer.tags = splitList(value.tags);
  if (value.status !== undefined) {
    const code = codeOf(STATUS_LABELS, value.status);
    if (code) customer.status = code;
    else fail('status', 'INVALID_VALUE', 'import.UNKNOWN_VALUE', { values: allowedLabels(STATUS_LABELS, locale) });
  }
  if (value.size !== undefined) {
    const code = codeOf(SIZE_LABELS, value.size);
    if (code) customer.size = code;
    else fail('size', 'INVALID_VALUE', 'import.UNKNOWN_VALUE', { values: allowedLabels(SIZE_LABELS, locale) });
  }
  const parsedCustomer = CustomerInput.safeParse(customer);
  if (!parsedCustomer.success) {
    for (const issue of parsedCustomer.error.issues) {
      const key = String(issue.path[0]) as TransferField;
      if (key === 'name' && value.name === undefined) continue;
      fail(key, 'INVALID', 'import.INVALID', { reason: issueMessage(locale, issue as unknown as IssueLike) });
    }
  }

  let contact: ContactFields | null = null;
  const contactGiven = Object.values(CONTACT_KEYS).some((f) => f !== 'contactPrimary' && value[f] !== undefined);
  if (contactGiven) {
    const input: Record<string, unknown> = { name: value.contactName ?? '' };
    if (value.contactName === undefined) fail('contactName', 'REQUIRED', 'import.REQUIRED');
    if (value.contactTitle !== undefined) input.title = value.contactTitle;
    if (value.contactDepartment !== undefined) input.department = value.contactDepartment;
    if (value.contactWechat !== undefined) input.wechat = value.contactWechat;
    if (value.contactNotes !== undefined) input.notes = value.contactNotes;
    input.phones = value.contactPhones ? splitList(value.contactPhones) : [];
    input.emails = value.contactEmails ? splitList(value.contactEmails) : [];
    const primary = parseYesNo(value.contactPrimary ?? '');
    if (primary === undefined)
      fail('contactPrimary', 'INVALID_VALUE', 'import.UNKNOWN_VALUE', {
        values: locale === 'en-US' ? 'Yes, No' : '是、否',
      });
    input.isPrimary = primary ?? false;
    const parsed = ContactInput.safeParse(input);
    if (parsed.success) contact = parsed.data;
    else {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0]);
        if (key === 'name' && value.contactName === undefined) continue;
        fail(CONTACT_KEYS[key] ?? 'contactName', 'INVALID', 'import.INVALID', {
          reason: issueMessage(locale, issue as unknown as IssueLike),
        });
      }
    }
  }
  return {
    line,
    customer: parsedCustomer.success ? parsedCustomer.data : (customer as CustomerFields),
    owner: value.owner,
    region: value.region,
    branch: value.branch,
    contact,
    errors,
  };
}

// ---------------------------------------------------------------- import

type Existing = typeof customers.$inferSelect & { visible: boolean; writable: boolean };
type Group = { key: string; rows: Row[]; errors: ImportRowError[] };

class DryRunRollback extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

const sameContact = (a: { name: string; phones: string[] }, b: { name: string; phones: string[] }) =>
  a.name === b.name &&
  (a.phones.length === 0 && b.phones.length === 0 ? true : a.phones.some((p) => b.phones.includes(p)));

/** Rows between progress reports, and the most time between two (while rows are being processed). */
const PROGRESS_ROWS = 200;
const PROGRESS_MS = 250;

export type OnProgress = (done: number, total: number) => void | Promise<void>;

/** Calls `onProgress` when PROGRESS_ROWS more rows are done or PROGRESS_MS have passed, never twice for one count. */
function progressOf(total: number, onProgress: OnProgress | undefined) {
  let reported = -1;
  let at = 0;
  return async (done: number, force = false) => {
    if (!onProgress || done === reported) return;
    if (!force && done - reported < PROGRESS_ROWS && Date.now() - at < PROGRESS_MS) return;
    reported = done;
    at = Date.now();
    await onProgress(done, total);
  };
}

/**
 * Imports customers with their contacts (one contact per row, rows grouped by credit code,
 * else by name). Everything happens in one transaction: with errors and without
 * `keepGoodRows` nothing is written; a dry run rolls the transaction back.
 * `onProgress(done, total)` hears about the rows as they are processed: first (0, total) once
 * the file has been read and its columns matched — errors after that concern the import, not
 * the file —, then every PROGRESS_ROWS rows or PROGRESS_MS, last (total, total). The import
 * waits for a promise it returns (e.g. until the report has gone out).
 */
export async function importCustomers(
  ctx: Ctx,
  upload: ImportUpload,
  mapping: Mapping | undefined,
  options: CustomerImportQuery,
  onProgress?: OnProgress,
): Promise<ImportReport> {
  const locale = ctx.actor.locale;
  const sheet = await readSheet(upload);
  const fields = mapColumns(sheet.headers, mapping, locale);
  const columnOf = (field: TransferField) => {
    const i = fields.indexOf(field);
    return i >= 0 ? sheet.headers[i].trim() : headerOf(field, locale);
  };

  const rows = sheet.rows
    .filter((r) => !isBlankRow(r.cells))
    .map((r) => parseRow(locale, r.line, r.cells, fields, sheet.headers));
  const progress = progressOf(rows.length, onProgress);
  await progress(0, true);
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const code = row.customer.creditCode ? normalizeCreditCode(row.customer.creditCode) : '';
    const key = code ? `c:${code}` : row.customer.name ? `n:${row.customer.name}` : `r:${row.line}`;
    const group = groups.get(key) ?? { key, rows: [], errors: [] };
    group.rows.push(row);
    groups.set(key, group);
  }

  const run = async (tx: Ctx): Promise<ImportReport> => {
    // Everything the rows refer to, looked up in bulk.
    const usernames = [...new Set(rows.map((r) => r.owner).filter((u): u is string => !!u))];
    const owners = new Map<string, string>();
    for (const part of chunks(usernames)) {
      for (const u of await tx.db
        .select({ id: users.id, username: users.username })
        .from(users)
        .where(and(inArray(users.username, part), eq(users.active, true))))
        owners.set(u.username, u.id);
    }
    const refs = async (table: typeof regions | typeof branches, names: (string | undefined)[]) => {
      const wanted = [...new Set(names.filter((n): n is string => !!n))];
      const map = new Map<string, string>();
      for (const part of chunks(wanted)) {
        for (const r of await tx.db
          .select({ id: table.id, name: table.name })
          .from(table)
          .where(and(inArray(table.name, part), eq(table.active, true))))
          map.set(r.name, r.id);
      }
      return map;
    };
    const regionIds = await refs(
      regions,
      rows.map((r) => r.region),
    );
    const branchIds = await refs(
      branches,
      rows.map((r) => r.branch),
    );

    const flags = {
      visible: sql<boolean>`${visibleCustomers(tx.actor)}`,
      writable: sql<boolean>`${writableCustomers(tx.actor)}`,
    };
    const codes = [...groups.keys()].filter((k) => k.startsWith('c:')).map((k) => k.slice(2));
    const names = [...groups.keys()].filter((k) => k.startsWith('n:')).map((k) => k.slice(2));
    const byCode = new Map<string, Existing>();
    const byName = new Map<string, Existing>();
    for (const part of chunks(codes)) {
      for (const r of await tx.db
        .select({ row: customers, ...flags })
        .from(customers)
        .where(inArray(customers.creditCode, part)))
        byCode.set(r.row.creditCode!, { ...r.row, visible: r.visible, writable: r.writable });
    }
    for (const part of chunks(names)) {
      const found = await tx.db
        .select({ row: customers, ...flags })
        .from(customers)
        .where(inArray(customers.name, part))
        .orderBy(asc(customers.createdAt), asc(customers.id));
      for (const r of found) {
        const current = byName.get(r.row.name);
        // Of several customers with one name, the one the caller may change wins.
        if (!current || (!current.writable && r.writable))
          byName.set(r.row.name, { ...r.row, visible: r.visible, writable: r.writable });
      }
    }

    // Resolve each customer; any error spoils its whole group (a contact never arrives without its company).
    type Plan = {
      group: Group;
      existing?: Existing;
      ownerId: string | null;
      regionId?: string;
      branchId?: string;
      good?: boolean;
    };
    const plans: Plan[] = [];
    const mayAssign = can(tx.actor, 'customers:assign');
    for (const group of groups.values()) {
      const first = group.rows[0];
      const fail = (
        field: TransferField | undefined,
        code: string,
        key: MessageKey,
        params: Record<string, unknown> = {},
      ) =>
        group.errors.push({
          row: first.line,
          ...(field ? { column: columnOf(field) } : {}),
          code,
          message: translate(locale, key, { column: field ? columnOf(field) : '', ...params }),
        });
      let ownerId: string | null = tx.actor.id;
      if (first.owner) {
        const id = owners.get(first.owner);
        if (!id) fail('owner', 'UNKNOWN_OWNER', 'import.UNKNOWN_OWNER', { value: first.owner });
        else if (id === tx.actor.id || mayAssign) ownerId = id;
      }
      const regionId = first.region ? regionIds.get(first.region) : undefined;
      if (first.region && !regionId)
        fail('region', 'UNKNOWN_REFERENCE', 'import.UNKNOWN_REFERENCE', { value: first.region });
      const branchId = first.branch ? branchIds.get(first.branch) : undefined;
      if (first.branch && !branchId)
        fail('branch', 'UNKNOWN_REFERENCE', 'import.UNKNOWN_REFERENCE', { value: first.branch });
      const existing = group.key.startsWith('c:')
        ? byCode.get(group.key.slice(2))
        : group.key.startsWith('n:')
          ? byName.get(group.key.slice(2))
          : undefined;
      const keyField: TransferField = group.key.startsWith('c:') ? 'creditCode' : 'name';
      if (existing && !(existing.visible && existing.writable)) fail(keyField, 'NOT_PERMITTED', 'import.NOT_PERMITTED');
      else if (existing && options.mode === 'insert') fail(keyField, 'EXISTS', 'import.EXISTS');
      plans.push({ group, existing, ownerId, regionId, branchId });
    }

    const errors: ImportRowError[] = [];
    const good: Plan[] = [];
    for (const plan of plans) {
      const rowErrors = plan.group.rows.flatMap((r) => r.errors);
      if (rowErrors.length === 0 && plan.group.errors.length === 0) {
        plan.good = true;
        good.push(plan);
        continue;
      }
      errors.push(...plan.group.errors, ...rowErrors);
      for (const r of plan.group.rows) {
        if (r.errors.length === 0 && !plan.group.errors.some((e) => e.row === r.line)) {
          errors.push({
            row: r.line,
            code: 'CUSTOMER_HAS_ERRORS',
            message: translate(locale, 'import.CUSTOMER_HAS_ERRORS'),
          });
        }
      }
    }
    errors.sort((a, b) => a.row - b.row);
    const report: ImportReport = {
      dryRun: options.dryRun,
      totalRows: rows.length,
      customers: { created: 0, updated: 0, unchanged: 0 },
      contacts: { created: 0 },
      errors,
    };
    if (errors.length > 0 && !options.keepGoodRows && !options.dryRun) {
      await progress(rows.length, true);
      return report;
    }

    const now = new Date();
    // Written every PROGRESS_ROWS rows, so progress reports follow the writes.
    const newCustomers: (typeof customers.$inferInsert)[] = [];
    const newContacts: (typeof contacts.$inferInsert)[] = [];
    const audits: {
      action: 'create' | 'update';
      entityType: 'customer' | 'contact';
      entityId: string;
      after: object;
    }[] = [];
    const flush = async () => {
      for (const part of chunks(newCustomers)) await tx.db.insert(customers).values(part);
      for (const part of chunks(
        newCustomers.map((c) => ({
          customerId: c.id!,
          fromUserId: null,
          toUserId: c.ownerId ?? null,
          kind: 'create' as const,
          reason: null,
          byUserId: tx.actor.id,
        })),
      )) {
        await tx.db.insert(customerOwnerChanges).values(part);
      }
      for (const part of chunks(newContacts, 200)) await tx.db.insert(contacts).values(part);
      for (const part of chunks(audits, 200))
        await recordAudits(tx.db, { actorId: tx.actor.id, requestId: tx.requestId }, part);
      newCustomers.length = 0;
      newContacts.length = 0;
      audits.length = 0;
    };

    // Contacts already on the matched customers, to add only the new ones.
    const matchedIds = good.filter((p) => p.existing).map((p) => p.existing!.id);
    const existingContacts = new Map<string, { name: string; phones: string[]; isPrimary: boolean }[]>();
    for (const part of chunks(matchedIds)) {
      for (const c of await tx.db
        .select({
          customerId: contacts.customerId,
          name: contacts.name,
          phones: contacts.phones,
          isPrimary: contacts.isPrimary,
        })
        .from(contacts)
        .where(inArray(contacts.customerId, part))) {
        const list = existingContacts.get(c.customerId) ?? [];
        list.push(c);
        existingContacts.set(c.customerId, list);
      }
    }

    let done = 0; // rows written (or refused)
    let unwritten = 0;
    for (const plan of plans) {
      if (unwritten >= PROGRESS_ROWS) {
        await flush();
        unwritten = 0;
      }
      await progress(done);
      done += plan.group.rows.length;
      if (!plan.good) continue;
      unwritten += plan.group.rows.length;
      const first = plan.group.rows[0];
      const c = first.customer;
      const customerId = plan.existing?.id ?? randomUUID();
      const known = [...(existingContacts.get(customerId) ?? [])];
      let hasPrimary = known.some((k) => k.isPrimary);
      const added: string[] = [];
      for (const row of plan.group.rows) {
        const p = row.contact;
        if (!p) continue;
        const phones = p.phones ?? [];
        if (known.some((k) => sameContact(k, { name: p.name, phones }))) continue;
        const isPrimary = Boolean(p.isPrimary) && !hasPrimary;
        hasPrimary ||= isPrimary;
        known.push({ name: p.name, phones, isPrimary });
        const id = randomUUID();
        newContacts.push({
          ...p,
          id,
          customerId,
          phones,
          emails: p.emails ?? [],
          isPrimary,
          searchText: contactSearchText(p),
          createdBy: tx.actor.id,
          createdAt: now,
          updatedAt: now,
        });
        added.push(p.name);
        if (plan.existing)
          audits.push({
            action: 'create',
            entityType: 'contact',
            entityId: id,
            after: { customerId, ...p, isPrimary },
          });
      }
      report.contacts.created += added.length;

      if (!plan.existing) {
        const values = {
          ...c,
          id: customerId,
          tags: c.tags ?? [],
          regionId: plan.regionId ?? null,
          branchId: plan.branchId ?? null,
          ownerId: plan.ownerId,
          searchText: customerSearchText(c),
          createdBy: tx.actor.id,
          createdAt: now,
          updatedAt: now,
        };
        newCustomers.push(values);
        const { searchText: _s, createdBy: _b, createdAt: _c, updatedAt: _u, ...after } = values;
        audits.push({
          action: 'create',
          entityType: 'customer',
          entityId: customerId,
          after: { ...after, contacts: added, imported: true },
        });
        report.customers.created++;
        continue;
      }
      // An existing customer: fields given in the file that differ. Empty cells leave a field as it is; the owner changes only by assignment.
      const e = plan.existing;
      const patch: CustomerUpdate = {};
      for (const f of [
        'name',
        'creditCode',
        'industry',
        'size',
        'address',
        'email',
        'phone',
        'status',
        'source',
      ] as const) {
        if (c[f] !== undefined && c[f] !== null && c[f] !== e[f]) (patch as Record<string, unknown>)[f] = c[f];
      }
      if (c.tags && c.tags.join('\u0000') !== e.tags.join('\u0000')) patch.tags = c.tags;
      if (plan.regionId && plan.regionId !== e.regionId) patch.regionId = plan.regionId;
      if (plan.branchId && plan.branchId !== e.branchId) patch.branchId = plan.branchId;
      if (Object.keys(patch).length > 0) await updateCustomer(tx, e.id, patch);
      if (Object.keys(patch).length > 0 || added.length > 0) report.customers.updated++;
      else report.customers.unchanged++;
    }

    await flush();
    await progress(rows.length, true);
    if (options.dryRun) throw new DryRunRollback(report);
    return report;
  };

  let report: ImportReport;
  try {
    report = await inTransaction(ctx, run);
  } catch (error) {
    if (error instanceof DryRunRollback) return error.report;
    throw error;
  }
  if (report.errors.length > 0 && !options.keepGoodRows)
    throw new AppError('IMPORT_HAS_ERRORS', { count: report.errors.length }, report);
  return report;
}
