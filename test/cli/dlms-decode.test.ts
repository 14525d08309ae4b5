import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { vectorsOf } from '../support/protocol-vectors-of.js';

// `openeks dlms decode` in a child process with no database configured, on every DLMS vector of
// test/fixtures/protocol-vectors.json: exit 0 with the values the vector states; a wrong GAK or
// GUEK exits 1 saying the tag does not verify, printing nothing decrypted and no key.
const bin = fileURLToPath(new URL('../../bin/openeks.mjs', import.meta.url));
const run = promisify(execFile);

async function openeks(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'dlms', 'decode', ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const one = (kind: string) => {
  const v = vectorsOf(kind)[0];
  if (!v) throw new Error(kind);
  return v;
};
const gcm = one('dlms-gcm-encrypt');
const hls = one('dlms-hls-gmac');
const glo = one('dlms-glo-datanotification');
const ctr = one('dlms-glo-encryption-only');
const plain = one('dlms-hdlc-plain-push');
const GUEK = gcm.keys.EK ?? '';
const GAK = gcm.keys.AK ?? '';
const offByOne = (key: string) => `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
const TAG_FAILURE = 'openeks: the tag does not verify: wrong GUEK or GAK, or the bytes were altered (tag-mismatch); nothing was decrypted\n';

const dir = mkdtempSync(join(tmpdir(), 'openeks-dlms-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openeks dlms decode', () => {
  it('the Landis+Gyr general-glo DataNotification: verified by the GCM tag, invoke id 3, the date of the vector', async () => {
    const r = await openeks([glo.input_hex, '--guek', GUEK, '--gak', GAK, '--json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = JSON.parse(r.stdout) as { security: Record<string, unknown>; apdu: Record<string, unknown> };
    expect(out.security).toMatchObject({ tag: 'general-glo-ciphering', systemTitle: '4C475A0000BC614E', securityControl: '30', invocationCounter: 0x8c, verified: 'gcm-tag', decrypted: true });
    expect(out.apdu).toMatchObject({ tag: 'DataNotification', longInvokeIdAndPriority: 3 });
    expect(JSON.stringify(out.apdu.body)).toContain('5aecce87c084d029298ef6bc4c6097ed');
  });

  it('the keys may come from files or the environment instead of the command line', async () => {
    const guekFile = join(dir, 'guek');
    writeFileSync(guekFile, GUEK);
    const r = await openeks([glo.input_hex, '--guek-file', guekFile], { OPENEKS_DLMS_GAK: GAK });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verified=gcm-tag');
    expect(r.stdout).not.toContain(GUEK);
  });

  it('a wrong GAK, a wrong GUEK and an altered byte exit 1 saying the tag does not verify; nothing decrypted, no key printed', async () => {
    const altered = Buffer.from(glo.input_hex, 'hex');
    altered[40] = (altered[40] ?? 0) ^ 0x01;
    const runs = await Promise.all([
      openeks([glo.input_hex, '--guek', GUEK, '--gak', offByOne(GAK)]),
      openeks([glo.input_hex, '--guek', offByOne(GUEK), '--gak', GAK]),
      openeks([altered.toString('hex'), '--guek', GUEK, '--gak', GAK]),
    ]);
    for (const r of runs) {
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toBe(TAG_FAILURE);
    }
  });

  it('the Austrian encryption-only APDU (SC 21, no tag): decrypted with the GUEK alone, said to be unauthenticated, 1.8.0 = 9108 Wh', async () => {
    const r = await openeks([ctr.input_hex, '--guek', ctr.keys.EK ?? '', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { security: Record<string, unknown>; apdu: Record<string, unknown>; fields?: Record<string, unknown> };
    expect(out.security).toMatchObject({ systemTitle: '4B464D1010000023', securityControl: '21', invocationCounter: 0x295b9a, verified: 'none (encryption only: not authenticated)' });
    expect(out.apdu).toMatchObject({ tag: 'DataNotification', longInvokeIdAndPriority: 0x29b2dc });
    expect(out.fields).toMatchObject({ total_energy_consumption_kwh: 9.108 });
  });

  it('without keys a ciphered APDU is shown as such, exit 0', async () => {
    const r = await openeks([glo.input_hex]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('decrypted=false');
    expect(r.stdout).toContain('ciphered: give the GUEK and the GAK');
  });

  it('the Nordic plain HDLC push: the UI frame and the fields of its list', async () => {
    const r = await openeks([plain.input_hex, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { frame: Record<string, unknown>; apdu: Record<string, unknown>; fields: Record<string, unknown> };
    expect(out.frame).toMatchObject({ control: 'UI', dest: '32', length: 581 });
    expect(out.apdu).toMatchObject({ tag: 'DataNotification', longInvokeIdAndPriority: 0x40000000, dateTime: null });
    expect(out.fields).toMatchObject({ power_consumption_kw: 1.122, total_energy_consumption_kwh: 10049.926 });
  });

  it("the Green Book glo-GET request: with the client's system title, verified and decoded (clock, attribute 2)", async () => {
    const apdu = `c81e30${gcm.keys.invocation_counter}${String(gcm.expected.ciphertext_and_tag)}`;
    const r = await openeks([apdu, '--guek', GUEK, '--gak', GAK, '--system-title', gcm.keys.system_title ?? '', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { security: Record<string, unknown>; apdu: Record<string, unknown> };
    expect(out.security).toMatchObject({ tag: 'glo-GET-Request', invocationCounter: 0x01234567, verified: 'gcm-tag' });
    expect(out.apdu).toMatchObject({ tag: 'GET-Request', kind: 'normal', classId: 8, obis: '0-0:1.0.0.255', attribute: 2 });
    const without = await openeks([apdu, '--guek', GUEK, '--gak', GAK]);
    expect(without.code).toBe(0);
    expect(without.stdout).toContain('give --system-title');
    const wrong = await openeks([apdu, '--guek', GUEK, '--gak', GAK, '--system-title', '4D4D4D0000BC614F']);
    expect(wrong).toMatchObject({ code: 1, stderr: TAG_FAILURE });
  });

  it("the HLS-GMAC vector's reply_to_HLS_authentication (ACTION class 15, method 1) carrying f(StoC)", async () => {
    const fStoC = `10${hls.keys.invocation_counter}${String(hls.expected.tag)}`;
    const apdu = `c301c1000f0000280000ff01010911${fStoC}`;
    const r = await openeks([apdu, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { apdu: Record<string, unknown> };
    expect(out.apdu).toMatchObject({ tag: 'ACTION-Request', classId: 15, obis: '0-0:40.0.0.255', method: 1, parameters: fStoC });
  });

  it('every hdlc-frame and xdlms-apdu vector decodes, exit 0', async () => {
    const inputs = [...vectorsOf('hdlc-frame').map((v) => v.input_hex), ...vectorsOf('xdlms-apdu').flatMap((v) => [v.input_hex, String(v.expected.get_response_hex)])];
    const results = await Promise.all(inputs.map((hex) => openeks([hex, '--json'])));
    results.forEach((r) => expect(r).toMatchObject({ code: 0, stderr: '' }));
    const [snrm, ua, aarq, aare, getReq, getRsp] = results.map((r) => JSON.parse(r.stdout) as Record<string, Record<string, unknown>>);
    expect(snrm?.frame).toMatchObject({ control: 'SNRM', dest: '1/17', src: '16' });
    expect(ua?.frame).toMatchObject({ control: 'UA', parameters: { maxInfoTx: 154, maxInfoRx: 154, windowTx: 1, windowRx: 1 } });
    expect(aarq?.apdu).toMatchObject({ tag: 'AARQ' });
    expect(aare?.apdu).toMatchObject({ tag: 'AARE', result: 0 });
    expect(getReq?.apdu).toMatchObject({ tag: 'GET-Request', classId: 1, obis: '0-0:43.1.0.255', attribute: 2 });
    expect(getRsp?.apdu).toMatchObject({ tag: 'GET-Response', kind: 'normal', data: 5009 });
  });

  it('bytes that are no frame and no APDU exit 1 with the code and the byte; bad hex is a usage error (2)', async () => {
    const broken = Buffer.from(vectorsOf('hdlc-frame')[0]?.input_hex ?? '', 'hex');
    broken[7] = (broken[7] ?? 0) ^ 0xff; // the FCS
    const r = await openeks([broken.toString('hex')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^openeks: not a DLMS frame or APDU: .* \(bad-fcs at byte \d+ of the frame\)\n$/);
    expect((await openeks(['7ea0x'])).code).toBe(2);
  });
});
