import { KMP_DEFAULT_HEAT_REGISTERS } from '../../../drivers/kmp/index.js';
import type { KmpLinkConfig } from '../config/gateway-config.js';
import type { KeySource } from '../gateway-types.js';
import { acceptPulled, DEVICE_TYPE } from '../pulled-readings.js';
import { openKmpSession } from './kmp-session.js';
import { failureOf } from './link-failure.js';
import type { PollOutcome } from './pull-link.js';

// One poll of a Kamstrup meter on the optical eye: open the port, ask the serial, type and the
// registers (kmp-session.ts: 1200 8N2, timeouts and retries), close the port again — the eye is
// free between polls for a service technician's tool, and an unplugged head is found at the next
// poll. The answer vouches only for itself (CRC): it is published for a meter the token holds
// (pulled-readings.ts).

export function kmpPollOnce(o: { config: KmpLinkConfig; keys: Pick<KeySource, 'lookupKeys' | 'missed'>; retries?: number }): () => Promise<PollOutcome> {
  const registers = o.config.registers ?? KMP_DEFAULT_HEAT_REGISTERS;
  /** The serial of the last answer: a meter that stops answering is named in the event. */
  let lastSerial: string | undefined;
  return async () => {
    const meter = () => (lastSerial === undefined ? {} : { meter: { manufacturer: 'KAM', serial: lastSerial, deviceType: DEVICE_TYPE.heat } });
    try {
      const session = await openKmpSession(o.config.target, { timeoutMs: o.config.timeoutMs, ...(o.retries === undefined ? {} : { retries: o.retries }) });
      let polled;
      try {
        polled = await session.poll(registers);
      } finally {
        await session.close();
      }
      lastSerial = polled.serial;
      const result = acceptPulled(o.keys, {
        protocol: 'kmp',
        manufacturer: 'KAM',
        serial: polled.serial,
        deviceType: DEVICE_TYPE.heat,
        media: 'heat',
        fields: polled.fields,
        verified: 'kmp-crc',
        receivedAt: new Date(),
        link: o.config.name,
      });
      return { results: [result], ok: true, detail: `serial ${polled.serial}, type 0x${polled.meterType.toString(16).padStart(4, '0')}, ${polled.registers.length} registers` };
    } catch (err) {
      const { result, detail } = failureOf(err, { protocol: 'kmp', link: o.config.name, receivedAt: new Date(), ...meter() });
      return { results: [result], ok: false, detail };
    }
  };
}
