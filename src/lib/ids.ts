import { randomFillSync } from 'node:crypto';

// Prefixed, random, URL-safe ids (docs/style.md 12). 80 bits: ids are not secrets (SEC-10), tokens
// come from lib/crypto/tokens.ts.
export type IdPrefix = 'usr' | 'ses' | 'tok' | 'aud' | 'mail' | 'dev' | 'key' | 'dk' | 'kek' | 'req' | 'rc' | 'cus' | 'imp' | 'arq' | 'ins' | 'exp';

const ID_BYTES = 10;
// Every request takes two ids (its own and its audit record's): drawn from the CSPRNG in blocks
// rather than by one call each. Each byte is handed out once.
const pool = Buffer.alloc(ID_BYTES * 256);
let offset = pool.length;

export function newId(prefix: IdPrefix): string {
  if (offset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return `${prefix}_${id}`;
}
