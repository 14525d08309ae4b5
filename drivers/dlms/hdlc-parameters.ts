import { DlmsError } from './errors.js';

// The HDLC parameter negotiation field of SNRM and UA (IEC 62056-46 6.4.4.4.3.2, ISO/IEC 13239):
// 81 (format identifier) 80 (group identifier) LEN, then parameters `id len value` with values of
// 1, 2 or 4 bytes, big-endian: 05 maximum information field length transmit, 06 … receive,
// 07 window size transmit, 08 … receive. Each side states its own transmit and receive.

export interface HdlcParameters {
  maxInfoTx: number;
  maxInfoRx: number;
  windowTx: number;
  windowRx: number;
}

/** What a side assumes when the other sends no parameters (IEC 62056-46 6.4.4.4.3.2). */
export const HDLC_DEFAULT_PARAMETERS: HdlcParameters = { maxInfoTx: 128, maxInfoRx: 128, windowTx: 1, windowRx: 1 };

const IDS = { maxInfoTx: 0x05, maxInfoRx: 0x06, windowTx: 0x07, windowRx: 0x08 } as const;
const KEYS = new Map<number, keyof HdlcParameters>(Object.entries(IDS).map(([k, v]) => [v, k as keyof HdlcParameters]));

function value(id: number, n: number, asWindow: boolean): Buffer {
  const max = asWindow ? 7 : 2030;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new DlmsError('bad-value', 0, `HDLC parameter ${id.toString(16).padStart(2, '0')}: ${n} is not within 1..${max}`, 'frame');
  }
  // Windows as 4 bytes and lengths in the fewest bytes, as the pwitab/dlms-cosem UA vector has them.
  if (asWindow) return Buffer.from([id, 4, 0, 0, 0, n]);
  return n < 0x100 ? Buffer.from([id, 1, n]) : Buffer.from([id, 2, n >> 8, n & 0xff]);
}

export function encodeHdlcParameters(p: HdlcParameters): Buffer {
  const body = Buffer.concat([value(IDS.maxInfoTx, p.maxInfoTx, false), value(IDS.maxInfoRx, p.maxInfoRx, false), value(IDS.windowTx, p.windowTx, true), value(IDS.windowRx, p.windowRx, true)]);
  return Buffer.concat([Buffer.from([0x81, 0x80, body.length]), body]);
}

/**
 * Parameters of an SNRM or UA information field; an empty field gives the defaults, and so does each
 * parameter left out. Offsets count in `info` (`where: 'apdu'`: the information field).
 */
export function parseHdlcParameters(info: Uint8Array): HdlcParameters {
  const p = { ...HDLC_DEFAULT_PARAMETERS };
  if (info.length === 0) return p;
  if (info.length < 3) throw new DlmsError('truncated', info.length, 'HDLC parameters: needs 81 80 LEN', 'apdu');
  if (info[0] !== 0x81 || info[1] !== 0x80) throw new DlmsError('bad-tag', 0, 'HDLC parameters: not format 81 group 80', 'apdu');
  const len = info[2] ?? 0;
  if (3 + len !== info.length) throw new DlmsError('bad-length', 2, `HDLC parameters: group length ${len}, ${info.length - 3} bytes present`, 'apdu');
  let at = 3;
  while (at < info.length) {
    if (at + 2 > info.length) throw new DlmsError('truncated', at, 'HDLC parameter: no length', 'apdu');
    const id = info[at] ?? 0;
    const n = info[at + 1] ?? 0;
    if (n !== 1 && n !== 2 && n !== 4) throw new DlmsError('bad-length', at + 1, `HDLC parameter ${id.toString(16)}: length ${n} (1, 2 or 4 allowed)`, 'apdu');
    if (at + 2 + n > info.length) throw new DlmsError('truncated', at + 2, `HDLC parameter ${id.toString(16)}: ends early`, 'apdu');
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (info[at + 2 + i] ?? 0);
    const key = KEYS.get(id);
    if (key === undefined) throw new DlmsError('bad-tag', at, `HDLC parameter ${id.toString(16)}: unknown`, 'apdu');
    const isWindow = key === 'windowTx' || key === 'windowRx';
    if (v < 1 || v > (isWindow ? 7 : 2030)) throw new DlmsError('bad-value', at + 2, `HDLC parameter ${id.toString(16)}: ${v} out of range`, 'apdu');
    p[key] = v;
    at += 2 + n;
  }
  return p;
}
