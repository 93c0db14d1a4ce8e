import { timestamp, uuid } from 'drizzle-orm/pg-core';

/** Columns every business table carries: id, created_at, updated_at, created_by. */
export function auditedColumns() {
  return {
    id: uuid('id').primaryKey().defaultRandom(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by'),
  };
}
