/** Every table, for Drizzle and drizzle-kit. Add a domain's tables file here. */
export * from '../domains/staff/staff.tables';
export * from '../domains/auth/auth.tables';
export * from '../domains/audit/audit.tables';
export * from '../domains/customers/customers.tables';
export * from '../domains/files/files.tables';
export * from '../domains/campaigns/campaigns.tables';
export * from '../domains/leads/leads.tables';
export * from '../domains/opportunities/opportunities.tables';
export * from '../domains/activities/activities.tables';
export * from '../domains/notifications/notifications.tables';
export * from '../domains/reminders/reminders.tables';
export * from '../domains/suggestions/suggestions.tables';
export * from '../domains/customers/transfer.tables';
export * from '../domains/workflows/workflows.tables';
export * from '../domains/numbering/numbering.tables';
export * from '../domains/contracts/contracts.tables';
export * from '../domains/receivables/receivables.tables';
