import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { encodeRecords, VIF } from '../../simulators/wmbus/record-encoder.js';
import { encodeKamstrupEll } from '../../simulators/wmbus/telegram-encoders.js';
import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { KEY_CSV_HEADER } from '../../src/shared/inventory/key-csv-columns.js';
import { kamstrupSampleKem } from '../fixtures/fixture-files.js';
import { operatorPassword, startTestServer } from '../harness.js';
import { launchBrowser, watchPage } from './support/browser.js';
import { signInOperatorInBrowser } from './support/operator.js';

// The inventory in Chromium, as an operator works with it: a customer account, the real
// Kamstrup sample KEM imported through the import page (progress to done), the EKS table
// filtered, sorted and paged, one device's DEK marked compromised, and telegrams checked —
// in English and in German. Needs the built UI (`npm run build:web`).

const kemPath = kamstrupSampleKem.path;
const kemPassword = kamstrupSampleKem.password;
const screenshots = process.env['OPENEKS_SCREENSHOTS'];

/** The sample's keys, read as the import reads them (AES-128-CBC, key = IV = the password). */
function sampleKeys(): Map<string, Buffer> {
  const xml = readFileSync(kemPath, 'utf8');
  const cipher = Buffer.from(/<CipherValue>([^<]+)<\/CipherValue>/.exec(xml)?.[1] ?? '', 'base64');
  const key = Buffer.alloc(16);
  Buffer.from(kemPassword, 'utf8').copy(key);
  const decipher = createDecipheriv('aes-128-cbc', key, key);
  const plain = Buffer.concat([decipher.update(cipher), decipher.final()]).toString('utf8');
  const keys = new Map<string, Buffer>();
  for (const m of plain.matchAll(/<SerialNo>(\d{8})<\/SerialNo><EncKeys><DEK>([0-9A-F]{32})<\/DEK>/g)) keys.set(m[1] ?? '', Buffer.from(m[2] ?? '', 'hex'));
  return keys;
}

/** A MULTICAL 21 C1 telegram (Kamstrup ELL, AES-128-CTR) under the given key, as hex with spaces. */
function mc21Telegram(serial: string, key: Buffer): string {
  const records = encodeRecords([
    { bytes: 2, vif: VIF.kamstrupInfo, value: 0 },
    { bytes: 4, vif: VIF.volumeLitre, value: 123456 },
    { bytes: 4, vif: VIF.volumeLitre, value: 120000, storage: 1 },
    { bytes: 1, vif: VIF.flowTempC, value: 11 },
    { bytes: 1, vif: VIF.externalTempC, value: -3 },
  ]);
  const telegram = encodeKamstrupEll({
    address: { manufacturer: 'KAM', id: serial, version: 0x1b, deviceType: 0x16 },
    key,
    cc: 0x20,
    acc: 0x42,
    session: 0x1234,
    application: Buffer.concat([Buffer.from([0x78]), records]),
  });
  return (telegram.toString('hex').toUpperCase().match(/.{1,8}/g) ?? []).join(' ');
}

/** 60 more meters of another customer as a CSV, to page through. */
function csvOfMeters(count: number): string {
  const header = KEY_CSV_HEADER;
  const rows = Array.from({ length: count }, (_, i) => {
    const serial = String(70000000 + i);
    const key = (serial + serial + serial + serial).slice(0, 32);
    return `${serial},KAM,meter,heat,MULTICAL 403,,,A-77,LS-2026-11,,DEK,${key}`;
  });
  return `${[header, ...rows].join('\n')}\n`;
}

describe('inventory in the browser', () => {
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

  const shot = async (page: Page, name: string) => {
    if (screenshots) await page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: true });
  };

  it('creates a customer, imports the Kamstrup sample, finds, filters and pages devices, compromises a key and checks telegrams', { timeout: 180_000 }, async () => {
    const email = 'lager@example.com';
    const operator = await server.signInOperator(email);
    const keys = sampleKeys();
    expect([...keys.keys()]).toEqual(['63941885', '63941886']);

    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1366, height: 800 } });
    const page = await context.newPage();
    onTestFailed(async () => {
      await shot(page, 'failed');
    });
    const watch = await watchPage(page, [
      { status: 401, path: '/api/session' },
      { status: 409, path: '/api/customers' },
      { status: 400, path: '/api/devices' },
      { status: 400, path: '/api/devices/count' },
    ]);
    await signInOperatorInBrowser(page, server, { email, password: operatorPassword, totpSecret: operator.totpSecret }, 'en');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['Home', 'EKS', 'Customers', 'Import', 'Check telegram', 'Requests', 'Superusers', 'Outbox', 'API tokens', 'Settings', 'Audit trail', 'Profile']);

    // Customers: a new account; the same number again is refused at the number field.
    await nav.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.toBe('H1');
    await page.getByText('There are no customer accounts yet.').waitFor();
    const create = page.getByRole('region', { name: 'New customer account' });
    await create.getByRole('button', { name: 'Create customer account' }).click();
    await create.getByText('Enter the customer number.').waitFor();
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('customer-new-customerNo');
    await create.getByLabel('Customer number').fill('K-1000');
    await create.getByLabel('Name', { exact: true }).fill('Stadtwerke Musterstadt');
    await create.getByLabel('Contact e-mail (optional)').fill('zaehler@stadtwerke.example');
    await create.getByRole('button', { name: 'Create customer account' }).click();
    await create.getByText('Customer account K-1000 (Stadtwerke Musterstadt) is created.').waitFor();
    const customers = page.getByRole('table', { name: 'Customer accounts' });
    await customers.getByRole('row', { name: /K-1000 Stadtwerke Musterstadt/ }).waitFor();
    await create.getByLabel('Customer number').fill('K-1000');
    await create.getByLabel('Name', { exact: true }).fill('Doppelt');
    await create.getByRole('button', { name: 'Create customer account' }).click();
    await create.getByText('A customer account with this number already exists.').waitFor();
    await expect(create.getByLabel('Customer number').getAttribute('aria-invalid')).resolves.toBe('true');
    await shot(page, 'customers');
    // Its own page: edit the name.
    await customers.getByRole('link', { name: 'K-1000' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customer account K-1000' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Stadtwerke Musterstadt GmbH');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('The changes are saved.').waitFor();
    await page.getByText('Stadtwerke Musterstadt GmbH', { exact: true }).waitFor();

    // Import: the real sample KEM for this customer; the bar goes to done.
    await nav.getByRole('link', { name: 'Import' }).click();
    await page.getByRole('heading', { level: 1, name: 'Import' }).waitFor();
    await page.getByText('A KEM file is protected only by its password', { exact: false }).waitFor();
    await expect(page.getByLabel('KEM password').getAttribute('type')).resolves.toBe('password');
    await expect(page.getByLabel('KEM password').getAttribute('autocomplete')).resolves.toBe('off');
    // A wrong password first: the import fails, stores nothing, and says why.
    await page.getByLabel('File', { exact: true }).setInputFiles(kemPath);
    await page.getByLabel('KEM password').fill('falsch');
    await page.getByLabel('Customer number (optional)').fill('K-1000');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText('The password does not open this KEM file.').waitFor({ timeout: 30_000 });
    await shot(page, 'import-failed');
    await page.getByRole('button', { name: 'Import another file' }).click();
    // A CSV with bad rows: every problem listed by row, nothing stored.
    const badCsv = `${csvOfMeters(2).replace(/,DEK,\w+\n$/, ',DEK,1234\n')}70000099,KAM,meter,heat,MULTICAL 403,,,A-77,LS-2026-11,K-404,DEK,${'ab'.repeat(16)}\n`;
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(badCsv) });
    await page.getByLabel('KEM password').fill('');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { level: 2, name: 'Import failed' }).waitFor({ timeout: 30_000 });
    await page.getByText('The file was not imported: 2 rows are invalid. Nothing was stored.').waitFor();
    const problems = page.getByRole('table', { name: 'Problems in the file' });
    await expect(problems.getByRole('row').count()).resolves.toBeGreaterThanOrEqual(3);
    await expect(problems.getByRole('row').nth(1).textContent()).resolves.toMatch(/^3/);
    await shot(page, 'import-rejected');
    await page.getByRole('button', { name: 'Import another file' }).click();
    await page.getByLabel('File', { exact: true }).setInputFiles(kemPath);
    await page.getByLabel('KEM password').fill(kemPassword);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { level: 2, name: 'Import finished' }).waitFor({ timeout: 30_000 });
    const bar = page.getByRole('progressbar', { name: 'Import progress' });
    await expect(bar.evaluate((el) => [Number(el.getAttribute('value')), Number(el.getAttribute('max'))])).resolves.toEqual([1, 1]);
    await page.getByText('2 devices created').waitFor();
    await page.getByText('2 keys created').waitFor();
    const recent = page.getByRole('table', { name: 'The newest 50 imports' });
    await recent.getByRole('row', { name: /kamstrup-sample\.kem KEM succeeded 2 2/ }).waitFor();
    await recent.getByRole('row', { name: /kamstrup-sample\.kem KEM failed 0 0/ }).waitFor();
    await shot(page, 'import-done');

    // More devices to page through (through the API; the page above already proved the upload).
    const more = await server.app.inject({
      method: 'POST',
      url: '/api/imports?fileName=more.csv&wait=true',
      headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrfToken, 'content-type': 'text/csv' },
      payload: csvOfMeters(60),
    });
    expect(more.statusCode, more.body).toBe(200);

    // EKS, filtered by the customer from the import's link.
    await page.getByRole('link', { name: 'Show the devices of this customer account' }).click();
    await page.getByRole('heading', { level: 1, name: 'EKS' }).waitFor();
    expect(new URL(page.url()).search).toBe('?customerNo=K-1000');
    const devices = page.getByRole('table', { name: /Devices/ });
    await devices.getByRole('row', { name: /63941885/ }).waitFor();
    await expect(devices.getByRole('row').count()).resolves.toBe(3);
    await expect(devices.getByRole('row', { name: /63941886/ }).textContent()).resolves.toContain('MULTICAL 21');
    await expect(devices.getByRole('row', { name: /63941886/ }).textContent()).resolves.toContain('Stadtwerke Musterstadt');
    await page.getByText('2 matching devices').waitFor();
    await expect(page.getByLabel('Customer number').inputValue()).resolves.toBe('K-1000');

    // All devices: 62, paged by 25 with the cursor, back and forth.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText('62 devices').waitFor();
    await page.getByLabel('Rows per page').selectOption('25');
    await page.getByText('Page 1, rows 1–25').waitFor();
    expect(new URL(page.url()).search).toBe('?limit=25');
    await expect(devices.getByRole('row').nth(1).textContent()).resolves.toContain('63941885');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2, rows 26–50').waitFor();
    await expect(devices.getByRole('row').nth(1).textContent()).resolves.toContain('70000023');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 3, rows 51–62').waitFor();
    await expect(page.getByRole('button', { name: 'Next page' }).getAttribute('aria-disabled')).resolves.toBe('true');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Next page');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 2, rows 26–50').waitFor();
    await expect(devices.getByRole('row').nth(1).textContent()).resolves.toContain('70000023');
    await shot(page, 'eks-en');

    // In German: sort, filter by serial prefix and by serial, open one device.
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByRole('heading', { level: 1, name: 'EKS' }).waitFor();
    const geraete = page.getByRole('table', { name: /Geräte/ });
    await page.getByRole('button', { name: 'Seriennummer' }).click();
    await page.getByText('Seite 1, Zeilen 1–25').waitFor();
    await expect(geraete.getByRole('columnheader', { name: 'Seriennummer' }).getAttribute('aria-sort')).resolves.toBe('descending');
    await expect(geraete.getByRole('row').nth(1).textContent()).resolves.toContain('70000059');
    // A serial the server cannot search for is named at its field.
    await page.getByLabel('Seriennummer', { exact: true }).fill('63 94');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.getByText('Nach diesem Wert kann nicht gesucht werden; prüfen Sie seine Form.').waitFor();
    await expect(page.getByLabel('Seriennummer', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByLabel('Seriennummer', { exact: true }).fill('6394*');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.getByText('2 passende Geräte').waitFor();
    await expect(geraete.getByRole('row').nth(1).textContent()).resolves.toContain('63941886');
    await page.getByLabel('Seriennummer', { exact: true }).fill('63941885');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.getByText('1 passendes Gerät').waitFor();
    expect(new URLSearchParams(new URL(page.url()).search).get('serial')).toBe('63941885');
    await expect(geraete.getByRole('row').count()).resolves.toBe(2);
    await shot(page, 'eks-de');
    // The filtered view is a bookmark: a reload shows the same.
    await page.reload();
    await page.getByText('1 passendes Gerät').waitFor();
    await geraete.getByRole('link', { name: '63941885' }).click();

    // The device and its DEK; mark it compromised (a reason is required).
    await page.getByRole('heading', { level: 1, name: 'Gerät 63941885' }).waitFor();
    await expect(page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'EKS' }).getAttribute('aria-current')).resolves.toBe('page');
    const versions = page.getByRole('table', { name: 'Schlüsselversionen' });
    await expect(versions.getByRole('row', { name: /DEK/ }).textContent()).resolves.toContain('aktiv');
    await expect(versions.getByRole('row', { name: /DEK/ }).textContent()).resolves.toContain('128 Bit');
    await page.getByRole('button', { name: 'Zustand von DEK Version 1 ändern' }).click();
    const change = page.getByRole('region', { name: 'Zustand von DEK Version 1 ändern' });
    await expect(change.getByRole('radio').evaluateAll((radios) => radios.map((r) => r.getAttribute('value')))).resolves.toEqual(['suspended', 'deactivated', 'compromised']);
    await change.getByLabel('kompromittiert').check();
    await change.getByRole('button', { name: 'Zustand ändern' }).click();
    await change.getByText('Geben Sie an, warum der Schlüssel kompromittiert ist.').waitFor();
    await change.getByLabel('Grund').fill('Lieferschein mit Schlüssel per unverschlüsselter E-Mail verschickt');
    await shot(page, 'device-change');
    await change.getByRole('button', { name: 'Zustand ändern' }).click();
    await page.getByText('DEK Version 1 ist jetzt kompromittiert.').waitFor();
    await expect(versions.getByRole('row', { name: /DEK/ }).textContent()).resolves.toContain('Lieferschein mit Schlüssel per unverschlüsselter E-Mail verschickt');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Gerät 63941885' }).waitFor();
    await expect(versions.getByRole('row', { name: /DEK/ }).textContent()).resolves.toContain('kompromittiert');
    await shot(page, 'device-de');

    // Telegram check in German: that meter's key is no longer active.
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Telegramm prüfen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Telegramm prüfen' }).waitFor();
    await page.getByRole('button', { name: 'Prüfen' }).click();
    await page.getByText('Fügen Sie zuerst ein Telegramm ein.').waitFor();
    await page.getByLabel('Telegramm (hex)').fill(mc21Telegram('63941885', keys.get('63941885') ?? Buffer.alloc(16)));
    await page.getByRole('button', { name: 'Prüfen' }).click();
    await page.getByText('Das Gerät hat keinen aktiven Schlüssel für dieses Telegramm.').waitFor();

    // In English: the other meter decrypts; a byte-reversed key is named as such.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check telegram' }).waitFor();
    const key86 = keys.get('63941886') ?? Buffer.alloc(16);
    await page.getByLabel('Telegram (hex)').fill(mc21Telegram('63941886', key86));
    await page.getByRole('button', { name: 'Check' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await result.getByText('The key decrypts this telegram.').waitFor();
    await result.getByRole('heading', { level: 3, name: 'Decoded values' }).waitFor();
    await expect(result.getByRole('definition').count()).resolves.toBeGreaterThan(3);
    // Values for people: a label, the value in the language's number format with its unit, and
    // the wmbusmeters name beside it for those who know it (issue 11).
    const values = (region: Locator) =>
      region.locator('.reading .meta-row').evaluateAll((rows) =>
        rows.map((row) => [row.querySelector('.reading-label')?.textContent ?? '', row.querySelector('.field-name')?.textContent ?? '', row.querySelector('dd')?.textContent ?? '']),
      );
    await expect(values(result)).resolves.toEqual([
      ['Status', 'status', 'OK'],
      ['Total volume', 'total_m3', '123.456\u00a0m³'],
      ['Volume on the target date', 'target_m3', '120.000\u00a0m³'],
      ['Ambient temperature', 'external_temperature_c', '-3\u00a0°C'],
      ['Current alarms', 'current_status', 'none'],
      ['Time dry', 'time_dry', 'none'],
      ['Time with reverse flow', 'time_reversed', 'none'],
      ['Time leaking', 'time_leaking', 'none'],
      ['Time with a burst', 'time_bursting', 'none'],
    ]);
    await shot(page, 'telegram-decrypts');
    // The same in German.
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByRole('heading', { level: 1, name: 'Telegramm prüfen' }).waitFor();
    await page.getByRole('button', { name: 'Prüfen' }).click();
    const ergebnis = page.getByRole('region', { name: 'Ergebnis' });
    await ergebnis.getByText('Der Schlüssel entschlüsselt dieses Telegramm.').waitFor();
    await expect(values(ergebnis)).resolves.toEqual([
      ['Status', 'status', 'in Ordnung'],
      ['Gesamtvolumen', 'total_m3', '123,456\u00a0m³'],
      ['Volumen am Stichtag', 'target_m3', '120,000\u00a0m³'],
      ['Umgebungstemperatur', 'external_temperature_c', '-3\u00a0°C'],
      ['Aktuelle Alarme', 'current_status', 'keine'],
      ['Dauer trocken', 'time_dry', 'keine'],
      ['Dauer mit Rückfluss', 'time_reversed', 'keine'],
      ['Dauer mit Leckage', 'time_leaking', 'keine'],
      ['Dauer mit Rohrbruch', 'time_bursting', 'keine'],
    ]);
    await shot(page, 'telegram-decrypts-de');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check telegram' }).waitFor();
    await page.getByLabel('Telegram (hex)').fill(mc21Telegram('63941886', Buffer.from(key86).reverse()));
    await page.getByRole('button', { name: 'Check' }).click();
    await result.getByText('The key does not decrypt this telegram, but the byte-reversed key would.').waitFor();
    await result.getByText('byte-reversed', { exact: false }).first().waitFor();
    await page.getByLabel('Telegram (hex)').fill('00 11 22');
    await page.getByRole('button', { name: 'Check' }).click();
    await result.getByText('This is not a wireless M-Bus telegram that openeks can read.').waitFor();
    await shot(page, 'telegram-not');

    expect(watch.problems()).toEqual([]);
    await context.close();
  });
  it('shows a reader without rights no devices, no operator pages, and no device for a telegram', { timeout: 60_000 }, async () => {
    const email = 'leser@example.com';
    const password = 'Leser-Passwort 2026!';
    const now = server.clock.now().toISOString();
    await server.container.db.kysely
      .insertInto('users')
      .values({ id: 'usr_leser', email, name: 'Lea Leser', password_hash: await hashPassword(password), is_operator: 0, status: 'active', language: 'de', created_at: now, updated_at: now })
      .execute();
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1366, height: 800 } });
    const page = await context.newPage();
    const watch = await watchPage(page, [{ status: 401, path: '/api/session' }]);
    await page.goto(`${server.baseUrl}/eks`);
    await page.getByLabel('E-Mail').fill(email);
    await page.getByLabel('Passwort').fill(password);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { level: 1, name: 'EKS' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Hauptnavigation' });
    await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['Start', 'EKS', 'Telegramm prüfen', 'Superuser-Zugang', 'Protokoll', 'Profil']);
    await page.getByText('Für Sie sind noch keine Geräte sichtbar', { exact: false }).waitFor();
    await page.getByText('0 Geräte').waitFor();
    await page.goto(`${server.baseUrl}/import`);
    await page.getByRole('heading', { level: 1, name: 'Kein Zugriff' }).waitFor();
    await nav.getByRole('link', { name: 'Telegramm prüfen' }).click();
    await page.getByLabel('Telegramm (hex)').fill(mc21Telegram('63941886', sampleKeys().get('63941886') ?? Buffer.alloc(16)));
    await page.getByRole('button', { name: 'Prüfen' }).click();
    await page.getByText('Für Sie ist kein Gerät mit dieser Adresse sichtbar.').waitFor();
    await shot(page, 'reader-telegram');
    expect(watch.problems()).toEqual([]);
    await context.close();
  });
});
