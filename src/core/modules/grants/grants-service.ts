import type { Clock } from '../../../lib/clock.js';
import { newId } from '../../../lib/ids.js';
import type { DeviceSelection, GrantResultView, ReadersView, RevokeResultView } from '../../../shared/api/grants.js';
import { AppError } from '../../../shared/errors.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import { grantableScopeOf } from '../../access/device-scope.js';
import type { Principal } from '../../access/principal.js';
import type { Db, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { UserRow } from '../../db/schema.js';
import type { AccountLinks } from '../accounts/account-links.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { UsersRepo } from '../auth/users-repo.js';
import { type DeviceSelections, type ResolvedSelection, selectionSummary } from '../devices/device-selection.js';
import type { MailService } from '../mail/mail-service.js';
import { grantorName } from './grant-mail.js';
import type { GrantsRepo } from './grants-repo.js';
import type { SyncFeed } from '../../db/sync-feed.js';

export interface GrantsDeps {
  db: Db;
  repo: GrantsRepo;
  users: Pick<UsersRepo, 'findByEmail' | 'findById' | 'insert'>;
  selections: DeviceSelections;
  links: Pick<AccountLinks, 'issue' | 'invalidate' | 'page'>;
  mail: Pick<MailService, 'enqueue'>;
  audit: AuditWriter;
  guard: AccessGuard;
  clock: Clock;
  /** The key sync's change feed (docs/key-sync.md): the devices a grant or revocation changed. */
  syncFeed: Pick<SyncFeed, 'touchGranted' | 'touchRevoked'>;
}

const emailProblem = (reason: 'self' | 'operator', message: string) =>
  new AppError('validation_failed', message, { details: [{ field: 'email', reason }] });

const noDevices = () => new AppError('validation_failed', 'The selection holds no device.', { details: [{ field: 'selection', reason: 'holds no device' }] });

/**
 * Read rights (docs/grants.md, flows 3 and 4): who may read which device. Superusers hand on the
 * devices of their customer accounts, operators any; a reader never re-shares (he holds no
 * `grants.manage`, and what was granted to a superuser lies outside his grantable scope). Each
 * request is one transaction with one audit record, the grants written set-based.
 */
export function createGrantsService(deps: GrantsDeps) {
  const { repo, guard, selections } = deps;

  /** Checks the permission and resolves the selection in the grantable scope, before any transaction. */
  async function prepare(principal: Principal, actor: Actor, selection: DeviceSelection) {
    await guard.require(principal, actor, 'grants.manage');
    const scope = grantableScopeOf(principal);
    return { scope, resolved: await selections.prepare(scope, selection, actor) };
  }

  /** The refusals of the address, before the transaction (the account is read again inside it). */
  async function readerFor(principal: Principal, email: string): Promise<UserRow | undefined> {
    const address = email.trim().toLowerCase();
    if (principal.kind === 'person' && principal.email.toLowerCase() === address) throw emailProblem('self', 'You cannot assign read rights to yourself.');
    const user = await deps.users.findByEmail(address);
    if (user?.is_operator === 1) throw emailProblem('operator', 'Operators read every device already; assign read rights to a user.');
    if (user?.status === 'disabled') throw new AppError('reader_disabled');
    return user;
  }

  async function invite(reader: UserRow, by: string, trx: Executor, actor: Actor): Promise<void> {
    const devices = await repo.activeCount(reader.id, trx);
    // A new link withdraws the older one: the newest mail always carries the working link.
    const link = await deps.links.issue(reader.id, 'invitation', trx);
    await deps.mail.enqueue({ to: reader.email, template: 'invitation', language: reader.language, data: { devices, by, link: link.link, expiresAt: link.expiresAt } }, trx);
    await deps.audit.write({ actor, action: 'invitation.send', target: { type: 'user', id: reader.id }, result: 'allowed', details: { devices, expiresAt: link.expiresAt } }, trx);
  }

  return {
    /** Who can read the selected devices (the "Edit read rights" dialog); changes nothing. */
    async readers({ principal, actor, selection }: { principal: Principal; actor: Actor; selection: DeviceSelection }): Promise<ReadersView> {
      const { scope, resolved } = await prepare(principal, actor, selection);
      return deps.db.kysely.transaction().execute(async (trx) => {
        const selected = await selections.confirm(scope, resolved, trx);
        const rows = await repo.readersOf(selections.ids(scope, resolved, trx), trx);
        const items = [];
        for (const row of rows) {
          items.push({
            readerId: row.reader_id,
            email: row.email,
            name: row.name,
            status: row.status === 'pending' ? ('invited' as const) : ('active' as const),
            devices: Number(row.devices),
            since: row.since,
            grantedBy: await repo.firstGrantor(row.reader_id, selections.ids(scope, resolved, trx), trx),
          });
        }
        return { selected, items };
      });
    },

    /**
     * "Zuordnen": grants the selection to the e-mail. An account gets the grants at once and a
     * mail; an address without one gets a pending account, the grants and an invitation link.
     */
    async assign({ principal, actor, selection, email }: { principal: Principal; actor: Actor; selection: DeviceSelection; email: string }): Promise<GrantResultView> {
      const { scope, resolved } = await prepare(principal, actor, selection);
      await readerFor(principal, email);
      const address = email.trim().toLowerCase();
      const by = grantorName(principal);
      const once = () => deps.db.kysely.transaction().execute(async (trx) => {
        const at = deps.clock.now().toISOString();
        const selected = await selections.confirm(scope, resolved, trx);
        if (selected === 0) throw noDevices();
        let reader = await deps.users.findByEmail(address, trx);
        if (reader === undefined) {
          const id = newId('usr');
          const language = principal.kind === 'person' ? principal.language : 'en';
          await deps.users.insert({ id, email: address, name: null, password_hash: null, is_operator: 0, status: 'pending', language, created_at: at, updated_at: at }, trx);
          reader = await deps.users.findById(id, trx);
          if (!reader) throw new AppError('internal');
        }
        if (reader.status === 'disabled') throw new AppError('reader_disabled');
        // The rows name their audit record (written just after, when the counts are known): the
        // trail of a device finds its grant without an audit row per device (docs/audit-trail.md).
        const auditId = newId('aud');
        const granted = await repo.grant({ devices: selections.ids(scope, resolved, trx), readerId: reader.id, grantedBy: principal.userId, at, auditId }, trx);
        const status = reader.status === 'pending' ? ('invited' as const) : ('active' as const);
        await deps.audit.write({
          id: auditId,
          actor,
          action: 'grant.create',
          target: { type: 'user', id: reader.id },
          result: 'allowed',
          details: { ...summary(resolved, selected), granted, alreadyGranted: selected - granted, reader: status, at },
        }, trx);
        await deps.syncFeed.touchGranted(auditId, at, trx);
        if (granted > 0 && status === 'invited') await invite(reader, by, trx, actor);
        if (granted > 0 && status === 'active') {
          await deps.mail.enqueue({ to: reader.email, template: 'read-access-granted', language: reader.language, data: { devices: granted, by, link: deps.links.page('/eks') } }, trx);
        }
        return { granted, alreadyGranted: selected - granted, reader: { readerId: reader.id, email: reader.email, status } };
      });
      try {
        return await once();
      } catch (err) {
        // Two assignments to the same new address (or of the same devices) at once: the other one
        // created the pending account or the grants. Run again: this one then adds what is left.
        if (!isUniqueViolation(err)) throw err;
        return once();
      }
    },

    /**
     * "Entfernen": revokes the reader's grants on the selection, or on every device in the
     * caller's grantable scope. Effective on the reader's next request (the scope is read per
     * request). An invitation that no longer grants anything is withdrawn.
     */
    async revoke({ principal, actor, readerId, selection }: { principal: Principal; actor: Actor; readerId: string; selection?: DeviceSelection | undefined }): Promise<RevokeResultView> {
      await guard.require(principal, actor, 'grants.manage');
      const scope = grantableScopeOf(principal);
      const resolved = selection === undefined ? undefined : await selections.prepare(scope, selection, actor);
      const by = grantorName(principal);
      return deps.db.kysely.transaction().execute(async (trx) => {
        const at = deps.clock.now().toISOString();
        const selected = resolved === undefined ? null : await selections.confirm(scope, resolved, trx);
        // Without a selection: every device of the scope; an operator's is every device at all.
        const devices = resolved !== undefined ? selections.ids(scope, resolved, trx) : scope.kind === 'all' ? null : selections.ids(scope, { kind: 'filter', filter: {}, count: 0, askedFilter: {} }, trx);
        const auditId = newId('aud');
        const revoked = await repo.revoke({ devices, readerId, revokedBy: principal.userId, at, auditId }, trx);
        if (revoked === 0) throw new AppError('nothing_to_revoke');
        const reader = await deps.users.findById(readerId, trx);
        if (!reader) throw new AppError('internal');
        const details = resolved === undefined ? { selection: 'all' } : summary(resolved, selected ?? 0);
        await deps.audit.write({ id: auditId, actor, action: 'grant.revoke', target: { type: 'user', id: readerId }, result: 'allowed', details: { ...details, revoked, at } }, trx);
        await deps.syncFeed.touchRevoked(auditId, at, trx);
        if (reader.status === 'pending' && (await repo.activeCount(readerId, trx)) === 0) {
          await deps.links.invalidate(readerId, 'invitation', at, trx);
          await deps.audit.write({ actor, action: 'invitation.cancel', target: { type: 'user', id: readerId }, result: 'allowed', details: { reason: 'all read rights revoked' } }, trx);
        }
        if (reader.status === 'active') {
          await deps.mail.enqueue({ to: reader.email, template: 'read-access-revoked', language: reader.language, data: { devices: revoked, by, link: deps.links.page('/eks') } }, trx);
        }
        return { revoked };
      });
    },

    /** The active grants of the account with this e-mail (the CLI's `grants list`); operators only. */
    async listOf({ principal, actor, email }: { principal: Principal; actor: Actor; email: string }) {
      await guard.require(principal, actor, 'users.manage');
      const reader = await deps.users.findByEmail(email.trim().toLowerCase());
      if (!reader) throw await guard.notFound(actor, { type: 'user', id: email }, 'No account with this e-mail.');
      return { reader, grants: await repo.listOf(reader.id) };
    },
  };
}

function summary(resolved: ResolvedSelection, selected: number) {
  return { ...selectionSummary(resolved), devices: selected };
}

export type GrantsService = ReturnType<typeof createGrantsService>;
