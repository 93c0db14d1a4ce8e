import type { JobsTx } from '../../context';
import { mailOutbox } from './notifications.tables';

/** Putting mail in the outbox; sending it (and telling the sender when it fails) is mail.service's job. */
export type NewMail = {
  to: string;
  toUserId?: string | null;
  subject: string;
  body: string;
  kind: string;
  createdBy?: string | null;
};

/** Puts a message in the outbox and asks the mail job to send it — in the caller's transaction. */
export async function enqueueMail(tx: JobsTx, mail: NewMail): Promise<string> {
  const [row] = await tx.db
    .insert(mailOutbox)
    .values({
      status: 'queued',
      toAddress: mail.to,
      toUserId: mail.toUserId ?? null,
      subject: mail.subject,
      body: mail.body,
      kind: mail.kind,
      createdBy: mail.createdBy ?? null,
    })
    .returning({ id: mailOutbox.id });
  await tx.jobs.send(tx.db, 'mail.send', { mailId: row.id });
  return row.id;
}
