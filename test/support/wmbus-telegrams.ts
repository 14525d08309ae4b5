import { hex } from './wmbus-vectors.js';

/** An unencrypted telegram of link header (M, ID, version, type as on the wire), CI and payload. */
export function plainTelegram(header: string, payload: string, ci = '78'): Buffer {
  const body = `44${header}${ci}${payload}`;
  return hex(((body.length / 2) & 0xff).toString(16).padStart(2, '0') + body);
}
