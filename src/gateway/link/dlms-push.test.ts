import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeDataNotification, InvocationCounters, protect, wrapGeneralGlo } from '../../../drivers/dlms/index.js';
import type { DlmsLinkConfig } from '../config/gateway-config.js';
import type { GatewayResult, KeysLookup } from '../gateway-types.js';
import { createDlmsPushHandler } from './dlms-push.js';

// The push link's handler (docs/gateway.md "DLMS pushes"): keys by system title from the key
// source, one replay guard shared by the links, unciphered pushes by the rule of readings without
// encryption. The whole chain over a simulated HAN port is in test/gateway/gateway-dlms-e2e.test.ts.

const at = new Date('2026-12-04T12:00:00Z');
const guek = randomBytes(16);
const gak = randomBytes(16);
const systemTitle = Buffer.from('4B414D000365F079', 'hex'); // KAM, serial 57012345
const link = (meter?: string): DlmsLinkConfig => ({
  name: 'han', protocol: 'dlms', target: { kind: 'serial', path: '/dev/null' }, modeE: false, client: 16, server: { logical: 1, physical: 17 },
  authentication: 'none', security: 'authenticated-encrypted', pollSeconds: 0, objects: [], push: true, timeoutMs: 3000, ...(meter === undefined ? {} : { meter }),
});
const notification = encodeDataNotification({ longInvokeIdAndPriority: 1, dateTime: null, body: { type: 'structure', value: [{ type: 'uint32', value: 1234 }] } });
const ciphered = (ic: number, keys = { ek: guek, ak: gak }) => wrapGeneralGlo(systemTitle, protect({ sc: 0x30, systemTitle, invocationCounter: ic, keys, plaintext: notification }));

function keysAnswering(byMeter: Record<string, KeysLookup>) {
  const asked: string[] = [];
  return {
    asked,
    lookupKeys(m: string, s: string): KeysLookup {
      asked.push(`${m}-${s}`);
      return byMeter[`${m}-${s}`] ?? { kind: 'no-right' };
    },
    missed: () => undefined,
  };
}
const held = (types: Record<string, Buffer>): KeysLookup => ({ kind: 'keys', byType: new Map(Object.entries(types)) });
const one = (r: GatewayResult[]): GatewayResult => {
  expect(r).toHaveLength(1);
  return r[0] as GatewayResult;
};

describe('createDlmsPushHandler', () => {
  it('a ciphered push: the keys of the system title\'s meter, the tag verified, the counter published; the same counter on another link is a replay', () => {
    const keys = keysAnswering({ 'KAM-57012345': held({ GUEK: guek, GAK: gak }) });
    const counters = new InvocationCounters();
    const han = createDlmsPushHandler({ config: link(), keys, counters });
    const tap = createDlmsPushHandler({ config: { ...link(), name: 'tap' }, keys, counters });
    const r = one(han.read(ciphered(4711), at));
    expect(r.kind === 'reading' ? [r.reading.meterKey, r.reading.verified, r.reading.invocationCounter, r.reading.protocol, r.reading.link] : r.event).toEqual(['KAM-57012345', 'gcm-tag', 4711, 'dlms', 'han']);
    expect(keys.asked).toEqual(['KAM-57012345']);
    const replay = one(tap.read(ciphered(4711), at));
    expect(replay.kind === 'event' ? [replay.event.name, replay.event.code, replay.event.link, replay.event.meterKey] : replay.kind).toEqual(['counter_replay', 'counter-replay', 'tap', 'KAM-57012345']);
    expect(one(tap.read(ciphered(4712), at)).kind).toBe('reading');
  });

  it('another GAK: decrypt_failed; a meter held without a GUEK: unknown_key saying so; a meter not held: no_right', () => {
    const wrong = one(createDlmsPushHandler({ config: link(), keys: keysAnswering({ 'KAM-57012345': held({ GUEK: guek, GAK: randomBytes(16) }) }) }).read(ciphered(1), at));
    expect(wrong.kind === 'event' ? [wrong.event.name, wrong.event.code] : wrong.kind).toEqual(['decrypt_failed', 'tag-mismatch']);
    const noGuek = one(createDlmsPushHandler({ config: link(), keys: keysAnswering({ 'KAM-57012345': held({ GAK: gak }) }) }).read(ciphered(1), at));
    expect(noGuek.kind === 'event' ? [noGuek.event.name, noGuek.event.reason] : noGuek.kind).toEqual(['unknown_key', 'the core granted no GUEK of this meter: its push cannot be decrypted']);
    const none = one(createDlmsPushHandler({ config: link(), keys: keysAnswering({}) }).read(ciphered(1), at));
    expect(none.kind === 'event' ? [none.event.name, none.event.meterKey] : none.kind).toEqual(['no_right', 'KAM-57012345']);
  });

  it('an unciphered push names no meter: the link\'s meter, published only when the token holds it (hdlc-fcs); without a meter, bad_answer', () => {
    const keys = keysAnswering({ 'KAM-57012346': held({}) });
    const r = one(createDlmsPushHandler({ config: link('KAM-57012346'), keys }).read(notification, at));
    expect(r.kind === 'reading' ? [r.reading.meterKey, r.reading.verified] : r.event.name).toEqual(['KAM-57012346', 'hdlc-fcs']);
    const foreign = one(createDlmsPushHandler({ config: link('KAM-57012347'), keys }).read(notification, at));
    expect(foreign.kind === 'event' ? foreign.event.name : foreign.kind).toBe('no_right');
    const nameless = one(createDlmsPushHandler({ config: link(), keys }).read(notification, at));
    expect(nameless.kind === 'event' ? [nameless.event.name, nameless.event.reason] : nameless.kind).toEqual(['bad_answer', 'an unciphered push names no meter (no system title) and the link names none (meter:)']);
  });
});
