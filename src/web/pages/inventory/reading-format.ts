import type { TFunction } from 'i18next';
import { formatDate } from '../../components/format.js';
import { durationOf, fieldSpec, statusParts, type FieldSpec, type Qualifier, type Unit } from './reading-fields.js';

// One decoded value as the telegram check shows it: its label and its value in the reader's
// language ("Gesamtvolumen 6,408 m³"), with the raw wmbusmeters name kept beside it. A name the
// catalogue does not know is shown as it came, never hidden.

export interface ReadingRow {
  /** The wmbusmeters field name, as the API sent it. */
  name: string;
  label: string;
  value: string;
}

const symbols: Record<Exclude<Unit, 'currency'>, string> = {
  kwh: 'kWh', kw: 'kW', m3: 'm³', m3h: 'm³/h', m3c: 'm³·°C', c: '°C', k: 'K', bar: 'bar', kg: 'kg', t: 't', kgh: 'kg/h', pct: '%', v: 'V', a: 'A', h: 'h', bd: 'Bd',
};

/** Volumes are read in litres: three decimals (6.408 m³) say so even where the last is 0. */
const minimumDecimals: Partial<Record<Unit, number>> = { m3: 3, m3h: 3 };

/** Between a number and its unit: a space that never breaks the line. */
const space = '\u00a0';

export function readingRows(t: TFunction, language: string, reading: { driver: string; fields: Record<string, number | string | null> }): ReadingRow[] {
  return Object.entries(reading.fields).map(([name, value]) => {
    const spec = fieldSpec(name, reading.driver);
    return { name, label: spec === undefined ? name : labelText(t, spec), value: valueText(t, language, spec, value) };
  });
}

function labelText(t: TFunction, spec: FieldSpec): string {
  const { label } = spec;
  if ('field' in label) return label.n === undefined ? t(`reading.fields.${label.field}`) : t(`reading.fields.${label.field}`, { n: label.n });
  const base = 'quantity' in label ? t(`reading.quantities.${label.quantity}`) : t('reading.vif', { table: label.vif, code: label.code });
  if (label.qualifiers.length === 0) return base;
  return t('reading.withQualifiers', { label: base, qualifiers: label.qualifiers.map((q) => qualifierText(t, q)).join(', ') });
}

function qualifierText(t: TFunction, q: Qualifier): string {
  switch (q.kind) {
    case 'max':
    case 'min':
    case 'atError':
      return t(`reading.qualifiers.${q.kind}`);
    default:
      return t(`reading.qualifiers.${q.kind}`, { n: q.n });
  }
}

function valueText(t: TFunction, language: string, spec: FieldSpec | undefined, value: number | string | null): string {
  if (value === null) return '–';
  if (typeof value === 'number') return numberText(t, language, spec?.unit, value);
  switch (spec?.kind) {
    case 'status': {
      const parts = statusParts(value);
      if (parts.length === 0) return t('reading.statusNone');
      return parts.map((part) => ('word' in part ? t(`reading.status.${part.word}`) : 'errorFlags' in part ? t('reading.errorFlags', { bits: part.errorFlags }) : part.unknown)).join(', ');
    }
    case 'duration': {
      const duration = durationOf(value);
      return duration === undefined ? value : t(`reading.durations.${duration}`);
    }
    case 'date':
      return formatDate(value, language);
    case 'dateTime':
      return dateTimeText(value, language);
    default:
      return value === '' ? '–' : value;
  }
}

function numberText(t: TFunction, language: string, unit: FieldSpec['unit'], value: number): string {
  const decimals = typeof unit === 'string' ? (minimumDecimals[unit] ?? 0) : 0;
  const number = new Intl.NumberFormat(language, { minimumFractionDigits: decimals, maximumFractionDigits: 20 }).format(value);
  if (unit === undefined) return number;
  if (typeof unit !== 'string') return unit.text === '' ? number : `${number}${space}${unit.text}`;
  return `${number}${space}${unit === 'currency' ? t('reading.currencyUnits') : symbols[unit]}`;
}

/** The meter's own local time (`2026-11-28T13:05` or with seconds): shown as it is, never moved to another time zone. */
function dateTimeText(value: string, language: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(:\d\d)?$/.exec(value);
  if (m === null) return value;
  const [, y, mo, d, h, mi, seconds] = m;
  const s = seconds?.slice(1);
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)));
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: s === undefined ? 'short' : 'medium', timeZone: 'UTC' }).format(date);
}
