import type { Container } from '../core/container.js';
import type { Actor } from '../core/access/actor.js';
import { CliFailure } from './cli-context.js';

/**
 * `openeks master-key rotate`: the vault creates the new versions and rewraps online in batches
 * (each its own transaction, so readers keep working); the outcome is audited as one record.
 */
export async function rotateMasterKey(c: Container, actor: Actor): Promise<string[]> {
  const status = c.vault.status();
  if (status.sealed) throw new CliFailure(`the key vault is sealed: ${status.reason ?? status.label}`);
  try {
    const report = await c.vault.rotate();
    await c.db.kysely.transaction().execute((trx) =>
      c.audit.write({
        actor,
        action: 'vault.rotate',
        target: { type: 'kek', id: String(report.kekVersion) },
        result: 'allowed',
        details: { masterVersion: report.masterVersion, kekVersion: report.kekVersion, rewrapped: report.rewrapped, retired: report.retired.join(',') },
      }, trx),
    );
    return [
      `master key version ${report.masterVersion}, key-encryption key version ${report.kekVersion}`,
      `${report.rewrapped} data keys rewrapped; retired key-encryption key versions: ${report.retired.length ? report.retired.join(', ') : 'none'}`,
    ];
  } catch (err) {
    await c.db.kysely
      .transaction()
      .execute((trx) => c.audit.write({ actor, action: 'vault.rotate', result: 'error', reason: err instanceof Error ? err.message : 'failed' }, trx))
      .catch(() => undefined);
    throw err;
  }
}
