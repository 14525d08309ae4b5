import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/lib/prng.js';
import { createMemoryMeter } from '../../test/support/dlms-memory-meter.js';
import { encodeDateTime, type DlmsData } from './axdr.js';
import { createDlmsClient } from './client.js';
import { DLMS_ERROR_CODES, DlmsError } from './errors.js';
import type { HdlcFrame } from './hdlc.js';
import { parseObis } from './obis.js';

// The client fed answers a meter might garble: one answer of a whole session (association, HLS,
// GETs with blocks, release) has its information field flipped, cut or lengthened, or its
// segmentation bit turned. Whatever happens, the client fails only with a DlmsError of the closed
// list (code, numeric offset), never another exception; and in a ciphered session an answer whose
// APDU was changed never yields a value. Seeded (src/lib/prng.ts), so a failure is reproducible.

const KEYS = { ek: Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex'), ak: Buffer.from('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF', 'hex') };
const SERVER_TITLE = Buffer.from('4B414D0000BC614E', 'hex');
const CLIENT_TITLE = Buffer.from('4F454B0000000001', 'hex');
const u32 = (value: number): DlmsData => ({ type: 'uint32', value });
const OBJECTS = new Map([
  ['1-0:1.8.0.255', { classId: 3, attributes: new Map<number, DlmsData>([[2, u32(12_345_678)], [3, { type: 'structure', value: [{ type: 'int8', value: 0 }, { type: 'enum', value: 30 }] }]]) }],
  ['0-0:1.0.0.255', { classId: 8, attributes: new Map<number, DlmsData>([[2, { type: 'octet-string', value: encodeDateTime(new Date('2026-12-04T19:00:00Z'), 0) }]]) }],
  ['1-0:99.1.0.255', { classId: 7, attributes: new Map<number, DlmsData>([[2, { type: 'array', value: Array.from({ length: 12 }, (_, i) => u32(i * 1000)) }]]) }],
]);
const SESSIONS = 1500;
const CIPHERED = new Set([0xcc, 0xcf, 0xdb]);

function mutate(f: HdlcFrame, rng: Rng): HdlcFrame {
  const info = Buffer.from(f.info);
  switch (rng.int(4)) {
    case 0: {
      if (info.length > 0) info[rng.int(info.length)] = rng.int(256);
      return { ...f, info };
    }
    case 1:
      return { ...f, info: info.subarray(0, rng.int(info.length + 1)) };
    case 2:
      return { ...f, info: Buffer.concat([info, Buffer.from(Array.from({ length: 1 + rng.int(8) }, () => rng.int(256)))]) };
    default:
      return { ...f, segmented: !f.segmented };
  }
}

describe('the DLMS client with garbled answers', () => {
  it(`${SESSIONS} sessions, one answer garbled in each: only DlmsErrors, and no value from a changed ciphered answer`, async () => {
    const rng = createRng(0x15d1);
    const codes = new Map<string, number>();
    let completed = 0;
    let cipheredRefused = 0;
    for (let i = 0; i < SESSIONS; i++) {
      const auth = rng.pick(['none', 'lls', 'hls-gmac'] as const);
      const security = auth === 'lls' ? 'none' : rng.pick(['none', 'authenticated-encrypted'] as const);
      const meter = createMemoryMeter({ systemTitle: SERVER_TITLE, keys: KEYS, authentication: auth, security, objects: OBJECTS, password: Buffer.from('secret'), blockSize: 16, maxInfo: 40 });
      const victim = rng.int(14);
      let answers = 0;
      let apduTag = -1; // the tag of the APDU the I-frames are carrying, segments included
      let garbledCiphered = false;
      const client = createDlmsClient(
        { client: 1, serverUpper: 1, serverLower: 17, authentication: auth, security, keys: KEYS, clientSystemTitle: CLIENT_TITLE, password: Buffer.from('secret'), maxInfo: 40 },
        async (frame) => {
          let reply: HdlcFrame;
          try {
            reply = await meter.exchange(frame);
          } catch {
            throw new DlmsError('no-answer', 0, 'the meter did not answer', 'frame'); // as the link would say
          }
          if (reply.control.kind === 'I' && reply.info[0] === 0xe6 && reply.info[1] === 0xe7) apduTag = reply.info[3] ?? -1;
          if (answers++ !== victim) return reply;
          const garbled = mutate(reply, rng);
          garbledCiphered = reply.control.kind === 'I' && CIPHERED.has(apduTag) && !garbled.info.equals(reply.info);
          return garbled;
        },
      );
      let values: unknown[] = [];
      try {
        await client.connect();
        values = [await client.readRegisters(['1.8.0']), await client.readClock(), await client.get({ classId: 7, obis: parseObis('1-0:99.1.0.255'), attribute: 2 })];
        await client.release();
        completed += 1;
      } catch (e) {
        if (!(e instanceof DlmsError)) throw new Error(`session ${i} (${auth}/${security}, answer ${victim}): ${String(e)}`);
        expect(DLMS_ERROR_CODES).toContain(e.code);
        expect(Number.isInteger(e.offset) && e.offset >= 0).toBe(true);
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        if (garbledCiphered) cipheredRefused += 1;
        continue;
      }
      // A session went through despite a garbled answer: that answer cannot have been a ciphered
      // one (glo or general-glo), whose tag would not have verified.
      if (garbledCiphered) throw new Error(`session ${i}: a garbled ciphered answer gave values ${JSON.stringify(values).slice(0, 80)}`);
    }
    expect(completed).toBeGreaterThan(0);
    expect(cipheredRefused).toBeGreaterThan(50);
    expect(codes.get('tag-mismatch')).toBeGreaterThan(0);
    expect(codes.size).toBeGreaterThan(3);
  });
});
