import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { asSystem, startTestServer } from '../harness.js';
import { auditOf, createActiveUser, goodPassword, tokenIn } from '../support/accounts.js';
import { storeDevice } from '../support/devices.js';
import { activeGrants, userByEmail } from '../support/grants.js';
import { mailTo as mailOver, startSmtpServer, type TestSmtpServer } from '../support/smtp.js';
import { launchBrowser, watchPage } from './support/browser.js';
import { enrolTotpInBrowser } from './support/two-factor.js';
import { envVar } from '../../src/lib/env-vars.js';

// The guide's "Verteilen der Verschlüsselungsschlüssel an Kunden – Leserechte bearbeiten" in
// Chromium, once in German and once in English, with the mail going over real SMTP (docs/grants.md,
// issue 12): a superuser ticks meters on two pages of the EKS page → "Leserechte bearbeiten" →
// "Zuordnen" → types an address without an account → the invitation arrives → the invitee
// completes the registration → sees exactly those meters and their keys → the superuser removes
// one → the reader's next page no longer shows it. Needs the built UI (`npm run build:web`).

const screenshots = process.env['OPENEKS_SCREENSHOTS'];

const texts = {
  de: {
    locale: 'de-DE',
    signIn: 'Anmelden',
    email: 'E-Mail',
    password: 'Passwort',
    total: '30 Geräte',
    selected: (n: number) => `${n} ausgewählt`,
    allSelected: 'Alle 30 Treffer ausgewählt',
    selectAll: 'Alle 30 Treffer auswählen',
    selectPage: 'Alle Zeilen dieser Seite auswählen',
    clear: 'Auswahl aufheben',
    selectRow: (serial: string) => `${serial} auswählen`,
    next: 'Nächste Seite',
    previous: 'Vorherige Seite',
    readersColumn: 'Leser',
    edit: 'Leserechte bearbeiten',
    panel: 'Leserechte der Auswahl',
    panelIntro: 'Wer die Schlüssel der 3 ausgewählten Geräte lesen kann.',
    nobody: 'Noch niemand kann die ausgewählten Geräte lesen.',
    assign: 'Zuordnen',
    dialog: 'Leserechte zuordnen',
    userEmail: 'Benutzer-E-Mail',
    cancel: 'Abbrechen',
    invalid: 'Bitte geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com.',
    self: 'Das ist Ihre eigene Adresse; Sie können diese Geräte bereits lesen.',
    granted: (email: string) => `3 Geräte für ${email} freigegeben (Einladung gesendet).`,
    readersTable: 'Leser der ausgewählten Geräte',
    invited: 'Einladung ausstehend',
    threeOfThree: '3 von 3',
    inviteSubject: (by: string) => `openeks: ${by} lädt Sie ein (Leserechte für 3 Geräte)`,
    registerTitle: 'Registrierung abschließen',
    invitedNote: 'Sie wurden eingeladen, die Schlüssel von 3 Geräten zu lesen',
    name: 'Name (Optional)',
    repeat: 'Passwort wiederholen',
    home: 'Willkommen',
    nav: 'Hauptnavigation',
    // The device table's name is its caption with the sorting hint (the readers table's has "Geräte" too).
    devicesTable: 'Zum Sortieren eine Spaltenüberschrift wählen.',
    twoDevices: '2 Geräte',
    threeDevices: '3 Geräte',
    device: (serial: string) => `Gerät ${serial}`,
    versions: 'Schlüsselversionen',
    oneOfOne: '1 von 1',
    removeLabel: (email: string) => `${email} von den ausgewählten Geräten entfernen`,
    removeTitle: 'Diesen Leser entfernen?',
    removeConfirm: 'Leserechte entfernen',
    removed: (email: string) => `${email} kann 1 Gerät nicht mehr lesen.`,
    revokedSubject: 'openeks: Leserechte für 1 Gerät entfernt',
    notFound: 'Nicht gefunden.',
    policyMet: 'Alle Regeln der Passwortrichtlinie sind erfüllt.',
    selectionGroup: 'Auswahl',
  },
  en: {
    locale: 'en-GB',
    signIn: 'Sign in',
    email: 'E-mail',
    password: 'Password',
    total: '30 devices',
    selected: (n: number) => `${n} selected`,
    allSelected: 'All 30 matching devices selected',
    selectAll: 'Select all 30 matching',
    selectPage: 'Select every row of this page',
    clear: 'Clear selection',
    selectRow: (serial: string) => `Select ${serial}`,
    next: 'Next page',
    previous: 'Previous page',
    readersColumn: 'Readers',
    edit: 'Edit read rights',
    panel: 'Read rights of the selection',
    panelIntro: 'Who can read the keys of the 3 selected devices.',
    nobody: 'Nobody can read the selected devices yet.',
    assign: 'Assign',
    dialog: 'Assign read rights',
    userEmail: 'User email',
    cancel: 'Cancel',
    invalid: 'Enter a valid e-mail address, such as name@example.com.',
    self: 'This is your own address; you can already read these devices.',
    granted: (email: string) => `3 devices granted to ${email} (invitation sent).`,
    readersTable: 'Readers of the selected devices',
    invited: 'Invitation pending',
    threeOfThree: '3 of 3',
    inviteSubject: (by: string) => `openeks: ${by} invites you (read rights for 3 devices)`,
    registerTitle: 'Complete registration',
    invitedNote: 'You were invited to read the keys of 3 devices',
    name: 'Name (Optional)',
    repeat: 'Repeat password',
    home: 'Welcome',
    nav: 'Main navigation',
    devicesTable: 'Sort by choosing a column heading.',
    twoDevices: '2 devices',
    threeDevices: '3 devices',
    device: (serial: string) => `Device ${serial}`,
    versions: 'Key versions',
    oneOfOne: '1 of 1',
    removeLabel: (email: string) => `Remove ${email} from the selected devices`,
    removeTitle: 'Remove this reader?',
    removeConfirm: 'Remove read rights',
    removed: (email: string) => `${email} can no longer read 1 device.`,
    revokedSubject: 'openeks: read rights for 1 device removed',
    notFound: 'Not found.',
    policyMet: 'All rules of the password policy are met.',
    selectionGroup: 'Selection',
  },
} as const;

const runs = {
  de: { customerNo: '4711', customerName: 'Stadtwerke Musterstadt', first: 70_000_001, superuser: { email: 'hanna.haendler@example.com', name: 'Hanna Händler' }, invitee: { email: 'kunde.muster@example.com', name: 'Karl Kunde', password: 'Schlüssel-Bund 2026!' } },
  en: { customerNo: '4712', customerName: 'Wohnbau Musterstadt eG', first: 71_000_001, superuser: { email: 'sam.dealer@example.com', name: 'Sam Dealer' }, invitee: { email: 'kim.customer@example.com', name: 'Kim Customer', password: 'Meter keys, 4 the win!' } },
} as const;

const bulk = { customerNo: '4713', first: 72_000_001, superuser: 'verwalter@example.com', reader: 'bestandskunde@example.com', invitee: 'nie.registriert@example.com' } as const;

describe('read rights in the browser (the guide’s distribution flow)', () => {
  let bulkCustomer = '';
  let smtp: TestSmtpServer;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer({ env: { [envVar.smtpUrl]: smtp.url.toString() } });
    browser = await launchBrowser();
    // Both superusers, each with 30 meters of his own customer account, and 5 meters of an account neither manages.
    const other = (await server.container.customers.create({ customerNo: '4799', name: 'Fremdkunde', ...asSystem })).id;
    for (let n = 0; n < 5; n++) await storeDevice(server.container, { manufacturer: 'KAM', serial: String(79_000_001 + n), model: 'MULTICAL 21', customerAccountId: other, keys: [{ hex: '0f'.repeat(16) }] });
    for (const run of Object.values(runs)) {
      const customer = (await server.container.customers.create({ customerNo: run.customerNo, name: run.customerName, ...asSystem })).id;
      for (let n = 0; n < 30; n++) {
        const serial = String(run.first + n);
        await storeDevice(server.container, { manufacturer: 'KAM', serial, model: 'MULTICAL 21', customerAccountId: customer, keys: [{ hex: serial.repeat(4) }] });
      }
      const language = run === runs.de ? 'de' : 'en';
      const userId = await createActiveUser(server, { email: run.superuser.email, name: run.superuser.name, language });
      await server.container.db.kysely.insertInto('superuser_links').values({ user_id: userId, customer_account_id: customer, linked_by: null, request_id: null, created_at: server.clock.now().toISOString() }).execute();
    }
    bulkCustomer = (await server.container.customers.create({ customerNo: bulk.customerNo, name: 'Hausverwaltung Bulk', ...asSystem })).id;
    for (let n = 0; n < 26; n++) await storeDevice(server.container, { manufacturer: 'KAM', serial: String(bulk.first + n), model: 'MULTICAL 403', customerAccountId: bulkCustomer, keys: [{ hex: 'ab'.repeat(16) }] });
    const bulkUser = await createActiveUser(server, { email: bulk.superuser, language: 'en' });
    await server.container.db.kysely.insertInto('superuser_links').values({ user_id: bulkUser, customer_account_id: bulkCustomer, linked_by: null, request_id: null, created_at: server.clock.now().toISOString() }).execute();
    await createActiveUser(server, { email: bulk.reader, language: 'de' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  const mailTo = (address: string, subject: string) => mailOver(smtp, address, subject, { kick: () => server.container.mailDeliverer.kick() });

  const shot = async (page: Page, name: string) => {
    if (screenshots) await page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: true });
  };



  for (const language of ['de', 'en'] as const) {
    it(`walks the guide’s read rights in ${language === 'de' ? 'German' : 'English'}`, { timeout: 240_000 }, async () => {
      const x = texts[language];
      const run = runs[language];
      const serial = (n: number) => String(run.first + n - 1);
      const [a, b, c] = [serial(2), serial(3), serial(27)];

      // The superuser signs in with the second factor he must set up, and lands on the EKS page asked for.
      const suContext = await browser.newContext({ locale: x.locale, viewport: { width: 1366, height: 900 } });
      const su = await suContext.newPage();
      onTestFailed(async () => {
        await shot(su, `read-rights-failed-superuser-${language}`);
      });
      const suWatch = await watchPage(su, [
        { status: 401, path: '/api/session' },
        { status: 400, path: '/api/grants' },
      ]);
      await su.goto(`${server.baseUrl}/eks?limit=25`);
      await su.getByRole('heading', { level: 1, name: x.signIn }).waitFor();
      await su.getByLabel(x.email).fill(run.superuser.email);
      await su.getByLabel(x.password).fill(goodPassword);
      await su.getByRole('button', { name: x.signIn }).click();
      await enrolTotpInBrowser(su, server.clock, language);
      await su.getByRole('heading', { level: 1, name: 'EKS' }).waitFor();
      await su.getByText(x.total, { exact: true }).waitFor();
      const table = su.getByRole('table', { name: x.devicesTable });
      await expect.poll(() => table.getByRole('rowheader').count()).toBe(25);
      await su.getByRole('columnheader', { name: x.readersColumn }).waitFor();
      const selectionSize = su.getByRole('group', { name: x.selectionGroup }).getByRole('status');
      await expect(selectionSize.textContent()).resolves.toBe(x.selected(0));
      // Nothing selected: "Leserechte bearbeiten" does not apply yet.
      await expect(su.getByRole('button', { name: x.edit }).getAttribute('aria-disabled')).resolves.toBe('true');
      await su.getByRole('button', { name: x.edit }).click({ force: true });
      await expect(su.getByRole('region', { name: x.panel }).count()).resolves.toBe(0);
      // Only his own customer's meters.
      await expect(su.getByText('79000001').count()).resolves.toBe(0);

      // Ticking the page offers "select all 30 matching", which keeps the filter; clearing empties it.
      await su.getByRole('checkbox', { name: x.selectPage }).check();
      await expect(selectionSize.textContent()).resolves.toBe(x.selected(25));
      await su.getByRole('button', { name: x.selectAll }).click();
      await expect.poll(() => selectionSize.textContent()).toBe(x.allSelected);
      await su.getByRole('button', { name: x.clear }).click();
      await expect.poll(() => selectionSize.textContent()).toBe(x.selected(0));
      await expect(su.getByRole('checkbox', { name: x.selectRow(serial(1)) }).isChecked()).resolves.toBe(false);

      // Two meters on the first page, one on the second: the selection spans the pages.
      await su.getByRole('checkbox', { name: x.selectRow(a) }).check();
      await su.getByRole('checkbox', { name: x.selectRow(b) }).check();
      await expect.poll(() => selectionSize.textContent()).toBe(x.selected(2));
      await su.getByRole('button', { name: x.next }).click();
      await su.getByRole('checkbox', { name: x.selectRow(c) }).check();
      await expect.poll(() => selectionSize.textContent()).toBe(x.selected(3));
      await su.getByRole('button', { name: x.previous }).click();
      await expect.poll(() => su.getByRole('checkbox', { name: x.selectRow(a) }).isChecked()).toBe(true);
      await expect(su.getByRole('checkbox', { name: x.selectRow(serial(1)) }).isChecked()).resolves.toBe(false);
      await shot(su, `read-rights-selection-${language}`);

      // "Leserechte bearbeiten": nobody reads them yet. "Zuordnen" opens the guide's dialog.
      await su.getByRole('button', { name: x.edit }).click();
      const panel = su.getByRole('region', { name: x.panel });
      await panel.getByText(x.panelIntro).waitFor();
      await panel.getByText(x.nobody, { exact: false }).waitFor();
      await panel.getByRole('button', { name: x.assign, exact: true }).click();
      const dialog = su.getByRole('dialog', { name: x.dialog });
      await dialog.waitFor();
      await expect(su.evaluate(() => document.activeElement?.id)).resolves.toBe('assign-email');
      await dialog.getByRole('button', { name: x.cancel }).waitFor();
      // A malformed address is named at the field before anything is sent; his own is refused by the server.
      await dialog.getByLabel(x.userEmail).fill('kunde@');
      await dialog.getByRole('button', { name: x.assign, exact: true }).click();
      await dialog.getByText(x.invalid).waitFor();
      await expect(dialog.getByLabel(x.userEmail).getAttribute('aria-invalid')).resolves.toBe('true');
      await dialog.getByLabel(x.userEmail).fill(run.superuser.email);
      await dialog.getByRole('button', { name: x.assign, exact: true }).click();
      await dialog.getByText(x.self).waitFor();
      // Nothing stored: no account for the invitee yet, no read right.
      expect(await userByEmail(server, run.invitee.email)).toBeUndefined();
      await shot(su, `read-rights-dialog-${language}`);

      // An address without an account: granted, invitation sent.
      await dialog.getByLabel(x.userEmail).fill(run.invitee.email);
      await dialog.getByRole('button', { name: x.assign, exact: true }).click();
      await panel.getByText(x.granted(run.invitee.email)).waitFor();
      await expect(dialog.isVisible()).resolves.toBe(false);
      const readers = panel.getByRole('table', { name: x.readersTable });
      const readerRow = readers.getByRole('row', { name: run.invitee.email });
      await readerRow.getByText(x.invited).waitFor();
      await readerRow.getByText(x.threeOfThree).waitFor();
      await readerRow.getByText(run.superuser.email, { exact: false }).waitFor();
      // The reader column counts the new reader on the selected rows only.
      const readerCount = (s: string) => table.getByRole('row', { name: s }).getByRole('cell').last().textContent();
      await expect.poll(() => readerCount(a)).toBe('1');
      await expect(readerCount(serial(1))).resolves.toBe('0');
      await shot(su, `read-rights-readers-${language}`);
      const invitee = await userByEmail(server, run.invitee.email);
      expect(invitee).toMatchObject({ status: 'pending', language });
      const deviceIds = async (serials: string[]) =>
        (await server.container.db.kysely.selectFrom('devices').select('id').where('serial', 'in', serials).execute()).map((d) => d.id).sort();
      expect(await activeGrants(server, invitee?.id ?? '')).toEqual(await deviceIds([a, b, c]));

      // The invitation over SMTP, in the superuser's language: a link, never a password.
      const by = `${run.superuser.name} (${run.superuser.email})`;
      const mail = await mailTo(run.invitee.email, x.inviteSubject(by));
      expect(mail.subject).toBe(x.inviteSubject(by));
      expect(mail.text).not.toContain(goodPassword);
      const token = tokenIn(mail.text, 'http://localhost:8080/register/complete');

      // The invitee completes the registration, the e-mail fixed.
      const readerContext = await browser.newContext({ locale: x.locale, viewport: { width: 1366, height: 900 } });
      const reader = await readerContext.newPage();
      onTestFailed(async () => {
        await shot(reader, `read-rights-failed-reader-${language}`);
      });
      const readerId = invitee?.id ?? '';
      const [removedId] = await deviceIds([a]);
      const readerWatch = await watchPage(reader, [
        { status: 401, path: '/api/session' },
        { status: 404, path: `/api/devices/${removedId}` },
      ]);
      await reader.goto(`${server.baseUrl}/register/complete#token=${token}`);
      await reader.getByRole('heading', { level: 1, name: x.registerTitle }).waitFor();
      await reader.getByText(x.invitedNote).waitFor();
      const emailField = reader.getByLabel(x.email, { exact: true });
      await expect(emailField.inputValue()).resolves.toBe(run.invitee.email);
      await expect(emailField.getAttribute('readonly')).resolves.not.toBeNull();
      await reader.getByLabel(x.name).fill(run.invitee.name);
      await reader.getByLabel(x.password, { exact: true }).fill(run.invitee.password);
      await reader.getByLabel(x.repeat).fill(run.invitee.password);
      await reader.getByText(x.policyMet).waitFor({ timeout: 15_000 });
      await shot(reader, `read-rights-invitation-${language}`);
      await reader.getByRole('button', { name: x.registerTitle }).click();
      await reader.getByRole('heading', { level: 1, name: x.home }).waitFor();
      expect(await userByEmail(server, run.invitee.email)).toMatchObject({ status: 'active', name: run.invitee.name });

      // Exactly those meters, no selection and no reader column; and their keys.
      await reader.getByRole('navigation', { name: x.nav }).getByRole('link', { name: 'EKS' }).click();
      await reader.getByText(x.threeDevices, { exact: true }).waitFor();
      const readerTable = reader.getByRole('table', { name: x.devicesTable });
      await expect.poll(() => readerTable.getByRole('rowheader').allTextContents()).toEqual([a, b, c]);
      await expect(reader.getByRole('checkbox').count()).resolves.toBe(0);
      await expect(reader.getByRole('columnheader', { name: x.readersColumn }).count()).resolves.toBe(0);
      await expect(reader.getByRole('button', { name: x.edit }).count()).resolves.toBe(0);
      await shot(reader, `read-rights-reader-eks-${language}`);
      await readerTable.getByRole('link', { name: c }).click();
      await reader.getByRole('heading', { level: 1, name: x.device(c) }).waitFor();
      await expect(reader.getByRole('table', { name: x.versions }).getByRole('row', { name: /DEK/ }).count()).resolves.toBe(1);
      await reader.goBack();

      // The superuser removes one meter from the reader.
      await su.getByRole('button', { name: x.clear }).click();
      await su.getByRole('checkbox', { name: x.selectRow(a) }).check();
      await su.getByRole('button', { name: x.edit }).click();
      const oneRow = panel.getByRole('table', { name: x.readersTable }).getByRole('row', { name: run.invitee.email });
      await oneRow.getByText(x.oneOfOne).waitFor();
      await oneRow.getByRole('button', { name: x.removeLabel(run.invitee.email) }).click();
      const confirm = su.getByRole('alertdialog', { name: x.removeTitle });
      await confirm.getByText(run.invitee.email, { exact: false }).waitFor();
      await confirm.getByRole('button', { name: x.removeConfirm }).click();
      await panel.getByText(x.removed(run.invitee.email)).waitFor();
      await panel.getByText(x.nobody, { exact: false }).waitFor();
      await expect.poll(() => readerCount(a)).toBe('0');
      await expect(readerCount(b)).resolves.toBe('1');
      await shot(su, `read-rights-removed-${language}`);
      expect(await activeGrants(server, readerId)).toEqual(await deviceIds([b, c]));

      // The reader's next page no longer shows it; its device page is gone for him.
      await reader.reload();
      await reader.getByText(x.twoDevices, { exact: true }).waitFor();
      await expect.poll(() => readerTable.getByRole('rowheader').allTextContents()).toEqual([b, c]);
      await reader.goto(`${server.baseUrl}/eks/devices/${removedId}`);
      await reader.getByRole('alert').getByText(x.notFound).waitFor();
      const revoked = await mailTo(run.invitee.email, x.revokedSubject);
      expect(revoked.subject).toBe(x.revokedSubject);

      // The trail: the grant, the invitation sent and accepted, the revocation.
      const ofReader = async (action: string) => (await auditOf(server, action)).filter((r) => r.target_id === readerId || (r.details ?? '').includes(readerId));
      expect(await ofReader('invitation.send')).toHaveLength(1);
      expect(await ofReader('invitation.accept')).toHaveLength(1);
      expect((await ofReader('grant.create')).length).toBeGreaterThanOrEqual(1);
      expect((await ofReader('grant.revoke')).length).toBeGreaterThanOrEqual(1);

      expect(suWatch.problems()).toEqual([]);
      expect(readerWatch.problems()).toEqual([]);
      await suContext.close();
      await readerContext.close();
    });
  }

  it('selects all matching, retries with the new count when the selection changed, and withdraws an invitation by removing everything', { timeout: 240_000 }, async () => {
    const x = texts.en;
    const context = await browser.newContext({ locale: x.locale, viewport: { width: 1366, height: 900 } });
    const su = await context.newPage();
    onTestFailed(async () => {
      await shot(su, 'read-rights-failed-bulk');
    });
    const watch = await watchPage(su, [
      { status: 401, path: '/api/session' },
      { status: 409, path: '/api/grants' },
      { status: 409, path: '/api/grants/readers' },
      { status: 410, path: '/api/registrations/inspect' },
    ]);
    await su.goto(`${server.baseUrl}/eks?limit=25`);
    await su.getByLabel(x.email).fill(bulk.superuser);
    await su.getByLabel(x.password).fill(goodPassword);
    await su.getByRole('button', { name: x.signIn }).click();
    await enrolTotpInBrowser(su, server.clock, 'en');
    await su.getByText('26 devices', { exact: true }).waitFor();
    const selectionSize = su.getByRole('group', { name: x.selectionGroup }).getByRole('status');

    // Not offered before the whole page is ticked; then "all 26 matching" is the filter, on every page.
    await expect(su.getByRole('button', { name: 'Select all 26 matching' }).count()).resolves.toBe(0);
    await su.getByRole('checkbox', { name: x.selectPage }).check();
    await su.getByRole('button', { name: 'Select all 26 matching' }).click();
    await expect.poll(() => selectionSize.textContent()).toBe('All 26 matching devices selected');
    await su.getByRole('button', { name: x.next }).click();
    await expect.poll(() => su.getByRole('checkbox', { name: x.selectRow(String(bulk.first + 25)) }).isChecked()).toBe(true);
    await su.getByRole('button', { name: x.edit }).click();
    const panel = su.getByRole('region', { name: x.panel });
    await panel.getByText('Who can read the keys of the 26 selected devices.').waitFor();
    await panel.getByRole('button', { name: x.assign, exact: true }).click();
    const dialog = su.getByRole('dialog', { name: x.dialog });
    await dialog.getByText('can read the keys of the 26 selected devices', { exact: false }).waitFor();

    // Meanwhile a 27th meter arrives for the account: the dialog says so, nothing is stored.
    await storeDevice(server.container, { manufacturer: 'KAM', serial: String(bulk.first + 26), model: 'MULTICAL 403', customerAccountId: bulkCustomer, keys: [{ hex: 'cd'.repeat(16) }] });
    await dialog.getByLabel(x.userEmail).fill(bulk.reader);
    await dialog.getByRole('button', { name: x.assign, exact: true }).click();
    await dialog.getByRole('alert').getByText('The selection changed meanwhile: the filter now matches 27 devices. Nothing was assigned.').waitFor();
    const reader = await userByEmail(server, bulk.reader);
    expect(await activeGrants(server, reader?.id ?? '')).toEqual([]);
    await shot(su, 'read-rights-changed-en');
    // Assigning the new count: an account gets the read rights at once, and a mail in its own language.
    await dialog.getByRole('button', { name: 'Assign 27 devices' }).click();
    await panel.getByText(`27 devices granted to ${bulk.reader}.`).waitFor();
    await expect.poll(() => selectionSize.textContent()).toBe('All 27 matching devices selected');
    const readers = panel.getByRole('table', { name: x.readersTable });
    const readerRow = readers.getByRole('row', { name: bulk.reader });
    await readerRow.getByText('Active').waitFor();
    await readerRow.getByText('27 of 27').waitFor();
    expect(await activeGrants(server, reader?.id ?? '')).toHaveLength(27);
    const granted = await mailTo(bulk.reader, 'openeks: Leserechte für 27 Geräte');
    expect(granted.subject).toBe('openeks: Leserechte für 27 Geräte');

    // An invitation, then "Remove everything" of that reader: the invitation is withdrawn.
    await panel.getByRole('button', { name: x.assign, exact: true }).click();
    await dialog.getByLabel(x.userEmail).fill(bulk.invitee);
    await dialog.getByRole('button', { name: x.assign, exact: true }).click();
    await panel.getByText(`27 devices granted to ${bulk.invitee} (invitation sent).`).waitFor();
    const invitation = await mailTo(bulk.invitee, `openeks: ${bulk.superuser} invites you (read rights for 27 devices)`);
    const token = tokenIn(invitation.text, 'http://localhost:8080/register/complete');
    const invitee = await userByEmail(server, bulk.invitee);
    await readers.getByRole('button', { name: `Remove every read right of ${bulk.invitee}` }).click();
    await storeDevice(server.container, { manufacturer: 'KAM', serial: String(bulk.first + 27), model: 'MULTICAL 403', customerAccountId: bulkCustomer, keys: [{ hex: 'ef'.repeat(16) }] });
    const confirm = su.getByRole('alertdialog', { name: 'Remove every read right of this reader?' });
    await confirm.getByText('A pending invitation is cancelled.', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: x.removeConfirm }).click();
    await panel.getByText(`${bulk.invitee} can no longer read 27 devices.`).waitFor();
    // A 28th meter arrived before the panel reloads its readers: it says so and takes the new count on request.
    await panel.getByRole('alert').getByText('The selection changed meanwhile: the filter now matches 28 devices. Nothing was changed.').waitFor();
    await panel.getByRole('button', { name: 'Select these 28 devices' }).click();
    await expect.poll(() => selectionSize.textContent()).toBe('All 28 matching devices selected');
    await readers.getByRole('row', { name: bulk.reader }).getByText('27 of 28').waitFor();
    await expect(readers.getByRole('row', { name: bulk.invitee }).count()).resolves.toBe(0);
    expect(await activeGrants(server, invitee?.id ?? '')).toEqual([]);
    expect(await activeGrants(server, reader?.id ?? '')).toHaveLength(27);
    expect((await auditOf(server, 'invitation.cancel')).map((r) => r.target_id)).toEqual([invitee?.id]);
    await su.goto(`${server.baseUrl}/register/complete#token=${token}`);
    await su.getByRole('alert').getByText('This invitation was withdrawn: the read rights it offered were removed.').waitFor();
    await su.getByText('Please ask the person who invited you to assign the read rights again.').waitFor();
    await expect(su.getByRole('link', { name: 'Ask for a new activation link' }).count()).resolves.toBe(0);
    await shot(su, 'read-rights-withdrawn-en');

    expect(watch.problems()).toEqual([]);
    await context.close();
  });
});
