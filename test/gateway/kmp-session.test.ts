import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmpError, encodeGetRegisterResponse, encodeGetSerialNoResponse, getRegisterRequest, getSerialNoRequest, kmpFields, type KmpRegisterValue } from '../../drivers/kmp/index.js';
import { KMP_BITS_PER_BYTE, MULTICAL603_SIMULATED_TYPE, startKmpMeter, type KmpMeterHandle } from '../../simulators/kmp/multical603.js';
import { openKmpSession, type KmpSession } from '../../src/gateway/link/kmp-session.js';

// The gateway's KMP session against the simulated MULTICAL 603 over a real socat pseudo-terminal
// (and a TCP port): what is read is what the meter holds, retries, the echo of a probe, no answer.

const SERIAL = 19088743;
let meter: KmpMeterHandle;
let session: KmpSession;

beforeAll(async () => {
  meter = await startKmpMeter({ serial: SERIAL, seed: 42, transport: 'pty' });
  session = await openKmpSession({ kind: 'serial', path: meter.devicePath ?? '' }, { timeoutMs: 400, retries: 2 });
});
afterAll(async () => {
  await session.close();
  await meter.close();
});

function asMeterHolds(values: ReadonlyMap<number, { unit: number; value: number | string }>, rids: readonly number[]): Array<{ rid: number; unit: number; text: string }> {
  return rids.flatMap((rid) => {
    const r = values.get(rid);
    return r ? [{ rid, unit: r.unit, text: String(Number(r.value)) }] : [];
  });
}
const brief = (rs: readonly KmpRegisterValue[]) => rs.map((r) => ({ rid: r.rid, unit: r.unit, text: r.text }));

describe('KMP session ↔ simulated MULTICAL 603 on a pseudo-terminal', () => {
  it('polls serial, type and ten registers in two requests; the values are the meter\'s', async () => {
    const r = await session.poll();
    const held = meter.values();
    expect(r.serial).toBe(String(SERIAL));
    expect(r.meterType).toBe(MULTICAL603_SIMULATED_TYPE.meterType);
    expect(brief(r.registers)).toEqual(asMeterHolds(held, [60, 63, 68, 74, 80, 86, 87, 89, 99, 1004]));
    expect(r.fields).toEqual(kmpFields(r.registers));
    expect(r.fields.total_energy_consumption_kwh).toBe(held.get(60)?.value);
    expect(r.fields.volume_flow_m3h).toBe(Number(held.get(74)?.value) / 1000); // l/h → m³/h
    // Requests: GetSerialNo 6 + GetType 6 + GetRegister of 8 and of 2 (each a stuffed frame).
    expect(r.bytesSent).toBe(getSerialNoRequest().length * 2 + getRegisterRequest([60, 63, 68, 74, 80, 86, 87, 89]).length + getRegisterRequest([99, 1004]).length);
    expect(r.bytesReceived).toBeGreaterThan(80);
    // The answer of 8 registers alone is longer on the line than the 400 ms timeout: it was not cut
    // off because the timeout restarts with every byte heard.
    const eightAnswer = encodeGetRegisterResponse([60, 63, 68, 74, 80, 86, 87, 89].map((rid) => ({ rid, ...(held.get(rid) ?? { unit: 0, value: 0 }) })));
    expect((eightAnswer.length * KMP_BITS_PER_BYTE * 1000) / 1200).toBeGreaterThan(400);
  });

  it('reads values that grow from poll to poll, and leaves out registers the meter does not have', async () => {
    const a = await session.poll([60, 68, 4242, 1004]);
    const b = await session.poll([60, 68, 4242, 1004]);
    expect(a.registers.map((r) => r.rid)).toEqual([60, 68, 1004]);
    expect(Number(b.fields.total_energy_consumption_kwh)).toBeGreaterThanOrEqual(Number(a.fields.total_energy_consumption_kwh));
    expect(Number(b.fields.total_volume_m3)).toBeGreaterThanOrEqual(Number(a.fields.total_volume_m3));
  });

  it('retries a request the meter did not answer', async () => {
    const before = meter.answered();
    meter.ignoreRequests(1);
    const t0 = performance.now();
    const r = await session.poll([60]);
    expect(r.serial).toBe(String(SERIAL));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390); // one timeout of 400 ms (timer granularity)
    expect(meter.answered() - before).toBe(3);
    expect(r.bytesSent).toBe(getSerialNoRequest().length * 3 + getRegisterRequest([60]).length);
  });

  it('retries an answer with a broken CRC at once, without waiting for the timeout', async () => {
    await session.close(); // one session at a time on the device; this one waits 3 s for silence
    const patient = await openKmpSession({ kind: 'serial', path: meter.devicePath ?? '' }, { timeoutMs: 3000, retries: 2 });
    try {
      const before = meter.answered();
      meter.corruptAnswers(1);
      const t0 = performance.now();
      const r = await patient.poll([60]);
      const took = performance.now() - t0;
      expect(r.registers.map((v) => v.rid)).toEqual([60]);
      expect(meter.answered() - before).toBe(4); // GetSerialNo twice, GetType, GetRegister
      const lineMs = ((r.bytesSent + r.bytesReceived) * KMP_BITS_PER_BYTE * 1000) / 1200;
      expect(took).toBeLessThan(lineMs + 1500); // a timeout would have added 3000 ms
    } finally {
      await patient.close();
      session = await openKmpSession({ kind: 'serial', path: meter.devicePath ?? '' }, { timeoutMs: 400, retries: 2 });
    }
  });

  it("rejects with KmpError 'bad-crc' when every attempt's answer is broken", async () => {
    meter.corruptAnswers(3);
    const err = await session.poll([60]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KmpError);
    expect((err as KmpError).code).toBe('bad-crc');
    expect((err as KmpError).where).toBe('data-link');
  });

  it("rejects with KmpError 'no-answer' after the retries, and the next poll works", async () => {
    meter.ignoreRequests(3);
    const err = await session.poll([60]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KmpError);
    expect((err as KmpError).code).toBe('no-answer');
    expect((await session.poll([86])).registers.map((r) => r.rid)).toEqual([86]);
  });

  it('refuses a register id that is not 16 bits before sending a byte', async () => {
    const err = await session.poll([60, 70000]).catch((e: unknown) => e);
    expect((err as KmpError).code).toBe('bad-value');
    expect((err as KmpError).offset).toBe(5);
  });
});

describe('the simulated meter', () => {
  it('ignores a corrupted request and a request to another address, answers the next good one at 1200 baud', async () => {
    const own = await startKmpMeter({ serial: 7, seed: 1, transport: 'pty' });
    const port = new SerialPort({ path: own.devicePath ?? '', baudRate: 1200, stopBits: 2, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    try {
      const got: Buffer[] = [];
      port.on('data', (c: Buffer) => got.push(c));
      const bad = Buffer.from(getSerialNoRequest());
      bad[3] = (bad[3] ?? 0) ^ 0x01; // CRC broken
      port.write(bad);
      port.write(getSerialNoRequest(0x7f)); // the logger's address: not this meter
      await new Promise((r) => setTimeout(r, 300));
      expect(Buffer.concat(got).length).toBe(0);
      const t0 = performance.now();
      port.write(getSerialNoRequest());
      const expected = encodeGetSerialNoResponse(7);
      for (let i = 0; i < 200 && Buffer.concat(got).length < expected.length; i++) await new Promise((r) => setTimeout(r, 5));
      const took = performance.now() - t0;
      expect(Buffer.concat(got).toString('hex')).toBe(expected.toString('hex'));
      // Request (6 bytes) and answer (10 bytes) at 11 bits a byte and 1200 baud: 146.7 ms.
      expect(took).toBeGreaterThanOrEqual(((6 + expected.length) * KMP_BITS_PER_BYTE * 1000) / 1200 - 2);
      expect(own.answered()).toBe(1);
    } finally {
      await new Promise<void>((resolve) => port.close(() => resolve()));
      await own.close();
    }
  });

  it('an echoing probe over TCP: the session skips the echo', async () => {
    const own = await startKmpMeter({ serial: 123456, seed: 2, transport: 'tcp', echo: true });
    const s = await openKmpSession({ kind: 'tcp', host: '127.0.0.1', port: own.port ?? 0 }, { timeoutMs: 400, retries: 0 });
    try {
      const r = await s.poll([60, 86]);
      expect(r.serial).toBe('00123456'); // 8 digits, as the label and the wM-Bus id print it
      expect(r.registers.map((v) => v.rid)).toEqual([60, 86]);
      expect(r.bytesReceived).toBeGreaterThan(r.bytesSent); // the echo of every request, then the answers
    } finally {
      await s.close();
      await own.close();
    }
  });
});
