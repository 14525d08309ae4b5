import { randomBytes } from 'node:crypto';

// Prefixed, random, URL-safe ids (docs/style.md 12). 80 bits: ids are not secrets (SEC-10), tokens
// come from lib/crypto/tokens.ts.
export type IdPrefix = 'usr' | 'ses' | 'tok' | 'aud' | 'mail' | 'dev' | 'key' | 'dk' | 'kek' | 'req' | 'rc' | 'cus' | 'imp' | 'arq' | 'ins' | 'exp';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(10).toString('base64url')}`;
}
