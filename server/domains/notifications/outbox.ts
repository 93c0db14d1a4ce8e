import { createHash } from 'node:crypto';
import type { JobsTx } from '../../context';
import { files } from '../files/files.tables';
import { mailOutbox } from './notifications.tables';

/** A file sent with a message (a report's .xlsx): kept in `files` with the message as its owner. */
export type MailAttachment = { filename: string; contentType: string; content: Buffer };

/** Putting mail in the outbox; sending it (and telling the sender when it fails) is mail.service's job. */
export type NewMail = {
  to: string;
  toUserId?: string | null;
  subject: string;
  body: string;
  kind: string;
  createdBy?: string | null;
  attachments?: MailAttachment[];
};

/** Puts a message (and its attachments) in the outbox and asks the mail job to send it — in the caller's transaction. */
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
  for (const file of mail.attachments ?? []) {
    await tx.db.insert(files).values({
      ownerType: 'mail',
      ownerId: row.id,
      filename: file.filename,
      contentType: file.contentType,
      size: file.content.length,
      sha256: createHash('sha256').update(file.content).digest('hex'),
      content: new Uint8Array(file.content.buffer, file.content.byteOffset, file.content.length),
      // The system's, not the recipient's: it does not count against anyone's upload quota.
      createdBy: null,
    });
  }
  await tx.jobs.send(tx.db, 'mail.send', { mailId: row.id });
  return row.id;
}
