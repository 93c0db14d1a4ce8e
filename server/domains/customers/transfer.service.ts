import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { stringify } from 'csv-stringify/sync';
import { and, asc, eq, exists, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { normalizeCreditCode } from '../../../common/credit-code';
import { translate, type Locale, type MessageKey } from '../../../common/i18n';
import { ContactCreate, CustomerCreate, type CustomerUpdate } from '../../../common/schemas/customers';
import {
  TRANSFER_FIELDS,
  type CustomerExportQuery,
  type CustomerImportQuery,
  type ImportColumns,
  type ImportReport,
  type ImportRowError,
  type TransferField,
} from '../../../common/schemas/transfer';
import { inTransaction, type Ctx } from '../../context';
import { insertMany, type InsertRow } from '../../db/bulk';
import { rowsOf, type Db } from '../../db/client';
import { AppError } from '../../errors';
import { timeOrderedId } from '../../lib/ids';
import { issueMessage, type IssueLike } from '../../lib/issues';
import { BULK_GIN_PENDING_LIST_KB, mergeSearchIndexes } from '../../lib/search';
import { FIRM_TIME_ZONE, localDate } from '../../lib/time';
import { xlsxFile } from '../../lib/xlsx';
import { can } from '../../policy';
import { auditsFrom, recordAudits, type AuditEntry } from '../audit/audit.service';
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
import { FORMULA_START, isBlankRow, openSheet, scanSheet, unguardFormula, type ImportUpload } from './transfer.reader';
import { importApplied, importBatches, importRows } from './transfer.tables';

export type { ImportUpload } from './transfer.reader';

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
const guardFormula = (cell: string) => (FORMULA_START.test(cell) ? `'${cell}` : cell);

function today(): string {
  return localDate(new Date(), FIRM_TIME_ZONE);
}

/**
 * The file an export writes row by row: an .xlsx through ExcelJS's streaming writer (xlsxFile), or CSV stringified a
 * thousand rows at a time — the rows are never all held as cells (the in-memory workbook took 2.3 GB of heap and 83 s
 * for 100,000 customers with 150,000 contacts; the file is 11 MB).
 */
function exportSink(format: 'csv' | 'xlsx', header: string[]) {
  if (format === 'xlsx') {
    const file = xlsxFile();
    const sheet = file.workbook.addWorksheet('客户', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = header.map((_, i) => ({ width: i === 0 || i === 7 ? 36 : 16 }));
    const top = sheet.addRow(header);
    top.font = { bold: true };
    top.commit();
    return { push: (row: string[]) => sheet.addRow(row).commit(), finish: file.finish };
  }
  const parts: Buffer[] = [];
  let batch: string[][] = [header];
  let first = true;
  const flush = () => {
    const text = stringify(batch, { bom: first, record_delimiter: 'windows' });
    parts.push(Buffer.from(text, 'utf8'));
    batch = [];
    first = false;
  };
  return {
    push(row: string[]) {
      batch.push(row.map(guardFormula));
      if (batch.length >= 1000) flush();
    },
    async finish(): Promise<Buffer> {
      if (batch.length || first) flush();
      return Buffer.concat(parts);
    },
  };
}

/**
 * Every customer the caller may see that matches the list filters, one row per contact
 * (a customer without contacts gets one row). Customers are read page by page through
 * the list service, so filters and visibility are exactly those of the customer list.
 */
export async function exportCustomers(ctx: Ctx, query: CustomerExportQuery): Promise<ExportFile> {
  const locale = ctx.actor.locale;
  const { format, ...filters } = query;
  const header = TRANSFER_COLUMNS.map((c) => headerOf(c.field, locale));
  const rows = exportSink(format, header);
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
  const content = await rows.finish();
  const base = `客户-${today()}`;
  return format === 'xlsx'
    ? {
        filename: `${base}.xlsx`,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        content,
      }
    : { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', content };
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
  const scan = await scanSheet(await openSheet(upload));
  const fields = matchColumns(scan.headers, mapping, ctx.actor.locale);
  const headers: ImportColumns['headers'] = [];
  scan.headers.forEach((raw, i) => {
    const samples = scan.samples[i] ?? [];
    const header = (raw ?? '').trim();
    if (header !== '' || samples.length > 0) headers.push({ header, field: fields[i], samples });
  });
  return {
    headers,
    fields: TRANSFER_COLUMNS.map((c) => ({ field: c.field, required: REQUIRED_FIELDS.includes(c.field) })),
    rows: scan.rows,
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

/**
 * Every field of T, present (undefined when not given). The import's rows list their fields, and
 * what they add comes before a spread, not after it: V8 gives each `{ ...c, id }` hidden classes of
 * its own, ~3–6 kB instead of ~200 bytes, and an import of 100,000 customers allocated ~1 GB more.
 */
type Every<T> = { [K in keyof Required<T>]: T[K] | undefined };

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

const sameContact = (a: { name: string; phones: string[] }, b: { name: string; phones: string[] }) =>
  a.name === b.name &&
  (a.phones.length === 0 && b.phones.length === 0 ? true : a.phones.some((p) => b.phones.includes(p)));

/** Weighted rows between progress reports, and the most time between two. */
const PROGRESS_ROWS = 200;
const PROGRESS_MS = 250;

export type OnProgress = (done: number, total: number) => void | Promise<void>;
/**
 * How an import runs: who hears its progress, on which engine (the size of its steps), and who takes its tidying
 * (`afterwards`): removing its staged rows and merging the search indexes' pending lists, ~1 s for 150,000 rows on
 * PostgreSQL, run after the import answers when someone waits for them (the app, before it closes); without, the
 * import waits.
 */
export type ImportSettings = {
  onProgress?: OnProgress;
  engine?: 'pglite' | 'postgres';
  afterwards?: (tidying: Promise<void>) => void;
};

/**
 * Progress over the passes of an import (staging, checking, applying: `passes` of them), each
 * pass weighing the same, reported as rows of `total`: when PROGRESS_ROWS more are done or
 * PROGRESS_MS have passed, never twice for one count, never backwards.
 */
function progressOf(total: number, passes: () => number, onProgress: OnProgress | undefined) {
  let reported = -1;
  let at = 0;
  let pass = 0;
  const report = async (done: number, force: boolean) => {
    if (!onProgress || done <= reported) return;
    if (!force && done - reported < PROGRESS_ROWS && Date.now() - at < PROGRESS_MS) return;
    reported = done;
    at = Date.now();
    await onProgress(done, total);
  };
  return {
    /** `rows` of the current pass are done. */
    step: (rows: number) => report(Math.min(total, Math.floor((pass * total + rows) / passes())), false),
    nextPass: () => void pass++,
    start: () => report(0, true),
    finish: () => report(total, true),
  };
}

/**
 * How many rows one step (one staging insert, one checked or applied chunk in its transaction)
 * takes. On PGlite every query runs on the app's own thread and a transaction holds the only
 * connection, so a step is sized to last about STEP_MS (adjusted after each, whatever the machine's
 * load): other requests wait at most that long. On PostgreSQL the import holds one pooled connection
 * while the others serve everyone else, and its waits on the database leave the event loop free, so
 * steps hold a few hundred rows. Between steps the import yields to the event loop.
 */
const STEP_MS = 30;
/** Rows read between two turns of the event loop while staging (see runImport). */
const STAGE_YIELD_ROWS = 50;
type Engine = 'pglite' | 'postgres';
function paceOf(engine: Engine, sizes: { pglite: number; postgres: number }) {
  const min = Math.min(50, sizes.pglite);
  let size = engine === 'pglite' ? min : sizes.postgres; // grows (at most doubling) while steps are short
  return {
    get size() {
      return size;
    },
    async after(startedAt: number) {
      if (engine === 'pglite') {
        const took = Math.max(1, performance.now() - startedAt);
        size = Math.round(Math.min(sizes.pglite, Math.max(min, size * Math.min(2, Math.max(0.5, STEP_MS / took)))));
      }
      await setImmediate();
    },
  };
}

/**
 * A transaction of the import whose commit does not wait for the disk (~5–10 ms each on PostgreSQL):
 * the import's last write, its report, does, and with it every step before it. A crash meanwhile
 * leaves the import unfinished, as it would have anyway. Its new search-index entries queue in a
 * bulk writer's pending list (BULK_GIN_PENDING_LIST_KB), merged when the import ends.
 */
function importStep<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  return inTransaction(ctx, async (tx) => {
    await tx.db.execute(
      sql`SELECT set_config('synchronous_commit', 'off', true), set_config('gin_pending_list_limit', ${String(BULK_GIN_PENDING_LIST_KB)}, true)`,
    );
    return fn(tx);
  });
}

/** The key rows of one customer share: credit code, else name, else the row itself. Name groups sort first. */
function groupKeyOf(row: Row): string {
  const code = row.customer.creditCode ? normalizeCreditCode(row.customer.creditCode) : '';
  if (code) return `2${code}`;
  if (row.customer.name) return `1${row.customer.name}`;
  return `3${String(row.line).padStart(10, '0')}`;
}

type StagedData = {
  customer: CustomerFields;
  contact: ContactFields | null;
  owner?: string;
  region?: string;
  branch?: string;
};

/**
 * The staged rows of a batch, a chunk of whole customers at a time in key order: about `size()`
 * rows, more when one customer alone has more rows.
 */
async function* stagedGroups(db: Db, batchId: string, size: () => number): AsyncGenerator<Group[]> {
  let after: { key: string; line: number } | undefined;
  const columns = {
    groupKey: importRows.groupKey,
    line: importRows.line,
    data: importRows.data,
    errors: importRows.errors,
  };
  for (;;) {
    const limit = size();
    const found = await db
      .select(columns)
      .from(importRows)
      .where(
        and(
          eq(importRows.batchId, batchId),
          after ? sql`(${importRows.groupKey}, ${importRows.line}) > (${after.key}, ${after.line})` : undefined,
        ),
      )
      .orderBy(asc(importRows.groupKey), asc(importRows.line))
      .limit(limit + 1);
    if (found.length === 0) return;
    let rows = found;
    if (found.length > limit) {
      const continuing = found[limit].groupKey; // its rows go on past this chunk
      rows = found.slice(0, limit).filter((r) => r.groupKey !== continuing);
      if (rows.length === 0)
        rows = await db
          .select(columns)
          .from(importRows)
          .where(and(eq(importRows.batchId, batchId), eq(importRows.groupKey, continuing)))
          .orderBy(asc(importRows.line));
    }
    const groups: Group[] = [];
    for (const r of rows) {
      const data = r.data as StagedData;
      const row: Row = { line: r.line, errors: (r.errors as ImportRowError[] | null) ?? [], ...data };
      const last = groups.at(-1);
      if (last && last.key === r.groupKey) last.rows.push(row);
      else groups.push({ key: r.groupKey, rows: [row], errors: [] });
    }
    const last = rows.at(-1)!;
    after = { key: last.groupKey, line: last.line };
    yield groups;
  }
}

/** The owner column: a username, else a display name held by exactly one active user. */
async function resolveOwners(db: Db, wanted: string[]) {
  const owners = new Map<string, { id: string } | { ambiguous: true }>();
  for (const part of chunks(wanted)) {
    const found = await db
      .select({ id: users.id, username: users.username, displayName: users.displayName })
      .from(users)
      .where(and(eq(users.active, true), or(inArray(users.username, part), inArray(users.displayName, part))));
    for (const value of part) {
      const byUsername = found.find((u) => u.username === value);
      if (byUsername) {
        owners.set(value, { id: byUsername.id });
        continue;
      }
      const named = found.filter((u) => u.displayName === value);
      if (named.length === 1) owners.set(value, { id: named[0].id });
      else if (named.length > 1) owners.set(value, { ambiguous: true });
    }
  }
  return owners;
}

/** The ids of the active regions or branches of these names, by name. */
async function activeIds(db: Db, table: typeof regions | typeof branches, names: Iterable<string | undefined>) {
  const wanted = [...new Set([...names].filter((n): n is string => !!n))];
  const map = new Map<string, string>();
  for (const part of chunks(wanted)) {
    for (const r of await db
      .select({ id: table.id, name: table.name })
      .from(table)
      .where(and(inArray(table.name, part), eq(table.active, true))))
      map.set(r.name, r.id);
  }
  return map;
}

/** The owners, regions and branches a staged file names (in any of its rows). */
type Named = { owners: Set<string>; regions: Set<string>; branches: Set<string> };

/**
 * Whether checking a staged file chunk by chunk can be left out because no check could fail: no row has an error,
 * every owner, region and branch it names exists (once), and no customer of the file is one the database already
 * has (by credit code or name) — so nothing is updated, refused as not permitted, or as existing. Then the writing
 * pass alone gives what checking and writing give (an import of new customers, the usual first one, skips a pass
 * over every row); a customer created meanwhile by someone else still refuses its chunk there, and what was written
 * is undone, as after a check. On PostgreSQL the keys are looked up in one statement (0.3 s for 150,000 rows, on one
 * of the pool's connections); on PGlite, where a statement holds the app's one connection, a step at a time.
 */
/**
 * Whether a key of `keys` (a relation `k` of staged rows, those of `where`) is a customer's credit code or name.
 * Counted, not `EXISTS`: the usual answer is no, which only the whole join gives, and planned for a first match the
 * join read every customer again for each staged key (a sequential scan under a nested loop: minutes for 44,000 keys
 * against 55,000 customers). The keys compare bytes (`COLLATE "C"`, migration 0055), so they are compared here in the
 * database's collation, as the customers' indexes are.
 */
const stagedKeysMatch = (keys: SQL, where: SQL) => sql`(
    SELECT count(*) FROM ${keys} JOIN ${customers} c ON c.credit_code = substr(k.group_key, 2) COLLATE "default"
    WHERE ${where} AND left(k.group_key, 1) = '2'
  ) + (
    SELECT count(*) FROM ${keys} JOIN ${customers} c ON c.name = substr(k.group_key, 2) COLLATE "default"
    WHERE ${where} AND left(k.group_key, 1) = '1'
  ) > 0`;

async function nothingToCheck(db: Db, batchId: string, named: Named, engine: Engine): Promise<boolean> {
  const owners = await resolveOwners(db, [...named.owners]);
  for (const name of named.owners) {
    const owner = owners.get(name);
    if (!owner || 'ambiguous' in owner) return false;
  }
  if ((await activeIds(db, regions, named.regions)).size < named.regions.size) return false;
  if ((await activeIds(db, branches, named.branches)).size < named.branches.size) return false;
  if (engine === 'postgres') {
    // The staged rows' statistics, so that the join is planned for their number (autovacuum comes later, if at all).
    await db.execute(sql`ANALYZE ${importRows}`).catch(() => {});
    const [{ matched }] = await rowsOf<{ matched: boolean }>(
      db,
      sql`SELECT ${stagedKeysMatch(sql`${importRows} k`, sql`k.batch_id = ${batchId}`)} AS matched`,
    );
    return !matched;
  }
  const pace = paceOf(engine, { pglite: 5000, postgres: 5000 });
  let after = '';
  for (;;) {
    const started = performance.now();
    const [step] = await rowsOf<{ last: string | null; matched: boolean }>(
      db,
      sql`WITH k AS MATERIALIZED (
          SELECT group_key FROM ${importRows} WHERE batch_id = ${batchId} AND group_key > ${after}
          ORDER BY group_key LIMIT ${pace.size}
        )
        SELECT (SELECT max(group_key) FROM k) AS last, ${stagedKeysMatch(sql`k`, sql`true`)} AS matched`,
    );
    if (step.matched) return false;
    if (step.last === null) return true;
    after = step.last;
    await pace.after(started);
  }
}

/** What an import does: counts and row errors, added to by each chunk. */
type Tally = Omit<ImportReport, 'dryRun' | 'totalRows'>;
const emptyTally = (): Tally => ({
  customers: { created: 0, updated: 0, unchanged: 0 },
  contacts: { created: 0 },
  errors: [],
});

/** A chunk refused while applying an all-or-nothing import (something changed since it was checked). */
class ChunkRefused extends Error {
  constructor(readonly errors: ImportRowError[]) {
    super('chunk refused');
  }
}

type ChunkMode =
  /** Look up and count, write nothing. */
  | { write: false }
  /** Write the good customers; with `batchId`, record what was written, and refuse the chunk on any error. */
  | { write: true; allOrNothing?: { batchId: string } };

/**
 * One chunk of whole customers: everything they refer to looked up in bulk, then (when writing)
 * written with multi-row inserts. Any error spoils its customer's rows (a contact never arrives
 * without its company). Chunks are independent: name groups are applied before credit-code groups,
 * and neither can match a customer another group of the same file creates.
 */
async function processChunk(
  tx: Ctx,
  groups: Group[],
  options: CustomerImportQuery,
  mode: ChunkMode,
  tally: Tally,
  columnOf: (field: TransferField) => string,
): Promise<void> {
  const locale = tx.actor.locale;
  const rows = groups.flatMap((g) => g.rows);
  const owners = await resolveOwners(tx.db, [...new Set(rows.map((r) => r.owner).filter((u): u is string => !!u))]);
  const regionIds = await activeIds(
    tx.db,
    regions,
    rows.map((r) => r.region),
  );
  const branchIds = await activeIds(
    tx.db,
    branches,
    rows.map((r) => r.branch),
  );

  const flags = {
    visible: sql<boolean>`${visibleCustomers(tx.actor)}`,
    writable: sql<boolean>`${writableCustomers(tx.actor)}`,
  };
  const codes = groups.filter((g) => g.key.startsWith('2')).map((g) => g.key.slice(1));
  const names = groups.filter((g) => g.key.startsWith('1')).map((g) => g.key.slice(1));
  const byCode = new Map<string, Existing>();
  const byName = new Map<string, Existing>();
  for (const part of chunks(codes)) {
    for (const r of await tx.db
      .select({ row: customers, ...flags })
      .from(customers)
      .where(inArray(customers.creditCode, part)))
      byCode.set(r.row.creditCode!, { visible: r.visible, writable: r.writable, ...r.row });
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
        byName.set(r.row.name, { visible: r.visible, writable: r.writable, ...r.row });
    }
  }

  type Plan = { group: Group; existing?: Existing; ownerId: string | null; regionId?: string; branchId?: string };
  const plans: Plan[] = [];
  const mayAssign = can(tx.actor, 'customers:assign');
  for (const group of groups) {
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
      const owner = owners.get(first.owner);
      if (!owner) fail('owner', 'UNKNOWN_OWNER', 'import.UNKNOWN_OWNER', { value: first.owner });
      else if ('ambiguous' in owner) fail('owner', 'AMBIGUOUS_OWNER', 'import.AMBIGUOUS_OWNER', { value: first.owner });
      else if (owner.id === tx.actor.id || mayAssign) ownerId = owner.id;
    }
    const regionId = first.region ? regionIds.get(first.region) : undefined;
    if (first.region && !regionId)
      fail('region', 'UNKNOWN_REFERENCE', 'import.UNKNOWN_REFERENCE', { value: first.region });
    const branchId = first.branch ? branchIds.get(first.branch) : undefined;
    if (first.branch && !branchId)
      fail('branch', 'UNKNOWN_REFERENCE', 'import.UNKNOWN_REFERENCE', { value: first.branch });
    const existing = group.key.startsWith('2')
      ? byCode.get(group.key.slice(1))
      : group.key.startsWith('1')
        ? byName.get(group.key.slice(1))
        : undefined;
    const keyField: TransferField = group.key.startsWith('2') ? 'creditCode' : 'name';
    if (existing && !(existing.visible && existing.writable)) fail(keyField, 'NOT_PERMITTED', 'import.NOT_PERMITTED');
    else if (existing && options.mode === 'insert') fail(keyField, 'EXISTS', 'import.EXISTS');
    plans.push({ group, existing, ownerId, regionId, branchId });
  }

  const errors: ImportRowError[] = [];
  const good: Plan[] = [];
  for (const plan of plans) {
    const rowErrors = plan.group.rows.flatMap((r) => r.errors);
    if (rowErrors.length === 0 && plan.group.errors.length === 0) {
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
  if (mode.write && mode.allOrNothing && errors.length > 0) throw new ChunkRefused(errors);
  tally.errors.push(...errors);

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

  // What the chunk writes; the checking passes only count (and compute no search text).
  const now = new Date();
  const newCustomers: (InsertRow<typeof customers> & { addedContacts: string[] })[] = [];
  const newContacts: InsertRow<typeof contacts>[] = [];
  const applied: (typeof importApplied.$inferInsert)[] = [];
  const audits: AuditEntry[] = [];
  const record = (kind: (typeof importApplied.$inferInsert)['kind'], entityId: string, before?: object) => {
    if (mode.write && mode.allOrNothing) applied.push({ batchId: mode.allOrNothing.batchId, kind, entityId, before });
  };
  for (const plan of good) {
    const first = plan.group.rows[0];
    const c = first.customer;
    const customerId = plan.existing?.id ?? timeOrderedId();
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
      added.push(p.name);
      if (!mode.write) continue;
      const id = timeOrderedId();
      newContacts.push({
        id,
        customerId,
        name: p.name,
        title: p.title,
        department: p.department,
        phones,
        emails: p.emails ?? [],
        wechat: p.wechat,
        isPrimary,
        notes: p.notes,
        searchText: contactSearchText(p),
        createdBy: tx.actor.id,
        createdAt: now,
        updatedAt: now,
      } satisfies Every<ContactFields> & InsertRow<typeof contacts>);
      if (plan.existing) {
        audits.push({ action: 'create', entityType: 'contact', entityId: id, after: { customerId, ...p, isPrimary } });
        record('contact', id);
      }
    }
    tally.contacts.created += added.length;

    if (!plan.existing) {
      tally.customers.created++;
      if (!mode.write) continue;
      const fields = {
        id: customerId,
        name: c.name,
        creditCode: c.creditCode,
        industry: c.industry,
        size: c.size,
        address: c.address,
        email: c.email,
        phone: c.phone,
        status: c.status,
        source: c.source,
        tags: c.tags ?? [],
        regionId: plan.regionId ?? null,
        branchId: plan.branchId ?? null,
        ownerId: plan.ownerId,
      } satisfies Every<CustomerFields> & InsertRow<typeof customers>;
      const searchText = customerSearchText(c);
      // (addedContacts is no column: it goes to the audit entry, written with the row.)
      newCustomers.push({
        searchText,
        createdBy: tx.actor.id,
        createdAt: now,
        updatedAt: now,
        ...fields,
        addedContacts: added,
      });
      continue;
    }
    // An existing customer: fields given in the file that differ. Empty cells leave a field as it is; the owner changes only by assignment.
    const e = plan.existing;
    const patch: CustomerUpdate = {};
    const before: Record<string, unknown> = {};
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
      if (c[f] !== undefined && c[f] !== null && c[f] !== e[f]) {
        (patch as Record<string, unknown>)[f] = c[f];
        before[f] = e[f];
      }
    }
    if (c.tags && c.tags.join('\u0000') !== e.tags.join('\u0000')) {
      patch.tags = c.tags;
      before.tags = e.tags;
    }
    if (plan.regionId && plan.regionId !== e.regionId) {
      patch.regionId = plan.regionId;
      before.regionId = e.regionId;
    }
    if (plan.branchId && plan.branchId !== e.branchId) {
      patch.branchId = plan.branchId;
      before.branchId = e.branchId;
    }
    if (Object.keys(patch).length > 0 && mode.write) {
      await updateCustomer(tx, e.id, patch);
      record('update', e.id, before);
    }
    if (Object.keys(patch).length > 0 || added.length > 0) tally.customers.updated++;
    else tally.customers.unchanged++;
  }
  if (!mode.write) return;

  // A few statements per table, each with the rows as one JSON parameter (insertMany). A created customer's owner
  // history, audit entry and undo record are written by the database from its row in the same statement: 100,000
  // customers would otherwise send ~90 MB more JSON (and the server build it).
  const by = { actorId: tx.actor.id, requestId: tx.requestId };
  const undo = mode.allOrNothing?.batchId;
  await insertMany(tx.db, customers, newCustomers, {
    also: (src) => [
      sql`INSERT INTO ${customerOwnerChanges} (customer_id, to_user_id, kind, by_user_id)
        SELECT id, ${sql.identifier('ownerId')}, 'create', ${tx.actor.id}::uuid FROM ${src}`,
      auditsFrom(
        by,
        {
          action: 'create',
          entityType: 'customer',
          entityId: sql`id`,
          // The row as created, but for what the server fills in, with the names of the contacts created with it.
          after: sql`(r - 'searchText' - 'createdBy' - 'createdAt' - 'updatedAt' - 'addedContacts')
            || jsonb_build_object('contacts', r -> 'addedContacts', 'imported', true)`,
        },
        src,
      ),
      // One undo record for the statement's customers (a record per customer: 100,000 rows more for the database).
      ...(undo
        ? [
            sql`INSERT INTO ${importApplied} (batch_id, kind, entity_id, ids)
              SELECT ${undo}::uuid, 'customers', gen_random_uuid(), array_agg(id) FROM ${src}`,
          ]
        : []),
    ],
  });
  await insertMany(tx.db, contacts, newContacts);
  await recordAudits(tx.db, by, audits);
  await insertMany(tx.db, importApplied, applied);
}

/**
 * Undoes what an all-or-nothing import wrote before it failed, in short transactions: updated
 * customers get their values back, contacts added to existing customers and created customers
 * (with their contacts) are deleted; each step is audited.
 */
async function undoApplied(ctx: Ctx, batchId: string, engine: Engine) {
  const pace = paceOf(engine, { pglite: 500, postgres: 500 });
  for (const kind of ['update', 'contact', 'customers'] as const) {
    for (;;) {
      const started = performance.now();
      const done = await inTransaction(ctx, async (tx) => {
        const found = await tx.db
          .select({ entityId: importApplied.entityId, before: importApplied.before, ids: importApplied.ids })
          .from(importApplied)
          .where(and(eq(importApplied.batchId, batchId), eq(importApplied.kind, kind)))
          // A record of created customers holds a statement's worth (~100).
          .limit(kind === 'customers' ? Math.ceil(pace.size / 100) : pace.size);
        if (found.length === 0) return true;
        if (kind === 'update') {
          for (const f of found) await updateCustomer(tx, f.entityId, f.before as CustomerUpdate);
        } else {
          const [table, entityType, ids] =
            kind === 'contact'
              ? [contacts, 'contact' as const, found.map((f) => f.entityId)]
              : [customers, 'customer' as const, found.flatMap((f) => f.ids ?? [])];
          for (const part of chunks(ids)) await tx.db.delete(table).where(inArray(table.id, part));
          await recordAudits(
            tx.db,
            { actorId: tx.actor.id, requestId: tx.requestId },
            ids.map((id) => ({ action: 'delete', entityType, entityId: id, before: { importUndone: true } })),
          );
        }
        await tx.db.delete(importApplied).where(
          and(
            eq(importApplied.batchId, batchId),
            eq(importApplied.kind, kind),
            inArray(
              importApplied.entityId,
              found.map((f) => f.entityId),
            ),
          ),
        );
        return false;
      });
      if (done) break;
      await pace.after(started);
    }
  }
}

/**
 * Removes a batch's staged rows, a bounded number per statement. Rows another remover holds are left to it
 * (SKIP LOCKED): the import that tidies after answering and the next import's sweep may remove the same batch's
 * rows at once, and two deletes taking the same rows in different orders deadlocked (found by bench/load.ts,
 * whose second file follows the first's answer at once).
 */
async function dropStaged(db: Db, batchId: string, engine: Engine) {
  const pace = paceOf(engine, { pglite: 20_000, postgres: 20_000 });
  for (;;) {
    const started = performance.now();
    const gone = await db
      .delete(importRows)
      .where(
        sql`ctid IN (SELECT ctid FROM ${importRows} WHERE ${importRows.batchId} = ${batchId} LIMIT ${pace.size} FOR UPDATE SKIP LOCKED)`,
      )
      .returning({ line: importRows.line });
    if (gone.length === 0) break;
    await pace.after(started);
  }
}

/** An import unfinished this long after it began has stopped (a crash, a restart): no file takes hours. */
const STOPPED_AFTER_HOURS = 6;

/**
 * Removes the staged rows an import left when its server stopped before removing them: those of finished batches,
 * and of batches begun over STOPPED_AFTER_HOURS ago and never finished, which are marked failed. Each import sweeps
 * before it stages (PostgreSQL itself empties the unlogged `import_rows` when it recovers from a crash).
 */
async function sweepStaged(db: Db, engine: Engine) {
  await db
    .update(importBatches)
    .set({ status: 'failed', finishedAt: new Date() })
    .where(
      and(
        isNull(importBatches.finishedAt),
        lt(importBatches.createdAt, sql`now() - make_interval(hours => ${STOPPED_AFTER_HOURS})`),
      ),
    );
  const left = await db
    .select({ id: importBatches.id })
    .from(importBatches)
    .where(
      and(
        isNotNull(importBatches.finishedAt),
        exists(
          db
            .select({ one: sql`1` })
            .from(importRows)
            .where(eq(importRows.batchId, importBatches.id)),
        ),
      ),
    );
  for (const batch of left) await dropStaged(db, batch.id, engine);
}

/**
 * Imports customers with their contacts (one contact per row, rows grouped by credit code,
 * else by name) without holding the database: the file is read row by row into `import_rows`
 * (multi-row inserts), then checked and applied a chunk of customers at a time, each chunk in
 * its own short transaction, yielding to the event loop between steps.
 *
 * - keepGoodRows: one pass writes the good customers, chunk by chunk, and reports the bad rows.
 * - dry run: one pass checks every chunk and counts, writing nothing.
 * - all or nothing (the default): a checking pass over every chunk first; with any error nothing
 *   is written; the pass is left out when staging shows that no check could fail (nothingToCheck).
 *   Then the writing pass, which records what it writes (`import_applied`); should a chunk fail
 *   after all (a colleague created the same customer meanwhile, a database error), what earlier
 *   chunks wrote is undone.
 *
 * `onProgress(done, total)` hears about the rows: first (0, total) once the file has been read and
 * its columns matched — errors after that concern the import, not the file —, then as the passes
 * advance, last (total, total). The import waits for a promise it returns.
 */
async function runImport(
  ctx: Ctx,
  upload: ImportUpload,
  mapping: Mapping | undefined,
  options: CustomerImportQuery,
  { onProgress, engine = 'postgres', afterwards }: ImportSettings,
): Promise<ImportReport> {
  const locale = ctx.actor.locale;
  const sheet = await openSheet(upload);
  const scan = await scanSheet(sheet);
  const fields = mapColumns(scan.headers, mapping, locale);
  const columnOf = (field: TransferField) => {
    const i = fields.indexOf(field);
    return i >= 0 ? scan.headers[i].trim() : headerOf(field, locale);
  };
  const total = scan.rows;
  await sweepStaged(ctx.db, engine);
  const allOrNothing = !options.dryRun && !options.keepGoodRows;
  // Stage, then check and write (all or nothing) or one of the two; when staging shows nothing to check, stage and write.
  let passes = allOrNothing ? 3 : 2;
  const progress = progressOf(total, () => passes, onProgress);

  const [batch] = await ctx.db
    .insert(importBatches)
    .values({
      createdBy: ctx.actor.id,
      filename: upload.filename,
      options,
      status: 'staging',
      totalRows: total,
    })
    .returning({ id: importBatches.id });
  const finish = (status: (typeof importBatches.$inferSelect)['status'], report: ImportReport | null) =>
    ctx.db.update(importBatches).set({ status, report, finishedAt: new Date() }).where(eq(importBatches.id, batch.id));
  await progress.start();

  try {
    // 1. Stage: read, parse and validate each row, insert them in multi-row statements.
    let staged = 0;
    let stagedErrors = 0;
    const named: Named = { owners: new Set(), regions: new Set(), branches: new Set() };
    let pending: (typeof importRows.$inferInsert)[] = [];
    const pace = paceOf(engine, { pglite: 2000, postgres: 500 });
    let started = performance.now();
    // On PostgreSQL the next rows are read while the last ones are stored (one step in flight); on PGlite the step
    // runs on this thread anyway. Reading yields to the event loop every STAGE_YIELD_ROWS rows: without that, the
    // loop answered the step's statements only between two batches (a flush), so each of its four round trips
    // waited a batch's parsing — 4.4–4.7 s of the 7.5–8.1 s of staging 150,000 rows went in such waits, the
    // database idle (now 1.0–1.3 s of 6.2 s).
    let storing: Promise<void> | undefined;
    const flush = async () => {
      await storing;
      const rows = pending;
      pending = [];
      storing = rows.length > 0 ? importStep(ctx, (tx) => insertMany(tx.db, importRows, rows)) : undefined;
      storing?.catch(() => {}); // its error is taken at the next flush
      if (engine === 'pglite') await storing;
      staged += rows.length;
      await pace.after(started);
      await progress.step(staged);
      started = performance.now();
    };
    try {
      let header = true;
      let read = 0;
      for await (const r of sheet.rows()) {
        if (header) {
          header = false;
          continue;
        }
        if (isBlankRow(r.cells)) continue;
        if (++read % STAGE_YIELD_ROWS === 0) await setImmediate();
        const row = parseRow(locale, r.line, r.cells, fields, scan.headers);
        if (row.errors.length > 0) stagedErrors++;
        if (row.owner) named.owners.add(row.owner);
        if (row.region) named.regions.add(row.region);
        if (row.branch) named.branches.add(row.branch);
        const data: StagedData = {
          customer: row.customer,
          contact: row.contact,
          owner: row.owner,
          region: row.region,
          branch: row.branch,
        };
        pending.push({
          batchId: batch.id,
          groupKey: groupKeyOf(row),
          line: row.line,
          data,
          errors: row.errors.length > 0 ? row.errors : null,
        });
        if (pending.length >= pace.size) await flush();
      }
      await flush();
      await storing;
    } catch (error) {
      await storing?.catch(() => {}); // ended before the staged rows are removed
      throw error;
    }
    progress.nextPass();

    const report = (tally: Tally): ImportReport => ({
      dryRun: options.dryRun,
      totalRows: total,
      ...tally,
      errors: [...tally.errors].sort((a, b) => a.row - b.row),
    });
    // On PostgreSQL the next chunk is read, looked up and prepared while the database writes the last
    // two (three in flight: 41 s against 49 s with two, 100,000 customers). Chunks of one kind of key (names, or credit codes) never touch each other's customers; a
    // chunk of another kind waits for those in flight, so chunks of names still come before credit codes.
    // PGlite has one connection, and a transaction holds it: one chunk at a time.
    const parallel = engine === 'postgres' ? 3 : 1;
    const pass = async (mode: ChunkMode, tally: Tally) => {
      // At most a tenth of the file per chunk, so that progress moves in steps of a tenth or less with three in flight.
      const chunkPace = paceOf(engine, { pglite: 2000, postgres: Math.max(50, Math.min(400, Math.ceil(total / 10))) });
      let done = 0;
      let failure: { error: unknown } | undefined;
      const run = async (groups: Group[]) => {
        try {
          if (mode.write) await importStep(ctx, (tx) => processChunk(tx, groups, options, mode, tally, columnOf));
          else await processChunk(ctx, groups, options, mode, tally, columnOf);
          done += groups.reduce((n, g) => n + g.rows.length, 0);
        } catch (error) {
          failure ??= { error };
        }
      };
      const inFlight = new Set<Promise<void>>();
      let flying: string | undefined; // the kind of key of the chunks in flight
      let begun = performance.now(); // a step includes reading its staged rows
      for await (const groups of stagedGroups(ctx.db, batch.id, () => chunkPace.size)) {
        const kind = groups.every((g) => g.key[0] === groups[0].key[0]) ? groups[0].key[0] : 'mixed';
        if (kind !== flying || kind === 'mixed') await Promise.all(inFlight);
        if (failure) break;
        flying = kind;
        const step: Promise<void> = run(groups).finally(() => inFlight.delete(step));
        inFlight.add(step);
        while (inFlight.size >= parallel) await Promise.race(inFlight);
        await chunkPace.after(begun);
        await progress.step(done);
        begun = performance.now();
      }
      await Promise.all(inFlight);
      await progress.step(done);
      if (failure) throw failure.error;
      progress.nextPass();
    };

    // 2. Check (dry run, all or nothing) or write the good customers (keepGoodRows).
    const unchecked = allOrNothing && stagedErrors === 0 && (await nothingToCheck(ctx.db, batch.id, named, engine));
    if (unchecked) passes = 2;
    else {
      await ctx.db
        .update(importBatches)
        .set({ status: options.dryRun || allOrNothing ? 'checking' : 'applying' })
        .where(eq(importBatches.id, batch.id));
      const checked = emptyTally();
      await pass(options.dryRun || allOrNothing ? { write: false } : { write: true }, checked);
      if (!allOrNothing || checked.errors.length > 0) {
        // All or nothing with errors: nothing was written, so nothing is counted.
        const result = report(allOrNothing ? { ...emptyTally(), errors: checked.errors } : checked);
        await finish(allOrNothing ? 'refused' : 'done', result);
        await progress.finish();
        return result;
      }
    }

    // 3. All or nothing, and nothing was wrong: write, recording what is written to undo it on a failure.
    await ctx.db.update(importBatches).set({ status: 'applying' }).where(eq(importBatches.id, batch.id));
    const applied = emptyTally();
    try {
      await pass({ write: true, allOrNothing: { batchId: batch.id } }, applied);
    } catch (error) {
      await undoApplied(ctx, batch.id, engine);
      if (error instanceof ChunkRefused) {
        const result = report({ ...emptyTally(), errors: error.errors });
        await finish('rolled-back', result);
        await progress.finish();
        return result;
      }
      await finish('rolled-back', null);
      throw error;
    }
    await ctx.db.delete(importApplied).where(eq(importApplied.batchId, batch.id));
    const result = report(applied);
    await finish('done', result);
    await progress.finish();
    return result;
  } catch (error) {
    await ctx.db
      .update(importBatches)
      .set({ status: 'failed', finishedAt: new Date() })
      .where(and(eq(importBatches.id, batch.id), sql`${importBatches.finishedAt} IS NULL`))
      .catch(() => {});
    throw error;
  } finally {
    const tidying = (async () => {
      await dropStaged(ctx.db, batch.id, engine).catch(() => {});
      await mergeSearchIndexes(ctx.db, [customers, contacts]).catch(() => {});
    })();
    if (afterwards) afterwards(tidying);
    else await tidying;
  }
}

/**
 * importCustomers, answering IMPORT_HAS_ERRORS (with the report) when rows were refused and the
 * caller did not ask to keep the good ones.
 */
export async function importCustomers(
  ctx: Ctx,
  upload: ImportUpload,
  mapping: Mapping | undefined,
  options: CustomerImportQuery,
  settings: ImportSettings = {},
): Promise<ImportReport> {
  const report = await runImport(ctx, upload, mapping, options, settings);
  if (report.errors.length > 0 && !options.keepGoodRows && !options.dryRun)
    throw new AppError('IMPORT_HAS_ERRORS', { count: report.errors.length }, report);
  return report;
}
