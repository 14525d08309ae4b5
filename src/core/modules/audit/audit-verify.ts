import type { AuditRepo } from './audit-repo.js';
import { auditHash, genesisHash } from './audit-hash.js';

export type AuditVerdict =
  | { ok: true; records: number; head: string }
  | { ok: false; records: number; seq: number; problem: 'edited' | 'broken-link'; message: string };

/**
 * Walks the chain in order and stops at the first record that does not hold: its own hash does
 * not match its fields (edited) or it does not point at its predecessor (a record before it was
 * deleted, inserted or the two were swapped). Reads in pages so a long trail needs little memory.
 */
export async function verifyAuditChain(repo: Pick<AuditRepo, 'pageAfter'>, pageSize = 5000): Promise<AuditVerdict> {
  let previous = genesisHash;
  let afterSeq = 0;
  let count = 0;
  for (;;) {
    const rows = await repo.pageAfter(afterSeq, pageSize);
    for (const row of rows) {
      const { seq, hash, ...fields } = row;
      if (fields.prev_hash !== previous) {
        return {
          ok: false,
          records: count,
          seq,
          problem: 'broken-link',
          message: `record ${seq} (${row.id}) does not follow the record before it: a record was deleted, inserted or moved before it`,
        };
      }
      // Chain hashes are public integrity data, not secrets: a timing-safe compare buys nothing.
      // eslint-disable-next-line security/detect-possible-timing-attacks
      if (auditHash(fields) !== hash) {
        return { ok: false, records: count, seq, problem: 'edited', message: `record ${seq} (${row.id}) was changed after it was written` };
      }
      previous = hash;
      afterSeq = seq;
      count += 1;
    }
    if (rows.length < pageSize) return { ok: true, records: count, head: previous };
  }
}
