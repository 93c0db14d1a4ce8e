import { CHAT_DIGEST_PREFERENCE } from '../chat/digest.job';
import { NOTIFICATION_KINDS, type Preferences, type PreferencesUpdate } from '../../../common/schemas/notifications';
import { inTransaction, type Ctx } from '../../context';
import { resyncRemindersOf } from '../reminders/reminders.service';
import { DEFAULT_CHANNELS, preferencesOf } from './notifications.service';
import { userPreferences } from './notifications.tables';

/**
 * My preferences (zone, reminder lead time, channels, the chat's mentions e-mail digest). Apart from notifications.service because
 * saving them moves my pending reminders, and reminders themselves notify.
 */
function presentPreferences(p: Awaited<ReturnType<typeof preferencesOf>>): Preferences {
  return {
    timeZone: p.timeZone,
    reminderLeadMinutes: p.reminderLeadMinutes,
    channels: Object.fromEntries(
      NOTIFICATION_KINDS.map((k) => [k, p.channels[k] ?? DEFAULT_CHANNELS]),
    ) as Preferences['channels'],
    calendarFeed: p.calendarTokenHash !== null,
    chatDigest: p.channels[CHAT_DIGEST_PREFERENCE]?.email ?? true,
  };
}

export async function getMyPreferences(ctx: Ctx): Promise<Preferences> {
  return presentPreferences(await preferencesOf(ctx.db, ctx.actor.id));
}

export async function updateMyPreferences(ctx: Ctx, patch: PreferencesUpdate): Promise<Preferences> {
  const current = await preferencesOf(ctx.db, ctx.actor.id);
  const next = {
    timeZone: patch.timeZone ?? current.timeZone,
    reminderLeadMinutes: patch.reminderLeadMinutes ?? current.reminderLeadMinutes,
    channels: {
      ...current.channels,
      ...patch.channels,
      // The chat's mentions digest is kept beside the channels (by e-mail or not), under its own key.
      ...(patch.chatDigest === undefined
        ? {}
        : { [CHAT_DIGEST_PREFERENCE]: { inApp: false, email: patch.chatDigest } }),
    },
  };
  await inTransaction(ctx, async (tx) => {
    await tx.db
      .insert(userPreferences)
      .values({ userId: ctx.actor.id, ...next })
      .onConflictDoUpdate({ target: userPreferences.userId, set: { ...next, updatedAt: new Date() } });
    // Reminders still to come move to the new zone or lead time.
    if (next.timeZone !== current.timeZone || next.reminderLeadMinutes !== current.reminderLeadMinutes)
      await resyncRemindersOf(tx, ctx.actor.id);
  });
  return presentPreferences({ ...next, calendarTokenHash: current.calendarTokenHash });
}
