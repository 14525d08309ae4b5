import type { Page } from 'playwright-core';
import { totpCode } from '../../harness.js';

// An operator signs in in the browser as a person does: e-mail and password, then the code of
// the authenticator app that `signInOperator` (test/harness.ts) enrolled. That enrolment used the
// code of the current 30-second step, so the clock moves on one step first (no replay).

const texts = {
  en: { email: 'E-mail', password: 'Password', signIn: 'Sign in', code: 'Verification code', confirm: 'Confirm', home: 'Welcome' },
  de: { email: 'E-Mail', password: 'Passwort', signIn: 'Anmelden', code: 'Bestätigungscode', confirm: 'Bestätigen', home: 'Willkommen' },
} as const;

export async function signInOperatorInBrowser(
  page: Page,
  server: { baseUrl: string; clock: { now(): Date; advance(ms: number): void } },
  operator: { email: string; password: string; totpSecret: string },
  language: 'de' | 'en',
): Promise<void> {
  const x = texts[language];
  server.clock.advance(30_000);
  await page.goto(`${server.baseUrl}/sign-in`);
  await page.getByLabel(x.email).fill(operator.email);
  await page.getByLabel(x.password).fill(operator.password);
  await page.getByRole('button', { name: x.signIn }).click();
  await page.getByLabel(x.code).fill(totpCode(operator.totpSecret, server.clock));
  await page.getByRole('button', { name: x.confirm }).click();
  await page.getByRole('heading', { level: 1, name: x.home }).waitFor();
}
