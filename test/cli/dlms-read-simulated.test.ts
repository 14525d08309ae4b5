import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDlmsMeter, type DlmsMeterEvent, type DlmsMeterHandle } from '../../simulators/dlms/omnipower.js';

// `openeks dlms read` in a child process against the simulated OMNIPOWER (simulators/dlms) on a
// real pseudo-terminal: through the optical eye (mode E: the 7E1 sign-on, the speed change) and on
// a plain HDLC line, HLS-GMAC with suite 0; the values printed are the meter's registers.
const bin = fileURLToPath(new URL('../../bin/openeks.mjs', import.meta.url));
const run = promisify(execFile);

const GUEK = '8409DBE84DC8B9C5DB18978723F64CF6';
const GAK = 'F440F8A6202FB144E57FB3F11D42D0CB';
let meter: DlmsMeterHandle;
const events: DlmsMeterEvent[] = [];

beforeAll(async () => {
  meter = await startDlmsMeter({ serial: '57012345', keys: { ek: Buffer.from(GUEK, 'hex'), ak: Buffer.from(GAK, 'hex') }, authentication: 'hls-gmac', seed: 7, transport: 'pty', onEvent: (e) => events.push(e) });
});
afterAll(async () => {
  await meter.close();
});

async function read(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'dlms', 'read', '--link', meter.devicePath, '--json', ...args], {
      env: { PATH: process.env.PATH ?? '', OPENEKS_DLMS_GUEK: GUEK, OPENEKS_DLMS_GAK: GAK },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const raw = (short: string) => meter.registers().find((r) => r.short === short)?.raw ?? NaN;

describe('openeks dlms read against the simulated meter', () => {
  it('through the optical eye in mode E: identification, HLS-GMAC, ciphered GETs, the registers the meter holds', async () => {
    const r = await read(['--mode-e', '--obis', '1.8.0,32.7.0,0.0.96.1.0', '--invocation-counter', '100']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { identification: string; systemTitle: string; meter: unknown; objects: Array<{ obis: string; value: unknown }>; fields: Record<string, unknown> };
    expect(out.identification).toBe('KAM OMNIPOWER');
    expect(out).toMatchObject({ systemTitle: '4B414D000365F079', meter: { manufacturer: 'KAM', serial: '57012345' } });
    expect(out.objects.map((o) => [o.obis, o.value])).toEqual([
      ['1-0:1.8.0.255', raw('1.8.0')],
      ['1-0:32.7.0.255', raw('32.7.0') / 10],
      ['0-0:96.1.0.255', '57012345'],
    ]);
    expect(out.fields).toMatchObject({ total_energy_consumption_kwh: raw('1.8.0') / 1000, meter_id: '57012345' });
    expect(events).toContainEqual({ kind: 'associated', mechanism: 'hls-gmac', ciphered: true });
  });

  it('on a plain HDLC line (no sign-on), and a wrong GAK is refused without a value', async () => {
    const r = await read(['--invocation-counter', '200']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { fields: Record<string, unknown> }).fields).toMatchObject({ total_energy_consumption_kwh: raw('1.8.0') / 1000 });
    const wrong = await read(['--gak', `${GAK.slice(0, -1)}0`, '--invocation-counter', '300']);
    expect(wrong).toMatchObject({ code: 1, stdout: '' });
    expect(wrong.stderr).toContain('(tag-mismatch)');
  });
});
