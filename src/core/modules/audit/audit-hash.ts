import { createHash } from 'node:crypto';
import type { AuditRow } from '../../db/schema.js';

// The hash chain (SEC-14). Each record's hash covers its predecessor's hash and every field of
// its own, in a fixed order, so an edit, a deletion or a swap breaks the chain at that record.
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

export function auditHash(fields: ChainedFields): string {
  const canonical = JSON.stringify(fieldOrder.map((name) => fields[name]));
  return createHash('sha256').update(canonical).digest('hex');
}
