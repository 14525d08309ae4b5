import type { MeterView } from './meter-book.js';
import type { KeySourceStatus } from './gateway-types.js';

// The status page's words, German and English (the CLI stays English).

export type Lang = 'de' | 'en';

interface Texts {
  title: string;
  otherLanguage: string;
  gatewayId: string;
  keys: string;
  devices: string;
  lastSync: string;
  expiresAt: string;
  mqtt: string;
  connected: string;
  disconnected: string;
  delivered: string;
  buffered: string;
  dropped: string;
  counts: string;
  readings: string;
  events: string;
  startedAt: string;
  links: string;
  link: string;
  state: string;
  detail: string;
  protocol: string;
  polls: string;
  /** "every 900 s; last 12:00:03, answered 12:00:03; next 12:15:01; 2 of 40 failed" */
  pollText(p: { intervalSeconds: number; lastPollAt: string | null; lastOkAt: string | null; nextPollAt: string | null; polls: number; failures: number }): string;
  meters: string;
  noMeters: string;
  columns: string[];
  linkState: Record<'connected' | 'disconnected', string>;
  keyState: Record<KeySourceStatus['state'], string>;
  key: Record<MeterView['key'], string>;
  decrypts: Record<MeterView['decrypts'], string>;
}

export const pageTexts: Record<Lang, Texts> = {
  en: {
    title: 'openeks gateway',
    otherLanguage: 'Deutsch',
    gatewayId: 'Gateway',
    keys: 'Keys',
    devices: 'meters',
    lastSync: 'last sync',
    expiresAt: 'usable until',
    mqtt: 'MQTT',
    connected: 'connected',
    disconnected: 'not connected',
    delivered: 'delivered',
    buffered: 'buffered',
    dropped: 'dropped',
    counts: 'Since start',
    readings: 'readings',
    events: 'events',
    startedAt: 'Started',
    links: 'Links',
    link: 'Link',
    state: 'State',
    detail: 'Detail',
    protocol: 'Protocol',
    polls: 'Polls',
    pollText: (p) =>
      [`every ${p.intervalSeconds} s`, `last ${p.lastPollAt ?? '–'}`, `last answer ${p.lastOkAt ?? '–'}`, `next ${p.nextPollAt ?? '–'}`, `${p.failures} of ${p.polls} failed`].join('; '),
    meters: 'Meters heard',
    noMeters: 'No meter heard yet.',
    columns: ['Meter', 'Manufacturer', 'Address', 'Model', 'Signal', 'Telegrams', 'Key', 'Decrypts', 'Last reading', 'Last event', 'Last heard'],
    linkState: { connected: 'connected', disconnected: 'disconnected' },
    keyState: { fresh: 'up to date', offline: 'core unreachable, using the cache', expired: 'expired: readings stopped', 'not-synced': 'not synced yet' },
    key: { held: 'held in the EKS', 'not-held': 'not held', expired: 'expired', 'not-synced': 'not synced' },
    decrypts: { yes: 'yes', no: 'no', 'reversed-key-would': 'no — the byte-reversed key would', 'not-encrypted': 'not encrypted', unknown: 'unknown' },
  },
  de: {
    title: 'openeks-Gateway',
    otherLanguage: 'English',
    gatewayId: 'Gateway',
    keys: 'Schlüssel',
    devices: 'Zähler',
    lastSync: 'letzter Abgleich',
    expiresAt: 'nutzbar bis',
    mqtt: 'MQTT',
    connected: 'verbunden',
    disconnected: 'nicht verbunden',
    delivered: 'zugestellt',
    buffered: 'gepuffert',
    dropped: 'verworfen',
    counts: 'Seit dem Start',
    readings: 'Messwerte',
    events: 'Ereignisse',
    startedAt: 'Gestartet',
    links: 'Verbindungen',
    link: 'Verbindung',
    state: 'Zustand',
    detail: 'Einzelheiten',
    protocol: 'Protokoll',
    polls: 'Abfragen',
    pollText: (p) =>
      [`alle ${p.intervalSeconds} s`, `zuletzt ${p.lastPollAt ?? '–'}`, `letzte Antwort ${p.lastOkAt ?? '–'}`, `nächste ${p.nextPollAt ?? '–'}`, `${p.failures} von ${p.polls} fehlgeschlagen`].join('; '),
    meters: 'Empfangene Zähler',
    noMeters: 'Noch kein Zähler empfangen.',
    columns: ['Zähler', 'Hersteller', 'Adresse', 'Modell', 'Signal', 'Telegramme', 'Schlüssel', 'Entschlüsselt', 'Letzter Messwert', 'Letztes Ereignis', 'Zuletzt empfangen'],
    linkState: { connected: 'verbunden', disconnected: 'getrennt' },
    keyState: { fresh: 'aktuell', offline: 'Kern nicht erreichbar, Zwischenspeicher in Gebrauch', expired: 'abgelaufen: keine Messwerte mehr', 'not-synced': 'noch nicht abgeglichen' },
    key: { held: 'im EKS vorhanden', 'not-held': 'nicht vorhanden', expired: 'abgelaufen', 'not-synced': 'nicht abgeglichen' },
    decrypts: { yes: 'ja', no: 'nein', 'reversed-key-would': 'nein — der bytegedrehte Schlüssel würde passen', 'not-encrypted': 'unverschlüsselt', unknown: 'unbekannt' },
  },
};

/** `?lang=` wins, then the first of de/en in Accept-Language (by q), else English. */
export function pickLanguage(query: string | null, acceptLanguage: string | undefined): Lang {
  if (query === 'de' || query === 'en') return query;
  const ranked = (acceptLanguage ?? '')
    .slice(0, 512)
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
      return { lang: tag.split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => (x.lang === 'de' || x.lang === 'en') && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  const first = ranked[0]?.lang;
  return first === 'de' ? 'de' : 'en';
}
