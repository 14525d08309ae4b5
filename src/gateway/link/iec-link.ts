import { readoutFields } from '../../../drivers/iec62056-21/index.js';
import type { IecLinkConfig } from '../config/gateway-config.js';
import type { KeySource } from '../gateway-types.js';
import { acceptPulled, DEVICE_TYPE, pulledEvent } from '../pulled-readings.js';
import { readIecMeter } from './iec-session.js';
import { failureOf } from './link-failure.js';
import type { PollOutcome } from './pull-link.js';

// One IEC 62056-21 mode C readout as a poll: the meter is the identification's manufacturer and
// the serial of the readout's meter number (0.0.0, else C.1.0 or 0.0.96.1.0); the data sets become
// fields by the DLMS driver's OBIS table (readoutFields), so a meter read over IEC 62056-21 or DLMS
// gives the same fields. Only the BCC vouches for it: published for a meter the token holds.

/** The data sets that carry the meter's number, most specific first. */
const SERIAL_IDS = ['0.0.0', 'C.1.0', '96.1.0', '0-0:96.1.0', '0-0:96.1.0.255'];

export function iecPollOnce(o: { config: IecLinkConfig; keys: Pick<KeySource, 'lookupKeys' | 'missed'> }): () => Promise<PollOutcome> {
  let lastMeter: { manufacturer: string; serial: string; deviceType: number } | undefined;
  return async () => {
    try {
      const r = await readIecMeter(o.config.target, {
        timeoutMs: o.config.timeoutMs,
        ...(o.config.baud === undefined ? {} : { baud: o.config.baud }),
        ...(o.config.address === undefined ? {} : { address: o.config.address }),
      });
      const serial = SERIAL_IDS.map((id) => r.sets.find((s) => s.id === id)?.value.trim()).find((v) => v !== undefined && /^[0-9A-Za-z]{1,16}$/.test(v));
      const manufacturer = r.identification.manufacturer.toUpperCase();
      const ident = `${manufacturer} ${r.identification.ident}`;
      if (serial === undefined) {
        const result = pulledEvent({ protocol: 'iec62056-21', name: 'unexpected_answer', reason: `the readout of ${ident} names no meter number (0.0.0, C.1.0 or 96.1.0)`, link: o.config.name, receivedAt: new Date() });
        return { results: [result], ok: false, detail: `readout without a meter number (${ident})` };
      }
      lastMeter = { manufacturer, serial, deviceType: DEVICE_TYPE.electricity };
      const result = acceptPulled(o.keys, {
        protocol: 'iec62056-21',
        manufacturer,
        serial,
        deviceType: DEVICE_TYPE.electricity,
        media: 'electricity',
        fields: readoutFields(r.sets),
        verified: 'bcc',
        receivedAt: new Date(),
        link: o.config.name,
      });
      return { results: [result], ok: true, detail: `${ident}, meter ${serial}, ${r.sets.length} data sets at ${r.baud} baud` };
    } catch (err) {
      const { result, detail } = failureOf(err, { protocol: 'iec62056-21', link: o.config.name, receivedAt: new Date(), ...(lastMeter === undefined ? {} : { meter: lastMeter }) });
      return { results: [result], ok: false, detail };
    }
  };
}
