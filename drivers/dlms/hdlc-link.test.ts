import { describe, expect, it } from 'vitest';
import { vectorsOf } from '../../test/support/protocol-vectors-of.js';
import { DlmsError } from './errors.js';
import { LLC_REQUEST, LLC_RESPONSE, decodeHdlcFrame, stripLlc } from './hdlc.js';
import { createHdlcClient, createHdlcServer, type HdlcClient, type HdlcServer } from './hdlc-link.js';
import { thrown } from '../../test/support/thrown.js';

const vector = (i: number): Buffer => Buffer.from(vectorsOf('hdlc-frame')[i]?.input_hex ?? '', 'hex');
const [SNRM, UA, AARQ, AARE] = [0, 1, 2, 3].map(vector) as [Buffer, Buffer, Buffer, Buffer];
const aarqApdu = stripLlc(decodeHdlcFrame(AARQ).info, LLC_REQUEST) ?? Buffer.alloc(0);
const aareApdu = stripLlc(decodeHdlcFrame(AARE).info, LLC_RESPONSE) ?? Buffer.alloc(0);

const fails = (f: () => unknown): DlmsError => thrown(DlmsError, f);

/** Sends one frame to the server and returns its reply, as the wire would: through encode and decode. */
function toServer(server: HdlcServer, frame: Buffer): { apdu?: Buffer; reply?: Buffer } {
  return server.receive(decodeHdlcFrame(frame));
}

/** One request and its response over window 1: every frame sent, every RR answered, both APDUs reassembled. */
function exchange(client: HdlcClient, server: HdlcServer, request: Buffer, answer: (apdu: Buffer) => Buffer): { atServer: Buffer; atClient: Buffer; frames: number } {
  let atServer: Buffer | undefined;
  let frames = 0;
  let reply: Buffer | undefined;
  for (const frame of client.send(request)) {
    frames += 1;
    const got = toServer(server, frame);
    if (got.apdu) {
      atServer = got.apdu;
      [reply] = server.send(answer(got.apdu));
    } else {
      expect(client.receive(decodeHdlcFrame(got.reply ?? Buffer.alloc(0)))).toEqual({});
    }
  }
  for (let guard = 0; guard < 1000 && reply; guard++) {
    frames += 1;
    const got = client.receive(decodeHdlcFrame(reply));
    if (got.apdu) return { atServer: atServer ?? Buffer.alloc(0), atClient: got.apdu, frames };
    reply = toServer(server, got.reply ?? Buffer.alloc(0)).reply;
  }
  throw new Error('the exchange did not end');
}

describe('client and server', () => {
  it('make the SNRM, AARQ and AARE of the vectors byte for byte, and the client takes the vector UA', () => {
    const client = createHdlcClient({ client: 16, serverUpper: 1, serverLower: 17 });
    const server = createHdlcServer({ serverUpper: 1, serverLower: 17, maxInfo: 154 });
    expect(client.snrm()).toEqual(SNRM);
    const ua = toServer(server, SNRM).reply ?? Buffer.alloc(0);
    expect(decodeHdlcFrame(ua).control).toEqual({ kind: 'UA', pf: true });
    // The SNRM proposed nothing, so the server keeps to the default 128 the client can receive.
    expect(server.parameters).toEqual({ maxInfoTx: 128, maxInfoRx: 128, windowTx: 1, windowRx: 1 });
    expect(client.acceptUa(decodeHdlcFrame(UA))).toEqual({ maxInfoTx: 128, maxInfoRx: 128, windowTx: 1, windowRx: 1 });
    expect(client.state).toBe('connected');
    const [aarq, ...more] = client.send(aarqApdu);
    expect(more).toEqual([]);
    expect(aarq).toEqual(AARQ);
    expect(toServer(server, AARQ)).toEqual({ apdu: aarqApdu });
    expect(server.send(aareApdu)).toEqual([AARE]);
    expect(client.receive(decodeHdlcFrame(AARE))).toEqual({ apdu: aareApdu });
  });

  it('agree parameters both ways and segment long APDUs (more than 8 segments, N(S) wrapping), then DISC/UA', () => {
    const client = createHdlcClient({ client: 16, serverUpper: 1, serverLower: 0x1234, maxInfo: 64 });
    const server = createHdlcServer({ serverUpper: 1, serverLower: 0x1234, maxInfo: 200 });
    const ua = decodeHdlcFrame(toServer(server, client.snrm()).reply ?? Buffer.alloc(0));
    expect(ua.src).toEqual({ upper: 1, lower: 0x1234, size: 4 });
    expect(client.acceptUa(ua)).toEqual({ maxInfoTx: 64, maxInfoRx: 64, windowTx: 1, windowRx: 1 });
    expect(server.parameters).toEqual({ maxInfoTx: 64, maxInfoRx: 64, windowTx: 1, windowRx: 1 });
    const request = Buffer.from(Array.from({ length: 700 }, (_, i) => i & 0xff));
    const response = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 7) & 0xff));
    const sent = client.send(request);
    expect(sent.length).toBe(Math.ceil((700 + 3) / 64));
    expect(sent.map((f) => decodeHdlcFrame(f).segmented)).toEqual(sent.map((_, i) => i < sent.length - 1));
    expect(sent.map((f) => decodeHdlcFrame(f).info.length)).toEqual([...Array<number>(sent.length - 1).fill(64), 703 - 64 * (sent.length - 1)]);
    // The client numbers them; this set is only looked at, so give the client a fresh connection.
    const fresh = createHdlcClient({ client: 16, serverUpper: 1, serverLower: 0x1234, maxInfo: 64 });
    fresh.snrm();
    fresh.acceptUa(decodeHdlcFrame(toServer(server, encodeSnrm(64)).reply ?? Buffer.alloc(0)));
    const first = exchange(fresh, server, request, () => response);
    expect(first.atServer).toEqual(request);
    expect(first.atClient).toEqual(response);
    expect(first.frames).toBe(Math.ceil((700 + 3) / 64) + Math.ceil((1500 + 3) / 64));
    const second = exchange(fresh, server, Buffer.from('c001c100', 'hex'), () => Buffer.from('c401c100', 'hex'));
    expect([second.atServer.toString('hex'), second.atClient.toString('hex'), second.frames]).toEqual(['c001c100', 'c401c100', 2]);
    const ack = toServer(server, fresh.disc()).reply ?? Buffer.alloc(0);
    expect(decodeHdlcFrame(ack).control).toEqual({ kind: 'UA', pf: true });
    expect(fresh.receive(decodeHdlcFrame(ack))).toEqual({});
    expect([fresh.state, server.connected]).toEqual(['disconnected', false]);
  });

  it('refuse a wrong N(S) or N(R) with DlmsError protocol at the control byte', () => {
    const { client, server } = connected();
    const [aarq] = client.send(aarqApdu);
    const i = decodeHdlcFrame(aarq ?? Buffer.alloc(0));
    const wrongNs = { ...i, control: { kind: 'I' as const, ns: 3, nr: 0, pf: true } };
    const e1 = fails(() => server.receive(wrongNs));
    expect([e1.code, e1.offset, e1.where]).toEqual(['protocol', 6, 'frame']);
    server.receive(i);
    const [aare] = server.send(aareApdu);
    const reply = decodeHdlcFrame(aare ?? Buffer.alloc(0));
    const e2 = fails(() => client.receive({ ...reply, control: { kind: 'I', ns: 1, nr: 1, pf: true } }));
    expect([e2.code, e2.offset]).toEqual(['protocol', 6]);
    const e3 = fails(() => client.receive({ ...reply, control: { kind: 'I', ns: 0, nr: 2, pf: true } }));
    expect([e3.code, e3.offset]).toEqual(['protocol', 6]);
    expect(client.receive(reply)).toEqual({ apdu: aareApdu });
  });

  it('the server: RNR holds the next segment back, and a new request drops the rest of an abandoned response', () => {
    const { client, server } = connected();
    toServer(server, client.send(Buffer.from('c001c100', 'hex'))[0] ?? Buffer.alloc(0));
    const [first] = server.send(Buffer.alloc(300, 0x55));
    // The first of two segments: the client asks for the next with RR N(R)=1.
    expect(decodeHdlcFrame(client.receive(decodeHdlcFrame(first ?? Buffer.alloc(0))).reply ?? Buffer.alloc(0)).control).toEqual({ kind: 'RR', nr: 1, pf: true });
    const rnr = { ...decodeHdlcFrame(client.rr()), control: { kind: 'RNR' as const, nr: 1, pf: true } };
    expect(decodeHdlcFrame(server.receive(rnr).reply ?? Buffer.alloc(0)).control).toEqual({ kind: 'RR', nr: 1, pf: true });
    // The client gives up on that response and asks again: numbering goes on from what was sent.
    const again = exchange(client, server, Buffer.from('c001c200', 'hex'), () => Buffer.from('c401c200', 'hex'));
    expect([again.atServer.toString('hex'), again.atClient.toString('hex')]).toEqual(['c001c200', 'c401c200']);
  });

  it('the client: DM to SNRM is refused, frames of another connection are protocol errors, sending before UA too', () => {
    const client = createHdlcClient({ client: 16, serverUpper: 1 });
    const e0 = fails(() => client.send(aarqApdu));
    expect([e0.code, e0.where]).toEqual(['protocol', 'apdu']);
    client.snrm();
    const dm = { segmented: false, dest: { upper: 16, size: 1 as const }, src: { upper: 1, size: 1 as const }, control: { kind: 'DM' as const, pf: true }, info: Buffer.alloc(0) };
    expect(fails(() => client.acceptUa(dm)).code).toBe('refused');
    const e1 = fails(() => client.acceptUa({ ...dm, src: { upper: 2, size: 1 }, control: { kind: 'UA', pf: true } }));
    expect([e1.code, e1.offset]).toEqual(['protocol', 3]);
  });

  it('the server: DM to a client it has no connection with, silence for another server address, UI pushes', () => {
    const server = createHdlcServer({ serverUpper: 1, serverLower: 17 });
    const other = createHdlcClient({ client: 16, serverUpper: 1, serverLower: 18 });
    expect(toServer(server, other.snrm())).toEqual({});
    const stranger = createHdlcClient({ client: 16, serverUpper: 1, serverLower: 17 });
    stranger.disc();
    const dm = toServer(server, stranger.disc()).reply ?? Buffer.alloc(0);
    expect(decodeHdlcFrame(dm).control).toEqual({ kind: 'DM', pf: true });
    expect(stranger.receive(decodeHdlcFrame(dm))).toEqual({});
    const push = server.push(Buffer.from('0f0000000100', 'hex'));
    expect(push.toString('hex').slice(0, 14)).toBe('7ea013' + '21' + '0223' + '13');
    const client = createHdlcClient({ client: 16, serverUpper: 1, serverLower: 17 });
    expect(client.receive(decodeHdlcFrame(push))).toEqual({ apdu: Buffer.from('0f0000000100', 'hex') });
  });
});

function connected(): { client: HdlcClient; server: HdlcServer } {
  const client = createHdlcClient({ client: 16, serverUpper: 1, serverLower: 17 });
  const server = createHdlcServer({ serverUpper: 1, serverLower: 17 });
  client.acceptUa(decodeHdlcFrame(toServer(server, client.snrm()).reply ?? Buffer.alloc(0)));
  return { client, server };
}

function encodeSnrm(maxInfo: number): Buffer {
  const c = createHdlcClient({ client: 16, serverUpper: 1, serverLower: 0x1234, maxInfo });
  return c.snrm();
}
