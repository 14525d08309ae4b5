import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { sessionCookieOf, startTestServer, totpCode } from '../harness.js';
import { launchBrowser, watchPage } from './support/browser.js';

// A reader's sessions and two-factor sign-in in Chromium: the profile lists the sessions and
// ends another one; two-factor sign-in is set up from the profile (password first, QR code and
// secret, recovery codes shown once); the second sign-in step refuses a wrong code and takes a
// recovery code, in German; then it is switched off again. Needs the built UI.

const email = 'anna.leser@example.com';
const password = 'Leser-Passwort 2026!';
const firefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('sessions and two-factor sign-in in the browser', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const now = server.clock.now().toISOString();
    await server.container.db.kysely
      .insertInto('users')
      .values({ id: 'usr_anna', email, name: 'Anna Leser', password_hash: await hashPassword(password), is_operator: 0, status: 'active', language: 'en', created_at: now, updated_at: now })
      .execute();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists and ends sessions, sets up TOTP, signs in with a recovery code and switches TOTP off', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const watch = await watchPage(page, [
      { status: 401, path: '/api/session' },
      { status: 401, path: '/api/session/mfa' },
      { status: 401, path: '/api/me/mfa/totp/confirm' },
    ]);

    // Signed in elsewhere too (another browser, another address).
    const elsewhere = await server.app.inject({ method: 'POST', url: '/api/session', payload: { email, password }, headers: { 'user-agent': firefox }, remoteAddress: '203.0.113.9' });
    const elsewhereCookie = sessionCookieOf(elsewhere);

    await page.goto(`${server.baseUrl}/sign-in`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Welcome' }).waitFor();

    // Profile → Sessions: this browser marked, the other one ended with its own button.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Profile' }).click();
    const sessions = page.getByRole('table', { name: 'Your sessions' });
    await sessions.waitFor();
    await expect(sessions.getByRole('columnheader').allTextContents()).resolves.toEqual(['Device', 'IP address', 'Last use', 'Status', 'Action']);
    const mine = sessions.getByRole('row', { name: /Chrome on Linux/ });
    await expect(mine.getByText('This session').isVisible()).resolves.toBe(true);
    await expect(mine.getByRole('button').count()).resolves.toBe(0);
    const other = sessions.getByRole('row', { name: /Firefox on Windows/ });
    await expect(other.getByRole('cell', { name: '203.0.113.9', exact: true }).isVisible()).resolves.toBe(true);
    await other.getByRole('button', { name: 'End the session of Firefox on Windows from 203.0.113.9' }).click();
    await page.getByText('The session has been ended.').waitFor();
    await other.waitFor({ state: 'detached' });
    expect((await server.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: elsewhereCookie } })).statusCode).toBe(401);

    // Two-factor sign-in: off; set it up from here (password first: step-up).
    const twoFactor = page.getByRole('region', { name: 'Two-factor sign-in' });
    await twoFactor.getByText('Two-factor sign-in is off.', { exact: false }).waitFor();
    await twoFactor.getByRole('link', { name: 'Set up' }).click();
    await page.getByRole('heading', { level: 1, name: 'Set up two-factor sign-in' }).waitFor();
    await page.getByLabel('Current password').fill(password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('img', { name: 'QR code for setting up openeks in your authenticator app' }).waitFor();
    const secret = ((await page.getByLabel('Cannot scan? Enter this key in the app (time-based, 6 digits):').textContent()) ?? '').replace(/\s/g, '');
    // A wrong code first: the page says so and stays.
    await page.getByLabel('Verification code').fill(totpCode(secret, server.clock, 5));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('The code is wrong, expired or was already used.');
    await page.getByLabel('Verification code').fill(totpCode(secret, server.clock));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { level: 2, name: 'Your recovery codes' }).waitFor();
    const codes = (await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents()).map((c) => c.trim());
    expect(codes).toHaveLength(10);
    await expect(page.getByRole('link', { name: 'Download' }).getAttribute('download')).resolves.toBe('openeks-recovery-codes.txt');
    await expect(page.getByRole('link', { name: 'Download' }).getAttribute('href')).resolves.toContain(encodeURIComponent(codes[0] ?? 'x'));
    await expect(page.getByRole('button', { name: 'Continue' }).isDisabled()).resolves.toBe(true);
    // By keyboard: Tab from Print reaches the checkbox; Space ticks it.
    await page.getByRole('button', { name: 'Print' }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await expect(page.getByLabel('I have stored my recovery codes safely.').isChecked()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Profile' }).waitFor();
    await twoFactor.getByText('10 recovery codes left.').waitFor();

    // In German now: sign out, sign in, the second step refuses a wrong code, takes a recovery code.
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByRole('heading', { level: 2, name: 'Sitzungen' }).waitFor();
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.getByRole('heading', { level: 1, name: 'Anmelden' }).waitFor();
    await page.getByLabel('E-Mail').fill(email);
    await page.getByLabel('Passwort').fill(password);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { level: 1, name: 'Anmeldung bestätigen' }).waitFor();
    await expect(page.getByText(email).count()).resolves.toBe(0);
    const wrong = totpCode(secret, server.clock) === '000000' ? '111111' : '000000';
    await page.getByLabel('Bestätigungscode').fill(wrong);
    await page.getByLabel('Bestätigungscode').press('Enter');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Der Code ist falsch, abgelaufen oder wurde schon verwendet.');
    await page.getByRole('button', { name: 'Wiederherstellungscode verwenden' }).click();
    // Focus moves to the new field once it has rendered (the next tick), so wait for it.
    await page.waitForFunction(() => document.activeElement?.id === 'sign-in-recovery-code', undefined, { timeout: 5000 });
    await page.getByLabel('Wiederherstellungscode').fill(codes[2] ?? '');
    await page.getByRole('button', { name: 'Bestätigen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Willkommen' }).waitFor();

    // Back in English: one recovery code fewer; switch two-factor sign-in off with password and code.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Profile' }).click();
    await twoFactor.getByText('9 recovery codes left.').waitFor();
    await twoFactor.getByRole('button', { name: 'Switch off' }).click();
    await twoFactor.getByLabel('Current password').fill(password);
    server.clock.advance(30_000); // the enrolment used this time step's code
    await twoFactor.getByLabel('Verification code').fill(totpCode(secret, server.clock));
    await twoFactor.getByRole('button', { name: 'Switch off two-factor sign-in' }).click();
    await twoFactor.getByText('Two-factor sign-in is now off.').waitFor();
    await twoFactor.getByRole('link', { name: 'Set up' }).waitFor();
    expect(await server.container.db.kysely.selectFrom('mfa_totp').selectAll().execute()).toEqual([]);

    expect(watch.problems()).toEqual([]);
    await context.close();
  });
});
