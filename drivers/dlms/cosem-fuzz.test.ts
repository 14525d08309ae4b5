import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/prng.js';
import { dlmsVector, dlmsVectors, hex, plainPushApdu } from '../../test/support/dlms-vectors.js';
import {
  decodeAare, decodeAarq, decodeActionRequest, decodeActionResponse, decodeDataNotification, decodeExceptionResponse, decodeGetRequest,
  decodeGetResponse, decodeInitiateRequest, decodeInitiateResponse, decodeRlre, decodeRlrq, encodeActionRequestNormal, encodeActionResponseNormal,
  encodeGetResponseBlock, encodeRlrq, REPLY_TO_HLS,
} from './apdu.js';
import { decodeData } from './axdr.js';
import { unprotect, unwrapGeneralGlo, unwrapGlo, type SecurityKeys } from './cipher.js';
import { DlmsError } from './errors.js';
import { createPushReader } from './notification.js';

const RUNS = 100_000;

const lgz = dlmsVector('dlms-glo-datanotification');
const austria = dlmsVector('dlms-glo-encryption-only');
const KEYS = new Map<string, SecurityKeys>([
  ['4c475a0000bc614e', { ek: hex(lgz.keys.EK as string), ak: hex(lgz.keys.AK as string) }],
  ['4b464d1010000023', { ek: hex(austria.keys.EK as string) }],
]);

const seeds: Buffer[] = [
  ...dlmsVectors.filter((v) => v.kind === 'hdlc-frame').map((v) => hex(v.expected.info_hex as string).subarray(3)),
  hex(dlmsVector('xdlms-apdu').input_hex),
  hex(dlmsVector('xdlms-apdu').expected.get_response_hex as string),
  hex(lgz.input_hex),
  hex(lgz.expected.plaintext_hex as string),
  hex(austria.input_hex),
  hex(austria.expected.plaintext_hex as string),
  hex(dlmsVector('dlms-hdlc-plain-push').input_hex),
  plainPushApdu(),
  encodeActionRequestNormal(0xc1, REPLY_TO_HLS, { type: 'octet-string', value: hex('1000000001aabbccddeeff00112233445566') }),
  encodeActionResponseNormal(0xc1, 0, { type: 'octet-string', value: hex('10000000011122') }),
  encodeGetResponseBlock(0xc1, { last: true, block: 2, raw: hex('0102') }),
  encodeRlrq({ userInformation: hex('01000000065f1f0400001e1dffff') }),
  hex('d8010900000005'),
];

const ciphered = (b: Buffer): unknown => {
  const { systemTitle, content } = unwrapGeneralGlo(b);
  return unprotect({ systemTitle, content, keys: KEYS.get(systemTitle.toString('hex')) ?? {} });
};

/** The decoder a receiver would pick by the APDU tag. */
const BY_TAG = new Map<number, (b: Buffer) => unknown>([
  [0x60, decodeAarq], [0x61, decodeAare], [0x62, decodeRlrq], [0x63, decodeRlre], [0x01, decodeInitiateRequest],
  [0x08, decodeInitiateResponse], [0x0e, decodeInitiateResponse], [0xc0, decodeGetRequest], [0xc4, decodeGetResponse],
  [0xc3, decodeActionRequest], [0xc7, decodeActionResponse], [0xd8, decodeExceptionResponse],
  [0x0f, (b) => decodeDataNotification(b, 'plaintext')], [0xdb, ciphered], [0xc8, unwrapGlo], [0xcc, unwrapGlo], [0x21, unwrapGlo], [0x28, unwrapGlo],
]);
const ALL = [...new Set(BY_TAG.values()), (b: Buffer): unknown => decodeData(b)];

/**
 * The bytes through A-XDR, the decoder their tag selects, and one decoder chosen at random (bytes
 * of the wrong kind); answers how many accepted them. (Not every decoder on every input: each
 * refusal builds an Error with its stack, and 100,000 × 16 of them would take half a minute.)
 */
function decodeSome(bytes: Buffer, pick: number): number {
  const decoders = [(b: Buffer): unknown => decodeData(b), BY_TAG.get(bytes[0] ?? -1), ALL[pick % ALL.length]];
  let ok = 0;
  for (const decode of decoders) {
    if (decode === undefined) continue;
    try {
      decode(bytes);
      ok += 1;
    } catch (e) {
      if (!(e instanceof DlmsError)) throw e;
    }
  }
  return ok;
}

describe('fuzz', () => {
  it(`${RUNS.toLocaleString('en')} random and mutated APDUs: every failure a DlmsError, the push reader only outcomes`, () => {
    // Seeded, so a failure is reproducible from its iteration number.
    const { next: rnd, int } = createRng(0xd1e5);
    const reader = createPushReader();
    const counts = { accepted: 0, readings: 0, errors: 0 };
    for (let i = 0; i < RUNS; i++) {
      let bytes: Buffer;
      if (int(5) === 0) {
        bytes = Buffer.alloc(int(120));
        for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
      } else {
        bytes = Buffer.from(seeds[int(seeds.length)] as Buffer);
        for (let m = 1 + int(3); m > 0; m--) {
          const at = int(bytes.length);
          bytes[at] = rnd() < 0.5 ? int(256) : (bytes[at] ?? 0) ^ (1 << int(8));
        }
        if (rnd() < 0.3) bytes = bytes.subarray(0, int(bytes.length + 1));
        if (rnd() < 0.1) bytes = Buffer.concat([bytes, Buffer.from([int(256)])]);
      }
      try {
        counts.accepted += decodeSome(bytes, int(ALL.length));
      } catch (e) {
        throw new Error(`iteration ${i}: ${String(e)} for ${bytes.toString('hex')}`);
      }
      let outcome;
      try {
        outcome = reader.read(bytes, (st) => KEYS.get(st.toString('hex')));
      } catch (e) {
        throw new Error(`iteration ${i}: the push reader threw ${String(e)} for ${bytes.toString('hex')}`);
      }
      if (outcome.kind === 'reading') counts.readings += 1;
      if (outcome.kind === 'error') {
        counts.errors += 1;
        if (outcome.error.message.startsWith('internal:')) throw new Error(`iteration ${i}: ${outcome.error.message} for ${bytes.toString('hex')}`);
      }
    }
    // The mutations reach the inner layers: some bytes decode, some pushes read (plain ones whose values were changed).
    expect(counts.accepted).toBeGreaterThan(RUNS / 10);
    expect(counts.readings).toBeGreaterThan(100);
    expect(counts.errors).toBeGreaterThan(RUNS / 2);
  });
});
