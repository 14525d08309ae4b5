import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { Logger } from '../../../lib/logger.js';
import type { MailTransport } from './mail-deliverer.js';
import { textPartOf } from './eml-text.js';

// The development outbox (no OPENEKS_SMTP_URL): the deliverer "sends" each mail by writing it, as
// the RFC 5322 message an SMTP server would have received, to <folder>/<mail id>.eml. Mails hold
// one-time links, so only the service's own user reads them — whoever runs the server, who holds
// the master key file anyway: the folder is 0700 (tightened with a warning when it is looser; it
// is ours alone), each file 0600. Nothing of a body is kept in the database or shown over the API;
// `openeks mail list --body` reads the files.

const mailIdInMessageId = /^<(mail_[A-Za-z0-9_-]{1,40})@/;

/** The file a mail is written to: named after its row, so the CLI finds it from the list. */
export function outboxFile(folder: string, mailId: string): string {
  return join(folder, `${mailId}.eml`);
}

async function ensurePrivateFolder(folder: string, logger: Logger): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const mode = (await stat(folder)).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  await chmod(folder, 0o700);
  logger.warn({ folder, mode: mode.toString(8).padStart(4, '0') }, 'the outbox folder was readable by others; set to 0700');
}

export function createOutboxFolderTransport(deps: { folder: string; logger: Logger }): MailTransport {
  // Composes exactly what the SMTP transport would send, with CRLF line ends as RFC 5322 has them
  // (the message's `newline`; the transport's own option only names them in its log).
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    async sendMail(options: Mail.Options) {
      const mailId = typeof options.messageId === 'string' ? mailIdInMessageId.exec(options.messageId)?.[1] : undefined;
      if (mailId === undefined) throw new Error('the outbox folder needs the mail id in the Message-ID');
      const { message } = await composer.sendMail({ ...options, newline: 'windows' });
      if (!Buffer.isBuffer(message)) throw new Error('the mail was not composed into a buffer');
      await ensurePrivateFolder(deps.folder, deps.logger);
      // O_TRUNC: a retry after a crash rewrites the same file; chmod in case an older one was looser.
      const file = await open(outboxFile(deps.folder, mailId), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
      try {
        await file.chmod(0o600);
        await file.writeFile(message);
      } finally {
        await file.close();
      }
    },
  };
}

/** The plain-text part of a mail in the folder, or null when there is no file for it. */
export async function readOutboxText(folder: string, mailId: string): Promise<string | null> {
  let eml: string;
  try {
    eml = await readFile(outboxFile(folder, mailId), 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return null;
    throw err;
  }
  return textPartOf(eml);
}
