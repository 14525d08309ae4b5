import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, startTestServer } from '../harness.js';
import { createActiveUser, goodPassword } from '../support/accounts.js';
import { storeDevice } from '../support/devices.js';
import { launchBrowser, watchPage } from './support/browser.js';

// "Protokoll" / "Audit trail" in Chromium (docs/audit-trail.md), in German and in English: a
// reader opens the page from the navigation and sees the grant record of his device, with who
// granted it; the device's own page links to its trail. Needs the built UI (`npm run build:web`).

const texts = {
  de: { locale: 'de-DE', signIn: 'Anmelden', email: 'E-Mail', password: 'Passwort', nav: 'Hauptnavigation', link: 'Protokoll', title: 'Protokoll', table: 'Protokolleinträge', granted: 'Leserechte zugeordnet', allowed: 'erlaubt', event: 'Ereignis', show: 'Anzeigen', keyChanged: 'Schlüsselstatus geändert', empty: 'Keine Einträge gefunden.', csv: 'CSV herunterladen', deviceTrail: 'Protokoll dieses Geräts' },
  en: { locale: 'en-GB', signIn: 'Sign in', email: 'E-mail', password: 'Password', nav: 'Main navigation', link: 'Audit trail', title: 'Audit trail', table: 'Audit records', granted: 'Read rights granted', allowed: 'allowed', event: 'Event', show: 'Show', keyChanged: 'Key state changed', empty: 'No records match.', csv: 'Download CSV', deviceTrail: "This device's trail" },
};

describe('the audit trail page in the browser', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let deviceId: string;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const customer = (await server.container.customers.create({ customerNo: '4711', name: 'Stadtwerke', ...asSystem })).id;
    deviceId = (await storeDevice(server.container, { manufacturer: 'KAM', serial: '20000001', customerAccountId: customer })).deviceId;
    await storeDevice(server.container, { manufacturer: 'KAM', serial: '20000002', customerAccountId: customer });
    for (const language of ['de', 'en'] as const) {
      await createActiveUser(server, { email: `leser-${language}@example.com`, language });
      await server.container.grants.assign({ ...asSystem, selection: { ids: [deviceId] }, email: `leser-${language}@example.com` });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const language of ['de', 'en'] as const) {
    it(`a reader sees the grant record of his device (${language})`, { timeout: 120_000 }, async () => {
      const x = texts[language];
      const context = await browser.newContext({ locale: x.locale, viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const watch = await watchPage(page, [{ status: 401, path: '/api/session' }]);
      await page.goto(`${server.baseUrl}/`);
      await page.getByRole('heading', { level: 1, name: x.signIn }).waitFor();
      await page.getByLabel(x.email).fill(`leser-${language}@example.com`);
      await page.getByLabel(x.password).fill(goodPassword);
      await page.getByRole('button', { name: x.signIn }).click();
      await page.getByRole('navigation', { name: x.nav }).getByRole('link', { name: x.link }).click();
      await page.getByRole('heading', { level: 1, name: x.title }).waitFor();
      const table = page.getByRole('table', { name: x.table });
      await table.waitFor();
      // The two grants of his meter (his and the other reader's, whom the page does not name) and
      // nothing of the other meter.
      const rows = await table.getByRole('row').allTextContents();
      expect(rows).toHaveLength(3);
      for (const row of rows.slice(1)) {
        expect(row).toContain(x.granted);
        expect(row).toContain('KAM 20000001');
        expect(row).toContain(x.allowed);
      }
      expect(rows.join(' ')).not.toContain('20000002');
      expect(rows.join(' ')).not.toContain(`leser-${language === 'de' ? 'en' : 'de'}@example.com`);
      await expect(page.getByRole('link', { name: x.csv }).getAttribute('href')).resolves.toBe('/api/audit.csv');

      // The event filter offers the labels; one without records shows none, and the CSV link follows.
      await page.getByLabel(x.event).selectOption({ label: x.keyChanged });
      await page.getByRole('button', { name: x.show }).click();
      await page.getByText(x.empty).waitFor();
      await expect(page.getByRole('link', { name: x.csv }).getAttribute('href')).resolves.toBe('/api/audit.csv?event=key.state_change');
      await page.goBack();
      await table.waitFor();

      // The device's page links to the trail filtered to it.
      await table.getByRole('link', { name: 'KAM 20000001' }).first().click();
      await page.getByRole('link', { name: x.deviceTrail }).click();
      await page.getByRole('heading', { level: 1, name: x.title }).waitFor();
      expect(new URL(page.url()).search).toBe(`?device=${deviceId}`);
      await expect(page.getByRole('link', { name: x.csv }).getAttribute('href')).resolves.toBe(`/api/audit.csv?device=${deviceId}`);
      // The filtered page loads after its heading shows.
      await expect.poll(() => page.getByRole('table', { name: x.table }).getByRole('row').count()).toBe(3);
      expect(watch.problems()).toEqual([]);
      await context.close();
    });
  }
});
