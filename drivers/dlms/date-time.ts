import { DlmsError } from './errors.js';

// COSEM date-time (Blue Book 4.1.6.1), 12 bytes: year (2) month day day-of-week hour minute second
// hundredths deviation (int16 minutes) clock-status. 0xFF (0xFFFF for the year) means "not
// specified" and comes back as an absent field; a deviation of 0x8000 likewise. The deviation is
// what the Blue Book defines: UTC = local time + deviation (CET is -60), so the ISO text carries the
// offset -deviation. Month 0xFD/0xFE and day 0xFD/0xFE (DST end/begin, last/second-last day) are
// kept as numbers; they have no ISO text.

export interface CosemDateTime {
  year?: number;
  month?: number;
  day?: number;
  /** 1 = Monday … 7 = Sunday. */
  dayOfWeek?: number;
  hour?: number;
  minute?: number;
  second?: number;
  hundredths?: number;
  /** Minutes, UTC = local + deviation. */
  deviationMinutes?: number;
  /** Clock status bits (0x80 daylight saving active …); 0xFF when the meter does not say. */
  status: number;
  /** `2016-02-29T08:27:36.33+01:00` when date and time are complete (no offset when the deviation is unspecified). */
  iso?: string;
}

const UNSPECIFIED = 0xff;
const NO_DEVIATION = -0x8000;

const BYTE_FIELDS = ['month', 'day', 'dayOfWeek', 'hour', 'minute', 'second', 'hundredths'] as const;
type ByteField = (typeof BYTE_FIELDS)[number];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function byteField(b: number): number | undefined {
  return b === UNSPECIFIED ? undefined : b;
}

function isoOf(d: CosemDateTime): string | undefined {
  const { year, month, day, hour, minute, second } = d;
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = d.hundredths !== undefined && d.hundredths > 0 && d.hundredths < 100 ? `.${two(d.hundredths)}` : '';
  let offset = '';
  if (d.deviationMinutes !== undefined && Math.abs(d.deviationMinutes) <= 720) {
    const east = -d.deviationMinutes;
    offset = east === 0 ? 'Z' : `${east > 0 ? '+' : '-'}${two(Math.floor(Math.abs(east) / 60))}:${two(Math.abs(east) % 60)}`;
  }
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${fraction}${offset}`;
}

/** The 12 bytes of a COSEM date-time as fields; DlmsError 'bad-length' when not 12 bytes. */
export function decodeDateTime(b12: Uint8Array): CosemDateTime {
  if (b12.length !== 12) throw new DlmsError('bad-length', 0, `a COSEM date-time is 12 bytes, not ${b12.length}`);
  const yearRaw = ((b12[0] as number) << 8) | (b12[1] as number);
  const deviationRaw = (((b12[9] as number) << 24) >> 16) | (b12[10] as number);
  const d: CosemDateTime = { status: b12[11] as number };
  if (yearRaw !== 0xffff) d.year = yearRaw;
  for (let i = 0; i < BYTE_FIELDS.length; i++) {
    const v = byteField(b12[2 + i] as number);
    if (v !== undefined) d[BYTE_FIELDS[i] as ByteField] = v;
  }
  if (deviationRaw !== NO_DEVIATION) d.deviationMinutes = deviationRaw;
  const iso = isoOf(d);
  if (iso !== undefined) d.iso = iso;
  return d;
}

function checkByte(name: string, v: number | undefined): number {
  if (v === undefined) return UNSPECIFIED;
  if (!Number.isInteger(v) || v < 0 || v > 0xfe) throw new DlmsError('bad-value', 0, `date-time ${name} ${v} is out of range`);
  return v;
}

/**
 * The 12 bytes of a date-time. A `Date` is written as the local time of `deviationMinutes`
 * (default 0: UTC) with that deviation and status 0; a CosemDateTime as its fields (absent =
 * not specified).
 */
export function encodeDateTime(d: Date | CosemDateTime, deviationMinutes?: number): Buffer {
  const b = Buffer.alloc(12);
  if (d instanceof Date) {
    const deviation = deviationMinutes ?? 0;
    if (!Number.isInteger(deviation) || Math.abs(deviation) > 720) throw new DlmsError('bad-value', 0, `deviation ${deviation} is out of range -720 … 720`);
    const t = d.getTime();
    if (!Number.isFinite(t)) throw new DlmsError('bad-value', 0, 'an invalid Date has no date-time');
    const local = new Date(t - deviation * 60_000);
    const year = local.getUTCFullYear();
    if (year < 0 || year > 0xfffe) throw new DlmsError('bad-value', 0, `year ${year} is out of range`);
    b.writeUInt16BE(year, 0);
    b[2] = local.getUTCMonth() + 1;
    b[3] = local.getUTCDate();
    b[4] = ((local.getUTCDay() + 6) % 7) + 1;
    b[5] = local.getUTCHours();
    b[6] = local.getUTCMinutes();
    b[7] = local.getUTCSeconds();
    b[8] = Math.floor(local.getUTCMilliseconds() / 10);
    b.writeInt16BE(deviation, 9);
    b[11] = 0;
    return b;
  }
  if (d.year !== undefined && (!Number.isInteger(d.year) || d.year < 0 || d.year > 0xfffe)) throw new DlmsError('bad-value', 0, `year ${d.year} is out of range`);
  b.writeUInt16BE(d.year ?? 0xffff, 0);
  b[2] = checkByte('month', d.month);
  b[3] = checkByte('day', d.day);
  b[4] = checkByte('day of week', d.dayOfWeek);
  b[5] = checkByte('hour', d.hour);
  b[6] = checkByte('minute', d.minute);
  b[7] = checkByte('second', d.second);
  b[8] = checkByte('hundredths', d.hundredths);
  const deviation = d.deviationMinutes;
  if (deviation !== undefined && (!Number.isInteger(deviation) || deviation < -0x7fff || deviation > 0x7fff)) throw new DlmsError('bad-value', 0, `deviation ${deviation} is out of range`);
  b.writeInt16BE(deviation ?? NO_DEVIATION, 9);
  if (!Number.isInteger(d.status) || d.status < 0 || d.status > 0xff) throw new DlmsError('bad-value', 0, `clock status ${d.status} is out of range`);
  b[11] = d.status;
  return b;
}
