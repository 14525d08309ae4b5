import type { Principal } from '../../access/principal.js';
import type { Executor } from '../../db/database.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { Actor } from '../../access/actor.js';
import type { MailService } from '../mail/mail-service.js';
import type { GrantsRepo } from './grants-repo.js';

// The mails around read rights that are not sent by the grants service's own requests.

/** How a mail names whoever granted or revoked: name and e-mail, or the service for the CLI. */
export function grantorName(principal: Principal): string {
  if (principal.kind !== 'person') return 'openeks';
  return principal.name ? `${principal.name} (${principal.email})` : principal.email;
}

/**
 * SEC-09: a key version was marked compromised — every reader of its device is told, in his
 * language, in the transaction of the state change. Grants follow the device, not the version.
 */
export function createCompromiseNotice(deps: { repo: Pick<GrantsRepo, 'readersOfDevice' | 'deviceLabel'>; mail: Pick<MailService, 'enqueue'>; audit: AuditWriter; page: (path: string) => string }) {
  return async function notify(input: { actor: Actor; deviceId: string; keyId: string; keyType: string; version: number }, trx: Executor): Promise<number> {
    const readers = await deps.repo.readersOfDevice(input.deviceId, trx);
    const data = { device: await deps.repo.deviceLabel(input.deviceId, trx), keyType: input.keyType, version: input.version, link: deps.page('/eks') };
    for (const reader of readers) {
      await deps.mail.enqueue({ to: reader.email, template: 'key-compromised', language: reader.language, data }, trx);
    }
    await deps.audit.write({
      actor: input.actor,
      action: 'key.compromise_notice',
      target: { type: 'device-key', id: input.keyId },
      devices: [input.deviceId],
      result: 'allowed',
      details: { deviceId: input.deviceId, readers: readers.length },
    }, trx);
    return readers.length;
  };
}

export type CompromiseNotice = ReturnType<typeof createCompromiseNotice>;
