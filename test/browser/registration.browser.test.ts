import type { ParsedMail } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../harness.js';
import { recipientsOf, tokenIn } from '../support/accounts.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';
import { launchBrowser, watchPage, type ExpectedFailure } from './support/browser.js';
import { envVar } from '../../src/lib/env-vars.js';

// The guide's registration, walked in Chromium in German and in English, with the mail going over
// real SMTP: "Hier registrieren" on the sign-in page, "E-Mail" and "Senden", the activation mail,
// "Registrierung abschließen" with the policy box ticking while the password is typed, then sign
// out and sign in again. And a forgotten password, from the sign-in page to the new password.
// Needs the built UI (`npm run build:web`) in src/web/dist.

describe('registration and password reset in the browser', () => {
  let smtp: TestSmtpServer;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({ env: { [envVar.smtpUrl]: smtp.url.toString() } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  async function openPage(locale: string, expected: ExpectedFailure[] = []) {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    // Expected answers Chromium logs as errors: the session probe of a signed-out page.
    const watch = await watchPage(page, [{ status: 401, path: '/api/session' }, ...expected]);
    return { page, problems: watch.problems };
  }

  /** The newest mail to an address, received by the SMTP server (the service sends it on its own). */
  async function mailTo(address: string, count = 1): Promise<ParsedMail> {
    const deadline = Date.now() + 10_000;
    for (let polls = 1; ; polls += 1) {
      // No delivery interval on a test server: a mail committed after its nudge waits for a kick.
      if (polls % 40 === 0) server.container.mailDeliverer.kick();
      const mails = smtp.messages.filter((m) => recipientsOf(m).includes(address));
      const newest = mails[count - 1];
      if (newest) return newest;
      if (Date.now() > deadline) throw new Error(`no mail ${count} to ${address}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The mail's link (to the public URL) on the test server. */
  function followable(mail: ParsedMail, path: string): string {
    return `${server.baseUrl}${path}#token=${tokenIn(mail.text, `http://localhost:8080${path}`)}`;
  }

  const ruleState = (page: Page, rule: string) => page.locator(`.policy-box [data-rule="${rule}"]`).getAttribute('data-state');

  it('walks the guide’s registration in German', { timeout: 90_000 }, async () => {
    const email = 'erika.muster@example.com';
    const password = 'Schlüssel-Bund 2026!';
    // The used link is checked once more at the end: 410.
    const { page, problems } = await openPage('de-DE', [{ status: 410, path: '/api/registrations/inspect' }]);

    await page.goto(`${server.baseUrl}/`);
    await page.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
    await page.getByRole('link', { name: 'Hier registrieren' }).click();
    await page.getByRole('heading', { level: 1, name: 'Noch kein Benutzer?' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/register');
    await page.getByText('Bitte geben Sie hier Ihre E-Mail-Adresse ein und klicken Sie auf „Senden“').waitFor();

    // A malformed address is named at once, in German, and nothing is sent.
    await page.getByLabel('E-Mail').fill('erika.muster');
    await page.getByRole('button', { name: 'Senden' }).click();
    await page.getByText('Bitte geben Sie eine gültige E-Mail-Adresse ein').waitFor();

    await page.getByLabel('E-Mail').fill(email);
    await page.getByRole('button', { name: 'Senden' }).click();
    await page.getByRole('heading', { level: 1, name: 'Bitte sehen Sie in Ihr Postfach' }).waitFor();

    const mail = await mailTo(email);
    expect(mail.subject).toBe('openeks: Aktivieren Sie Ihr Benutzerkonto');
    await page.goto(followable(mail, '/register/complete'));
    await page.getByRole('heading', { level: 1, name: 'Registrierung abschließen' }).waitFor();
    await page.getByText('Geben Sie Ihren Namen ein (optional) und wählen Sie ein persönliches Passwort, um die Registrierung abzuschließen').waitFor();
    // The token leaves the address bar at once.
    expect(page.url()).toBe(`${server.baseUrl}/register/complete`);
    await expect(page.getByLabel('E-Mail').inputValue()).resolves.toBe(email);

    const name = page.getByLabel('Name (Optional)');
    const passwordField = page.getByLabel('Passwort', { exact: true });
    await expect(name.getAttribute('placeholder')).resolves.toBe('Name eingeben');
    await expect(passwordField.getAttribute('placeholder')).resolves.toBe('Passwort eingeben');
    await page.getByRole('heading', { name: 'Passwortrichtlinie' }).waitFor();

    // The policy box ticks each rule as it is met while the user types.
    await name.fill('Erika Muster');
    expect(await ruleState(page, 'lowercase')).toBe('unmet');
    await passwordField.pressSequentially('erika');
    await expect.poll(() => ruleState(page, 'lowercase')).toBe('met');
    expect(await ruleState(page, 'uppercase')).toBe('unmet');
    expect(await ruleState(page, 'not-name')).toBe('unmet');
    await passwordField.fill('');
    await passwordField.pressSequentially(password, { delay: 5 });
    for (const rule of ['min-length', 'lowercase', 'uppercase', 'digit', 'special', 'not-name', 'not-email']) {
      await expect.poll(() => ruleState(page, rule), { message: rule }).toBe('met');
    }
    await expect.poll(() => ruleState(page, 'not-common'), { timeout: 15_000 }).toBe('met');
    await page.getByText('Alle Regeln der Passwortrichtlinie sind erfüllt.').waitFor();

    // The repeat must match.
    await page.getByLabel('Passwort wiederholen').fill('etwas anderes');
    await page.getByRole('button', { name: 'Registrierung abschließen' }).click();
    await page.getByText('Die beiden Passwörter stimmen nicht überein.').waitFor();
    await page.getByLabel('Passwort wiederholen').fill(password);
    await page.getByRole('button', { name: 'Registrierung abschließen' }).click();

    // Signed in at once.
    await page.getByRole('heading', { level: 1, name: 'Willkommen' }).waitFor();
    await page.getByText('Hallo Erika Muster, Sie sind bei openeks angemeldet.').waitFor();
    const user = await server.container.db.kysely.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ status: 'active', name: 'Erika Muster', language: 'de' });

    // The profile page is in the header.
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Profil' }).click();
    await page.getByRole('heading', { level: 1, name: 'Profil' }).waitFor();
    await expect(page.getByLabel('Name (Optional)').inputValue()).resolves.toBe('Erika Muster');

    // Sign out, sign in again.
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
    await page.getByLabel('E-Mail').fill(email);
    await page.getByLabel('Passwort').fill(password);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { level: 1, name: 'Willkommen' }).waitFor();

    // The link was used up: opening it again says so.
    await page.goto(followable(mail, '/register/complete'));
    await page.getByRole('alert').getByText('Dieser Link ist ungültig', { exact: false }).waitFor();
    await page.getByRole('link', { name: 'Neuen Aktivierungslink anfordern' }).waitFor();

    expect(problems()).toEqual([]);
    await page.context().close();
  });

  it('walks the registration in English', { timeout: 90_000 }, async () => {
    const email = 'sam.installer@example.com';
    const password = 'Meter keys, 4 the win!';
    const { page, problems } = await openPage('en-GB');

    await page.goto(`${server.baseUrl}/sign-in`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Register here' }).click();
    await page.getByRole('heading', { level: 1, name: 'Not a user yet?' }).waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('heading', { level: 1, name: 'Please check your inbox' }).waitFor();

    const mail = await mailTo(email);
    expect(mail.subject).toBe('openeks: activate your user account');
    expect(mail.text).toContain('Complete registration:');
    await page.goto(followable(mail, '/register/complete'));
    await page.getByRole('heading', { level: 1, name: 'Complete registration' }).waitFor();
    await page.getByText('Enter your name (optional) and choose a personal password to complete the registration').waitFor();
    await page.getByRole('heading', { name: 'Password policy' }).waitFor();

    await page.getByLabel('Name (Optional)').fill('Sam Installer');
    const passwordField = page.getByLabel('Password', { exact: true });
    await passwordField.pressSequentially('12345');
    await expect.poll(() => ruleState(page, 'digit')).toBe('met');
    expect(await ruleState(page, 'min-length')).toBe('unmet');
    await passwordField.fill('');
    await passwordField.pressSequentially(password, { delay: 5 });
    await expect.poll(() => ruleState(page, 'min-length')).toBe('met');
    await expect.poll(() => ruleState(page, 'uppercase')).toBe('met');
    await page.getByLabel('Repeat password').fill(password);
    await page.getByRole('button', { name: 'Complete registration' }).click();
    await page.getByRole('heading', { level: 1, name: 'Welcome' }).waitFor();
    await page.getByText('Hello Sam Installer, you are signed in to openeks.').waitFor();
    const user = await server.container.db.kysely.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ status: 'active', language: 'en' });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Welcome' }).waitFor();

    expect(problems()).toEqual([]);
    await page.context().close();
  });

  it('resets a forgotten password from the sign-in page', { timeout: 90_000 }, async () => {
    // The account registered by the English walk.
    const email = 'sam.installer@example.com';
    const newPassword = 'Optical eye, 2nd try!';
    const { page, problems } = await openPage('en-GB');
    const before = smtp.messages.filter((m) => recipientsOf(m).includes(email)).length;

    await page.goto(`${server.baseUrl}/sign-in`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot password?' }).waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('heading', { level: 1, name: 'Please check your inbox' }).waitFor();

    const mail = await mailTo(email, before + 1);
    expect(mail.subject).toBe('openeks: set a new password');
    await page.goto(followable(mail, '/password/reset'));
    await page.getByRole('heading', { level: 1, name: 'Set a new password' }).waitFor();
    await expect(page.getByLabel('E-mail').inputValue()).resolves.toBe(email);

    // The box knows the account's name: a password with it does not pass.
    const passwordField = page.getByLabel('New password');
    await passwordField.pressSequentially('Sam-Installer 1');
    await expect.poll(() => ruleState(page, 'not-name')).toBe('unmet');
    await passwordField.fill(newPassword);
    await expect.poll(() => ruleState(page, 'not-name')).toBe('met');
    await page.getByLabel('Repeat password').fill(newPassword);
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your password is changed' }).waitFor();

    await page.getByRole('link', { name: 'Go to sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expect(page.getByLabel('E-mail').inputValue()).resolves.toBe(email);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Welcome' }).waitFor();

    const notice = await mailTo(email, before + 2);
    expect(notice.subject).toBe('openeks: your password was changed');
    expect(problems()).toEqual([]);
    await page.context().close();
  });
});
