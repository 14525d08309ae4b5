import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/logger.js';
import { encodeControlChars } from '../../../lib/text.js';
import { AppError } from '../../../shared/errors.js';
import type { MailRow } from '../../db/schema.js';
import type { Vault } from '../../vault/vault-service.js';
import { openBody } from './mail-body-crypto.js';
import { senderName } from './mail-render.js';
import type { MailRepo } from './mail-repo.js';
import { nextAttemptAt } from './mail-retry.js';

/** What the deliverer needs of a nodemailer transporter; tests and the container may pass their own. */
export type MailTransport = Pick<Transporter<unknown>, 'sendMail'>;

export interface DeliveryResult {
  sent: number;
  failed: number;
}

export interface MailDeliverer {
  /** Claims and sends every mail due now, in small batches; resolves with what happened. */
  deliverDue(): Promise<DeliveryResult>;
  /** Delivers every `intervalMs` from now on; errors are logged, never thrown; the timer is unref'd. */
  start(options: { intervalMs: number }): void;
  /** Delivers soon: called after a commit that enqueued mail. */
  kick(): void;
  /** Stops the timer and waits for the round in progress. */
  stop(): Promise<void>;
}

const batchSize = 10;
// A claimed mail is invisible to other deliverers this long: longer than a batch can take with
// the transport's timeouts, short enough that a mail claimed by a crashed instance is not late by much.
const leaseMs = 15 * 60_000;
const maxErrorLength = 500;

/** A failure as the outbox and the log keep it: the SMTP code and reply, never more than one line. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown error';
  const details = err as Error & { code?: unknown; responseCode?: unknown };
  const code = typeof details.code === 'string' ? `${details.code} ` : '';
  const response = typeof details.responseCode === 'number' ? `${details.responseCode} ` : '';
  return encodeControlChars(`${code}${response}${err.message}`).slice(0, maxErrorLength);
}

/** OPENEKS_MAIL_FROM with the sender name "openeks" unless it already names one. */
function senderOf(from: string): string | { name: string; address: string } {
  return from.includes('<') ? from : { name: senderName, address: from.trim() };
}

function domainOf(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'openeks.invalid';
}

export function createMailDeliverer(deps: {
  repo: Pick<MailRepo, 'claimDue' | 'markSent' | 'markAttemptFailed'>;
  /** Opens the bodies, which are stored only as vault ciphertext (mail-body-crypto.ts). */
  vault: Pick<Vault, 'decryptMany'>;
  clock: Clock;
  transport: MailTransport;
  /** What a delivered mail becomes: `sent` over SMTP, `stored` in the development outbox folder. */
  delivered: 'sent' | 'stored';
  from: string;
  logger: Logger;
}): MailDeliverer {
  const sender = senderOf(deps.from);
  const messageDomain = domainOf(deps.from);

  /** `final`: no retry can help (the stored body is damaged or was moved to another recipient). */
  async function fail(mail: MailRow, error: string, final = false): Promise<void> {
    const attempts = mail.attempts + 1;
    const retryAt = final ? null : nextAttemptAt(attempts, deps.clock.now());
    await deps.repo.markAttemptFailed({ id: mail.id, error, retryAt: retryAt?.toISOString() ?? null });
    const context = { mailId: mail.id, template: mail.template, attempts, error, retryAt: retryAt?.toISOString() ?? null };
    if (retryAt) deps.logger.warn(context, 'mail not sent; will retry');
    else deps.logger.error(context, 'mail not sent; giving up after the last attempt');
  }

  /** Sends one claimed mail and records the outcome. True when it left. */
  async function deliver(mail: MailRow): Promise<boolean> {
    if (mail.body_text === null || mail.body_html === null) {
      await fail(mail, 'the mail has no body', true);
      return false;
    }
    let text: string;
    let html: string;
    try {
      text = await openBody(deps.vault, mail.body_text, { mailId: mail.id, column: 'body_text', recipient: mail.recipient });
      html = await openBody(deps.vault, mail.body_html, { mailId: mail.id, column: 'body_html', recipient: mail.recipient });
    } catch (err) {
      // A sealed vault may be unsealed later: retried. A body that fails its integrity check never opens.
      const damaged = err instanceof AppError && err.code === 'key_integrity';
      await fail(mail, damaged ? 'the stored body failed its integrity check (changed, or moved to another mail or recipient)' : describeError(err), damaged);
      return false;
    }
    try {
      await deps.transport.sendMail({
        from: sender,
        to: mail.recipient,
        subject: mail.subject,
        text,
        html,
        messageId: `<${mail.id}@${messageDomain}>`,
        headers: { 'Auto-Submitted': 'auto-generated', 'Content-Language': mail.language },
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    } catch (err) {
      await fail(mail, describeError(err));
      return false;
    }
    const recorded = await deps.repo.markSent({ id: mail.id, sentAt: deps.clock.now().toISOString(), status: deps.delivered });
    if (recorded) deps.logger.info({ mailId: mail.id, template: mail.template, attempts: mail.attempts + 1 }, deps.delivered === 'sent' ? 'mail sent' : 'mail written to the outbox folder');
    else deps.logger.warn({ mailId: mail.id }, 'mail sent, but its outbox row had changed meanwhile');
    return true;
  }

  let intervalMs: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function deliverDue(): Promise<DeliveryResult> {
    const result: DeliveryResult = { sent: 0, failed: 0 };
    for (;;) {
      const now = deps.clock.now();
      const batch = await deps.repo.claimDue({
        now: now.toISOString(),
        leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
        limit: batchSize,
      });
      // The claim has committed: from here on, slow network calls hold no database lock.
      for (const mail of batch) {
        if (await deliver(mail)) result.sent += 1;
        else result.failed += 1;
      }
      if (batch.length < batchSize || stopped) return result;
    }
  }

  function schedule(delayMs: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => void round(), delayMs);
    timer.unref();
  }

  function round(): Promise<void> {
    if (current) {
      again = true;
      return current;
    }
    clearTimeout(timer);
    current = (async () => {
      do {
        again = false;
        try {
          await deliverDue();
        } catch (err) {
          deps.logger.error({ error: describeError(err) }, 'mail delivery round failed; will try again');
        }
        // A kick that arrived during the round is honoured even when stop() came after it: the
        // caller committed mail and asked for it to leave; kicks after stop() are ignored.
      } while (again);
    })().finally(() => {
      current = undefined;
      if (!stopped && intervalMs !== undefined) schedule(intervalMs);
    });
    return current;
  }

  return {
    deliverDue,
    start(options) {
      stopped = false;
      intervalMs = options.intervalMs;
      if (!current) schedule(0);
    },
    kick() {
      if (!stopped) void round();
    },
    async stop() {
      stopped = true;
      intervalMs = undefined;
      clearTimeout(timer);
      await current;
    },
  };
}

function decodeUserInfo(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The transport for OPENEKS_SMTP_URL: smtp://host:port (STARTTLS when offered) or smtps://
 * (TLS from the start), with optional user:pass. Nodemailer's own logging stays off so that
 * nothing of the credentials reaches a log.
 */
export function createSmtpTransport(url: URL): Transporter<SMTPTransport.SentMessageInfo> {
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('the SMTP URL must start with smtp:// or smtps://');
  const secure = url.protocol === 'smtps:';
  const user = decodeUserInfo(url.username);
  return nodemailer.createTransport({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(user ? { auth: { user, pass: decodeUserInfo(url.password) } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    dnsTimeout: 10_000,
    logger: false,
    debug: false,
  });
}
