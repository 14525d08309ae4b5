import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { totpCode } from '../../harness.js';

// Setting up an authenticator app in the browser as a person does: read the secret shown beside
// the QR code (the "scan"), let the app (otplib, at the test server's clock) make the code, type
// it, keep the recovery codes, tick the box, continue.

const texts = {
  de: {
    title: 'Zwei-Faktor-Anmeldung einrichten',
    qrAlt: 'QR-Code zum Einrichten von openeks in Ihrer Authenticator-App',
    secretLabel: 'Scannen geht nicht? Geben Sie diesen Schlüssel in der App ein (zeitbasiert, 6 Ziffern):',
    code: 'Bestätigungscode',
    confirm: 'Bestätigen',
    codesTitle: 'Ihre Wiederherstellungscodes',
    codesCaption: 'Wiederherstellungscodes',
    saved: 'Ich habe meine Wiederherstellungscodes sicher aufbewahrt.',
    continue: 'Weiter',
  },
  en: {
    title: 'Set up two-factor sign-in',
    qrAlt: 'QR code for setting up openeks in your authenticator app',
    secretLabel: 'Cannot scan? Enter this key in the app (time-based, 6 digits):',
    code: 'Verification code',
    confirm: 'Confirm',
    codesTitle: 'Your recovery codes',
    codesCaption: 'Recovery codes',
    saved: 'I have stored my recovery codes safely.',
    continue: 'Continue',
  },
} as const;

export async function enrolTotpInBrowser(page: Page, clock: { now(): Date }, language: 'de' | 'en'): Promise<{ secret: string; recoveryCodes: string[] }> {
  const x = texts[language];
  await page.getByRole('heading', { level: 1, name: x.title }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/mfa/setup');
  const qr = page.getByRole('img', { name: x.qrAlt });
  await qr.waitFor();
  await expect(qr.getAttribute('src')).resolves.toMatch(/^data:image\/png;base64,/);
  const secret = ((await page.getByLabel(x.secretLabel).textContent()) ?? '').replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);

  await page.getByLabel(x.code).fill(totpCode(secret, clock));
  await page.getByRole('button', { name: x.confirm }).click();
  await page.getByRole('heading', { level: 2, name: x.codesTitle }).waitFor();
  const recoveryCodes = (await page.getByRole('list', { name: x.codesCaption }).getByRole('listitem').allTextContents()).map((c) => c.trim());
  expect(recoveryCodes).toHaveLength(10);
  const next = page.getByRole('button', { name: x.continue });
  await expect(next.isDisabled()).resolves.toBe(true);
  await page.getByLabel(x.saved).check();
  await next.click();
  return { secret, recoveryCodes };
}
