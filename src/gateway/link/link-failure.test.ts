import { describe, expect, it } from 'vitest';
import { DlmsError } from '../../../drivers/dlms/errors.js';
import { IecError } from '../../../drivers/iec62056-21/errors.js';
import { KmpError } from '../../../drivers/kmp/errors.js';
import { failureOf } from './link-failure.js';
import { IecNoAnswerError } from './iec-session.js';

// Why a poll failed, as the event the gateway publishes (docs/gateway.md "Polling"): each driver's
// typed error keeps its code and byte offset; anything else is a meter that could not be reached.

const at = new Date('2026-12-04T12:00:00Z');
const ctx = { protocol: 'kmp' as const, link: 'eye', receivedAt: at, meter: { manufacturer: 'KAM', serial: '60312345', deviceType: 0x04 } };
const eventOf = (err: unknown, c: Parameters<typeof failureOf>[1] = ctx) => {
  const { result } = failureOf(err, c);
  if (result.kind !== 'event') throw new Error('expected an event');
  return result.event;
};

describe('failureOf', () => {
  it.each([
    [new KmpError('no-answer', 0, 'no answer within 2000 ms'), 'no_answer', 'no-answer', undefined],
    [new KmpError('bad-crc', 7, 'the CRC does not match'), 'bad_answer', 'bad-crc', 7],
    [new KmpError('unexpected-response', 1, 'an answer to GetType'), 'unexpected_answer', 'unexpected-response', 1],
    [new IecError('bad-bcc', 301, 'the BCC does not match'), 'bad_answer', 'bad-bcc', 301],
    [new IecNoAnswerError('no readout within 3000 ms'), 'no_answer', 'no-answer', undefined],
    [new DlmsError('refused', 0, 'the AARE says rejected-permanent'), 'association_refused', 'refused', 0],
    [new DlmsError('tag-mismatch', 42, 'the GCM tag does not verify'), 'decrypt_failed', 'tag-mismatch', 42],
    [new DlmsError('counter-replay', 11, 'counter 5, last 9'), 'counter_replay', 'counter-replay', 11],
    [new DlmsError('bad-fcs', 130, 'the FCS does not match', 'frame'), 'bad_answer', 'bad-fcs', 130],
  ])('%s → %s with its code and offset', (err, name, code, offset) => {
    const e = eventOf(err);
    expect({ name: e.name, code: e.code, offset: e.offset, reason: e.reason }).toEqual({ name, code, offset, reason: (err as Error).message });
    expect(e).toMatchObject({ protocol: 'kmp', meterKey: 'KAM-60312345', link: 'eye', receivedAt: at, rssiDbm: null });
  });

  it('a port that does not open is no_answer naming why, without a code; without a known meter, no meter', () => {
    const e = eventOf(new Error('Error: No such file or directory, cannot open /dev/ttyUSB9'), { protocol: 'dlms', link: 'eye', receivedAt: at });
    expect(e).toEqual({ name: 'no_answer', protocol: 'dlms', reason: 'the meter could not be reached: Error: No such file or directory, cannot open /dev/ttyUSB9', rssiDbm: null, receivedAt: at, link: 'eye' });
    expect(failureOf(new Error('x'), ctx).detail).toBe('no answer: the meter could not be reached: x');
  });
});
