// SLIP (RFC 1055) as the iU891A uses it: END 0xC0 on both sides, ESC 0xDB, C0 → DB DC, DB → DB DD.

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
const ESC_END = 0xdc;
const ESC_ESC = 0xdd;

export function slipEncode(message: Uint8Array): Buffer {
  const out: number[] = [SLIP_END];
  for (const byte of message) {
    if (byte === SLIP_END) out.push(SLIP_ESC, ESC_END);
    else if (byte === SLIP_ESC) out.push(SLIP_ESC, ESC_ESC);
    else out.push(byte);
  }
  out.push(SLIP_END);
  return Buffer.from(out);
}

/** Unescapes the bytes between two END markers; null when an escape is invalid. */
export function slipUnescape(body: Uint8Array): Buffer | null {
  const out = Buffer.alloc(body.length);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i] ?? 0;
    if (byte !== SLIP_ESC) {
      out[n++] = byte;
      continue;
    }
    const next = body[++i];
    if (next === ESC_END) out[n++] = SLIP_END;
    else if (next === ESC_ESC) out[n++] = SLIP_ESC;
    else return null;
  }
  return out.subarray(0, n);
}
