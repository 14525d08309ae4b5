import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, signIn, type TestApp } from '../../test/harness.js';
import { createActiveUser, goodPassword } from '../../test/support/accounts.js';
import { post } from '../../test/support/grants.js';
import { simulate } from '../../src/cli/simulate.js';
import { systemPrincipal } from '../../src/core/access/principal.js';
import { loadBenchConfig } from '../bench-config.js';
import { startDlmsMeter, type DlmsMeterHandle } from '../dlms/omnipower.js';
import { keysCsv } from '../key-export.js';
import { createConcentrator, type Concentrator, type ConcentratorEvent } from './concentrator.js';

// The concentrator against a real core listening on loopback: the bench's keys imported from the
// CSV simulators/key-export.ts writes, granted to the concentrator's user, pulled with a token of
// kind concentrator through the key sync, then used to read the simulated DLMS meter over its pty
// (mode E, HLS-GMAC, suite 0). A revoked grant: after the next sync the key is gone and the
// concentrator says so instead of reading.

let t: TestApp;
let dir: string;
let meter: DlmsMeterHandle;
let concentrator: Concentrator;
let coreUrl: string;
let deviceId: string;
let readerId: string;
const events: ConcentratorEvent[] = [];
const OWNER = 'concentrator-owner@example.com';

beforeAll(async () => {
  t = await createTestApp();
  dir = await mkdtemp(join(tmpdir(), 'openeks-concentrator-'));
  const bench = await loadBenchConfig('config/bench.yaml');
  const target = bench.dlms?.find((m) => m.serial === bench.concentrator?.meters[0]);
  if (target === undefined) throw new Error('config/bench.yaml has no concentrator meter');
  // Import exactly what the bench exports for import (GUEK and GAK rows among the others).
  const csv = join(dir, 'bench-keys.csv');
  await writeFile(csv, keysCsv(bench.meters, bench), { mode: 0o600 });
  const started = await t.container.imports.start({ ...asSystem, path: csv, fileName: 'bench-keys.csv', newVersion: false });
  const view = await t.container.imports.settled({ ...asSystem, id: started.id });
  expect(view.status, JSON.stringify(view.problems)).toBe('succeeded');
  const { items } = await t.container.devices.list({ principal: systemPrincipal, actor: asSystem.actor, query: { serial: target.serial, manufacturer: 'KAM', limit: 2 } });
  deviceId = items[0]?.id ?? '';
  expect(items).toHaveLength(1);

  readerId = await createActiveUser(t, { email: OWNER });
  await t.container.grants.assign({ ...asSystem, selection: { ids: [deviceId] }, email: OWNER });
  const user = await signIn(t.app, OWNER, goodPassword);
  const created = await post(t, user, '/api/me/tokens', { name: 'Konzentrator Keller', kind: 'concentrator' });
  expect(created.statusCode, created.body).toBe(201);
  const tokenFile = join(dir, 'concentrator.token');
  await writeFile(tokenFile, `${created.json<{ token: string }>().token}\n`, { mode: 0o600 });
  coreUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });

  meter = await startDlmsMeter({
    serial: target.serial,
    keys: { ek: Buffer.from(target.guek, 'hex'), ak: Buffer.from(target.gak, 'hex') },
    authentication: 'hls-gmac',
    seed: 11,
    transport: 'pty',
  });
  concentrator = createConcentrator({
    coreUrl,
    token: () => readFile(tokenFile, 'utf8'),
    meters: [{ serial: target.serial, target: { kind: 'serial', path: meter.devicePath }, modeE: true }],
    syncSeconds: 60,
    pollSeconds: 60,
    onEvent: (e) => events.push(e),
  });
});
afterAll(async () => {
  await concentrator?.close();
  await meter?.close();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the concentrator with a real core', () => {
  it('reads nothing before its first sync, and says so', async () => {
    expect(await concentrator.readNow()).toEqual([]);
    expect(events.at(-1)).toEqual({ kind: 'no-key', serial: '57012346', message: 'KAM 57012346: not read, no key sync has succeeded yet' });
  });

  it('pulls the GUEK and GAK with its concentrator token, then reads the meter with them', async () => {
    const synced = await concentrator.syncNow();
    expect(synced).toEqual({ ok: true, full: true, devices: 1, changed: 1 });
    // Of the seven meters imported, the token holds the one granted: the other DLMS meter's keys stay in the core.
    expect(concentrator.keys.lookup('KAM', '57012345')).toEqual({ kind: 'no-right' });
    const held = concentrator.keys.lookup('KAM', '57012346');
    expect(held).toMatchObject({ kind: 'keys', versions: { GUEK: 1, GAK: 1 } });
    if (held.kind === 'keys') expect([held.guek.toString('hex').toUpperCase(), held.gak.toString('hex').toUpperCase()]).toEqual(['D14FA6A00934B38F6DDA51C84489E841', '28B4CA364E363405B2DEE73910FDEF01']);
    const [reading] = await concentrator.readNow();
    const raw = (short: string) => meter.registers().find((r) => r.short === short)?.raw ?? NaN;
    expect(reading).toMatchObject({ manufacturer: 'KAM', serial: '57012346' });
    expect(reading?.fields).toMatchObject({ total_energy_consumption_kwh: raw('1.8.0') / 1000, voltage_at_phase_3_v: raw('72.7.0') / 10 });
    // A second reading: the concentrator's counter went on rising, so the meter takes it.
    expect(await concentrator.readNow()).toHaveLength(1);
  });

  it('openeks simulate runs the concentrator: the token file beside the bench file, a reading printed as a JSON line', async () => {
    const yaml = (await readFile('config/bench.yaml', 'utf8'))
      .replace('kind: pty ', 'kind: tcp ')
      .replace('coreUrl: "http://127.0.0.1:8080"', `coreUrl: "${coreUrl}"`);
    const config = join(dir, 'bench.yaml');
    await writeFile(config, yaml);
    const lines: string[] = [];
    await simulate({ config, seconds: '2.5', write: (line) => lines.push(line) });
    const reading = lines.find((l) => l.startsWith('{"concentrator":"reading"'));
    expect(lines).toContain(`concentrator: reads 57012346 with keys from ${coreUrl} (token from ${join(dir, 'concentrator.token')})`);
    expect(lines).toContain('{"concentrator":"synced","full":true,"devices":1,"changed":1}');
    expect(JSON.parse(reading ?? '{}')).toMatchObject({ concentrator: 'reading', manufacturer: 'KAM', serial: '57012346', fields: { total_energy_consumption_kwh: expect.any(Number) } });
    expect(lines.join('\n')).not.toContain('D14FA6A00934B38F6DDA51C84489E841'); // never a key
  });

  it('a revoked grant: after the next sync the key is gone, and the concentrator says so rather than reading', async () => {
    // The simulate run above synced with the same token, so this concentrator's cursor is two answers
    // old: the core answers 410 sync_reset, and the concentrator starts over with a full answer.
    expect(await concentrator.syncNow()).toEqual({ ok: true, full: true, devices: 1, changed: 1 });
    await t.container.grants.revoke({ ...asSystem, readerId, selection: { ids: [deviceId] } });
    expect(concentrator.keys.lookup('KAM', '57012346').kind).toBe('keys'); // held until the next sync
    expect(await concentrator.syncNow()).toEqual({ ok: true, full: false, devices: 0, changed: 1 });
    expect(concentrator.keys.lookup('KAM', '57012346')).toEqual({ kind: 'no-right' });
    expect(await concentrator.readNow()).toEqual([]);
    expect(events.at(-1)).toEqual({ kind: 'no-key', serial: '57012346', message: 'KAM 57012346: not read, the concentrator token holds no keys for it (not granted, or revoked)' });
  });
});
