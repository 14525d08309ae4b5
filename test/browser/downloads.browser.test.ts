import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { asSystem, operatorPassword, startTestServer, totpCode } from '../harness.js';
import { auditOf, createActiveUser, goodPassword } from '../support/accounts.js';
import { storeDevice } from '../support/devices.js';
import { gpgHome, gpgKeys } from '../exports/gpg-keys.js';
import { opensslOpensKem } from '../support/kem-openssl.js';
import { launchBrowser, watchPage } from './support/browser.js';
import { signInOperatorInBrowser } from './support/operator.js';
import { enrolTotpInBrowser } from './support/two-factor.js';

// "Schlüssel herunterladen" / "Download keys" in Chromium, in German and in English (docs/downloads.md
// "In the browser", issue 13): a superuser ticks meters on the EKS page, the dialog's preview names
// the meter left out for its compromised key, a password of 17 bytes is refused at the field, the
// KEM download arrives as a ZIP that `unzip -t` accepts and whose .kem member `openssl enc -d`
// decrypts to exactly the ticked meters with active keys. Then the sign-in grows older than 5
// minutes (the server's clock moves on): the dialog asks for the password and the code again, and
// the download works. Needs the built UI (`npm run build:web`).

const screenshots = process.env['OPENEKS_SCREENSHOTS'];

const texts = {
  de: {
    locale: 'de-DE',
    signIn: 'Anmelden',
    email: 'E-Mail',
    password: 'Passwort',
    total: '4 Geräte',
    selectRow: (serial: string) => `${serial} auswählen`,
    open: 'Schlüssel herunterladen',
    dialog: 'Schlüssel herunterladen',
    intro: 'Die aktiven Schlüssel der 3 ausgewählten Geräte.',
    introAll: 'Die aktiven Schlüssel aller 4 Geräte, die zum Filter passen.',
    kem: 'KEM',
    csv: 'CSV',
    kemWarning: 'Nur durch das Passwort geschützt',
    filePassword: 'Passwort der Datei',
    tooLong: 'Dieses Passwort ist 18 Byte lang; höchstens 16 sind möglich.',
    encrypt: 'An meinen OpenPGP-Schlüssel verschlüsseln',
    register: 'Auf Ihrer Profilseite hinterlegen',
    devicesInFile: 'Geräte in der Datei',
    leftOut: 'Ausgelassen',
    compromised: '1 – Schlüssel kompromittiert',
    fileName: 'Dateiname',
    submit: 'Herunterladen',
    nothing: 'Keines dieser Geräte hat einen aktiven Schlüssel: Es gibt nichts herunterzuladen.',
    cancel: 'Abbrechen',
    saved: (fileName: string) => `2 Geräte gespeichert als ${fileName}.`,
    progress: '2 / 2',
    close: 'Schließen',
    stepUp: 'Bestätigen Sie, dass Sie es sind',
    stepUpPassword: 'Ihr Passwort',
    stepUpCode: 'Bestätigungscode',
    stepUpSubmit: 'Bestätigen und herunterladen',
    wrongPassword: 'E-Mail oder Passwort ist falsch.',
    wrongCode: 'Der Code ist falsch, abgelaufen oder wurde schon verwendet.',
  },
  en: {
    locale: 'en-GB',
    signIn: 'Sign in',
    email: 'E-mail',
    password: 'Password',
    total: '4 devices',
    selectRow: (serial: string) => `Select ${serial}`,
    open: 'Download keys',
    dialog: 'Download keys',
    intro: 'The active keys of the 3 selected devices.',
    introAll: 'The active keys of all 4 devices matching the filter.',
    kem: 'KEM',
    csv: 'CSV',
    kemWarning: 'Protected by the password alone',
    filePassword: 'File password',
    tooLong: 'This password is 18 bytes long; at most 16 are possible.',
    encrypt: 'Encrypt to my OpenPGP key',
    register: 'Register one on your profile page',
    devicesInFile: 'Devices in the file',
    leftOut: 'Left out',
    compromised: '1 – key compromised',
    fileName: 'File name',
    submit: 'Download',
    nothing: 'None of these devices has an active key: there is nothing to download.',
    cancel: 'Cancel',
    saved: (fileName: string) => `Saved 2 devices as ${fileName}.`,
    progress: '2 / 2',
    close: 'Close',
    stepUp: 'Confirm it is you',
    stepUpPassword: 'Your password',
    stepUpCode: 'Verification code',
    stepUpSubmit: 'Confirm and download',
    wrongPassword: 'E-mail or password is wrong.',
    wrongCode: 'The code is wrong, expired or was already used.',
  },
} as const;

const runs = {
  de: { customerNo: '5811', first: 73_000_001, superuser: 'haendler.download@example.com', filePassword: 'Zähler-2026' },
  en: { customerNo: '5812', first: 74_000_001, superuser: 'dealer.download@example.com', filePassword: 'Meter keys 26' },
} as const;

const bulk = { customerNo: '5814', first: 76_000_001, count: 1_200 } as const;
const reader = { customerNo: '5813', first: 75_000_001, email: 'leser.download@example.com' } as const;

/** The KEM member of a downloaded ZIP, after `unzip -t`, decrypted by openssl (test/support/kem-openssl.ts). */
async function openKem(zip: string, password: string, dir: string): Promise<string> {
  execFileSync('unzip', ['-tq', zip]);
  execFileSync('unzip', ['-q', '-o', zip, '-d', dir]);
  const member = readdirSync(dir).find((name) => /^[0-9a-f]{32}\.kem$/i.test(name));
  expect(member, `a <32 hex>.kem member among ${readdirSync(dir).join(', ')}`).toBeDefined();
  return opensslOpensKem(join(dir, member ?? ''), password, dir);
}

describe('downloading keys in the browser', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  const work = mkdtempSync(join(tmpdir(), 'openeks-downloads-'));
  let readerCustomer = '';
  let readerId = '';

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    // Each superuser's customer: three meters with an active key, one whose only key is compromised.
    for (const [language, run] of Object.entries(runs)) {
      const customer = (await server.container.customers.create({ customerNo: run.customerNo, name: `Stadtwerke ${run.customerNo}`, ...asSystem })).id;
      for (let n = 0; n < 4; n++) {
        const serial = String(run.first + n);
        await storeDevice(server.container, { manufacturer: 'KAM', serial, model: 'MULTICAL 21', customerAccountId: customer, keys: [{ hex: serial.repeat(4), state: n === 3 ? 'compromised' : 'active' }] });
      }
      const userId = await createActiveUser(server, { email: run.superuser, language: language === 'de' ? 'de' : 'en' });
      await server.container.db.kysely.insertInto('superuser_links').values({ user_id: userId, customer_account_id: customer, linked_by: null, request_id: null, created_at: server.clock.now().toISOString() }).execute();
    }
    // 1,200 meters of one customer, for an operator's download of all matching.
    const bulkCustomer = (await server.container.customers.create({ customerNo: bulk.customerNo, name: 'Großkunde', ...asSystem })).id;
    for (let n = 0; n < bulk.count; n++) await storeDevice(server.container, { manufacturer: 'KAM', serial: String(bulk.first + n), customerAccountId: bulkCustomer, keys: [{ hex: 'ef'.repeat(16) }] });
    // A reader granted three meters of another customer, one of them with a destroyed key only.
    readerCustomer = (await server.container.customers.create({ customerNo: reader.customerNo, name: 'Wohnbau Leser', ...asSystem })).id;
    readerId = await createActiveUser(server, { email: reader.email, language: 'en' });
    for (let n = 0; n < 3; n++) {
      const { deviceId } = await storeDevice(server.container, { manufacturer: 'KAM', serial: String(reader.first + n), model: 'MULTICAL 403', customerAccountId: readerCustomer, keys: [{ hex: 'cd'.repeat(16), state: n === 2 ? 'destroyed' : 'active' }] });
      await server.container.db.kysely.insertInto('grants').values({ device_id: deviceId, reader_id: readerId, granted_by: null, granted_at: server.clock.now().toISOString(), revoked_at: null, revoked_by: null, granted_audit_id: null, revoked_audit_id: null }).execute();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const shot = async (page: Page, name: string) => {
    if (screenshots) await page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: true });
  };

  for (const language of ['de', 'en'] as const) {
    it(`downloads KEM with a password, then again after a step-up, in ${language === 'de' ? 'German' : 'English'}`, { timeout: 180_000 }, async () => {
      const x = texts[language];
      const run = runs[language];
      const serial = (n: number) => String(run.first + n - 1);
      const [a, b, c, compromised] = [serial(1), serial(2), serial(3), serial(4)];

      const context = await browser.newContext({ locale: x.locale, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      const page = await context.newPage();
      onTestFailed(async () => {
        await shot(page, `downloads-failed-${language}`);
      });
      const watch = await watchPage(page, [
        { status: 401, path: '/api/session' },
        { status: 401, path: '/api/exports' },
        { status: 401, path: '/api/session/reauth' },
      ]);
      // The answers of the download route, to tell the step-up's two ways apart.
      const downloads: number[] = [];
      page.on('response', (response) => {
        if (response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/exports') downloads.push(response.status());
      });
      await page.goto(`${server.baseUrl}/eks`);
      await page.getByRole('heading', { level: 1, name: x.signIn }).waitFor();
      await page.getByLabel(x.email).fill(run.superuser);
      await page.getByLabel(x.password).fill(goodPassword);
      await page.getByRole('button', { name: x.signIn }).click();
      const { secret } = await enrolTotpInBrowser(page, server.clock, language);
      await page.getByRole('heading', { level: 1, name: 'EKS' }).waitFor();
      await page.getByText(x.total, { exact: true }).waitFor();

      // The meter with nothing but a compromised key alone: nothing to download.
      await page.getByRole('checkbox', { name: x.selectRow(compromised) }).check();
      await page.getByRole('button', { name: x.open }).click();
      const dialog = page.getByRole('dialog', { name: x.dialog });
      await dialog.getByText(x.nothing, { exact: true }).waitFor();
      await expect(dialog.getByRole('button', { name: x.submit, exact: true }).isDisabled()).resolves.toBe(true);
      await dialog.getByRole('button', { name: x.cancel }).click();
      await expect(dialog.count()).resolves.toBe(0);
      // Focus goes back to the button that opened the dialog.
      await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(x.open);

      // Three meters ticked, one of them with nothing but a compromised key.
      for (const s of [a, b]) await page.getByRole('checkbox', { name: x.selectRow(s) }).check();
      await page.getByRole('button', { name: x.open }).click();
      await dialog.waitFor();
      await dialog.getByText(x.intro, { exact: true }).waitFor();

      // KEM is the first choice; its warning says plainly what protects it.
      await expect(dialog.getByRole('radio', { name: x.kem, exact: true }).isChecked()).resolves.toBe(true);
      await dialog.getByText(x.kemWarning).waitFor();
      // No OpenPGP key registered: the box is off, with the way to register one.
      await expect(dialog.getByRole('checkbox', { name: x.encrypt }).isDisabled()).resolves.toBe(true);
      await expect(dialog.getByRole('link', { name: x.register }).getAttribute('href')).resolves.toBe('/profile');

      // The preview: 2 devices leave, 1 stays behind for its compromised key, and the file's name.
      const facts = dialog.getByRole('definition');
      await dialog.getByText(x.compromised, { exact: true }).waitFor();
      const terms = await dialog.getByRole('term').allTextContents();
      expect(terms).toEqual([x.devicesInFile, expect.any(String), x.leftOut, x.fileName]);
      await expect(facts.nth(0).textContent()).resolves.toBe('2');
      const fileName = ((await facts.nth(3).textContent()) ?? '').trim();
      expect(fileName).toMatch(/^openeks-.+\.kem\.zip$/);
      await shot(page, `downloads-dialog-${language}`);
      // At 1280 px nothing sticks out, neither of the page nor of the dialog.
      await expect(page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).resolves.toBe(0);
      await expect(dialog.evaluate((el) => el.scrollWidth - el.clientWidth)).resolves.toBe(0);

      // 17 characters, 18 bytes: refused at the field before anything is sent.
      const passwordField = dialog.getByLabel(x.filePassword);
      await passwordField.fill('Schlüsselbund-123');
      await dialog.getByRole('button', { name: x.submit, exact: true }).click();
      await dialog.getByText(x.tooLong).waitFor();
      await expect(passwordField.getAttribute('aria-invalid')).resolves.toBe('true');

      await passwordField.fill(run.filePassword);
      const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: x.submit, exact: true }).click()]);
      expect(download.suggestedFilename()).toBe(fileName);
      await dialog.getByText(x.saved(fileName), { exact: true }).waitFor();
      await expect(dialog.locator('#download-progress-text').textContent()).resolves.toBe(x.progress);
      const first = join(work, `${language}-first.zip`);
      await download.saveAs(first);
      const plaintext = await openKem(first, run.filePassword, join(work, `${language}-first`));
      expect(plaintext.startsWith('<MetersInOrder ')).toBe(true);
      expect(plaintext).toContain(`<SerialNo>${a}</SerialNo>`);
      expect(plaintext).toContain(`<DEK>${a.repeat(4).toUpperCase()}</DEK>`);
      expect(plaintext).toContain(`<SerialNo>${b}</SerialNo>`);
      expect(plaintext).not.toContain(compromised);
      expect(plaintext).not.toContain(c);
      // Audited before it left: the export's record names exactly the two meters that left.
      const userId = (await server.container.db.kysely.selectFrom('users').select('id').where('email', '=', run.superuser).executeTakeFirstOrThrow()).id;
      const exported = (await auditOf(server, 'keys.export')).filter((r) => r.actor_id === userId);
      expect(exported.length).toBeGreaterThan(0);
      const linked = await server.container.db.kysely
        .selectFrom('audit_devices')
        .innerJoin('devices', 'devices.id', 'audit_devices.device_id')
        .select('devices.serial')
        .where('audit_devices.audit_seq', 'in', exported.map((r) => r.seq))
        .execute();
      expect(linked.map((r) => r.serial).sort()).toEqual([a, b]);
      expect(downloads).toEqual([200]);
      await dialog.getByRole('button', { name: x.close }).click();
      await expect(dialog.count()).resolves.toBe(0);

      // Six minutes later the sign-in is too old for a download. In German the preview already says
      // so; in English the dialog was opened before and the download itself answers 401.
      if (language === 'de') server.clock.advance(6 * 60_000);
      await page.getByRole('button', { name: x.open }).click();
      await dialog.getByText(x.intro, { exact: true }).waitFor();
      await dialog.getByText(x.compromised, { exact: true }).waitFor();
      await dialog.getByRole('radio', { name: x.csv, exact: true }).check();
      await expect(dialog.getByLabel(x.filePassword).count()).resolves.toBe(0);
      await dialog.getByText(/\.csv\.zip$/).waitFor();
      if (language === 'en') server.clock.advance(6 * 60_000);
      await dialog.getByRole('button', { name: x.submit, exact: true }).click();
      await dialog.getByRole('heading', { name: x.stepUp }).waitFor();
      // A wrong password stands at its field; nothing is downloaded.
      await dialog.getByLabel(x.stepUpPassword).fill('not my password');
      await dialog.getByLabel(x.stepUpCode).fill(totpCode(secret, server.clock));
      await dialog.getByRole('button', { name: x.stepUpSubmit }).click();
      await dialog.getByText(x.wrongPassword).waitFor();
      // The right password with a code the app does not show now: the code's field says so.
      await dialog.getByLabel(x.stepUpPassword).fill(goodPassword);
      await dialog.getByLabel(x.stepUpCode).fill(totpCode(secret, server.clock, 5));
      await dialog.getByRole('button', { name: x.stepUpSubmit }).click();
      await dialog.getByText(x.wrongCode).waitFor();
      await expect(dialog.getByLabel(x.stepUpCode).getAttribute('aria-invalid')).resolves.toBe('true');
      // The right one, with the code of the next 30 seconds (a code is good once).
      server.clock.advance(30_000);
      await dialog.getByLabel(x.stepUpPassword).fill(goodPassword);
      await dialog.getByLabel(x.stepUpCode).fill(totpCode(secret, server.clock));
      const [again] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: x.stepUpSubmit }).click()]);
      expect(again.suggestedFilename()).toMatch(/^openeks-.+\.csv\.zip$/);
      const second = join(work, `${language}-second.zip`);
      await again.saveAs(second);
      execFileSync('unzip', ['-tq', second]);
      const csv = execFileSync('sh', ['-c', 'unzip -p "$1" "*.csv"', 'sh', second]).toString('utf8');
      expect(csv).toContain(`${a},KAM,`);
      expect(csv).toContain(`${b},KAM,`);
      expect(csv).not.toContain(compromised);
      await dialog.getByText(/\.csv\.zip\.$/).waitFor();
      // German: the preview asked for the step-up before anything was sent; English: the download's 401 did.
      expect(downloads).toEqual(language === 'de' ? [200, 200] : [200, 401, 200]);
      const reauths = (await auditOf(server, 'session.reauth')).filter((r) => r.actor_id === userId);
      expect(reauths).toHaveLength(1);

      expect(watch.problems()).toEqual([]);
      await context.close();
    });
  }

  it('lets a reader, who has no boxes, download everything his filter shows, with a password-only step-up', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    onTestFailed(async () => {
      await shot(page, 'downloads-failed-reader');
    });
    const watch = await watchPage(page, [
      { status: 401, path: '/api/session' },
      { status: 409, path: '/api/exports/preview' },
    ]);
    await page.goto(`${server.baseUrl}/eks`);
    await page.getByLabel('E-mail').fill(reader.email);
    await page.getByLabel('Password').fill(goodPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'EKS' }).waitFor();
    await page.getByText('3 devices', { exact: true }).waitFor();
    await expect(page.getByRole('checkbox').count()).resolves.toBe(0);

    // His sign-in is 6 minutes old when he downloads: the preview asks for the step-up at once.
    server.clock.advance(6 * 60_000);
    await page.getByRole('button', { name: 'Download keys' }).click();
    const dialog = page.getByRole('dialog', { name: 'Download keys' });
    await dialog.getByText('The active keys of all 3 devices matching the filter.', { exact: true }).waitFor();
    await dialog.getByText('1 – key destroyed', { exact: true }).waitFor();
    // Meanwhile he is granted a fourth meter: the next preview says the filter matches 4 now, and he takes them.
    const { deviceId } = await storeDevice(server.container, { manufacturer: 'KAM', serial: String(reader.first + 3), model: 'MULTICAL 403', customerAccountId: readerCustomer, keys: [{ hex: 'cd'.repeat(16) }] });
    await server.container.db.kysely.insertInto('grants').values({ device_id: deviceId, reader_id: readerId, granted_by: null, granted_at: server.clock.now().toISOString(), revoked_at: null, revoked_by: null, granted_audit_id: null, revoked_audit_id: null }).execute();
    await dialog.getByRole('radio', { name: 'JSON', exact: true }).check();
    await dialog.getByText('The filter now matches 4 devices.', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Download these 4 devices' }).click();
    await dialog.getByText('The active keys of all 4 devices matching the filter.', { exact: true }).waitFor();
    await dialog.getByText(/^openeks-5813-.+-3\.json\.zip$/).waitFor();
    await dialog.getByRole('button', { name: 'Download', exact: true }).click();
    await dialog.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    // Two-factor sign-in is off for him: the password alone.
    await expect(dialog.getByLabel('Verification code').count()).resolves.toBe(0);
    await dialog.getByRole('button', { name: 'Confirm and download' }).click();
    await dialog.getByText('Enter your password.', { exact: true }).waitFor();
    await dialog.getByLabel('Your password').fill(goodPassword);
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Confirm and download' }).click()]);
    const file = join(work, 'reader.zip');
    await download.saveAs(file);
    execFileSync('unzip', ['-tq', file]);
    const devices = JSON.parse(execFileSync('sh', ['-c', 'unzip -p "$1" "*.json"', 'sh', file]).toString('utf8')) as { serial: string; keys: { key: string }[] }[];
    expect(devices.map((d) => d.serial).sort()).toEqual([String(reader.first), String(reader.first + 1), String(reader.first + 3)]);
    expect(devices.every((d) => d.keys.length === 1 && d.keys[0]?.key.toLowerCase() === 'cd'.repeat(16))).toBe(true);
    await dialog.getByText(/^Saved 3 devices as openeks-5813-.+\.json\.zip\.$/).waitFor();
    expect(watch.problems()).toEqual([]);
    await context.close();
  });

  it('encrypts a download to the OpenPGP key registered on the profile page, which gpg opens', { timeout: 120_000 }, async () => {
    const g = await gpgHome();
    try {
      const keys = await gpgKeys(g);
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      const page = await context.newPage();
      onTestFailed(async () => {
        await shot(page, 'downloads-failed-openpgp');
      });
      const watch = await watchPage(page, [
        { status: 401, path: '/api/session' },
      ]);
      await page.goto(`${server.baseUrl}/profile`);
      await page.getByLabel('E-mail').fill(reader.email);
      await page.getByLabel('Password').fill(goodPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Public key (armored)').fill(keys.publicKey);
      await page.getByRole('button', { name: 'Save key' }).click();
      await page.getByText('Your OpenPGP key is saved.').waitFor();

      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'EKS' }).click();
      await page.getByRole('heading', { level: 1, name: 'EKS' }).waitFor();
      await page.getByRole('button', { name: 'Download keys' }).click();
      const dialog = page.getByRole('dialog', { name: 'Download keys' });
      await dialog.getByRole('radio', { name: 'CSV', exact: true }).check();
      const encrypt = dialog.getByRole('checkbox', { name: 'Encrypt to my OpenPGP key' });
      await expect.poll(() => encrypt.isEnabled()).toBe(true);
      // The fingerprint as people compare it, in groups of four.
      await dialog.getByText(`(key ${keys.fingerprint.replace(/(.{4})(?=.)/g, '$1 ')})`, { exact: false }).waitFor();
      await encrypt.check();
      await dialog.getByText(/^openeks-5813-.+\.csv\.zip\.gpg$/).waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download', exact: true }).click()]);
      expect(download.suggestedFilename()).toMatch(/^openeks-5813-.+\.csv\.zip\.gpg$/);
      const file = join(work, 'encrypted.csv.zip.gpg');
      await download.saveAs(file);
      // Not a ZIP any more: only the private key opens it.
      expect(() => execFileSync('unzip', ['-tq', file], { stdio: 'pipe' })).toThrow();
      const zip = join(work, 'decrypted.csv.zip');
      await g.gpg(['--output', zip, '--decrypt', file]);
      execFileSync('unzip', ['-tq', zip]);
      const csv = execFileSync('sh', ['-c', 'unzip -p "$1" "*.csv"', 'sh', zip]).toString('utf8');
      expect(csv).toContain(`${reader.first},KAM,`);
      expect(csv).not.toContain(String(reader.first + 2));
      expect(watch.problems()).toEqual([]);
      await context.close();
    } finally {
      await g.remove();
    }
  });

  it('downloads all 1.200 meters an operator’s filter matches, polling the export’s progress (German numbers)', { timeout: 180_000 }, async () => {
    const operator = await server.signInOperator('betrieb.download@example.com');
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    onTestFailed(async () => {
      await shot(page, 'downloads-failed-bulk');
    });
    const watch = await watchPage(page, [
      { status: 401, path: '/api/session' },
    ]);
    const polled: number[] = [];
    page.on('response', (response) => {
      if (response.request().method() === 'GET' && /^\/api\/exports\/[^/]+$/.test(new URL(response.url()).pathname)) polled.push(response.status());
    });
    await signInOperatorInBrowser(page, server, { email: 'betrieb.download@example.com', password: operatorPassword, totpSecret: operator.totpSecret }, 'de');
    await page.goto(`${server.baseUrl}/eks?customerNo=${bulk.customerNo}`);
    await page.getByText('1.200 passende Geräte', { exact: true }).waitFor();
    // Nothing ticked: the button takes everything the filter matches.
    await page.getByRole('button', { name: 'Schlüssel herunterladen' }).click();
    const dialog = page.getByRole('dialog', { name: 'Schlüssel herunterladen' });
    await dialog.getByText('Die aktiven Schlüssel aller 1.200 Geräte, die zum Filter passen.', { exact: true }).waitFor();
    await dialog.getByRole('radio', { name: 'JSON', exact: true }).check();
    await dialog.getByText(/^openeks-5814-.+-1200\.json\.zip$/).waitFor();

    // "Abbrechen" while the download is under way aborts it: held back here before it reaches the
    // server, the request is dropped, nothing is saved, and the dialog can start again.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let downloaded = 0;
    page.on('download', () => (downloaded += 1));
    await page.route('**/api/exports', async (route) => {
      await held;
      await route.abort().catch(() => undefined);
    });
    await dialog.getByRole('button', { name: 'Herunterladen', exact: true }).click();
    await dialog.getByText('Die Datei wird vorbereitet …', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Abbrechen' }).click();
    await dialog.getByText('Der Download wurde abgebrochen; nichts wurde gespeichert.', { exact: true }).waitFor();
    release();
    await page.unroute('**/api/exports');
    expect(downloaded).toBe(0);
    await expect(dialog.getByRole('button', { name: 'Herunterladen', exact: true }).isEnabled()).resolves.toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Herunterladen', exact: true }).click()]);
    await dialog.getByText(/^1\.200 Geräte gespeichert als openeks-5814-.+-1200\.json\.zip\.$/).waitFor();
    await expect(dialog.locator('#download-progress-text').textContent()).resolves.toBe('1.200 / 1.200');
    await expect(dialog.locator('#download-progress').getAttribute('value')).resolves.toBe('1');
    expect(polled.length).toBeGreaterThan(0);
    expect(polled.every((status) => status === 200)).toBe(true);
    const file = join(work, 'bulk.zip');
    await download.saveAs(file);
    const devices = JSON.parse(execFileSync('sh', ['-c', 'unzip -p "$1" "*.json"', 'sh', file], { maxBuffer: 16 * 1024 * 1024 }).toString('utf8')) as { serial: string }[];
    expect(devices).toHaveLength(bulk.count);
    expect(new Set(devices.map((d) => d.serial)).size).toBe(bulk.count);
    // One export on record, done: the cancelled one never reached the server.
    const exports = await server.container.db.kysely.selectFrom('exports').select(['status', 'total', 'rows_written']).where('user_id', '=', operator.userId).execute();
    expect(exports).toEqual([{ status: 'done', total: bulk.count, rows_written: bulk.count }]);
    expect(watch.problems()).toEqual([]);
    await context.close();
  });
});
