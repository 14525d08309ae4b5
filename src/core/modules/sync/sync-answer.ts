import type { Signer } from '../exports/export-format.js';
import type { Removal } from './sync-diff.js';
import { HPKE_CONTENT_TYPE, hpkeSeal } from './sync-hpke.js';
import type { ReadableKey } from './sync-repo.js';

// The answer's bytes (docs/key-sync.md "Answer"): JSON `openeks-key-sync/1`, optionally sealed
// with HPKE to the token's X25519 key, then signed with the service's Ed25519 key over exactly the
// bytes sent.

export const SYNC_FORMAT = 'openeks-key-sync/1';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface SyncAnswer {
  body: Buffer;
  contentType: string;
  /** `ed25519=<base64 of the 64-byte signature>`: the `OpenEKS-Signature` header. */
  signature: string;
}

/** Key types in the order every answer lists them: DEK first, then by name. */
const keyOrder = (a: string, b: string) => (a === b ? 0 : a === 'DEK' ? -1 : b === 'DEK' ? 1 : a < b ? -1 : 1);

/** The devices of the upserts, each once, with the keys delivered (hex, upper case). */
export function upsertsOf(keys: readonly ReadableKey[], plain: readonly Buffer[]) {
  const devices = new Map<string, { deviceId: string; serial: string; manufacturer: string; kind: string; medium: string; driverHint: string | null; keys: { keyType: string; version: number; key: string }[] }>();
  keys.forEach((k, i) => {
    let device = devices.get(k.device_id);
    if (device === undefined) {
      device = { deviceId: k.device_id, serial: k.serial, manufacturer: k.manufacturer, kind: k.kind, medium: k.medium, driverHint: k.driver_hint, keys: [] };
      devices.set(k.device_id, device);
    }
    device.keys.push({ keyType: k.key_type, version: k.version, key: (plain[i] ?? Buffer.alloc(0)).toString('hex').toUpperCase() });
  });
  for (const device of devices.values()) device.keys.sort((a, b) => keyOrder(a.keyType, b.keyType));
  return [...devices.values()];
}

export async function answerBytes(input: { full: boolean; cursor: string; upserts: ReturnType<typeof upsertsOf>; removals: readonly Removal[]; signer: Signer; recipient: Buffer | undefined }): Promise<SyncAnswer> {
  const json = Buffer.from(JSON.stringify({ format: SYNC_FORMAT, full: input.full, cursor: input.cursor, upserts: input.upserts, removals: input.removals }), 'utf8');
  const body = input.recipient === undefined ? json : await hpkeSeal(input.recipient, json);
  if (input.recipient !== undefined) json.fill(0);
  return {
    body,
    contentType: input.recipient === undefined ? JSON_CONTENT_TYPE : HPKE_CONTENT_TYPE,
    signature: `ed25519=${input.signer.sign(body).toString('base64')}`,
  };
}
