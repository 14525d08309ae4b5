import type { DecodedTelegram } from './decode-telegram.js';
import { WmbusError } from './errors.js';
import { parseRecords, type DataRecord } from './records.js';

/** The DIF/VIF records of a decoded full-frame telegram ('no-key' while it is still encrypted). */
export function recordsOf(t: DecodedTelegram): DataRecord[] {
  if (t.applicationData === null) throw new WmbusError('no-key', 10, 'the telegram is encrypted and no key was given');
  if (t.tpl?.frame === 'compact') throw new WmbusError('unsupported-ci', 10, 'compact frames need the format of their full frame');
  return parseRecords(t.applicationData);
}
