import type { LeadStatus } from '../../../common/schemas/leads';

/** Leads someone still has to work on (for "least open leads" and the queue counts). */
export const OPEN_LEAD_STATUSES: LeadStatus[] = ['new', 'contacting', 'qualified'];
