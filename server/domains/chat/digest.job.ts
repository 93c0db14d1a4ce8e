import { sql } from 'drizzle-orm';
import {
  CHAT_DIGEST_AFTER_MINUTES,
  CHAT_DIGEST_LOOKBACK_HOURS,
  type ChatMentionItem,
} from '../../../common/schemas/chat';
import type { Locale } from '../../../common/i18n';
import { inTransaction, type JobsTx } from '../../context';
import { arrayParam, rowsOf } from '../../db/client';
import { say } from '../../lib/label';
import { enqueueMail } from '../notifications/outbox';
import { loadActor } from '../staff/actors';
import { mentionItems, unreadMentionsOf } from './unread.service';

/**
 * The e-mail digest of mentions 提及 for people who were away (issue 18): every CHAT_DIGEST_CRON, each person with
 * mentions made more than CHAT_DIGEST_AFTER_MINUTES ago (within CHAT_DIGEST_LOOKBACK_HOURS), still unread, in
 * conversations they may still read and not e-mailed yet gets ONE e-mail listing them, in their language — if they
 * have an e-mail address and their `chatDigest` preference allows it (the default). The mentions are marked
 * `emailed_at` by a conditional UPDATE … RETURNING in the transaction that puts the mail in the outbox: with two
 * instances running the job at once (or a retry), the second finds them marked and sends nothing.
 */

/** The preference lives in user_preferences.channels under this key (`email`: send the digest); absent: on. */
export const CHAT_DIGEST_PREFERENCE = 'chat-digest';

const L = {
  subject: { zh: '您有 {count} 条未读的提及', en: 'Unread mentions while you were away: {count}' },
  intro: {
    zh: '您不在的时候，有同事在团队协作中提到了您：',
    en: 'While you were away, colleagues mentioned you in team chat:',
  },
  line: { zh: '· {time}　{conversation}　{author}：{text}', en: '· {time}  {conversation}  {author}: {text}' },
  more: { zh: '另有 {count} 条，请在“团队协作”中查看。', en: 'and {count} more — see Team chat.' },
  outro: {
    zh: '（打开工单 › 团队协作 阅读。不想收到此邮件？在“设置 › 通知”中关闭“提及邮件摘要”。）',
    en: '(Open Gongdan › Team chat to read them. To stop these e-mails, turn off “Mentions e-mail digest” under Settings › Notifications.)',
  },
};

/** The mail lists at most this many mentions (the count says how many there are). */
const LISTED = 30;

/** When a mention was made, in the firm's zone, short. */
function whenOf(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'en-US' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

/** The digest's subject and text for these mentions (newest first). */
export function digestMail(items: ChatMentionItem[], locale: Locale): { subject: string; body: string } {
  const lines = items.slice(0, LISTED).map((item) =>
    say(L.line, locale, {
      time: whenOf(item.createdAt, locale),
      conversation: item.conversation.title,
      author: item.author.name,
      text: item.text,
    }),
  );
  return {
    subject: say(L.subject, locale, { count: items.length }),
    body: [
      say(L.intro, locale),
      '',
      ...lines,
      ...(items.length > LISTED ? [say(L.more, locale, { count: items.length - LISTED })] : []),
      '',
      say(L.outro, locale),
      '',
      '— Gongdan 工单',
    ].join('\n'),
  };
}

/** The window of mentions the digest sends: made between the look-back and CHAT_DIGEST_AFTER_MINUTES before `now`. */
const due = (now: Date) =>
  sql`cm.emailed_at IS NULL
    AND cm.created_at <= ${now.toISOString()}::timestamptz - make_interval(mins => ${CHAT_DIGEST_AFTER_MINUTES})
    AND cm.created_at > ${now.toISOString()}::timestamptz - make_interval(hours => ${CHAT_DIGEST_LOOKBACK_HOURS})`;

/**
 * Sends the digest to everyone due one (the job); returns how many e-mails were put in the outbox. Each person in
 * their own transaction, so one failing does not hold the others.
 */
export async function sendMentionDigests(tx: JobsTx, now: Date = new Date()): Promise<number> {
  const people = await rowsOf<{ id: string; email: string }>(
    tx.db,
    sql`SELECT DISTINCT u.id, u.email FROM chat_mentions cm
      JOIN users u ON u.id = cm.user_id
      JOIN chat_messages m ON m.id = cm.message_id
      LEFT JOIN conversation_members mm ON mm.conversation_id = cm.conversation_id AND mm.user_id = cm.user_id
      LEFT JOIN user_preferences p ON p.user_id = u.id
      WHERE ${due(now)} AND cm.seq > coalesce(mm.last_read_seq, 0) AND m.deleted_at IS NULL
        AND u.active AND coalesce(u.email, '') <> ''
        AND coalesce((p.channels -> ${CHAT_DIGEST_PREFERENCE} ->> 'email')::boolean, true)`,
  );
  let sent = 0;
  for (const person of people) {
    try {
      if (await sendDigestTo(tx, person.id, person.email, now)) sent += 1;
    } catch (error) {
      console.error('[chat-digest]', person.id, error);
    }
  }
  return sent;
}

/** One person's digest: marks their due mentions e-mailed and mails them, in one transaction; false when none. */
async function sendDigestTo(tx: JobsTx, userId: string, email: string, now: Date): Promise<boolean> {
  return inTransaction(tx, async ({ db, jobs }) => {
    const actor = await loadActor(db, userId);
    if (!actor) return false;
    // Only mentions still due (unread, readable, not deleted) — and not marked by another run meanwhile: the UPDATE
    // waits for a concurrent run's lock and re-checks `emailed_at IS NULL` once it commits.
    const marked = await rowsOf<{ messageId: string }>(
      db,
      sql`UPDATE chat_mentions SET emailed_at = now()
        WHERE user_id = ${userId}::uuid AND emailed_at IS NULL
          AND message_id IN (SELECT cm.message_id ${unreadMentionsOf(actor, due(now))})
        RETURNING message_id AS "messageId"`,
    );
    if (marked.length === 0) return false;
    const items = await mentionItems(
      db,
      actor,
      unreadMentionsOf(
        actor,
        sql`cm.message_id = ANY(${arrayParam(
          marked.map((m) => m.messageId),
          'uuid',
        )})`,
      ),
      marked.length,
    );
    if (items.length === 0) return false;
    const mail = digestMail(items, actor.locale);
    await enqueueMail(
      { db, jobs },
      { to: email, toUserId: userId, subject: mail.subject, body: mail.body, kind: 'chat-digest' },
    );
    return true;
  });
}
