import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import type { Actor } from '../../access/actor.js';
import type { PersonPrincipal } from '../../access/principal.js';
import type { Db } from '../../db/database.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import { checkOpenPgpPublicKey } from './openpgp-key-check.js';
import type { OpenPgpKeysRepo } from './openpgp-keys-repo.js';

import type { OpenPgpKeyView } from '../../../shared/api/openpgp-key.js';

/**
 * The user's OpenPGP public key (docs/downloads.md "OpenPGP"): set (checked: an armored public key
 * that can encrypt now), shown by fingerprint, removed; each change audited. The export service
 * reads it through `armoredOf` when a download is to be encrypted.
 */
export function createOpenPgpKeysService(deps: { db: Db; repo: OpenPgpKeysRepo; audit: AuditWriter; clock: Clock }) {
  const view = (row: { fingerprint: string; algorithm: string; created_at: string }): OpenPgpKeyView => ({ fingerprint: row.fingerprint, algorithm: row.algorithm, createdAt: row.created_at });

  return {
    /** The user's key as the profile shows it, or null when none is registered. */
    async get({ principal }: { principal: PersonPrincipal }): Promise<{ key: OpenPgpKeyView | null }> {
      const row = await deps.repo.find(principal.userId);
      return { key: row === undefined ? null : view(row) };
    },

    /** Registers or replaces the user's key; 422 `openpgp_key_invalid` (field `armored`) for anything else. */
    async set({ principal, actor, armored }: { principal: PersonPrincipal; actor: Actor; armored: string }): Promise<OpenPgpKeyView> {
      const now = deps.clock.now();
      // Parsing and checking the key (openpgp.js) happens before the transaction.
      const checked = await checkOpenPgpPublicKey(armored, { field: 'armored', now });
      const row = { user_id: principal.userId, armored: armored.trim(), fingerprint: checked.fingerprint, algorithm: checked.algorithm, created_at: now.toISOString() };
      await deps.db.kysely.transaction().execute(async (trx) => {
        const before = await deps.repo.find(principal.userId, trx);
        await deps.repo.put(row, trx);
        await deps.audit.write(
          { actor, action: 'openpgp_key.set', target: { type: 'user', id: principal.userId }, result: 'allowed', details: { fingerprint: checked.fingerprint, algorithm: checked.algorithm, replaced: before?.fingerprint ?? null } },
          trx,
        );
      });
      return view(row);
    },

    /** Removes the user's key; 404 `not_found` when none is registered. */
    async remove({ principal, actor }: { principal: PersonPrincipal; actor: Actor }): Promise<void> {
      await deps.db.kysely.transaction().execute(async (trx) => {
        const before = await deps.repo.find(principal.userId, trx);
        if (before === undefined) throw new AppError('not_found', 'No OpenPGP key is registered.');
        await deps.repo.remove(principal.userId, trx);
        await deps.audit.write({ actor, action: 'openpgp_key.remove', target: { type: 'user', id: principal.userId }, result: 'allowed', details: { fingerprint: before.fingerprint } }, trx);
      });
    },

    /** For the export service: the user's armored public key, or null when none is registered. */
    async armoredOf(userId: string): Promise<string | null> {
      return (await deps.repo.find(userId))?.armored ?? null;
    },
  };
}

export type OpenPgpKeysService = ReturnType<typeof createOpenPgpKeysService>;
