import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { asSystem, startTestServer } from '../harness.js';
import { auditOf, createActiveUser, goodPassword } from '../support/accounts.js';
import { storeDevice } from '../support/devices.js';
import { launchBrowser, watchPage } from './support/browser.js';

// "API-Zugänge" / "API tokens" on the profile page in Chromium, in German and in English
// (docs/api-tokens.md): a reader creates a token, sees it once with the warning, a curl-like
// request from the test fetches a key with it, the list shows the last use and address, the
// reader revokes it with a confirmation, and the very next request is refused. Needs the built UI
// (`npm run build:web`).

const screenshots = process.env['OPENEKS_SCREENSHOTS'];

const texts = {
  de: {
    locale: 'de-DE',
    signIn: 'Anmelden',
    email: 'E-Mail',
    password: 'Passwort',
    profile: 'Profil',
    section: 'API-Zugänge',
    none: 'Sie haben noch keinen API-Zugang.',
    create: 'Token anlegen',
    dialog: 'API-Zugang anlegen',
    name: 'Name',
    days: 'Gültig für (Tage)',
    daysInvalid: 'Bitte geben Sie eine Zahl von 1 bis 365 Tagen ein.',
    nameRequired: 'Bitte geben Sie dem Token einen Namen.',
    gateway: 'Gateway',
    serial: 'Seriennummer oder Anfang',
    created: (name: string) => `Ihr neuer Token „${name}“`,
    warning: 'Kopieren Sie den Token jetzt. Er wird nicht noch einmal angezeigt',
    tokenLabel: 'API-Token',
    copy: 'Kopieren',
    copied: 'In die Zwischenablage kopiert.',
    done: 'Ich habe den Token kopiert',
    caption: 'Ihre API-Zugänge',
    neverUsed: 'Nie benutzt',
    active: 'Aktiv',
    revoked: 'Widerrufen',
    from: 'von 127.0.0.1',
    filter: 'serial=6100000*',
    revokeLabel: (name: string) => `Token ${name} widerrufen`,
    revokeTitle: 'Diesen Token widerrufen?',
    revokeConfirm: 'Token widerrufen',
    revokedNotice: (name: string) => `Der Token „${name}“ wurde widerrufen.`,
  },
  en: {
    locale: 'en-GB',
    signIn: 'Sign in',
    email: 'E-mail',
    password: 'Password',
    profile: 'Profile',
    section: 'API tokens',
    none: 'You have no API tokens yet.',
    create: 'Create token',
    dialog: 'Create an API token',
    name: 'Name',
    days: 'Valid for (days)',
    daysInvalid: 'Please enter a number of days from 1 to 365.',
    nameRequired: 'Please give the token a name.',
    gateway: 'Gateway',
    serial: 'Serial number or prefix',
    created: (name: string) => `Your new token “${name}”`,
    warning: 'Copy the token now. It will not be shown again',
    tokenLabel: 'API token',
    copy: 'Copy',
    copied: 'Copied to the clipboard.',
    done: 'I have copied the token',
    caption: 'Your API tokens',
    neverUsed: 'Never used',
    active: 'Active',
    revoked: 'Revoked',
    from: 'from 127.0.0.1',
    filter: 'serial=6100000*',
    revokeLabel: (name: string) => `Revoke token ${name}`,
    revokeTitle: 'Revoke this token?',
    revokeConfirm: 'Revoke token',
    revokedNotice: (name: string) => `The token “${name}” was revoked.`,
  },
} as const;

const runs = {
  de: { email: 'skript.leser@example.com', tokenName: 'Gateway Keller', serial: '61000001', other: '61000101', key: '0123456789abcdef0123456789abcdef' },
  en: { email: 'script.reader@example.com', tokenName: 'Basement gateway', serial: '61000002', other: '61000102', key: 'fedcba9876543210fedcba9876543210' },
} as const;

describe('API tokens in the browser', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  const devices: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const customer = (await server.container.customers.create({ customerNo: '4720', name: 'Stadtwerke Token', ...asSystem })).id;
    for (const [language, run] of Object.entries(runs)) {
      const userId = await createActiveUser(server, { email: run.email, language: language as 'de' | 'en' });
      for (const serial of [run.serial, run.other]) {
        const { deviceId } = await storeDevice(server.container, { manufacturer: 'KAM', serial, customerAccountId: customer, keys: [{ hex: serial === run.serial ? run.key : '00'.repeat(16) }] });
        devices[serial] = deviceId;
        await server.container.db.kysely.insertInto('grants').values({ device_id: deviceId, reader_id: userId, granted_by: null, granted_at: server.clock.now().toISOString(), revoked_at: null, revoked_by: null }).execute();
      }
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const shot = async (page: Page, name: string) => {
    if (screenshots) await page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: true });
  };

  /** A curl-like request: plain HTTP with the token, no browser, no cookie. */
  const fetchKeys = (token: string, deviceId: string) => fetch(`${server.baseUrl}/api/devices/${deviceId}/keys`, { headers: { authorization: `Bearer ${token}` } });

  for (const language of ['de', 'en'] as const) {
    it(`creates, shows once, uses and revokes a token in ${language === 'de' ? 'German' : 'English'}`, { timeout: 180_000 }, async () => {
      const x = texts[language];
      const run = runs[language];
      const context = await browser.newContext({ locale: x.locale, viewport: { width: 1366, height: 900 } });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
      const page = await context.newPage();
      onTestFailed(async () => {
        await shot(page, `api-tokens-failed-${language}`);
      });
      const watch = await watchPage(page, [{ status: 401, path: '/api/session' }]);

      await page.goto(`${server.baseUrl}/profile`);
      await page.getByRole('heading', { level: 1, name: x.signIn }).waitFor();
      await page.getByLabel(x.email).fill(run.email);
      await page.getByLabel(x.password).fill(goodPassword);
      await page.getByRole('button', { name: x.signIn }).click();
      await page.getByRole('heading', { level: 1, name: x.profile }).waitFor();
      const section = page.getByRole('region', { name: x.section });
      await section.getByText(x.none).waitFor();

      // The dialog: a missing name and an expiry beyond a year are named at their fields; nothing is stored.
      await section.getByRole('button', { name: x.create }).click();
      const dialog = page.getByRole('dialog', { name: x.dialog });
      await dialog.waitFor();
      await expect(dialog.getByLabel(x.days).inputValue()).resolves.toBe('90');
      await dialog.getByLabel(x.days).fill('400');
      await dialog.getByRole('button', { name: x.create }).click();
      await dialog.getByText(x.nameRequired).waitFor();
      await dialog.getByText(x.daysInvalid).waitFor();
      expect(await server.container.db.kysely.selectFrom('api_tokens').select('id').execute()).toHaveLength(language === 'de' ? 0 : 1);

      await dialog.getByLabel(x.name, { exact: true }).fill(run.tokenName);
      await dialog.getByLabel(x.days).fill('30');
      await dialog.getByRole('radio', { name: x.gateway }).check();
      await dialog.getByLabel(x.serial).fill(`${run.serial.slice(0, 7)}*`);
      await shot(page, `api-tokens-dialog-${language}`);
      await dialog.getByRole('button', { name: x.create }).click();

      // Shown once, with the plain warning and a copy button.
      const created = page.getByRole('region', { name: x.created(run.tokenName) });
      await created.waitFor();
      await created.getByText(x.warning, { exact: false }).waitFor();
      const token = await created.getByLabel(x.tokenLabel).inputValue();
      expect(token).toMatch(/^oeks_[A-Za-z0-9_-]{43}$/);
      await created.getByRole('button', { name: x.copy }).click();
      await created.getByText(x.copied).waitFor();
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(token);
      await shot(page, `api-tokens-created-${language}`);
      const row = section.getByRole('table', { name: x.caption }).getByRole('row').filter({ hasText: run.tokenName });
      await row.getByText(x.neverUsed).waitFor();
      await row.getByText(x.filter).waitFor();
      await row.getByText(x.active).waitFor();

      // A curl-like request with the token: the key of the device the filter lets through, no
      // cookie, no CSRF token; the other granted device lies outside the token's filter.
      const res = await fetchKeys(token, devices[run.serial] ?? '');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(((await res.json()) as { keys: Array<{ keyType: string; key: string }> }).keys).toEqual([expect.objectContaining({ keyType: 'DEK', key: run.key })]);
      expect((await fetchKeys(token, devices[run.other] ?? '')).status).toBe(404);
      expect((await auditOf(server, 'key.read')).at(-1)).toMatchObject({ target_id: devices[run.serial], auth_method: 'token' });

      // Dismissed, the token is gone from the page for good; the list shows the last use and address.
      await created.getByRole('button', { name: x.done }).click();
      await page.reload();
      await section.getByRole('table', { name: x.caption }).waitFor();
      expect(await page.content()).not.toContain(token);
      await row.getByText(x.from, { exact: false }).waitFor();

      // Revoke with a confirmation; the very next request is refused.
      await row.getByRole('button', { name: x.revokeLabel(run.tokenName) }).click();
      const confirm = page.getByRole('alertdialog', { name: x.revokeTitle });
      await confirm.waitFor();
      await confirm.getByRole('button', { name: x.revokeConfirm }).click();
      await section.getByText(x.revokedNotice(run.tokenName)).waitFor();
      await row.getByText(x.revoked, { exact: true }).waitFor();
      const refused = await fetchKeys(token, devices[run.serial] ?? '');
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
      await shot(page, `api-tokens-revoked-${language}`);

      expect(watch.problems()).toEqual([]);
      await context.close();
    });
  }
});
