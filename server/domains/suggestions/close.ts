import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { customerSuggestions } from './suggestions.tables';

/**
 * A customer that was contacted again or changed hands is no longer the quiet customer of its
 * old owner: its open follow-up suggestions go (the rule raises a new one when it goes quiet again).
 */
export async function closeOpenSuggestions(db: Db, customerIds: string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await db
    .delete(customerSuggestions)
    .where(and(inArray(customerSuggestions.customerId, customerIds), eq(customerSuggestions.status, 'open')));
}
