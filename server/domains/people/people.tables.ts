import { sql } from 'drizzle-orm';
import { check, date, index, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { CPE_KINDS, DEGREES, QUALIFICATION_KINDS, TITLE_LEVELS } from '../../../common/schemas/people';
import { auditedColumns } from '../../db/columns';
import { users } from '../staff/staff.tables';

/**
 * People records 人员档案: one profile per person (title, education, weekly capacity; a person without one has the
 * defaults), their qualifications and certificates, their continuing-education entries, and the hours a year each
 * qualification kind requires (a row overrides DEFAULT_CPE_REQUIREMENTS).
 */
export const personProfiles = pgTable(
  'person_profiles',
  {
    ...auditedColumns(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    titleLevel: text('title_level', { enum: TITLE_LEVELS }).notNull().default('none'),
    titleName: text('title_name'),
    degree: text('degree', { enum: DEGREES }),
    school: text('school'),
    major: text('major'),
    weeklyCapacity: numeric('weekly_capacity', { precision: 6, scale: 2 }).notNull().default('40'),
  },
  (t) => [
    uniqueIndex('person_profiles_user_key').on(t.userId),
    check('person_profiles_capacity_check', sql`${t.weeklyCapacity} > 0 AND ${t.weeklyCapacity} <= 168`),
  ],
);

export const qualifications = pgTable(
  'qualifications',
  {
    ...auditedColumns(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind', { enum: QUALIFICATION_KINDS }).notNull(),
    name: text('name'),
    certificateNo: text('certificate_no').notNull(),
    issuedOn: date('issued_on'),
    expiresOn: date('expires_on'),
    /** The expiry date the holder was last reminded of: the reminder fires once per qualification and date. */
    remindedFor: date('reminded_for'),
  },
  (t) => [
    index('qualifications_user_idx').on(t.userId, t.kind),
    index('qualifications_expires_idx').on(t.expiresOn),
    check(
      'qualifications_dates_check',
      sql`${t.expiresOn} IS NULL OR ${t.issuedOn} IS NULL OR ${t.expiresOn} >= ${t.issuedOn}`,
    ),
  ],
);

export const cpeEntries = pgTable(
  'cpe_entries',
  {
    ...auditedColumns(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    takenOn: date('taken_on').notNull(),
    course: text('course').notNull(),
    hours: numeric('hours', { precision: 5, scale: 2 }).notNull(),
    kind: text('kind', { enum: CPE_KINDS }).notNull(),
  },
  (t) => [
    index('cpe_entries_user_idx').on(t.userId, t.takenOn),
    check('cpe_entries_hours_check', sql`${t.hours} > 0 AND ${t.hours} <= 24`),
  ],
);

export const cpeRequirements = pgTable('cpe_requirements', {
  kind: text('kind', { enum: QUALIFICATION_KINDS }).primaryKey(),
  hours: numeric('hours', { precision: 6, scale: 2 }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});
