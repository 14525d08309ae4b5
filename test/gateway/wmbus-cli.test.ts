import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBenchConfig } from '../../simulators/bench-config.js';
import { startBench, type Bench } from '../../simulators/bench.js';
import { keysCsv } from '../../simulators/key-export.js';
import { cliCapture } from '../support/cli-capture.js';
import { runCli } from '../../src/cli/program.js';
import { parseKeysCsv } from '../../src/cli/wmbus-listen.js';
import { KEY_CSV_HEADER } from '../../src/shared/inventory/key-csv-columns.js';

// `openeks wmbus listen` reading a simulated bench over a pseudo-terminal, and `openeks simulate`.

const context = () => cliCapture();

let dir = '';
let bench: Bench | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-cli-'));
});
afterAll(async () => {
  await bench?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('openeks wmbus listen', () => {
  it('prints decrypted values for meters with a key, "encrypted" without, and refuses a wrong key', async () => {
    const config = await loadBenchConfig('config/bench.yaml');
    const [mc21, flowiq, mc403, oms] = config.meters;
    if (!mc21 || !flowiq || !mc403 || !oms) throw new Error('config/bench.yaml changed');
    bench = await startBench({ ...config, meters: config.meters.map((m) => ({ ...m, corruptShare: 0 })) }, { autoSend: false });
    const keys = join(dir, 'keys.csv');
    // flowIQ gets a wrong key, the OMS meter none at all
    await writeFile(keys, keysCsv([mc21, { ...flowiq, key: '0'.repeat(32) }, mc403]));
    const c = context();
    const done = runCli(['wmbus', 'listen', '--link', bench.link, '--stick', 'im871a', '--keys', keys, '--json', '--count', '4'], c.ctx);
    for (let i = 0; i < 500 && !c.stderr().includes('# listening on'); i += 1) await new Promise((r) => setTimeout(r, 10));
    const sent = [0, 1, 2, 3].map((i) => bench?.receiver.sendNow(i));
    expect(await done).toEqual({ exitCode: 0 });
    const lines = c.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.id, l.status])).toEqual([
      ['63941885', 'decrypted'],
      ['71502713', 'key-refused'],
      ['67123456', 'decrypted'],
      ['40312233', 'encrypted'],
    ]);
    const fields = lines[0]?.fields as Record<string, unknown>;
    expect(fields.total_m3).toBe(sent[0]?.values.total_m3);
    expect(fields.target_m3).toBe(sent[0]?.values.target_m3);
    expect(fields.flow_temperature_c).toBe(sent[0]?.values.flow_temperature_c);
    expect(lines[0]?.driver).toBe('multical21');
    expect(lines[2]?.driver).toBe('kamheat'); // wmbusmeters' name for every MULTICAL heat meter
    const heat = lines[2]?.fields as Record<string, unknown>;
    expect(JSON.stringify(heat)).toContain(String(sent[2]?.values.total_energy_consumption_kwh));
  });

  it('decodes a MULTICAL 21 compact frame heard after the same meter\'s full frame (one pipeline per session)', async () => {
    const config = await loadBenchConfig('config/bench.yaml');
    const [mc21] = config.meters;
    if (!mc21) throw new Error('config/bench.yaml changed');
    const own = await startBench({ ...config, meters: [{ ...mc21, corruptShare: 0 }] }, { autoSend: false });
    try {
      const keys = join(dir, 'keys-mc21.csv');
      await writeFile(keys, keysCsv([mc21]));
      const c = context();
      const done = runCli(['wmbus', 'listen', '--link', own.link, '--stick', 'im871a', '--keys', keys, '--json', '--count', '2'], c.ctx);
      for (let i = 0; i < 500 && !c.stderr().includes('# listening on'); i += 1) await new Promise((r) => setTimeout(r, 10));
      const full = own.receiver.sendNow(0);
      const compact = own.receiver.sendNow(0, { frame: 'compact' });
      expect(await done).toEqual({ exitCode: 0 });
      const lines = c.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => [l.id, l.status, l.driver, l.verified])).toEqual([
        ['63941885', 'decrypted', 'multical21', 'crc'],
        ['63941885', 'decrypted', 'multical21', 'crc'],
      ]);
      expect(lines[0]?.fields).toMatchObject({ total_m3: full.values.total_m3, target_m3: full.values.target_m3 });
      expect(lines[1]?.fields).toMatchObject({ total_m3: compact.values.total_m3, target_m3: compact.values.target_m3 });
    } finally {
      await own.close();
    }
  });

  it('refuses a bad link and an unknown stick with exit code 2', async () => {
    const c = context();
    expect(await runCli(['wmbus', 'listen', '--link', 'ttyUSB0', '--stick', 'im871a'], c.ctx)).toEqual({ exitCode: 2 });
    expect(await runCli(['wmbus', 'listen', '--link', '/dev/null', '--stick', 'nope'], c.ctx)).toEqual({ exitCode: 2 });
    expect(c.stderr()).toContain('--stick must be one of');
  });
});

describe('the --keys CSV', () => {
  const header = KEY_CSV_HEADER;

  it('keeps the DEKs by manufacturer and serial, and skips other key types', () => {
    const keys = parseKeysCsv(`${header}\n63941885,kam,meter,water-cold,MULTICAL 21,,,,,,DEK,C0938B9F2CA9672BCD0013FA6AC75F6E\n1,KAM,meter,heat,x,,,,,,GUEK,00\n`);
    expect([...keys.keys()]).toEqual(['KAM/63941885']);
    expect(keys.get('KAM/63941885')?.toString('hex')).toBe('c0938b9f2ca9672bcd0013fa6ac75f6e');
  });

  it.each([
    ['serial,key\n', /first line/],
    [`${header}\n1,KAM,meter\n`, /row 2 has 3 columns/],
    [`${header}\n1,KAM,meter,heat,x,,,,,,DEK,ABCD\n`, /row 2: a DEK is 32 hex digits/],
  ])('refuses a bad file', (text, message) => {
    expect(() => parseKeysCsv(text)).toThrow(message);
  });
});

describe('openeks simulate', () => {
  it('writes the keys as CSV and KEM and serves the bench', async () => {
    const config = join(dir, 'bench.yaml');
    const yaml = (await readFile('config/bench.yaml', 'utf8')).replace('kind: pty ', 'kind: tcp ');
    await writeFile(config, yaml);
    const c = context();
    const outcome = await runCli(
      ['simulate', '--config', config, '--write-keys', join(dir, 'k.csv'), '--write-kem', join(dir, 'k.kem'), '--kem-password', 'bench', '--seconds', '0.3'],
      c.ctx,
    );
    expect(c.stderr()).toBe('');
    expect(outcome).toEqual({ exitCode: 0 });
    expect(c.stdout()).toMatch(/simulated im871a with 4 meters on tcp:\/\/127\.0\.0\.1:\d+/);
    // Beside the stick: the MULTICAL 603 and the DLMS meters on their ptys, and the concentrator,
    // which has no token file here and says so as a JSON line.
    expect(c.stdout()).toMatch(/MULTICAL 603 60312345 \(KMP, 1200 8N2\) on \/\S+\/host\n/);
    expect(c.stdout()).toMatch(/OMNIPOWER 57012345 \(DLMS, system title 4B414D000365F079\) optical port on \/\S+\/host, HAN port on \/\S+\/host\n/);
    expect(c.stdout()).toContain(`concentrator: reads 57012346 with keys from http://127.0.0.1:8080 (token from ${join(dir, 'concentrator.token')})`);
    expect(c.stdout()).toMatch(/\{"concentrator":"sync-failed","message":"the concentrator token cannot be read: ENOENT/);
    expect(c.stdout()).toContain('{"concentrator":"no-key","serial":"57012346","message":"KAM 57012346: not read, no key sync has succeeded yet"}');
    expect(c.stdout()).toContain('keys written to ' + join(dir, 'k.csv') + ' (import CSV, 7 meters)');
    expect((await readFile(join(dir, 'k.csv'), 'utf8')).split('\n')).toHaveLength(11);
    expect(await readFile(join(dir, 'k.kem'), 'utf8')).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?><EncryptedData /);
  });
});
