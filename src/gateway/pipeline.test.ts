import { describe, expect, it } from 'vitest';
import { VIF, encodeCompactRecords, encodeRecords, type RecordSpec } from '../../simulators/wmbus/record-encoder.js';
import { addressBytes, encodeKamstrupEll, type RadioAddress } from '../../simulators/wmbus/telegram-encoders.js';
import { hex, vectorOf } from '../../test/support/wmbus-vectors.js';
import type { GatewayEvent, GatewayResult, KeyLookup, KeySource, KeySourceStatus, Reading } from './gateway-types.js';
import { REPLAY_MAX_METERS, createGatewayPipeline, isReplay } from './pipeline.js';

// The gateway layer of the decode pipeline: every event name, replay detection (with the 8-bit
// access number's wraparound), the bounded replay memory. The key source is an in-test fake.

const mc21 = vectorOf('Kamstrup Multical 21');
const KEY = Buffer.from('C0938B9F2CA9672BCD0013FA6AC75F6E', 'hex');
const receivedAt = new Date('2026-12-04T12:00:00Z');

class FakeKeys implements KeySource {
  readonly missedCalls: string[] = [];
  constructor(public answer: (manufacturer: string, serial: string) => KeyLookup) {}
  lookup(manufacturer: string, serial: string): KeyLookup {
    return this.answer(manufacturer, serial);
  }
  lookupKeys(): never {
    throw new Error('the wM-Bus pipeline looks up DEKs only');
  }
  missed(manufacturer: string, serial: string): void {
    this.missedCalls.push(`${manufacturer}-${serial}`);
  }
  status(): KeySourceStatus {
    return { state: 'fresh', devices: 0, lastSyncAt: null, expiresAt: null, lastError: null };
  }
  async close(): Promise<void> {}
}

const keysOf = (...keys: Buffer[]) => new FakeKeys(() => ({ kind: 'keys', keys }));
const heard = (telegram: Buffer) => ({ telegram, rssiDbm: -71, receivedAt, link: 'stick0' });

function reading(r: GatewayResult): Reading {
  if (r.kind !== 'reading') throw new Error(`expected a reading, got the event ${r.event.name}: ${r.event.reason}`);
  return r.reading;
}
function event(r: GatewayResult): GatewayEvent {
  if (r.kind !== 'event') throw new Error('expected an event, got a reading');
  return r.event;
}

const LAYOUT = (litres: number): RecordSpec[] => [
  { bytes: 4, vif: VIF.volumeLitre, value: litres },
  { bytes: 2, vif: VIF.flowTempC, value: 11 },
];
const kam = (id: string): RadioAddress => ({ manufacturer: 'KAM', id, version: 0x1b, deviceType: 0x16 });

function kamFrame(acc: number, opts: { id?: string; litres?: number; frame?: 'full' | 'compact' } = {}): Buffer {
  const specs = LAYOUT(opts.litres ?? 1_000 + acc);
  const application = opts.frame === 'compact' ? Buffer.concat([Buffer.from([0x79]), encodeCompactRecords(specs)]) : Buffer.concat([Buffer.from([0x78]), encodeRecords(specs)]);
  return encodeKamstrupEll({ address: kam(opts.id ?? '12345678'), key: KEY, cc: 0x20, acc, session: acc, application });
}

describe('createGatewayPipeline — readings and events', () => {
  it('a verified telegram is a reading with the meter key, signal, time, link, verification and access number', () => {
    const g = createGatewayPipeline({ keys: keysOf(hex(mc21.key)) });
    const r = reading(g.handle(heard(hex(mc21.telegram))));
    expect(r).toMatchObject({
      meterKey: 'KAM-76348799', driver: 'multical21', media: 'cold water', verified: 'crc', rssiDbm: -71, receivedAt, link: 'stick0', accessNumber: 0x91,
      meter: { manufacturer: 'KAM', id: '76348799', version: 0x1b, deviceType: 0x16 },
    });
    expect(r.fields).toMatchObject({ total_m3: 6.408 });
    expect(r).not.toHaveProperty('frameCounter');
    expect(reading(createGatewayPipeline({ keys: keysOf(hex(mc21.key)) }).handle({ telegram: hex(mc21.telegram), receivedAt, link: 'x' })).rssiDbm).toBeNull();
  });

  it('the key source\'s driver hint picks the driver', () => {
    const keys = new FakeKeys(() => ({ kind: 'keys', keys: [hex(mc21.key)], driverHint: 'generic' }));
    expect(reading(createGatewayPipeline({ keys }).handle(heard(hex(mc21.telegram)))).driver).toBe('generic');
  });

  it.each([
    ['no-right', 'no_right', 0],
    ['expired', 'keys_expired', 0],
    ['not-synced', 'unknown_key', 1],
  ] as const)('lookup %s → event %s (missed() called %d times)', (kind, name, missed) => {
    const keys = new FakeKeys(() => ({ kind }));
    const e = event(createGatewayPipeline({ keys }).handle(heard(hex(mc21.telegram))));
    expect(e).toMatchObject({ name, meterKey: 'KAM-76348799', meter: { id: '76348799' }, rssiDbm: -71, receivedAt, link: 'stick0' });
    expect(keys.missedCalls).toEqual(missed ? ['KAM-76348799'] : []);
  });

  it('keys looked up but none held for the meter: unknown_key, and the key source hears of the miss', () => {
    const keys = keysOf();
    expect(event(createGatewayPipeline({ keys }).handle(heard(hex(mc21.telegram))))).toMatchObject({ name: 'unknown_key', reason: 'no key for this meter' });
    expect(keys.missedCalls).toEqual(['KAM-76348799']);
  });

  it('a wrong key: decrypt_failed "wrong key"; a byte-reversed one: "the byte-reversed key would fit" — never the key itself', () => {
    const wrong = event(createGatewayPipeline({ keys: keysOf(Buffer.alloc(16, 7)) }).handle(heard(hex(mc21.telegram))));
    expect(wrong).toMatchObject({ name: 'decrypt_failed', reason: 'wrong key' });
    const rev = Buffer.from(hex(mc21.key)).reverse();
    const e = event(createGatewayPipeline({ keys: keysOf(rev) }).handle(heard(hex(mc21.telegram))));
    expect(e).toMatchObject({ name: 'decrypt_failed', reason: 'the byte-reversed key would fit', meterKey: 'KAM-76348799' });
    expect(JSON.stringify(e)).not.toContain(rev.toString('hex'));
    expect(JSON.stringify(e).toLowerCase()).not.toContain(mc21.key.toLowerCase());
  });

  it('a compact frame before its full frame: needs_full_frame; after it, a reading', () => {
    const g = createGatewayPipeline({ keys: keysOf(KEY) });
    expect(event(g.handle(heard(kamFrame(10, { frame: 'compact' }))))).toMatchObject({ name: 'needs_full_frame', meterKey: 'KAM-12345678' });
    expect(reading(g.handle(heard(kamFrame(11)))).fields).toMatchObject({ total_m3: 1.011 });
    expect(reading(g.handle(heard(kamFrame(12, { frame: 'compact' })))).fields).toMatchObject({ total_m3: 1.012 });
  });

  it('a bad telegram: bad_telegram with its code and byte offset, no meter when the header did not decode', () => {
    const e = event(createGatewayPipeline({ keys: keysOf(KEY) }).handle(heard(Buffer.from('0a442d2c998734761b1651', 'hex'))));
    expect(e).toMatchObject({ name: 'bad_telegram', code: 'unsupported-ci', offset: 10 });
    expect(e.reason).toContain('unsupported-ci at byte 10');
    expect(e).not.toHaveProperty('meterKey');
  });

  it('an unencrypted telegram is not published: not_encrypted', () => {
    const keys = keysOf(KEY);
    const rest = Buffer.concat([Buffer.from([0x44]), addressBytes(kam('87654321')), Buffer.from([0x78]), encodeRecords(LAYOUT(5))]);
    const e = event(createGatewayPipeline({ keys }).handle(heard(Buffer.concat([Buffer.from([rest.length]), rest]))));
    expect(e).toMatchObject({ name: 'not_encrypted', meterKey: 'KAM-87654321' });
    expect(keys.missedCalls).toEqual([]);
  });
});

describe('createGatewayPipeline — replays', () => {
  it('the same telegram twice: the second is counter_replay', () => {
    const g = createGatewayPipeline({ keys: keysOf(hex(mc21.key)) });
    reading(g.handle(heard(hex(mc21.telegram))));
    expect(event(g.handle(heard(hex(mc21.telegram))))).toMatchObject({ name: 'counter_replay', meterKey: 'KAM-76348799', reason: 'replayed telegram: access number 145, last accepted 145' });
  });

  it.each([
    [10, 11, 'reading'],
    [10, 9, 'counter_replay'],
    [250, 5, 'reading'], // wrapped: 11 ahead
    [5, 250, 'counter_replay'], // 11 behind across the wrap
    [0, 128, 'counter_replay'], // 128 behind: still a replay
    [0, 127, 'reading'], // 129 behind = 127 ahead
    [200, 72, 'counter_replay'],
    [200, 71, 'reading'],
  ])('last accepted access number %d, then %d → %s', (first, second, expected) => {
    const g = createGatewayPipeline({ keys: keysOf(KEY) });
    reading(g.handle(heard(kamFrame(first))));
    const r = g.handle(heard(kamFrame(second)));
    expect(r.kind === 'reading' ? 'reading' : r.event.name).toBe(expected);
  });

  it('the same access number with other bytes (a full and a compact frame of one access) is no replay', () => {
    const g = createGatewayPipeline({ keys: keysOf(KEY) });
    reading(g.handle(heard(kamFrame(40))));
    reading(g.handle(heard(kamFrame(40, { frame: 'compact' }))));
    expect(event(g.handle(heard(kamFrame(40, { frame: 'compact' }))))).toMatchObject({ name: 'counter_replay' });
  });

  it('a replay is not accepted: the last accepted counter stays', () => {
    const g = createGatewayPipeline({ keys: keysOf(KEY) });
    reading(g.handle(heard(kamFrame(100))));
    expect(event(g.handle(heard(kamFrame(60)))).name).toBe('counter_replay');
    expect(event(g.handle(heard(kamFrame(61)))).name).toBe('counter_replay');
    expect(reading(g.handle(heard(kamFrame(101)))).accessNumber).toBe(101);
  });

  it('meters are separate: one meter\'s counter does not make another\'s telegram a replay', () => {
    const g = createGatewayPipeline({ keys: keysOf(KEY) });
    reading(g.handle(heard(kamFrame(100, { id: '11111111' }))));
    expect(reading(g.handle(heard(kamFrame(50, { id: '22222222' })))).meterKey).toBe('KAM-22222222');
  });

  it('frame counters (AFL): must grow; equal with the same bytes is a replay, with other bytes not', () => {
    const t = Buffer.from('aa');
    const last = { accessNumber: 1, frameCounter: 1000, telegram: t };
    expect(isReplay(last, 200, 1001, Buffer.from('bb'))).toBe(false);
    expect(isReplay(last, 2, 999, Buffer.from('bb'))).toBe(true);
    expect(isReplay(last, 1, 1000, Buffer.from('aa'))).toBe(true);
    expect(isReplay(last, 1, 1000, Buffer.from('bb'))).toBe(false);
    expect(isReplay({ ...last, frameCounter: undefined }, 0, 5, Buffer.from('bb'))).toBe(true); // no counter before: the access number decides
  });

  it(`remembers at most ${REPLAY_MAX_METERS} meters: the least recently heard one is forgotten`, () => {
    const g = createGatewayPipeline({ keys: keysOf(KEY) });
    const first = kamFrame(7, { id: '30000000' });
    reading(g.handle(heard(first)));
    for (let i = 1; i <= REPLAY_MAX_METERS; i++) reading(g.handle(heard(kamFrame(7, { id: String(30_000_000 + i) }))));
    // Meter 30000000 was forgotten: its old telegram is taken again; the most recent meter's is not.
    expect(reading(g.handle(heard(first))).meterKey).toBe('KAM-30000000');
    expect(event(g.handle(heard(kamFrame(7, { id: String(30_000_000 + REPLAY_MAX_METERS) })))).name).toBe('counter_replay');
  });
});
