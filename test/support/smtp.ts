import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

// A real SMTP server inside the test process: mail sent to it is parsed with mailparser and kept
// in `messages` before the server answers 250, so a resolved sendMail means the message is there.

export interface TestSmtpServer {
  port: number;
  /** smtp://127.0.0.1:PORT, with user:pass when the server requires them. */
  url: URL;
  messages: ParsedMail[];
  /** Resolves with the messages once at least `count` have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** While failing, every MAIL FROM is answered with 451 (a temporary failure). */
  setFailing(failing: boolean): void;
  close(): Promise<void>;
}

export async function startSmtpServer(options: { port?: number; auth?: { user: string; pass: string } } = {}): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  let failing = false;
  const auth = options.auth;

  const server = new SMTPServer({
    logger: false,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    allowInsecureAuth: true,
    closeTimeout: 200,
    disableReverseLookup: true,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
        callback(null, { user: credentials.username });
      } else {
        callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
      }
    },
    onMailFrom(_address, _session, callback) {
      if (failing) callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      else callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          messages.push(parsed);
          callback();
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error('unparsable message')));
    },
  });
  server.on('error', () => undefined);

  const address = await new Promise<AddressInfo | string | null>((resolve, reject) => {
    const listener = server.listen(options.port ?? 0, '127.0.0.1', () => resolve(listener.address()));
    listener.once('error', reject);
  });
  if (address === null || typeof address === 'string') throw new Error('the test SMTP server has no TCP port');
  const port = address.port;
  const url = new URL(`smtp://127.0.0.1:${port}`);
  if (auth) {
    url.username = encodeURIComponent(auth.user);
    url.password = encodeURIComponent(auth.pass);
  }

  return {
    port,
    url,
    messages,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${messages.length} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return messages;
    },
    setFailing(value) {
      failing = value;
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The addresses a received mail was sent to. */
function addressesOf(mail: ParsedMail): string[] {
  const field = mail.to;
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/**
 * The first mail to an address whose subject starts so, waiting up to `timeoutMs` (the service
 * sends on its own, after its transaction); the error lists the subjects that did arrive.
 */
export async function mailTo(smtp: TestSmtpServer, address: string, subject: string, options: { kick?: () => void; timeoutMs?: number } = {}): Promise<ParsedMail> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (let polls = 1; ; polls += 1) {
    // A test server runs no delivery interval (main.ts does): a mail whose transaction committed
    // after the enqueue's nudge waits for the next kick, so the waiting test gives one each second.
    if (polls % 40 === 0) options.kick?.();
    const mail = smtp.messages.find((m) => addressesOf(m).includes(address) && (m.subject ?? '').startsWith(subject));
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail "${subject}…" to ${address}; got ${smtp.messages.map((m) => m.subject).join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
