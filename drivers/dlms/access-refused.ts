import { DlmsError } from './errors.js';
import { DATA_ACCESS_RESULTS } from './apdu.js';

// A GET (SET, ACTION) the meter answered with a data-access-result instead of a value: a DlmsError
// 'refused' that also carries the result, so a caller can tell "no such object" from "not allowed"
// without reading the message.

export class DlmsAccessRefused extends DlmsError {
  readonly accessError: number;

  constructor(accessError: number, offset: number, what: string) {
    super('refused', offset, `the meter refused the ${what}: ${DATA_ACCESS_RESULTS.get(accessError) ?? 'data-access-result'} (${accessError})`);
    this.accessError = accessError;
  }
}
