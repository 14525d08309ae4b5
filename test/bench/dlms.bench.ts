import { createDecipheriv } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { encodeDataNotification } from '../../drivers/dlms/apdu.js';
import type { DlmsData } from '../../drivers/dlms/axdr.js';
import { protect, wrapGeneralGlo, type SecurityKeys } from '../../drivers/dlms/cipher.js';
import { encodeHdlcPush } from '../../drivers/dlms/hdlc-frame.js';
import { createPushReader, type PushReader } from '../../drivers/dlms/notification.js';
import { createRng } from '../../src/lib/prng.js';
import { type Bench, type BenchContext, type BenchRow, interleavedRounds, median, row, seconds } from './kit.js';

// DLMS pushes per second through the push reader (drivers/dlms/notification.ts): 20,000
// general-glo-ciphered DataNotifications (SC 0x30, a Kamstrup-like list of 12 registers with a
// date-time, as an OMNIPOWER pushes on its HAN port) from 500 simulated meters, each with its own
// system title, GUEK and GAK and rising invocation counters — unwrap, keys looked up by system
// title, GCM tag verified and decrypted, replay guard, A-XDR, objects named and scaled, fields.
// Floor: raw node:crypto AES-128-GCM decryption of the same ciphertexts (setAAD, setAuthTag,
// update, final) with the IVs, AADs and tags prepared outside the timed loop. Interleaved in
// slices, median of rounds; one fresh reader per round (its replay guard would refuse a round's
// pushes heard again). Goal: ratio ≥ 0.3. A second row, for information: the same pushes in HDLC
// UI frames (FCS/HCS checked, LLC stripped) as a HAN port delivers them.

const PUSHES = 20_000;
const METERS = 500;
const WARMUP_ROUNDS = 2;
const ROUNDS = 9;
const SLICE = 2_000;

interface Sample {
  apdu: Buffer;
  frame: Buffer;
  titleHex: string;
  ek: Buffer;
  iv: Buffer;
  aad: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const obis = (hex: string): DlmsData => ({ type: 'octet-string', value: Buffer.from(hex, 'hex') });
const u32 = (value: number): DlmsData => ({ type: 'uint32', value });
const u16 = (value: number): DlmsData => ({ type: 'uint16', value });

function body(rng: ReturnType<typeof createRng>, energyWh: number): DlmsData {
  return {
    type: 'structure',
    value: [
      { type: 'visible-string', value: 'Kamstrup_V0001' },
      obis('0101000005ff'), { type: 'visible-string', value: '5706567000000000' },
      obis('0101010700ff'), u32(rng.int(6_000)), obis('0101020700ff'), u32(0),
      obis('0101030700ff'), u32(rng.int(500)), obis('0101040700ff'), u32(rng.int(500)),
      obis('01011f0700ff'), u32(rng.int(2_500)), obis('0101330700ff'), u32(rng.int(2_500)), obis('0101470700ff'), u32(rng.int(2_500)),
      obis('0101200700ff'), u16(225 + rng.int(10)), obis('0101340700ff'), u16(225 + rng.int(10)), obis('0101480700ff'), u16(225 + rng.int(10)),
      obis('0101010800ff'), u32(energyWh), obis('0101020800ff'), u32(0),
    ],
  };
}

function makeSamples(): { samples: Sample[]; keys: Map<string, SecurityKeys> } {
  const rng = createRng(15);
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => rng.int(256)));
  const meters = Array.from({ length: METERS }, (_, i) => {
    const title = Buffer.concat([Buffer.from('KAM'), Buffer.from([0, 0, 0, (i >> 8) & 0xff, i & 0xff])]);
    title.writeUIntBE(57_000_000 + i, 3, 5);
    return { title, keys: { ek: bytes(16), ak: bytes(16) }, ic: rng.int(1_000), energy: rng.int(10_000_000) };
  });
  const keys = new Map(meters.map((m) => [m.title.toString('hex'), m.keys]));
  const start = Date.UTC(2026, 11, 4, 12, 0, 0);
  const samples: Sample[] = [];
  for (let i = 0; i < PUSHES; i++) {
    const m = meters[i % METERS];
    if (m === undefined) throw new Error('no meter');
    m.ic += 1;
    m.energy += rng.int(200);
    const plaintext = encodeDataNotification({ longInvokeIdAndPriority: m.ic, dateTime: new Date(start + i * 10_000), deviationMinutes: -60, body: body(rng, m.energy) });
    const content = protect({ sc: 0x30, systemTitle: m.title, invocationCounter: m.ic, keys: m.keys, plaintext });
    const apdu = wrapGeneralGlo(m.title, content);
    const iv = Buffer.concat([m.title, content.subarray(1, 5)]);
    samples.push({
      apdu,
      frame: encodeHdlcPush(apdu, { dest: { upper: 0x10, size: 1 }, src: { upper: 1, lower: 0x11, size: 2 } }),
      titleHex: m.title.toString('hex'),
      ek: m.keys.ek,
      iv,
      aad: Buffer.concat([Buffer.from([0x30]), m.keys.ak]),
      ciphertext: Buffer.from(content.subarray(5, content.length - 12)),
      tag: Buffer.from(content.subarray(content.length - 12)),
    });
  }
  return { samples, keys };
}

type Variant = 'floor' | 'reader' | 'framed';
const VARIANTS: readonly Variant[] = ['floor', 'reader', 'framed'];

function floor(s: Sample): number {
  const d = createDecipheriv('aes-128-gcm', s.ek, s.iv, { authTagLength: 12 });
  d.setAAD(s.aad);
  d.setAuthTag(s.tag);
  const plain = d.update(s.ciphertext);
  d.final();
  return plain[0] ?? 0;
}

let sink = 0;

async function run({ log }: BenchContext): Promise<BenchRow[]> {
  const setupStart = performance.now();
  const { samples, keys } = makeSamples();
  const keysFor = (st: Buffer): SecurityKeys | undefined => keys.get(st.toString('hex'));
  // Results checked once: every push reads, verified by its tag, to the same fields framed or bare.
  const checkReader = createPushReader();
  const checkFramed = createPushReader();
  for (const [i, s] of samples.entries()) {
    const r = checkReader.read(s.apdu, keysFor);
    if (r.kind !== 'reading' || r.verified !== 'gcm-tag' || Object.keys(r.fields).length < 10) throw new Error(`push ${i}: ${r.kind === 'error' ? r.error.message : r.kind}`);
    const f = checkFramed.read(s.frame, keysFor);
    if (f.kind !== 'reading' || JSON.stringify(f.fields) !== JSON.stringify(r.fields)) throw new Error(`push ${i}: the framed push reads otherwise`);
    if (floor(s) !== 0x0f) throw new Error(`push ${i}: the floor did not decrypt a DataNotification`);
  }
  log(`setup: ${PUSHES.toLocaleString('en')} pushes (${samples[0]?.apdu.length ?? 0} bytes each) from ${METERS} meters, checked, in ${seconds(performance.now() - setupStart)}`);

  const readers = new Map<Variant, PushReader>();
  const timeSlice = (variant: Variant, from: number, to: number): number => {
    if (from === 0) readers.set(variant, createPushReader()); // a fresh replay guard per round
    const reader = readers.get(variant);
    const t0 = performance.now();
    if (variant === 'floor') {
      for (let i = from; i < to; i++) sink += floor(samples[i] as Sample);
    } else if (reader) {
      for (let i = from; i < to; i++) {
        const s = samples[i] as Sample;
        const r = reader.read(variant === 'framed' ? s.frame : s.apdu, keysFor);
        sink += r.kind === 'reading' ? 1 : -1_000_000;
      }
    }
    return performance.now() - t0;
  };
  for (let w = 0; w < WARMUP_ROUNDS; w++) for (const v of VARIANTS) timeSlice(v, 0, PUSHES);
  sink = 0;
  const times = await interleavedRounds({ variants: VARIANTS, rounds: ROUNDS, count: PUSHES, slice: SLICE, time: timeSlice });
  if (sink < 0) throw new Error('a push did not read in the timed rounds');
  log(`rounds (ms) ${VARIANTS.map((v) => `${v} ${times[v].map((t) => t.toFixed(0)).join(' ')}`).join(' | ')}`);
  const perSecond = (ms: number): number => (PUSHES * 1000) / ms;
  const ratios = (v: Variant): string => times[v].map((t, i) => ((times.floor[i] as number) / t).toFixed(2)).join(' ');
  const floorNote = `floor: createDecipheriv aes-128-gcm + setAAD + setAuthTag + update + final of the same ciphertexts, IVs/AADs/tags prepared; median of ${ROUNDS} rounds interleaved in slices of ${SLICE.toLocaleString('en')}`;
  return [
    row({
      name: `dlms push reader ×${PUSHES.toLocaleString('en')} general-glo DataNotifications`,
      unit: 'req/s',
      figure: perSecond(median(times.reader)),
      floor: perSecond(median(times.floor)),
      goal: { kind: 'ratio-at-least', value: 0.3 },
      note: `pushes/s (req = push); createPushReader().read(apdu, keysFor) → fields (12 registers, ${METERS} meters with their own keys); ${floorNote}; per-round ratios ${ratios('reader')}`,
    }),
    row({
      name: 'dlms push reader, the same pushes in HDLC UI frames',
      unit: 'req/s',
      figure: perSecond(median(times.framed)),
      floor: perSecond(median(times.floor)),
      goal: { kind: 'info' },
      note: `pushes/s; HDLC frame (HCS/FCS checked, LLC stripped) → the same path; ${floorNote}; per-round ratios ${ratios('framed')}`,
    }),
  ];
}

export const bench: Bench = { name: 'dlms: DataNotifications decrypted, verified and decoded', run };
