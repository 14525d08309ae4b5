import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { GatewayStatusView } from './gateway-service.js';
import type { MeterView } from './meter-book.js';
import { pageTexts, pickLanguage, type Lang } from './status-page-texts.js';

// The gateway's read-only page: GET / (HTML, German or English), GET /api/status, GET /api/meters.
// node:http, not fastify: the gateway stays small (docs/gateway.md). No external assets,
// every value escaped, a CSP that allows nothing but the page's own style block.

export interface StatusPageSource {
  status(): GatewayStatusView;
  meters(): MeterView[];
}

export interface StatusPage {
  url: string;
  close(): Promise<void>;
}

const STYLE = [
  'body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}',
  'table{border-collapse:collapse;margin:.5rem 0 1.5rem}',
  'th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}',
  'th{background:#f2f2f2}.bad{color:#a40000}.good{color:#0a6b00}',
].join('');
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');
const CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const cell = (v: unknown, cls?: string): string => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(v === null || v === undefined ? '–' : String(v))}</td>`;

function readingText(r: Record<string, unknown> | null): string {
  if (!r) return '–';
  return Object.entries(r)
    .filter(([k]) => k !== 'timestamp' && k !== 'verified' && k !== 'media')
    .map(([k, v]) => `${k}=${v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

export function renderStatusPage(lang: Lang, status: GatewayStatusView, meters: MeterView[]): string {
  const t = pageTexts[lang];
  const links = status.links
    .map((l) => `<tr>${cell(l.name)}${cell(l.protocol)}${cell(t.linkState[l.state], l.state === 'connected' ? 'good' : 'bad')}${cell(l.detail)}${cell(l.poll === undefined ? null : t.pollText(l.poll))}</tr>`)
    .join('');
  const rows = meters
    .map(
      (m) =>
        `<tr>${cell(m.meterKey)}${cell(m.manufacturer)}${cell(m.id)}${cell(m.model)}${cell(m.rssiDbm === null ? null : `${m.rssiDbm} dBm`)}` +
        `${cell(m.telegrams)}${cell(t.key[m.key], m.key === 'held' ? 'good' : 'bad')}${cell(t.decrypts[m.decrypts], m.decrypts === 'yes' || m.decrypts === 'not-encrypted' ? 'good' : 'bad')}` +
        `${cell(readingText(m.lastReading))}${cell(m.lastEvent)}${cell(m.lastHeardAt)}</tr>`,
    )
    .join('');
  const k = status.keys;
  const summary = [
    [t.gatewayId, status.gatewayId],
    [t.keys, `${t.keyState[k.state]} — ${t.devices}: ${k.devices}${k.lastSyncAt ? `, ${t.lastSync}: ${k.lastSyncAt}` : ''}${k.expiresAt ? `, ${t.expiresAt}: ${k.expiresAt}` : ''}${k.lastError ? ` (${k.lastError})` : ''}`],
    [t.mqtt, `${status.mqtt.connected ? t.connected : t.disconnected} — ${t.delivered}: ${status.mqtt.delivered}, ${t.buffered}: ${status.mqtt.buffered}, ${t.dropped}: ${status.mqtt.dropped}`],
    [t.counts, `${t.readings}: ${status.readings}, ${t.events}: ${status.events}`],
    [t.startedAt, status.startedAt],
  ]
    .map(([h, v]) => `<tr><th>${escapeHtml(h ?? '')}</th>${cell(v)}</tr>`)
    .join('');
  const other = lang === 'de' ? 'en' : 'de';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="10"><title>${escapeHtml(t.title)} ${escapeHtml(status.gatewayId)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(t.title)}</h1><p><a href="?lang=${other}">${escapeHtml(t.otherLanguage)}</a></p>
<table>${summary}</table>
<h2>${escapeHtml(t.links)}</h2><table><tr><th>${escapeHtml(t.link)}</th><th>${escapeHtml(t.protocol)}</th><th>${escapeHtml(t.state)}</th><th>${escapeHtml(t.detail)}</th><th>${escapeHtml(t.polls)}</th></tr>${links}</table>
<h2>${escapeHtml(t.meters)} (${meters.length})</h2>
<table><tr>${t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>${rows || `<tr><td colspan="${t.columns.length}">${escapeHtml(t.noMeters)}</td></tr>`}</table>
</body></html>
`;
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(head ? undefined : body);
}

function handle(req: IncomingMessage, res: ServerResponse, source: StatusPageSource): void {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, 'application/json', JSON.stringify({ error: { code: 'method_not_allowed', message: 'This page is read-only.' } }), false);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/api/status') return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(source.status()), head);
  if (url.pathname === '/api/meters') return send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ meters: source.meters() }), head);
  if (url.pathname === '/') {
    const lang = pickLanguage(url.searchParams.get('lang'), req.headers['accept-language']);
    res.setHeader('content-language', lang);
    res.setHeader('vary', 'accept-language');
    return send(res, 200, 'text/html; charset=utf-8', renderStatusPage(lang, source.status(), source.meters()), head);
  }
  send(res, 404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: `No page at "${url.pathname.slice(0, 100)}".` } }), head);
}

/** 127.0.0.0/8, ::1, localhost: the page's default home. Anything else is only used when gateway.yaml names it in http.host. */
export const isLoopbackHost = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

export async function startStatusPage(o: { host: string; port: number; source: StatusPageSource }): Promise<StatusPage> {
  const server = createServer((req, res) => {
    try {
      handle(req, res, o.source);
    } catch {
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: { code: 'internal', message: 'The page could not be built.' } }), false);
      else res.destroy();
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.maxHeadersCount = 50;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;
  const url = new URL('http://localhost');
  url.hostname = o.host.includes(':') ? `[${o.host}]` : o.host;
  url.port = String(port);
  return {
    url: url.href,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
