import { OVERVIEW_LOG_PAGE_SIZE, type CustomerOverview } from '../../../common/schemas/customers';
import type { Ctx } from '../../context';
import { findContactLogs } from './contact-logs.service';
import { findContacts } from './contacts.service';
import { getCustomer } from './customers.service';

const MAX_CONTACTS = 500;

/**
 * The customer page in one request: the customer (NOT_FOUND when invisible), all its contacts
 * by name and the newest contact-log entries — one authentication and no second round trip.
 */
export async function getCustomerOverview(ctx: Ctx, id: string): Promise<CustomerOverview> {
  const customer = await getCustomer(ctx, id);
  const contacts = await findContacts(ctx, { customerId: id, sort: 'name', page: 1, pageSize: MAX_CONTACTS });
  const contactLog = await findContactLogs(ctx, { customerId: id, sort: '-occurredAt', page: 1, pageSize: OVERVIEW_LOG_PAGE_SIZE });
  return { customer, contacts: contacts.items, contactLog };
}
