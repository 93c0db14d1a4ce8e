import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../staff/staff.tables';

/**
 * One customer import: who, with which options, its state and, once finished, its report.
 * The rows of the file are staged in `import_rows` while it runs (and removed when it ends),
 * so the file is read once into the database and validated and applied in short steps.
 */
export const importBatches = pgTable(
  'import_batches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    filename: text('filename').notNull(),
    /** { dryRun, mode, keepGoodRows } as asked. */
    options: jsonb('options').notNull(),
    status: text('status', {
      enum: ['staging', 'checking', 'applying', 'done', 'refused', 'rolled-back', 'failed'],
    }).notNull(),
    totalRows: integer('total_rows').notNull().default(0),
    /** The ImportReport once finished. */
    report: jsonb('report'),
  },
  (t) => [index('import_batches_created_by_idx').on(t.createdBy, t.createdAt)],
);

/**
 * The data rows of an import while it runs: the parsed row (`data`) with its own errors, keyed by
 * the customer it belongs to (`group_key`: credit code, else name), so the rows of one customer are
 * read together in key order whatever their place in the file.
 */
export const importRows = pgTable(
  'import_rows',
  {
    batchId: uuid('batch_id').notNull(),
    groupKey: text('group_key').notNull(),
    line: integer('line').notNull(),
    data: jsonb('data').notNull(),
    errors: jsonb('errors'),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.groupKey, t.line] })],
);

/**
 * What an all-or-nothing import has written so far (customers created, contacts added to existing
 * customers, customers updated with their values before), recorded in the transaction of the
 * write, so a failure later in the file can undo exactly what was committed.
 */
export const importApplied = pgTable(
  'import_applied',
  {
    batchId: uuid('batch_id')
      .notNull()
      .references(() => importBatches.id, { onDelete: 'cascade' }),
    /** `customers`: the customers created by one statement, in `ids` (entity_id names the record); `contact`: one added to an existing customer; `update`: one changed, with its values `before`. */
    kind: text('kind', { enum: ['customers', 'contact', 'update'] }).notNull(),
    entityId: uuid('entity_id').notNull(),
    before: jsonb('before'),
    ids: uuid('ids').array(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.kind, t.entityId] })],
);
