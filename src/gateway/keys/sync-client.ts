import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { CachedDevice } from './key-cache.js';

// One request of the key sync (docs/key-sync.md), as a value: an answer whose signature verifies
// over the exact bytes received and whose shape is the contract's, or the reason it was not
// taken. Nothing here echoes the token or a key.

export type SyncOutcome =
  | { kind: 'answer'; full: boolean; cursor: string; upserts: CachedDevice[]; removals: { deviceId: string; keyType?: string }[] }
  /** 410 sync_reset, 400 sync_cursor_invalid: ask again without `since`. */
  | { kind: 'start-over'; reason: string }
  /** Nothing taken; `message` says why in words for the status. */
  | { kind: 'failed'; message: string; unauthorized?: boolean };

export const tokenRefused = 'the gateway token was refused (revoked or expired)';
const TIMEOUT_MS = 10_000;
const MAX_CURSOR = 64;

/** An Ed25519 SPKI PEM, or an error naming what is wrong with it. */
export function signingKeyOf(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the core's signing key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  return key;
}

function reachFailure(url: string, err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as { name?: string }).name ?? 'error';
  return `the core at ${url} cannot be reached (${cause})`;
}

/** GET /.well-known/openeks-signing-key: the PEM, or the reason it could not be had. */
export async function fetchSigningKey(coreUrl: string, fetchFn: typeof fetch): Promise<{ pem: string } | { message: string }> {
  let res: Response;
  try {
    res = await fetchFn(`${coreUrl}/.well-known/openeks-signing-key`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    return { message: reachFailure(coreUrl, err) };
  }
  const pem = await res.text().catch(() => '');
  if (res.status !== 200) return { message: `the core answered ${res.status} for its signing key` };
  try {
    signingKeyOf(pem);
  } catch (err) {
    return { message: `the core's published signing key is not usable: ${(err as Error).message}` };
  }
  return { pem };
}

const errorCodeOf = (body: string): string => {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : '';
  } catch {
    return '';
  }
};

export async function requestSync(o: { coreUrl: string; token: string; cursor: string | null; signingKey: KeyObject; fetch: typeof fetch }): Promise<SyncOutcome> {
  const url = `${o.coreUrl}/api/sync/keys${o.cursor === null ? '' : `?since=${encodeURIComponent(o.cursor)}`}`;
  let res: Response;
  let body: Buffer;
  try {
    res = await o.fetch(url, { headers: { authorization: `Bearer ${o.token}`, accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    return { kind: 'failed', message: reachFailure(o.coreUrl, err) };
  }
  if (res.status !== 200) {
    const code = errorCodeOf(body.toString('utf8'));
    if (res.status === 401) return { kind: 'failed', message: tokenRefused, unauthorized: true };
    if (res.status === 410 || code === 'sync_cursor_invalid') return { kind: 'start-over', reason: code || String(res.status) };
    if (res.status === 404) return { kind: 'failed', message: 'the core refused the key sync for this token (404): it must be a token of kind gateway or concentrator whose user may read keys' };
    if (res.status === 503) return { kind: 'failed', message: "the core's key vault is sealed (503); the gateway retries" };
    if (res.status === 409) return { kind: 'failed', message: 'another sync of this token ran at the same moment (409); the gateway retries' };
    return { kind: 'failed', message: `the core answered ${res.status}${code ? ` ${code}` : ''} to the key sync` };
  }
  const header = res.headers.get('openeks-signature') ?? '';
  const signature = /^ed25519=([A-Za-z0-9+/]{86}==)$/.exec(header.trim())?.[1];
  if (signature === undefined) return { kind: 'failed', message: 'the sync answer carries no OpenEKS-Signature: ed25519=…; dropped' };
  if (!verify(null, body, o.signingKey, Buffer.from(signature, 'base64'))) {
    return { kind: 'failed', message: "the sync answer's signature does not verify with the pinned signing key of the core; dropped" };
  }
  if (!(res.headers.get('content-type') ?? '').startsWith('application/json')) {
    return { kind: 'failed', message: `the sync answer is ${res.headers.get('content-type') ?? 'untyped'}: this gateway reads plain JSON answers only; create its token without a public key` };
  }
  return parseAnswer(body);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** The answer's JSON, checked field by field; the first wrong field is named (never its value: it may be a key). */
export function parseAnswer(body: Buffer): SyncOutcome {
  const bad = (field: string): SyncOutcome => ({ kind: 'failed', message: `the sync answer is malformed at ${field}; dropped` });
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return bad('its JSON');
  }
  if (!isRecord(json) || json.format !== 'openeks-key-sync/1') return bad('format');
  if (typeof json.full !== 'boolean') return bad('full');
  if (!text(json.cursor, MAX_CURSOR) || !/^[A-Za-z0-9_-]+$/.test(json.cursor)) return bad('cursor');
  if (!Array.isArray(json.upserts)) return bad('upserts');
  if (!Array.isArray(json.removals)) return bad('removals');
  const upserts: CachedDevice[] = [];
  for (const [i, u] of json.upserts.entries()) {
    const at = `upserts[${i}]`;
    if (!isRecord(u) || !text(u.deviceId, 64) || !text(u.serial, 64) || !text(u.manufacturer, 8)) return bad(at);
    if (u.driverHint !== null && u.driverHint !== undefined && !text(u.driverHint, 64)) return bad(`${at}.driverHint`);
    if (!Array.isArray(u.keys)) return bad(`${at}.keys`);
    const keys = [];
    for (const [j, k] of u.keys.entries()) {
      if (!isRecord(k) || !text(k.keyType, 16) || !Number.isInteger(k.version) || typeof k.version !== 'number') return bad(`${at}.keys[${j}]`);
      if (!text(k.key, 128) || k.key.length % 2 !== 0 || !/^[0-9A-F]+$/.test(k.key)) return bad(`${at}.keys[${j}].key`);
      keys.push({ keyType: k.keyType, version: k.version, key: k.key });
    }
    upserts.push({ deviceId: u.deviceId, serial: u.serial, manufacturer: u.manufacturer.toUpperCase(), driverHint: typeof u.driverHint === 'string' ? u.driverHint : null, keys });
  }
  const removals: { deviceId: string; keyType?: string }[] = [];
  for (const [i, r] of json.removals.entries()) {
    if (!isRecord(r) || !text(r.deviceId, 64) || (r.keyType !== undefined && !text(r.keyType, 16))) return bad(`removals[${i}]`);
    removals.push(typeof r.keyType === 'string' ? { deviceId: r.deviceId, keyType: r.keyType } : { deviceId: r.deviceId });
  }
  return { kind: 'answer', full: json.full, cursor: json.cursor, upserts, removals };
}
