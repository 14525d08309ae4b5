import { createHash, createHmac } from 'node:crypto';
import type { AuditRow } from '../../db/schema.js';

// The chain (SEC-14). Each record's hash covers its predecessor's hash and every field of its
// own, in a fixed order, so an edit, a deletion or a swap breaks the chain at that record.
// Since issue 11 the hash is an HMAC-SHA-256 under the chain key of the record's epoch
// (audit-keys.ts): without the vault nobody can compute one, so an edited record cannot be
// "repaired" by recomputing every later hash. Records with no epoch keep the plain SHA-256 of
// earlier versions (and of records written while the vault was sealed); a keyed record after
// them pins them, since its MAC covers their hashes through prev_hash.
export const genesisHash = '0'.repeat(64);

export type ChainedFields = Omit<AuditRow, 'seq' | 'hash'>;

const fieldOrder = [
  'id',
  'occurred_at',
  'request_id',
  'actor_id',
  'actor_role',
  'tenant',
  'action',
  'target_type',
  'target_id',
  'result',
  'reason',
  'ip',
  'user_agent',
  'auth_method',
  'details',
  'prev_hash',
] as const satisfies ReadonlyArray<keyof ChainedFields>;

function canonical(fields: ChainedFields): string {
  const values: unknown[] = fieldOrder.map((name) => fields[name]);
  // The epoch is bound into keyed records only, so plain records hash exactly as they always did.
  if (fields.key_epoch !== null) values.push(fields.key_epoch);
  return JSON.stringify(values);
}

/** The plain SHA-256 link (records with no key epoch). */
export function auditHash(fields: ChainedFields): string {
  return createHash('sha256').update(canonical(fields)).digest('hex');
}

/** The keyed link: HMAC-SHA-256 under the chain MAC key of `fields.key_epoch`. */
export function auditMac(macKey: Buffer, fields: ChainedFields): string {
  return createHmac('sha256', macKey).update(canonical(fields)).digest('hex');
}
