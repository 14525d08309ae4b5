import { describe, expect, it } from 'vitest';
import { escapeHtml, link, paragraph, renderContent } from './mail-render.js';
import { mailTemplateNames, renderMail } from './mail-templates.js';
import { maxMailAttempts, nextAttemptAt, retryDelayMs } from './mail-retry.js';

const setup = { link: 'https://eks.example.com/setup#token=abc123', expiresAt: '2026-11-29T09:00:00.000Z' };

describe('mail templates', () => {
  it('is a closed set', () => {
    expect(mailTemplateNames).toEqual(['operator-setup', 'password-changed', 'activation', 'already-registered', 'password-reset', 'two-factor-changed', 'access-requests-new', 'access-request-decided', 'read-access-granted', 'invitation', 'read-access-revoked', 'key-compromised', 'api-token-created']);
  });

  it('renders the operators’ digest and escapes what users wrote', () => {
    const requests = [
      { requester: 'anna@example.com', customerNo: '4711', customerName: null, relation: 'dealer' as const },
      { requester: 'bert@example.com', customerNo: null, customerName: 'Müller & <Söhne>', relation: 'customer-admin' as const },
    ];
    const en = renderMail('access-requests-new', 'en', { requests, link: 'https://eks.example/access-requests' });
    expect(en.subject).toBe('openeks: 2 new superuser requests');
    expect(en.text).toContain("bert@example.com (the customer's own administrator) for Müller & <Söhne>");
    expect(en.html).toContain('Müller &amp; &lt;Söhne&gt;');
    expect(en.html).not.toContain('<Söhne>');
    const de = renderMail('access-requests-new', 'de', { requests: requests.slice(0, 1), link: 'https://eks.example/access-requests' });
    expect(de.subject).toBe('openeks: neue Superuser-Anfrage von anna@example.com');
    expect(de.text).toContain('Anfragen ansehen:\nhttps://eks.example/access-requests\n');
  });

  it('renders the decision: approved with the accounts, rejected with the reason', () => {
    const approved = renderMail('access-request-decided', 'en', { outcome: 'approved', asked: '4711', customers: [{ customerNo: '4711', name: 'Stadtwerke' }], reason: null, link: 'https://eks.example/access' });
    expect(approved.subject).toBe('openeks: your superuser access was approved');
    expect(approved.text).toContain('You are now superuser of: 4711 Stadtwerke.');
    expect(approved.text).toContain('asked to set it up when you sign in');
    expect(approved.text).not.toContain('Note:');
    const rejected = renderMail('access-request-decided', 'de', { outcome: 'rejected', asked: '4711 · Stadtwerke', customers: [], reason: 'Kein Vertrag.', link: 'https://eks.example/access' });
    expect(rejected.subject).toBe('openeks: Ihre Superuser-Anfrage wurde abgelehnt');
    expect(rejected.text).toContain('Begründung: Kein Vertrag.');
  });

  it('renders operator-setup in German: subject, text and HTML with the link and its expiry', () => {
    const mail = renderMail('operator-setup', 'de', setup);
    expect(mail.subject).toBe('openeks: Passwort für Ihren Betreiberzugang festlegen');
    expect(mail.text).toContain('Sie wurden als Betreiber von openeks eingerichtet.');
    expect(mail.text).toContain(`Passwort festlegen:\n${setup.link}\n`);
    expect(mail.text).toContain('gültig bis 29. November 2026 um 09:00 UTC');
    expect(mail.html).toContain('<html lang="de">');
    expect(mail.html).toContain(`<a href="${setup.link}"`);
    expect(mail.html).toContain('gültig bis 29. November 2026 um 09:00 UTC');
  });

  it('renders operator-setup in English', () => {
    const mail = renderMail('operator-setup', 'en', { ...setup, expiresAt: new Date(setup.expiresAt) });
    expect(mail.subject).toBe('openeks: set the password for your operator account');
    expect(mail.text).toContain('You were made an operator of openeks.');
    expect(mail.text).toContain('The link works once, until 29 November 2026 at 09:00 UTC.');
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.html).toContain('>Set password</a>');
  });

  it('renders password-changed in both languages', () => {
    const de = renderMail('password-changed', 'de', { when: '2026-11-28T10:30:00.000Z' });
    expect(de.subject).toBe('openeks: Ihr Passwort wurde geändert');
    expect(de.text).toContain('am 28. November 2026 um 10:30 UTC festgelegt oder geändert');
    expect(de.html).toContain('wenden Sie sich bitte sofort an einen Betreiber');
    const en = renderMail('password-changed', 'en', { when: new Date('2026-11-28T10:30:00.000Z') });
    expect(en.subject).toBe('openeks: your password was changed');
    expect(en.text).toContain('set or changed on 28 November 2026 at 10:30 UTC');
    expect(en.html).toContain('If this was not you, please contact an operator of openeks at once.');
  });

  it('renders the account mails in German and English, each with its link', () => {
    const activation = { link: 'https://eks.example.com/register/complete#token=abc', expiresAt: '2026-11-29T09:00:00.000Z' };
    const de = renderMail('activation', 'de', activation);
    expect(de.subject).toBe('openeks: Aktivieren Sie Ihr Benutzerkonto');
    expect(de.text).toContain(`Registrierung abschließen:\n${activation.link}\n`);
    expect(de.text).toContain('gültig bis 29. November 2026 um 09:00 UTC');
    expect(de.html).toContain(`<a href="${activation.link}"`);
    const en = renderMail('activation', 'en', activation);
    expect(en.subject).toBe('openeks: activate your user account');
    expect(en.text).toContain(`Complete registration:\n${activation.link}\n`);

    const known = { signInLink: 'https://eks.example.com/sign-in', resetLink: 'https://eks.example.com/password/forgot' };
    expect(renderMail('already-registered', 'de', known).text).toContain('Passwort vergessen?:\nhttps://eks.example.com/password/forgot');
    expect(renderMail('already-registered', 'en', known).subject).toBe('openeks: you already have a user account');
    expect(renderMail('already-registered', 'en', known).html).toContain('>Forgot password?</a>');

    const reset = { link: 'https://eks.example.com/password/reset#token=abc', expiresAt: '2026-11-28T10:00:00.000Z', byOperator: false };
    expect(renderMail('password-reset', 'de', reset).text).toContain('Sie haben ein neues Passwort für Ihr openeks-Konto angefordert.');
    expect(renderMail('password-reset', 'de', { ...reset, byOperator: true }).text).toContain('Ein Betreiber von openeks hat Ihnen diesen Link geschickt');
    expect(renderMail('password-reset', 'en', reset).text).toContain(`Set a new password:\n${reset.link}\n`);
    expect(renderMail('password-reset', 'en', reset).text).toContain('The link works once, until 28 November 2026 at 10:00 UTC.');
  });

  it('escapes every interpolated value in HTML and keeps the plain text verbatim', () => {
    const hostile = `<script>alert("x")</script> & 'quoted'`;
    const mail = renderContent({ subject: hostile, greeting: hostile, blocks: [paragraph(hostile), link(hostile, "https://x.example/it's?a=1&b=2")], signature: hostile }, 'en');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    expect(mail.html).toContain('href="https://x.example/it&#39;s?a=1&amp;b=2"');
    expect(mail.text).toContain(hostile);
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('escapes the link of a real template', () => {
    const mail = renderMail('operator-setup', 'en', { ...setup, link: 'https://eks.example.com/setup?lang=en&x=1#token=a"b' });
    expect(mail.html).toContain('href="https://eks.example.com/setup?lang=en&amp;x=1#token=a%22b"');
  });

  it('keeps the subject on one line', () => {
    expect(renderContent({ subject: 'a\r\nBcc: x@example.com', greeting: '', blocks: [], signature: '' }, 'en').subject).toBe('a Bcc: x@example.com');
  });

  it('refuses links that are not absolute http(s) URLs and dates that are not dates', () => {
    expect(() => renderMail('operator-setup', 'en', { ...setup, link: 'javascript:alert(1)' })).toThrow(/http/);
    expect(() => renderMail('operator-setup', 'en', { ...setup, link: '/setup#token=x' })).toThrow(/absolute/);
    expect(() => renderMail('password-changed', 'en', { when: 'yesterday' })).toThrow(/timestamp/);
  });
});

describe('mail retry schedule', () => {
  it('doubles from a minute, caps at an hour, jitters by at most 10 %', () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(2, () => 0.5)).toBe(120_000);
    expect(retryDelayMs(1, () => 0)).toBe(54_000);
    expect(retryDelayMs(1, () => 1)).toBe(66_000);
    expect(retryDelayMs(7, () => 0.5)).toBe(3_600_000);
    expect(retryDelayMs(25, () => 1)).toBe(3_600_000);
  });

  it('gives up after about a day of attempts', () => {
    const start = new Date('2026-11-28T09:00:00.000Z');
    let at = start;
    for (let failed = 1; failed < maxMailAttempts; failed += 1) {
      const next = nextAttemptAt(failed, at, () => 0.5);
      expect(next).not.toBeNull();
      if (next) at = next;
    }
    expect(nextAttemptAt(maxMailAttempts, at)).toBeNull();
    const hours = (at.getTime() - start.getTime()) / 3_600_000;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(28);
  });
});
