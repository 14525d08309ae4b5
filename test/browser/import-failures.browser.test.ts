import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_CSV_HEADER } from '../../src/shared/inventory/key-csv-columns.js';
import { kamstrupSampleKem } from '../fixtures/fixture-files.js';
import { operatorPassword, startTestServer } from '../harness.js';
import { launchBrowser, watchPage } from './support/browser.js';
import { signInOperatorInBrowser } from './support/operator.js';

// A failed import as a German operator reads it (issue 11, "Also seen by a new user"): the row
// reasons in German, the count of bad rows in words that fit it, a KEM file that did not open
// listed as KEM, and a progress bar that shows how far the import read and that it failed.
// Needs the built UI (`npm run build:web`).

const screenshots = process.env['OPENEKS_SCREENSHOTS'];

const meter = (serial: string, key: string) => `${serial},KAM,meter,heat,MULTICAL 403,,,A-77,LS-2026-11,,DEK,${key}`;
const goodKey = 'ab'.repeat(16);

describe('a failed import in the browser, in German', () => {
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

  it('names each problem in German, counts the bad rows in fitting words, lists a failed KEM as KEM and shows what was read', { timeout: 120_000 }, async () => {
    const email = 'import@example.com';
    const operator = await server.signInOperator(email);
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const watch = await watchPage(page, [{ status: 401, path: '/api/session' }]);
    await signInOperatorInBrowser(page, server, { email, password: operatorPassword, totpSecret: operator.totpSecret }, 'de');
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Import' }).click();
    await page.getByRole('heading', { level: 1, name: 'Import' }).waitFor();
    const bar = page.getByRole('progressbar', { name: 'Fortschritt des Imports' });
    const problems = page.getByRole('table', { name: 'Probleme in der Datei' });

    // One bad row: its reason in German, "1 Zeile ist ungültig".
    const oneBad = `${[KEY_CSV_HEADER, meter('70000001', goodKey), meter('70000002', '1234')].join('\n')}\n`;
    await page.getByLabel('Datei', { exact: true }).setInputFiles({ name: 'eine.csv', mimeType: 'text/csv', buffer: Buffer.from(oneBad) });
    await page.getByRole('button', { name: 'Importieren' }).click();
    await page.getByRole('heading', { level: 2, name: 'Import fehlgeschlagen' }).waitFor({ timeout: 30_000 });
    await page.getByText('Die Datei wurde nicht importiert: 1 Zeile ist ungültig. Es wurde nichts gespeichert.').waitFor();
    await expect(problems.getByRole('row').allTextContents()).resolves.toEqual(['ZeileFeldGrund', '3keyEin Schlüssel hat 32 oder 64 Hexadezimalziffern (16 oder 32 Byte), nicht 4.']);
    // The whole file was read before the row was refused: the bar says how much, and that it failed.
    await expect(bar.evaluate((el) => [Number(el.getAttribute('value')), Number(el.getAttribute('max'))])).resolves.toEqual([Buffer.byteLength(oneBad), Buffer.byteLength(oneBad)]);
    await expect(bar.getAttribute('class')).resolves.toContain('progress-failed');
    await page.getByText(/^Fehlgeschlagen nach \d+ Byte von \d+ Byte, 2 Zeilen gelesen\.$/).waitFor();
    await page.getByRole('button', { name: 'Weitere Datei importieren' }).click();

    // Two bad rows, one of them an unknown customer account: plural, and the number named.
    const twoBad = `${[KEY_CSV_HEADER, meter('70000003', 'XYZ'), meter('70000004', goodKey).replace(',,DEK,', ',K-404,DEK,')].join('\n')}\n`;
    await page.getByLabel('Datei', { exact: true }).setInputFiles({ name: 'zwei.csv', mimeType: 'text/csv', buffer: Buffer.from(twoBad) });
    await page.getByRole('button', { name: 'Importieren' }).click();
    await page.getByText('Die Datei wurde nicht importiert: 2 Zeilen sind ungültig. Es wurde nichts gespeichert.').waitFor({ timeout: 30_000 });
    await expect(problems.getByRole('row').allTextContents()).resolves.toEqual([
      'ZeileFeldGrund',
      '2keyEin Schlüssel besteht nur aus Hexadezimalziffern (0–9, A–F).',
      '3customer_noEs gibt kein Kundenkonto K-404; legen Sie es zuerst an.',
    ]);
    await page.getByRole('button', { name: 'Weitere Datei importieren' }).click();

    // A KEM file with the wrong password: nothing was read, the bar says so, and the list says KEM.
    await page.getByLabel('Datei', { exact: true }).setInputFiles(kamstrupSampleKem.path);
    await page.getByLabel('KEM-Passwort').fill('falsch');
    await page.getByRole('button', { name: 'Importieren' }).click();
    await page.getByText('Das Passwort öffnet diese KEM-Datei nicht.').waitFor({ timeout: 30_000 });
    const [value, max] = await bar.evaluate((el) => [Number(el.getAttribute('value')), Number(el.getAttribute('max'))]);
    expect(max).toBeGreaterThan(1);
    expect(value).toBeLessThan(max);
    await expect(bar.getAttribute('class')).resolves.toContain('progress-failed');
    const recent = page.getByRole('table', { name: 'Die neuesten 50 Importe' });
    await recent.getByRole('row', { name: /kamstrup-sample\.kem KEM fehlgeschlagen 0 0/ }).waitFor();
    await expect(recent.getByText('unbekannt').count()).resolves.toBe(0);
    if (screenshots) await page.screenshot({ path: `${screenshots}/import-failed-de.png`, fullPage: true });

    expect(watch.problems()).toEqual([]);
    await context.close();
  });
});
