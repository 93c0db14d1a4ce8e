import { sql } from 'drizzle-orm';
import { OVERVIEW_LOG_PAGE_SIZE, type CustomerOverview } from '../../../common/schemas/customers';
import type { Ctx } from '../../context';
import { outer, rowFromJson } from '../../lib/listing';
import { attachmentsOf } from '../files/files.service';
import { users } from '../staff/staff.tables';
import { presentContactLog } from './contact-logs.service';
import { presentContact } from './contacts.service';
import { getCustomerWith } from './customers.service';
import { contactLogs, contacts, customers } from './customers.tables';

const MAX_CONTACTS = 500;
type Json = Record<string, unknown>;

/**
 * The customer page in ONE statement: the customer (NOT_FOUND when invisible — the children are
 * read only through a visible customer), all its contacts by name and the newest contact-log
 * entries with their attachments, as json sub-selects turned back into rows for the usual presenters.
 */
export async function getCustomerOverview(ctx: Ctx, id: string): Promise<CustomerOverview> {
  const customerId = outer(customers.id);
  const { customer, columns } = await getCustomerWith(ctx, id, 'customer-overview', () => ({
    contacts: sql<Json[]>`coalesce((SELECT json_agg(k ORDER BY k.name, k.id) FROM (
      SELECT * FROM ${contacts} WHERE ${contacts.customerId} = ${customerId} ORDER BY ${contacts.name}, ${contacts.id} LIMIT ${MAX_CONTACTS}) k), '[]'::json)`,
    logs: sql<Json[]>`coalesce((SELECT json_agg(x ORDER BY x.occurred_at DESC, x.id) FROM (
      SELECT l.*, lc.name AS "contactName", lu.display_name AS "userName", ${attachmentsOf('contact-log', sql`l.id`)} AS attachments
      FROM ${contactLogs} l JOIN ${users} lu ON lu.id = l.user_id LEFT JOIN ${contacts} lc ON lc.id = l.contact_id
      WHERE l.customer_id = ${customerId} ORDER BY l.occurred_at DESC, l.id LIMIT ${OVERVIEW_LOG_PAGE_SIZE}) x), '[]'::json)`,
    logTotal: sql<number>`(SELECT count(*)::int FROM ${contactLogs} WHERE ${contactLogs.customerId} = ${customerId})`,
  }));
  return {
    customer,
    contacts: columns.contacts.map((k) => presentContact(rowFromJson(contacts, k))),
    contactLog: {
      items: columns.logs.map((l) =>
        presentContactLog({
          log: rowFromJson(contactLogs, l),
          customerName: customer.name,
          contactName: (l.contactName as string | null) ?? null,
          userName: l.userName as string,
          attachments: l.attachments as never,
        }),
      ),
      total: columns.logTotal,
      page: 1,
      pageSize: OVERVIEW_LOG_PAGE_SIZE,
    },
  };
}
