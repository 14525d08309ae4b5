import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';
import type { Executor } from '../../db/database.js';
import type { Vault } from '../../vault/vault-service.js';
import type { SettingsRepo } from '../settings/settings-repo.js';

// The sync cursor (docs/key-sync.md "The cursor"): opaque to the client, base64url of
//   version (1 byte, 1) ‖ generation (8 bytes BE) ‖ seq (8 bytes BE) ‖ HMAC-SHA-256 (first 16 bytes)
// where the MAC covers the token id and the 17 bytes before it, under a random per-installation
// key that lives in the settings table only as a vault envelope. Someone else's cursor, an edited
// one or garbage fails the MAC: nobody can point a token at a position it was never given.

export interface SyncPosition {
  /** The generation of the answer that handed out the cursor. */
  generation: number;
  /** The feed seq that answer had read up to. */
  seq: number;
}

const VERSION = 1;
const BODY = 17;
const MAC = 16;
const SETTING = 'sync.cursor_key';
const context = { table: 'settings', rowId: SETTING, purpose: 'key-sync cursor mac' } as const;

export interface CursorCodec {
  encode(tokenId: string, position: SyncPosition): string;
  /** undefined when the cursor is not one this service gave to this token. */
  decode(tokenId: string, cursor: string): SyncPosition | undefined;
}

export function cursorCodec(key: Buffer): CursorCodec {
  const mac = (tokenId: string, body: Buffer) => createHmac('sha256', key).update(`openeks key-sync cursor v1\n${tokenId}\n`).update(body).digest().subarray(0, MAC);
  return {
    encode(tokenId, position) {
      const body = Buffer.alloc(BODY);
      body.writeUInt8(VERSION, 0);
      body.writeBigUInt64BE(BigInt(position.generation), 1);
      body.writeBigUInt64BE(BigInt(position.seq), 9);
      return Buffer.concat([body, mac(tokenId, body)]).toString('base64url');
    },
    decode(tokenId, cursor) {
      if (!/^[A-Za-z0-9_-]{44}$/.test(cursor)) return undefined;
      const bytes = Buffer.from(cursor, 'base64url');
      if (bytes.length !== BODY + MAC || bytes.readUInt8(0) !== VERSION) return undefined;
      const body = bytes.subarray(0, BODY);
      if (!timingSafeEqual(bytes.subarray(BODY), mac(tokenId, body))) return undefined;
      const generation = Number(body.readBigUInt64BE(1));
      const seq = Number(body.readBigUInt64BE(9));
      if (!Number.isSafeInteger(generation) || !Number.isSafeInteger(seq)) return undefined;
      return { generation, seq };
    },
  };
}

/**
 * The cursor MAC key: opened from its vault envelope in the settings table, made on first use.
 * Kept in memory once opened; a sealed vault refuses (503) before any cursor is read or made.
 */
export function createCursorKeys(deps: { db: Executor; settings: Pick<SettingsRepo, 'get' | 'put'>; vault: Pick<Vault, 'encrypt' | 'decrypt'>; clock: Clock }) {
  let codec: CursorCodec | undefined;
  async function open(): Promise<CursorCodec> {
    const stored = await deps.settings.get(SETTING);
    if (stored !== undefined) return cursorCodec(await deps.vault.decrypt({ ciphertext: stored, context }));
    const key = randomBytes(32);
    const sealed = await deps.vault.encrypt({ plaintext: key, context });
    // Two instances making it at once: the first one's stays, the other reads it back.
    await deps.db.insertInto('settings').values({ name: SETTING, value: sealed.ciphertext, updated_at: deps.clock.now().toISOString() }).onConflict((c) => c.column('name').doNothing()).execute();
    const kept = await deps.settings.get(SETTING);
    if (kept === undefined) throw new Error('the key-sync cursor key was not stored');
    return kept === sealed.ciphertext ? cursorCodec(key) : cursorCodec(await deps.vault.decrypt({ ciphertext: kept, context }));
  }
  return {
    async codec(): Promise<CursorCodec> {
      codec ??= await open();
      return codec;
    },
  };
}
