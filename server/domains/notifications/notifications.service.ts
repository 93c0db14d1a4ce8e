import type { Db } from '../../db/client';
import { notifications } from './notifications.tables';

export type NotificationKind = 'lead-assigned';
export type NewNotification = {
  userId: string;
  kind: NotificationKind;
  params?: Record<string, string | number | null>;
  entityType?: string;
  entityId?: string;
};

/**
 * Leaves in-app notifications, in the same transaction as the change they announce (so a
 * rolled-back change notifies nobody). The message is translated when read, in the reader's language.
 */
export async function notify(db: Db, items: NewNotification[]): Promise<void> {
  if (items.length === 0) return;
  await db.insert(notifications).values(items.map((n) => ({ ...n, params: n.params ?? {} })));
}
