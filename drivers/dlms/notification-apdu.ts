import { decodeData, encodeData, type DlmsData } from './axdr.js';
import { decodeDateTime, encodeDateTime, type CosemDateTime } from './date-time.js';
import { DlmsError, need, type DlmsOffsetIn } from './errors.js';

// DataNotification (0F): long-invoke-id-and-priority (4) | date-time as an optional octet string (00
// absent, or 0C and 12 bytes) | notification-body (one A-XDR value). What meters push on their HAN or
// customer interface, usually inside general-glo-ciphering.

export const DATA_NOTIFICATION = 0x0f;

export interface DataNotification {
  longInvokeIdAndPriority: number;
  dateTime: CosemDateTime | null;
  body: DlmsData;
}

/**
 * `where`: whether `b` is a bare APDU or a decrypted plaintext (the offsets of errors count in it).
 * The octet strings of a plaintext's body are views into it, not copies: a plaintext is the
 * decryption's fresh buffer, held by nobody else.
 */
export function decodeDataNotification(b: Uint8Array, where: DlmsOffsetIn = 'apdu'): DataNotification {
  const { longInvokeIdAndPriority, bodyAt } = dataNotificationHead(b, where);
  const dateTime = bodyAt === 18 ? decodeDateTime(b.subarray(6, 18)) : null;
  const { data, end } = decodeData(b, bodyAt, where, where === 'plaintext');
  if (end !== b.length) throw new DlmsError('bad-length', end, `${b.length - end} bytes after the notification body`, where);
  return { longInvokeIdAndPriority, dateTime, body: data };
}

/** The head of a DataNotification checked (tag, date-time length); where its body begins (6, or 18 after a date-time). */
export function dataNotificationHead(b: Uint8Array, where: DlmsOffsetIn = 'apdu'): { longInvokeIdAndPriority: number; bodyAt: number } {
  need(b, 0, 6, 'DataNotification', where);
  if (b[0] !== DATA_NOTIFICATION) throw new DlmsError('bad-tag', 0, `0x${(b[0] as number).toString(16)} is not a DataNotification (0x0f)`, where);
  const longInvokeIdAndPriority = (((b[1] as number) << 24) >>> 0) + (((b[2] as number) << 16) | ((b[3] as number) << 8) | (b[4] as number));
  const dtLength = b[5] as number;
  if (dtLength !== 0 && dtLength !== 12) throw new DlmsError('bad-length', 5, `a DataNotification date-time is absent (00) or 12 bytes, not ${dtLength}`, where);
  need(b, 6, dtLength, 'date-time', where);
  return { longInvokeIdAndPriority, bodyAt: 6 + dtLength };
}

/**
 * A DataNotification of a decrypted plaintext whose body the push reader's fast path has already
 * read through (push-tape.ts: every value's tag and length checked, to the last byte): its
 * date-time and body are decoded from the plaintext when first asked for (a reading's consumer
 * mostly wants the fields), then kept. The plaintext is the decryption's own buffer, held by
 * nobody else, so it does not change underneath. JSON shows it as the plain object.
 */
export class PlaintextNotification implements DataNotification {
  #dateTime: CosemDateTime | null | undefined;
  #body: DlmsData | undefined;

  constructor(
    private readonly plaintext: Buffer,
    readonly longInvokeIdAndPriority: number,
    private readonly bodyAt: number,
  ) {}

  get dateTime(): CosemDateTime | null {
    if (this.#dateTime === undefined) this.#dateTime = this.bodyAt === 18 ? decodeDateTime(this.plaintext.subarray(6, 18)) : null;
    return this.#dateTime;
  }

  get body(): DlmsData {
    this.#body ??= decodeData(this.plaintext, this.bodyAt, 'plaintext', true).data;
    return this.#body;
  }

  toJSON(): DataNotification {
    return { longInvokeIdAndPriority: this.longInvokeIdAndPriority, dateTime: this.dateTime, body: this.body };
  }
}

/** The APDU of a DataNotification; `dateTime` as fields or a Date (UTC unless `deviationMinutes`). */
export function encodeDataNotification(n: { longInvokeIdAndPriority: number; dateTime: CosemDateTime | Date | null; body: DlmsData; deviationMinutes?: number }): Buffer {
  const id = n.longInvokeIdAndPriority;
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new DlmsError('bad-value', 0, `long-invoke-id-and-priority ${id} is out of range`);
  const head = Buffer.alloc(5);
  head[0] = DATA_NOTIFICATION;
  head.writeUInt32BE(id, 1);
  const dt = n.dateTime === null ? Buffer.from([0x00]) : Buffer.concat([Buffer.from([0x0c]), encodeDateTime(n.dateTime, n.deviationMinutes)]);
  return Buffer.concat([head, dt, encodeData(n.body)]);
}
