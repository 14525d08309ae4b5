import { randomBytes } from 'node:crypto';
import { buildAad } from '../../lib/crypto/aad.js';
import { open, seal } from '../../lib/crypto/aead.js';
import { envelopeHeader, formatEnvelope, parseEnvelope } from '../../lib/crypto/envelope.js';
import type { MasterKeyProvider } from './master-key/provider.js';

// How each level of the hierarchy wraps the one below (docs/crypto.md). Every wrapped key is an
// oek1 envelope naming its wrapping key, and its AAD says what it is and which row it belongs
// to, so a wrapped data key copied onto another row, or a KEK onto another version, fails.

export const KEY_BYTES = 32;
const CANARY = Buffer.from('openeks key vault canary v1', 'utf8');

export interface OpenKek {
  id: string;
  version: number;
  key: Buffer;
}

export type Opened = { ok: true; key: Buffer } | { ok: false; problem: 'malformed' | 'unknown-version' | 'does-not-open' | 'provider-failed' };

export function masterKeyId(version: number): string {
  return `master-v${version}`;
}

function kekAad(masterVersion: number, kek: { id: string; version: number }): Buffer {
  return buildAad(envelopeHeader(masterKeyId(masterVersion)), { purpose: 'kek', kekId: kek.id, version: kek.version });
}

export async function wrapKek(provider: MasterKeyProvider, input: { masterVersion: number; id: string; version: number; key: Buffer }): Promise<string> {
  const wrapped = await provider.wrap({ version: input.masterVersion, key: input.key, aad: kekAad(input.masterVersion, input) });
  return formatEnvelope({ keyId: masterKeyId(input.masterVersion), ...wrapped });
}

export async function unwrapKek(provider: MasterKeyProvider, row: { id: string; version: number; master_version: number; wrapped: string }): Promise<Opened> {
  const parsed = parseEnvelope(row.wrapped);
  if (!parsed.ok || parsed.keyId !== masterKeyId(row.master_version)) return { ok: false, problem: 'malformed' };
  const { nonce, ciphertext } = parsed;
  let key: Buffer | null;
  try {
    if (!(await provider.hasVersion(row.master_version))) return { ok: false, problem: 'unknown-version' };
    key = await provider.unwrap({ version: row.master_version, nonce, ciphertext, aad: kekAad(row.master_version, row) });
  } catch {
    // A token that went away, a session that broke: the caller seals, naming the label.
    return { ok: false, problem: 'provider-failed' };
  }
  if (key === null) return { ok: false, problem: 'does-not-open' };
  if (key.length !== KEY_BYTES) {
    key.fill(0);
    return { ok: false, problem: 'malformed' };
  }
  return { ok: true, key };
}

function dataKeyAad(kekId: string, dataKeyId: string): Buffer {
  return buildAad(envelopeHeader(kekId), { purpose: 'data-key', dataKeyId });
}

export function wrapDataKey(kek: OpenKek, dataKeyId: string, key: Buffer): string {
  return formatEnvelope({ keyId: kek.id, ...seal(kek.key, key, dataKeyAad(kek.id, dataKeyId)) });
}

/** The data key, or null if the text is not a data key wrapped by this KEK for this row. */
export function unwrapDataKey(kek: OpenKek, row: { id: string; kek_id: string; wrapped: string }): Buffer | null {
  const parsed = parseEnvelope(row.wrapped);
  if (!parsed.ok || parsed.keyId !== kek.id || row.kek_id !== kek.id) return null;
  const key = open(kek.key, parsed.nonce, parsed.ciphertext, dataKeyAad(kek.id, row.id));
  if (key !== null && key.length !== KEY_BYTES) {
    key.fill(0);
    return null;
  }
  return key;
}

export function newKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

// The canary proves at boot that the master key opens the KEK that opens data: a known text,
// sealed under the active KEK, re-sealed whenever another KEK becomes active (SEC-05, SEC-32).
export function sealCanary(kek: OpenKek): string {
  return formatEnvelope({ keyId: kek.id, ...seal(kek.key, CANARY, buildAad(envelopeHeader(kek.id), { purpose: 'canary' })) });
}

export function canaryKekId(text: string): string | undefined {
  const parsed = parseEnvelope(text);
  return parsed.ok ? parsed.keyId : undefined;
}

export function openCanary(kek: OpenKek, text: string): boolean {
  const parsed = parseEnvelope(text);
  if (!parsed.ok || parsed.keyId !== kek.id) return false;
  const plain = open(kek.key, parsed.nonce, parsed.ciphertext, buildAad(parsed.header, { purpose: 'canary' }));
  return plain !== null && plain.equals(CANARY);
}
