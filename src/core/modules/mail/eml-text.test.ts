import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { textPartOf } from './eml-text.js';
import { renderMail } from './mail-templates.js';

// The CLI's reader of the outbox folder against what it reads: messages composed exactly as the
// outbox folder composes them, and mailparser's reading of the same bytes.
const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });

async function compose(text: string, html: string): Promise<string> {
  const { message } = await composer.sendMail({ from: 'openeks <no-reply@localhost>', to: 'anna@example.com', subject: 'Prüfung', text, html, messageId: '<mail_x@localhost>', newline: 'windows' });
  if (!Buffer.isBuffer(message)) throw new Error('no buffer');
  return message.toString('utf8');
}

describe('the plain-text part of an outbox .eml', () => {
  const link = 'http://localhost:8080/password/reset#token=Wopb5Xp6cfSkgYqQILRLH8w93blzpMAZs5nRi3o8SZQ';

  it.each(['de', 'en'] as const)('is the text the template rendered, link intact (%s, quoted-printable)', async (language) => {
    const mail = renderMail('password-reset', language, { link, expiresAt: '2026-11-28T10:00:00.000Z', byOperator: false });
    const eml = await compose(mail.text, mail.html);
    expect(eml).toContain('Content-Transfer-Encoding: quoted-printable');
    expect(eml).not.toContain(`#token=Wopb5Xp6`);
    expect(textPartOf(eml)).toBe(mail.text);
    expect(textPartOf(eml)).toContain(`\n${link}\n`);
    expect(eml.replace(/\r\n/g, '')).not.toContain('\n');
    expect((await simpleParser(eml)).text).toBe(mail.text);
  });

  it('reads base64 text (mostly non-ASCII), 7bit text, and a text-only message', async () => {
    const greek = 'Καλημέρα, αυτό είναι ένα μήνυμα.\n'.repeat(4);
    const eml = await compose(greek, '<p>x</p>');
    expect(eml).toContain('Content-Transfer-Encoding: base64');
    expect(textPartOf(eml)).toBe(greek);
    const plain = await compose('Hello,\n\nshort and plain.\n', '<p>x</p>');
    expect(plain).toContain('Content-Transfer-Encoding: 7bit');
    expect(textPartOf(plain)).toBe('Hello,\n\nshort and plain.\n');
    const { message } = await composer.sendMail({ from: 'a@example.com', to: 'b@example.com', text: 'Nur Text: äöü\n', newline: 'windows' });
    expect(textPartOf(message.toString())).toBe('Nur Text: äöü\n');
  });

  it('is null for a message without a plain-text part', async () => {
    const { message } = await composer.sendMail({ from: 'a@example.com', to: 'b@example.com', html: '<p>only HTML</p>', newline: 'windows' });
    expect(textPartOf(message.toString())).toBeNull();
  });
});
