import { customType, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/**
 * Uploaded documents, stored in the database itself so that every app instance can serve
 * them and a database backup contains them. `ownerType`/`ownerId` say what a file is
 * attached to; the owning domain decides who may read it.
 */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerType: text('owner_type', {
      enum: [
        'contact-log',
        'workflow-instance',
        'contract-template',
        'contract',
        'engagement-task',
        'mail',
        'knowledge',
        'chat',
      ],
    }).notNull(),
    ownerId: uuid('owner_id').notNull(),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by'),
  },
  (t) => [index('files_owner_idx').on(t.ownerType, t.ownerId)],
);
