import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayStatusView } from './gateway-service.js';
import type { MeterView } from './meter-book.js';
import { startStatusPage, type StatusPage } from './status-page.js';
import { pickLanguage } from './status-page-texts.js';

const status: GatewayStatusView = {
  gatewayId: 'site-1',
  links: [
    { name: 'stick<script>', protocol: 'wmbus', state: 'disconnected', detail: 'closed; retrying in 200 ms' },
    {
      name: 'eye', protocol: 'kmp', state: 'connected', detail: 'serial 71234567, 10 registers',
      poll: { intervalSeconds: 900, polls: 40, failures: 2, lastPollAt: '2026-12-04T12:00:03.000Z', lastOkAt: '2026-12-04T12:00:04.000Z', nextPollAt: '2026-12-04T12:15:01.000Z' },
    },
  ],
  keys: { state: 'offline', devices: 4, lastSyncAt: '2026-12-04T12:00:00.000Z', expiresAt: '2026-12-07T12:00:00.000Z', lastError: 'core unreachable' },
  mqtt: { connected: true, buffered: 2, dropped: 0, delivered: 17 },
  readings: 17,
  events: 3,
  startedAt: '2026-12-04T11:00:00.000Z',
};
const meters: MeterView[] = [
  {
    meterKey: 'KAM-63941885', manufacturer: 'KAM', id: '63941885', model: 'multical21', rssiDbm: -71, telegrams: 5,
    lastHeardAt: '2026-12-04T12:00:05.000Z', key: 'held', decrypts: 'yes', lastReading: { total_m3: 6.408, status: '<img src=x onerror=alert(1)>' }, lastEvent: null,
  },
  {
    meterKey: 'DME-40312233', manufacturer: 'DME', id: '40312233', model: 'device type 0x07', rssiDbm: null, telegrams: 1,
    lastHeardAt: '2026-12-04T12:00:06.000Z', key: 'not-held', decrypts: 'reversed-key-would', lastReading: null, lastEvent: 'decrypt_failed',
  },
];

let page: StatusPage;
beforeAll(async () => {
  page = await startStatusPage({ host: '127.0.0.1', port: 0, source: { status: () => status, meters: () => meters } });
});
afterAll(() => page.close());

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(path, page.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the status page', () => {
  it('listens on loopback at the address it reports', () => {
    expect(page.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('GET / lists the meters in English by default, with a strict CSP and escaped hostile text', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toContain('<td>KAM-63941885</td>');
    expect(res.body).toContain('<td>-71 dBm</td>');
    expect(res.body).toContain('<td class="good">held in the EKS</td>');
    expect(res.body).toContain('no — the byte-reversed key would');
    expect(res.body).toContain('Meters heard (2)');
    expect(res.body).toContain('core unreachable, using the cache');
    expect(res.body).toContain('status=&lt;img src=x onerror=alert(1)&gt;');
    expect(res.body).toContain('<td>stick&lt;script&gt;</td>');
    // A pull link: its protocol, the meter's last answer, and its schedule.
    expect(res.body).toContain('<td>eye</td><td>kmp</td><td class="good">connected</td><td>serial 71234567, 10 registers</td><td>every 900 s; last 2026-12-04T12:00:03.000Z; last answer 2026-12-04T12:00:04.000Z; next 2026-12-04T12:15:01.000Z; 2 of 40 failed</td>');
    expect(res.body).toContain('<td>wmbus</td><td class="bad">disconnected</td><td>closed; retrying in 200 ms</td><td>–</td>');
    expect(res.body).not.toContain('<img');
    expect(res.body).not.toContain('<script');
    expect(res.body).not.toContain(' src="');
    expect(res.body).not.toContain('href="http');
    expect(res.body).not.toContain('href="//');
  });

  it('speaks German when the browser asks for it, and ?lang= overrides the browser', async () => {
    const de = await get('/', { 'accept-language': 'de-DE,de;q=0.9,en;q=0.8' });
    expect(de.headers['content-language']).toBe('de');
    expect(de.body).toContain('<html lang="de">');
    expect(de.body).toContain('Empfangene Zähler (2)');
    expect(de.body).toContain('<td class="good">im EKS vorhanden</td>');
    expect(de.body).toContain('nein — der bytegedrehte Schlüssel würde passen');
    expect(de.body).toContain('Kern nicht erreichbar, Zwischenspeicher in Gebrauch');
    expect(de.body).toContain('<td>alle 900 s; zuletzt 2026-12-04T12:00:03.000Z; letzte Antwort 2026-12-04T12:00:04.000Z; nächste 2026-12-04T12:15:01.000Z; 2 von 40 fehlgeschlagen</td>');
    const en = await get('/?lang=en', { 'accept-language': 'de' });
    expect(en.body).toContain('<html lang="en">');
    const forced = await get('/?lang=de');
    expect(forced.body).toContain('<html lang="de">');
  });

  it('GET /api/status and /api/meters answer the same data as JSON', async () => {
    const s = await get('/api/status');
    expect(s.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(s.body)).toEqual(status);
    const m = await get('/api/meters');
    expect(JSON.parse(m.body)).toEqual({ meters });
  });

  it('is read-only and knows only its three addresses', async () => {
    const post = await get('/', {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(post.body)).toEqual({ error: { code: 'method_not_allowed', message: 'This page is read-only.' } });
    const missing = await get('/admin');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('not_found');
    const head = await get('/api/meters', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('pickLanguage', () => {
  it('takes ?lang= first, then the highest-ranked of de and en, else English', () => {
    expect(pickLanguage('de', 'en')).toBe('de');
    expect(pickLanguage(null, 'fr-FR, de;q=0.5, en;q=0.4')).toBe('de');
    expect(pickLanguage(null, 'en;q=0.3, de;q=0.2')).toBe('en');
    expect(pickLanguage(null, 'de;q=0, en;q=0.1')).toBe('en');
    expect(pickLanguage('xx', 'fr')).toBe('en');
    expect(pickLanguage(null, undefined)).toBe('en');
  });
});
