import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { NumberedKind } from '../../../common/schemas/numbering';
import { auditedColumns } from '../../db/columns';
import { businessLines, users } from '../staff/staff.tables';

/** A number series 编号规则: per kind, one per business line, and one (business line null) for the others. */
export const numberSeries = pgTable(
  'number_series',
  {
    ...auditedColumns(),
    kind: text('kind').$type<NumberedKind>().notNull(),
    businessLineId: uuid('business_line_id').references(() => businessLines.id),
    name: text('name').notNull(),
    pattern: text('pattern').notNull(),
    active: boolean('active').notNull().default(true),
  },
  (t) => [
    uniqueIndex('number_series_kind_line_key')
      .on(t.kind, t.businessLineId)
      .where(sql`${t.businessLineId} IS NOT NULL`),
    uniqueIndex('number_series_kind_default_key')
      .on(t.kind)
      .where(sql`${t.businessLineId} IS NULL`),
  ],
);

/**
 * The last sequence value given per series and period (the year, or `all`). Incremented in the
 * transaction that gives the number (INSERT … ON CONFLICT DO UPDATE … RETURNING): the row stays locked
 * until that transaction ends, and a rollback takes the increment back with it — no gap, no duplicate.
 */
export const numberCounters = pgTable(
  'number_counters',
  {
    seriesId: uuid('series_id')
      .notNull()
      .references(() => numberSeries.id),
    period: text('period').notNull(),
    lastValue: integer('last_value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.period] })],
);

/** Every number ever given, append-only (a trigger refuses UPDATE and DELETE): the register 登记簿. */
export const issuedNumbers = pgTable(
  'issued_numbers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seriesId: uuid('series_id')
      .notNull()
      .references(() => numberSeries.id),
    period: text('period').notNull(),
    seq: integer('seq').notNull(),
    number: text('number').notNull(),
    subjectKind: text('subject_kind').$type<NumberedKind>().notNull(),
    subjectId: uuid('subject_id').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    issuedBy: uuid('issued_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('issued_numbers_seq_key').on(t.seriesId, t.period, t.seq),
    uniqueIndex('issued_numbers_number_key').on(t.number),
    uniqueIndex('issued_numbers_subject_key').on(t.subjectKind, t.subjectId),
    index('issued_numbers_issued_idx').on(t.issuedAt),
  ],
);
