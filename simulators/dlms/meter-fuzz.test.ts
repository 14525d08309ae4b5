import { expect, it } from 'vitest';
import { encodeHdlcFrame } from '../../drivers/dlms/hdlc.js';
import { createRng } from '../../src/lib/prng.js';
import { createCosemServer } from './cosem-server.js';
import { createObjectModel } from './omnipower-objects.js';
import { createOmnipowerState } from './omnipower-registers.js';
import { createOpticalPort } from './optical-port.js';

// The simulated meter never falls over, whatever a host sends: random and mutated APDUs into the
// DLMS server, random bytes and mutated frames into the optical port (seeded, bounded).

const AARQ = Buffer.from('601DA109060760857405080101BE10040E01000000065F1F0400001E1DFFFF', 'hex');
const GET = Buffer.from('C001C100030100010800FF0200', 'hex');

it('the DLMS server answers or stays silent for 20,000 random and mutated APDUs, never throws', () => {
  const rng = createRng(1505);
  const state = createOmnipowerState(1, () => new Date(0));
  const server = createCosemServer({
    systemTitle: Buffer.from('4B414D0000BC614E', 'hex'),
    keys: { ek: Buffer.alloc(16, 1), ak: Buffer.alloc(16, 2) },
    authentication: 'none',
    objects: createObjectModel({ state, serial: '12345678', now: () => new Date(0) }),
    rng,
    nextInvocationCounter: () => 1,
  });
  let answered = 0;
  for (let i = 0; i < 20_000; i++) {
    const base = rng.pick([AARQ, GET, Buffer.from([0xc0, 0x02, 0xc1, 0, 0, 0, 1]), Buffer.from([0xc3, 0x01]), Buffer.from([0xc8, 0x05, 0x30])]);
    const apdu = Buffer.from(rng.next() < 0.2 ? Array.from({ length: rng.int(40) }, () => rng.int(256)) : base);
    for (let k = rng.int(4); k > 0 && apdu.length > 0; k--) apdu[rng.int(apdu.length)] = rng.int(256);
    const cut = rng.next() < 0.3 ? apdu.subarray(0, rng.int(apdu.length + 1)) : apdu;
    if (server.handle(cut) !== null) answered++;
  }
  expect(answered).toBeGreaterThan(10_000);
});

it('the optical port takes 20,000 random chunks and mutated frames without throwing', () => {
  const rng = createRng(62056);
  const frame = encodeHdlcFrame({ segmented: false, dest: { upper: 1, lower: 17, size: 2 }, src: { upper: 16, size: 1 }, control: { kind: 'SNRM', pf: true }, info: Buffer.alloc(0) });
  const port = createOpticalPort({
    identification: { manufacturer: 'KAM', baudChar: '5', modeE: true, ident: 'X' },
    serial: '12345678',
    signOn: true,
    readout: () => [{ id: '1.8.0', value: '1', unit: 'kWh' }],
    hdlc: () => [Buffer.from([0x7e])],
  });
  const seeds = [Buffer.from('/?!\r\n'), Buffer.from([0x06, 0x32, 0x35, 0x32, 0x0d, 0x0a]), Buffer.from([0x06, 0x30, 0x35, 0x30, 0x0d, 0x0a]), frame, Buffer.from([0x01, 0x42, 0x30, 0x03, 0x71])];
  const states = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const chunk = Buffer.from(rng.next() < 0.3 ? Array.from({ length: rng.int(60) }, () => rng.int(256)) : rng.pick(seeds));
    if (rng.next() < 0.3 && chunk.length > 0) chunk[rng.int(chunk.length)] = rng.int(256);
    port.push(chunk);
    if (rng.next() < 0.01) port.timeout();
    states.add(port.state);
  }
  expect([...states].sort()).toEqual(['hdlc', 'identified', 'idle']);
});
