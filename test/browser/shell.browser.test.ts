import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, asSystem, systemActor } from '../harness.js';
import { launchBrowser, watchPage, type ExpectedFailure } from './support/browser.js';
import { enrolTotpInBrowser } from './support/two-factor.js';

// The web shell against the real server in a real browser: the operator's first password from a
// setup link, sign-in, navigation, the outbox, the language switch remembered across a reload,
// sign-out — in German and English, with the server's CSP in force and a clean console.
// Needs the built UI (`npm run build:web`) in src/web/dist.

const password = 'Zähler-Schlüssel 2026!';
// Chromium logs these expected answers as console errors: the session probe of a signed-out page.
const anonymousProbe: ExpectedFailure[] = [{ status: 401, path: '/api/session' }];

describe('web shell', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openPage(locale: string): Promise<{ page: Page; problems: () => string[] }> {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const watch = await watchPage(page, anonymousProbe);
    return { page, problems: watch.problems };
  }

  const lang = (page: Page) => page.evaluate(() => document.documentElement.lang);

  it('lets a German operator set a password, sign in, read the outbox, switch to English and sign out', { timeout: 90_000 }, async () => {
    const email = 'erste.betreiberin@example.com';
    const link = await server.createOperatorSetupLink(email);
    expect(link).toMatch(/\/setup#token=/);
    const { page, problems } = await openPage('de-DE');

    // Setup page: German labels; the token leaves the address bar at once.
    const response = await page.goto(link);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect(page.getByRole('heading', { level: 1, name: 'Passwort festlegen' }).isVisible()).resolves.toBe(true);
    const passwordField = page.getByLabel('Passwort', { exact: true });
    await passwordField.waitFor();
    expect(page.url()).toBe(`${server.baseUrl}/setup`);
    expect(await lang(page)).toBe('de');
    await expect(page.getByLabel('E-Mail').inputValue()).resolves.toBe(email);
    await expect(page.getByLabel('Name (Optional)').isVisible()).resolves.toBe(true);

    // The policy box beside the form ticks each rule of the guide's profile as it is met.
    const policy = page.getByRole('complementary', { name: 'Passwortrichtlinie' });
    const rule = (id: string) => policy.locator(`li[data-rule="${id}"]`);
    await rule('min-length').waitFor();
    await expect(rule('min-length').textContent()).resolves.toContain('Das Passwort muss mindestens 8 Zeichen lang sein');
    await expect(rule('uppercase').getAttribute('data-state')).resolves.toBe('unmet');

    // Client-side checks first: rules not met, not repeated.
    await passwordField.fill('zu kurz');
    await expect(rule('lowercase').getAttribute('data-state')).resolves.toBe('met');
    await expect(rule('min-length').getAttribute('data-state')).resolves.toBe('unmet');
    await expect(rule('min-length').textContent()).resolves.toContain('noch nicht erfüllt');
    await page.getByLabel('Passwort wiederholen').fill('anders');
    await page.getByRole('button', { name: 'Passwort festlegen' }).click();
    await page.getByText('Das Passwort erfüllt noch nicht alle Regeln der Passwortrichtlinie.').waitFor();
    await page.getByText('Die beiden Passwörter stimmen nicht überein.').waitFor();

    // The name typed into the form is a context word at once; a good password meets every rule.
    await page.getByLabel('Name (Optional)').fill('Erika Betreiberin');
    await passwordField.fill('Erika-Zähler 2026!');
    await expect(rule('not-name').getAttribute('data-state')).resolves.toBe('unmet');
    await passwordField.fill(password);
    await policy.getByText('Alle Regeln der Passwortrichtlinie sind erfüllt.').waitFor();
    await expect(policy.locator('li[data-rule]').evaluateAll((items) => items.filter((item) => item.getAttribute('data-state') === 'unmet').length)).resolves.toBe(0);
    await page.getByLabel('Passwort wiederholen').fill(password);
    await page.getByRole('button', { name: 'Passwort festlegen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ihr Passwort ist festgelegt' }).waitFor();
    // Set up in German (the link was made for English): the account is German, and so is its mail.
    const operator = await server.container.db.kysely.selectFrom('users').select('language').where('email', '=', email).executeTakeFirstOrThrow();
    expect(operator.language).toBe('de');
    const notice = await server.container.db.kysely.selectFrom('mail_outbox').select(['language', 'subject']).where('recipient', '=', email).where('template', '=', 'password-changed').executeTakeFirstOrThrow();
    expect(notice).toEqual({ language: 'de', subject: 'openeks: Ihr Passwort wurde geändert' });

    // Sign in (the e-mail is carried over; Enter submits the form).
    await page.getByRole('link', { name: 'Zur Anmeldung' }).click();
    await page.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
    await expect(page.getByLabel('E-Mail').inputValue()).resolves.toBe(email);
    await page.getByLabel('Passwort').fill(password);
    await page.getByLabel('Passwort').press('Enter');
    // Operators sign in with a second factor: the first sign-in sets it up, nothing else works before.
    await enrolTotpInBrowser(page, server.clock, 'de');
    await page.getByRole('heading', { level: 1, name: 'Willkommen' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');

    // Navigation for an operator.
    const nav = page.getByRole('navigation', { name: 'Hauptnavigation' });
    await expect(nav.getByRole('link', { name: 'Start' }).getAttribute('aria-current')).resolves.toBe('page');
    await expect(page.getByText(email).first().isVisible()).resolves.toBe(true);
    await nav.getByRole('link', { name: 'Postausgang' }).click();
    await page.getByRole('heading', { level: 1, name: 'Postausgang' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/outbox');
    // Focus moves to the new page's heading after a navigation.
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.toBe('H1');

    // The outbox holds the setup mail of this operator; a mail opens in a dialog with its details
    // (never what it says: it held a one-time link) and closes again.
    const table = page.getByRole('table', { name: /Ausgehende E-Mails/ });
    await table.waitFor();
    await expect(table.getByRole('cell', { name: email }).count()).resolves.toBeGreaterThan(0);
    await expect(table.getByRole('columnheader', { name: 'Empfänger' }).isVisible()).resolves.toBe(true);
    await table.getByRole('button', { name: 'openeks: set the password for your operator account' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Schließen' }).waitFor();
    await dialog.getByText('ja, nur für den Empfänger').waitFor();
    await expect(dialog.textContent()).resolves.toContain('Was in einer E-Mail steht, wird hier nie angezeigt');
    await expect(page.content()).resolves.not.toContain('token=');
    await dialog.getByRole('button', { name: 'Schließen' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Settings (operators): the password policy profile, saved with the CSRF token.
    await nav.getByRole('link', { name: 'Einstellungen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Einstellungen' }).waitFor();
    const profiles = page.getByRole('group', { name: 'Passwortrichtlinie' });
    await expect(profiles.getByRole('radio', { name: /Wie im Leitfaden/ }).isChecked()).resolves.toBe(true);
    await profiles.getByRole('radio', { name: /NIST SP 800-63B/ }).check();
    await page.getByRole('button', { name: 'Speichern' }).click();
    await page.getByText('Die Einstellungen sind gespeichert.').waitFor();
    await expect(server.container.settings.getPasswordProfile()).resolves.toBe('nist');
    await server.container.settings.setPasswordProfile({ profile: 'guide', ...asSystem });
    // The audit trail's state (SEC-14), checked by the server when the page opened.
    const auditBox = page.getByRole('region', { name: 'Audit-Protokoll' });
    await auditBox.getByText('Unverändert').waitFor();
    await expect(auditBox.textContent()).resolves.toMatch(/\d+ Einträge, davon \d+ mit dem Kettenschlüssel signiert\./);
    await nav.getByRole('link', { name: 'Postausgang' }).click();
    await page.getByRole('heading', { level: 1, name: 'Postausgang' }).waitFor();

    // Switch to English: labels change at once, <html lang> follows.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();
    expect(await lang(page)).toBe('en');
    await expect(page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Home' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('table', { name: /Outgoing mails/ }).getByRole('columnheader', { name: 'Recipient' }).isVisible()).resolves.toBe(true);

    // The choice survives a reload (the German browser language no longer decides).
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();
    expect(await lang(page)).toBe('en');

    // Sign out: back at sign-in, and the session is gone on the server too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByText('You have been signed out.').waitFor();
    await page.goto(`${server.baseUrl}/outbox`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(page.url()).toBe(`${server.baseUrl}/sign-in?next=%2Foutbox`);

    expect(problems()).toEqual([]);
    await page.context().close();
  });

  it('shows an English browser the English sign-in page, reachable by keyboard', { timeout: 60_000 }, async () => {
    const { page, problems } = await openPage('en-US');
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await lang(page)).toBe('en');
    await expect(page.getByLabel('E-mail').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Deutsch' }).getAttribute('aria-pressed')).resolves.toBe('false');

    // The first Tab reaches the skip link; Enter moves focus into the main content.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to main content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');

    // A wrong password is announced as an alert, in English.
    await page.getByLabel('E-mail').fill('nobody@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('E-mail or password is wrong.');

    // Unknown paths get the not-found page, not a blank screen.
    await page.goto(`${server.baseUrl}/no-such-page`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();

    expect(problems()).toEqual([]);
    await page.context().close();
  });
});

describe('the first start', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the link printed at start-up creates the first operator, who can then sign in', { timeout: 60_000 }, async () => {
    const bootstrap = await server.container.operatorSetup.bootstrapLinkIfNoOperator(systemActor);
    if (!bootstrap) throw new Error('a fresh service must issue a bootstrap link');
    const printed = new URL(bootstrap.link);
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const watch = await watchPage(page, [{ status: 401, path: '/api/session' }]);
    await page.goto(`${server.baseUrl}${printed.pathname}${printed.hash}`);
    await page.getByText('You are setting up the first operator account of this openeks.', { exact: false }).waitFor();
    await page.getByLabel('E-mail').fill('founder@example.com');
    await page.getByLabel('Password', { exact: true }).fill('Erster Betreiber, 2026!');
    await page.getByLabel('Repeat password').fill('Erster Betreiber, 2026!');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your password is set' }).waitFor();

    const user = await server.container.db.kysely.selectFrom('users').selectAll().where('email', '=', 'founder@example.com').executeTakeFirstOrThrow();
    expect(user).toMatchObject({ is_operator: 1, status: 'active', language: 'en' });
    expect(await server.container.operatorSetup.bootstrapLinkIfNoOperator(systemActor)).toBeNull();

    await page.getByRole('link', { name: 'Go to sign in' }).click();
    await page.getByLabel('Password').fill('Erster Betreiber, 2026!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await enrolTotpInBrowser(page, server.clock, 'en');
    await page.getByRole('heading', { level: 1, name: 'Welcome' }).waitFor();
    expect(watch.problems()).toEqual([]);
    await context.close();
  });
});
