import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { startTestServer } from '../harness.js';
import { type GpgHome, type GpgKeys, gpgHome, gpgKeys } from '../exports/gpg-keys.js';
import { launchBrowser, watchPage } from './support/browser.js';

// The profile's OpenPGP key section in Chromium, in English and German (docs/downloads.md
// "OpenPGP"): a private key is refused at the field, the public key is saved and shown by its
// fingerprint, then removed. Keys made by gpg. Needs the built UI (npm run build:web).

const password = 'Leser-Passwort 2026!';
const texts = {
  en: {
    locale: 'en-GB', signIn: 'Sign in', email: 'E-mail', password: 'Password', welcome: 'Welcome', profile: 'Profile',
    region: 'OpenPGP key', none: 'No OpenPGP key is registered.', field: 'Public key (armored)', save: 'Save key',
    privateRefused: 'This is a private key. Paste the public key; the private key never leaves your computer.',
    saved: 'Your OpenPGP key is saved.', remove: 'Remove key', removed: 'Your OpenPGP key was removed.',
  },
  de: {
    locale: 'de-DE', signIn: 'Anmelden', email: 'E-Mail', password: 'Passwort', welcome: 'Willkommen', profile: 'Profil',
    region: 'OpenPGP-Schlüssel', none: 'Es ist kein OpenPGP-Schlüssel hinterlegt.', field: 'Öffentlicher Schlüssel (ASCII-Armor)', save: 'Schlüssel speichern',
    privateRefused: 'Das ist ein privater Schlüssel. Fügen Sie den öffentlichen Schlüssel ein; der private verlässt Ihren Rechner nie.',
    saved: 'Ihr OpenPGP-Schlüssel ist gespeichert.', remove: 'Schlüssel entfernen', removed: 'Ihr OpenPGP-Schlüssel wurde entfernt.',
  },
} as const;

describe('the OpenPGP key on the profile page', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let g: GpgHome;
  let keys: GpgKeys;

  beforeAll(async () => {
    g = await gpgHome();
    keys = await gpgKeys(g);
    server = await startTestServer();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await g?.remove();
  });

  for (const language of ['en', 'de'] as const) {
    it(`refuses a private key, saves the public one and removes it, in ${language === 'de' ? 'German' : 'English'}`, { timeout: 120_000 }, async () => {
      const x = texts[language];
      const email = `pgp.${language}@example.com`;
      const userId = `usr_pgp_${language}`;
      const now = server.clock.now().toISOString();
      await server.container.db.kysely
        .insertInto('users')
        .values({ id: userId, email, name: 'Paula Pgp', password_hash: await hashPassword(password), is_operator: 0, status: 'active', language, created_at: now, updated_at: now })
        .execute();
      const context = await browser.newContext({ locale: x.locale });
      const page = await context.newPage();
      // Before sign-in the shell asks for the session (401); the private key is refused (422).
      const watch = await watchPage(page, [{ status: 401, path: '/api/session' }, { status: 422, path: '/api/me/openpgp-key' }]);

      await page.goto(`${server.baseUrl}/sign-in`);
      await page.getByLabel(x.email).fill(email);
      await page.getByLabel(x.password).fill(password);
      await page.getByRole('button', { name: x.signIn }).click();
      await page.getByRole('heading', { level: 1, name: x.welcome }).waitFor();
      await page.getByRole('link', { name: x.profile }).first().click();

      const section = page.getByRole('region', { name: x.region });
      await section.getByText(x.none).waitFor();
      const field = section.getByLabel(x.field);
      await field.fill(keys.privateKey);
      await section.getByRole('button', { name: x.save }).click();
      await section.getByText(x.privateRefused).waitFor();
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
      expect(await server.container.openPgpKeys.armoredOf(userId)).toBeNull();

      await field.fill(keys.publicKey);
      await section.getByRole('button', { name: x.save }).click();
      await section.getByText(x.saved).waitFor();
      const grouped = keys.fingerprint.replace(/(.{4})(?=.)/g, '$1 ');
      await expect(section.getByTestId('openpgp-fingerprint').textContent()).resolves.toBe(grouped);
      expect(await server.container.openPgpKeys.armoredOf(userId)).toBe(keys.publicKey.trim());

      await section.getByRole('button', { name: x.remove }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: x.remove }).click();
      await section.getByText(x.removed).waitFor();
      await section.getByText(x.none).waitFor();
      expect(await server.container.openPgpKeys.armoredOf(userId)).toBeNull();

      expect(watch.problems()).toEqual([]);
      await context.close();
    });
  }
});
