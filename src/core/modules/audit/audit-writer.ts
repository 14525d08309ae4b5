import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import { encodeControlChars } from '../../../lib/text.js';
import type { Actor } from '../../access/actor.js';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect.js';
import type { AuditAction } from './audit-events.js';
import { auditHash, auditMac, genesisHash } from './audit-hash.js';
import type { AuditKeys } from './audit-keys.js';

export interface AuditEntry {
  actor: Actor;
  action: AuditAction;
  target?: { type: string; id: string };
  result: 'allowed' | 'denied' | 'error';
  reason?: string;
  tenant?: string;
  /** Non-secret facts only: never key material or credentials (SEC-12). */
  details?: Record<string, string | number | boolean | null>;
  /**
   * The devices the record is about (a few; docs/audit-trail.md): linked in `audit_devices`, so
   * their trail finds it. A grant's or revocation's devices are its `grants` rows instead.
   */
  devices?: readonly string[];
  /** The record's id, chosen by the caller when other rows name it (grants: `granted_audit_id`). */
  id?: string;
}

export interface AuditWriter {
  /** Appends to the chain inside the caller's transaction; the action fails if this fails. */
  write(entry: AuditEntry, trx: Executor): Promise<void>;
  /**
   * Appends several records in order, as `write` one after the other would, but with one read of
   * the chain's head and one INSERT (the group commit of audit-batch.ts). Optional: writers that
   * lack it are called once per record.
   */
  writeMany?(entries: readonly AuditEntry[], trx: Executor): Promise<void>;
}

const clean = (value: string | null | undefined, max = 1000): string | null =>
  value === null || value === undefined ? null : encodeControlChars(value).slice(0, max);

/**
 * `keys` MAC each record under the current chain key (SEC-14). While the vault is sealed there is
 * none, and the record is written with the plain SHA-256 link instead of being refused: sign-ins
 * and refusals must still be recorded; verify counts such records (audit-verify.ts).
 */
export function createAuditWriter(deps: { dialect: Pick<Dialect, 'lockAuditChain'>; clock: Clock; keys?: Pick<AuditKeys, 'current'> }): AuditWriter {
  function fieldsOf(entry: AuditEntry, prevHash: string, at: string) {
    const details: Record<string, string | number | boolean | null> = {};
    for (const [name, value] of Object.entries(entry.details ?? {})) {
      details[name] = typeof value === 'string' ? clean(value) : value;
    }
    const fields = {
      id: entry.id ?? newId('aud'),
      occurred_at: at,
      request_id: clean(entry.actor.requestId, 100),
      actor_id: entry.actor.userId,
      actor_role: entry.actor.role,
      tenant: clean(entry.tenant, 100),
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: clean(entry.target?.id, 200),
      result: entry.result,
      reason: clean(entry.reason),
      ip: clean(entry.actor.ip, 100),
      user_agent: clean(entry.actor.userAgent, 500),
      auth_method: entry.actor.authMethod,
      details: JSON.stringify(details),
      prev_hash: prevHash,
    };
    const key = deps.keys?.current();
    const chained = { ...fields, key_epoch: key?.epoch ?? null };
    const hash = key === undefined ? auditHash(chained) : auditMac(key.mac, chained);
    return { ...chained, hash };
  }

  async function append(entries: readonly AuditEntry[], trx: Executor): Promise<void> {
    try {
      // Several instances share one database: serialise appends so the chain never forks
      // (the unique prev_hash index backs this up).
      await deps.dialect.lockAuditChain(trx);
      const last = await trx.selectFrom('audit_log').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
      let prev = last?.hash ?? genesisHash;
      const at = deps.clock.now().toISOString();
      const rows = entries.map((entry) => {
        const row = fieldsOf(entry, prev, at);
        prev = row.hash;
        return row;
      });
      // One statement; the database numbers the rows in the order of the VALUES list.
      const inserted = await trx.insertInto('audit_log').values(rows).returning(['seq', 'id']).execute();
      const seqOf = new Map(inserted.map((r) => [r.id, Number(r.seq)]));
      // Not chained: the links only find records, verify never reads them.
      const links = entries.flatMap((entry, i) => [...new Set(entry.devices ?? [])].map((device_id) => ({ audit_seq: seqOf.get(rows[i]?.id ?? '') ?? 0, device_id })));
      if (links.length > 0) await trx.insertInto('audit_devices').values(links).execute();
    } catch (err) {
      throw new AppError('audit_unavailable', undefined, { cause: err });
    }
  }

  return {
    async write(entry, trx) {
      await append([entry], trx);
    },
    async writeMany(entries, trx) {
      if (entries.length > 0) await append(entries, trx);
    },
  };
}
