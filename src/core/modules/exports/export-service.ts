import { PassThrough, type Writable } from 'node:stream';
import type { Clock } from '../../../lib/clock.js';
import { newId } from '../../../lib/ids.js';
import type { ExportFormatName, ExportPreviewView, ExportView, LeftOutView } from '../../../shared/api/exports.js';
import type { DeviceSelection } from '../../../shared/api/grants.js';
import { AppError, isAppError } from '../../../shared/errors.js';
import type { KeyType } from '../../../shared/inventory/device-fields.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import { deviceScopeOf, type DeviceScope } from '../../access/device-scope.js';
import type { Principal } from '../../access/principal.js';
import type { Db } from '../../db/database.js';
import type { DecryptInput, Vault } from '../../vault/vault-service.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { DeviceSelections, ResolvedSelection } from '../devices/device-selection.js';
import { deviceKeyContext } from '../keys/key-crypto.js';
import { stepUpDue } from '../../access/session-policy.js';
import type { ExportDevice, ExportFormat, Signer, WriteExportOptions, WrittenExport } from './export-format.js';
import type { ChunkDevice, ChunkKey, ExportRepo, ExportRow } from './export-repo.js';
import { exportFileName } from './write-export.js';
import { encryptToOpenPgp, openPgpFileName } from './openpgp-encrypt.js';
import { checkOpenPgpPublicKey } from '../openpgp/openpgp-key-check.js';
import type { OpenPgpKeysService } from '../openpgp/openpgp-keys-service.js';

// Downloads (docs/downloads.md "Downloading"): which devices and keys leave, audited per
// device before they leave. The format writers (export-format.ts) only see the plaintext rows
// this service hands them, one chunk at a time:
//   read a chunk of devices (keyset by id) and their active key versions →
//   one transaction: the chunk's `keys.export` record, every device linked in audit_devices, the
//   export's rows_written → COMMIT → decrypt → hand to the writer.
// If the audit cannot be written, the chunk is never decrypted and the download is aborted
// (the export row says failed). While the writer writes one chunk, the next one is read,
// audited and decrypted (one chunk ahead, so memory stays flat).

/** The API's format names are the seam's: this fails to compile when the two lists differ. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const formatsAgree: Same<ExportFormat, ExportFormatName> = true;

export const DEFAULT_CHUNK = 1000;

export interface ExportsDeps {
  db: Db;
  repo: ExportRepo;
  selections: DeviceSelections;
  vault: Pick<Vault, 'assertUnsealed'>;
  /** Opens many device-key ciphertexts at once (vault decryptMany, or its worker pool). */
  decrypt: (inputs: readonly DecryptInput[]) => Promise<Buffer[]>;
  /** The format writers (formats/), behind the seam. */
  write: (options: WriteExportOptions) => Promise<WrittenExport>;
  /** The service's signing key (signing-keys.ts); 503 `sealed` when none is open. */
  signer: () => Signer;
  /** The users' registered OpenPGP keys, for `encryptTo: 'openpgp'`. */
  openPgpKeys: Pick<OpenPgpKeysService, 'armoredOf'>;
  audit: AuditWriter;
  guard: AccessGuard;
  clock: Clock;
  /** Devices per chunk (audit record, transaction, decryption batch). */
  chunkSize?: number;
}

export interface ExportStart extends ExportRequest {
  /** KEM and KEM2: the file's password. */
  password?: string | undefined;
  /** Encrypt to the user's registered OpenPGP key. */
  encryptTo?: 'openpgp' | undefined;
  /** Encrypt to this armored OpenPGP public key (the CLI's `--openpgp-key`). */
  openPgpKey?: string | undefined;
}

export interface ExportRequest {
  principal: Principal;
  actor: Actor;
  selection: DeviceSelection;
  format: ExportFormatName;
}

/** A download that passed every check: its headers are known, its bytes not yet written. */
export interface StartedExport {
  id: string;
  fileName: string;
  contentType: string;
  /** Devices that leave. */
  total: number;
  keys: number;
  leftOut: LeftOutView;
  /** Writes the file to `out` (which it ends, or destroys on failure); resolves when done. */
  run(out: Writable): Promise<{ devices: number; keys: number }>;
}

const leftOutHeaderNames: Record<keyof LeftOutView, string> = {
  compromised: 'compromised',
  suspended: 'suspended',
  deactivated: 'deactivated',
  destroyed: 'destroyed',
  preActivation: 'pre-activation',
  noActiveKey: 'no-active-key',
};

/** `compromised=3, no-active-key=2` (the `X-OpenEKS-Left-Out` header, the CLI); `none` when nothing was left out. */
export function leftOutText(leftOut: LeftOutView): string {
  const parts = (Object.keys(leftOutHeaderNames) as (keyof LeftOutView)[]).filter((k) => leftOut[k] > 0).map((k) => `${leftOutHeaderNames[k]}=${leftOut[k]}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** A customer number as it appears in a file name: lower case, [a-z0-9-] only. */
export function fileSlug(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'all' : slug.slice(0, 40);
}

function checkPassword(format: ExportFormatName, password: string | undefined): void {
  const kem = format === 'kem' || format === 'kem2';
  if (!kem) {
    if (typeof password === 'string') throw new AppError('validation_failed', 'Only KEM and KEM2 files take a password.', { details: [{ field: 'password', reason: 'only for kem and kem2' }] });
    return;
  }
  const bytes = password === undefined ? 0 : Buffer.byteLength(password, 'utf8');
  if (bytes < 1 || bytes > 16) {
    throw new AppError('validation_failed', 'The KEM password must be 1 to 16 bytes long (UTF-8).', { details: [{ field: 'password', reason: `is ${bytes} bytes, must be 1 to 16` }] });
  }
}

const noDevices = (reason: string) => new AppError('validation_failed', 'The selection holds no device whose keys can leave.', { details: [{ field: 'selection', reason }] });

function sortKeys(keys: ChunkKey[]): ChunkKey[] {
  return keys.sort((a, b) => (a.key_type === b.key_type ? 0 : a.key_type === 'DEK' ? -1 : b.key_type === 'DEK' ? 1 : a.key_type < b.key_type ? -1 : 1));
}

function viewOf(row: ExportRow): ExportView {
  return {
    id: row.id,
    format: row.format,
    status: row.status,
    total: row.total,
    rowsWritten: row.rows_written,
    leftOut: JSON.parse(row.left_out) as LeftOutView,
    fileName: row.file_name,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    error: row.error,
  };
}

export function createExportService(deps: ExportsDeps) {
  const { repo, selections, guard } = deps;
  const kysely = deps.db.kysely;
  const chunkSize = deps.chunkSize ?? DEFAULT_CHUNK;

  /**
   * The armored OpenPGP key a download is encrypted to: the CLI's `--openpgp-key` file, or with
   * `encryptTo: 'openpgp'` the one the user registered (none: 400 naming `encryptTo`). Checked
   * before anything is read (422 `openpgp_key_invalid` naming the field).
   */
  async function openPgpKeyOf(request: ExportStart): Promise<string | undefined> {
    let armored = request.openPgpKey;
    let field = 'openpgpKey';
    if (armored === undefined && request.encryptTo === 'openpgp') {
      field = 'encryptTo';
      const registered = request.principal.userId === null ? null : await deps.openPgpKeys.armoredOf(request.principal.userId);
      if (registered === null) throw new AppError('validation_failed', 'Register an OpenPGP public key on your profile page first.', { details: [{ field, reason: 'no OpenPGP key registered' }] });
      armored = registered;
    }
    if (armored !== undefined) await checkOpenPgpPublicKey(armored, { field, now: deps.clock.now() });
    return armored;
  }

  /** SEC-25: a session's download needs a sign-in within the last 5 minutes; tokens are the credential. */
  function reauthRequired(principal: Principal): boolean {
    return principal.kind === 'person' && stepUpDue(principal, deps.clock.now());
  }

  /** Permission, scope and selection, before any transaction; refusals audited by the guard. */
  async function resolve({ principal, actor, selection }: ExportRequest): Promise<{ scope: DeviceScope; resolved: ResolvedSelection }> {
    await guard.require(principal, actor, 'keys.read');
    const scope = await deviceScopeOf(principal);
    return { scope, resolved: await selections.prepare(scope, selection, actor) };
  }

  async function measure(scope: DeviceScope, resolved: ResolvedSelection, format: ExportFormatName) {
    const selected = await selections.confirm(scope, resolved, kysely);
    if (selected === 0) throw noDevices('holds no device');
    const stats = await repo.stats(selections.ids(scope, resolved, kysely));
    const customerNo = stats.customerAccountId === null ? undefined : await repo.customerNoOf(stats.customerAccountId);
    const day = deps.clock.now().toISOString().slice(0, 10);
    const fileStem = `openeks-${customerNo === undefined ? 'all' : fileSlug(customerNo)}-${day}-${stats.devices}`;
    return { ...stats, fileStem, fileName: exportFileName(format, fileStem) };
  }

  function toDevice(row: ChunkDevice, keys: ChunkKey[], plains: Map<string, Buffer>): ExportDevice {
    return {
      id: row.id,
      serial: row.serial,
      manufacturer: row.manufacturer,
      kind: row.kind,
      medium: row.medium,
      model: row.model,
      typeNo: row.type_no,
      configNo: row.config_no,
      orderNo: row.order_no,
      deliveryNote: row.delivery_note,
      customerNo: row.customer_no,
      driverHint: row.driver_hint,
      keys: keys.map((k) => {
        const key = plains.get(k.id);
        // Never an empty key in a file: a key the decryption did not return is a failed download.
        if (key === undefined) throw new Error(`key ${k.id} was not decrypted`);
        return { keyType: k.key_type as KeyType, version: k.version, key };
      }),
    };
  }

  return {
    /** What a download of the selection would hold (the dialog's summary); reads only, audits nothing. */
    async preview(request: ExportRequest): Promise<ExportPreviewView> {
      const { scope, resolved } = await resolve(request);
      const m = await measure(scope, resolved, request.format);
      return { devices: m.devices, keys: m.keys, leftOut: m.leftOut, fileName: m.fileName, reauthRequired: reauthRequired(request.principal) };
    },

    /**
     * Every check of a download, then its export row; the first chunk is read, audited and
     * decrypted here, so that a refusal or an audit that cannot be written is still an error
     * answer with its status, before any byte of the file.
     */
    async start(request: ExportStart): Promise<StartedExport> {
      const { principal, actor, format, password } = request;
      await guard.require(principal, actor, 'keys.read');
      // Before anything is read or audited as sent.
      if (reauthRequired(principal)) throw new AppError('reauth_required');
      checkPassword(format, password);
      const armoredKey = await openPgpKeyOf(request);
      deps.vault.assertUnsealed();
      const signer = deps.signer();
      const { scope, resolved } = await resolve(request);
      const m = await measure(scope, resolved, format);
      if (m.devices === 0) throw noDevices('holds no device with an active key');

      const id = newId('exp');
      const at = deps.clock.now().toISOString();
      await repo.insert({
        id,
        user_id: principal.userId,
        token_id: principal.kind === 'machine' ? principal.tokenId : null,
        format,
        status: 'running',
        total: m.devices,
        left_out: JSON.stringify(m.leftOut),
        file_name: m.fileName,
        created_at: at,
      });

      const finish = async (error: string | null) => {
        await repo.finish(id, { status: error === null ? 'done' : 'failed', at: deps.clock.now().toISOString(), error }).catch(() => undefined);
      };

      /** Read, audit (committed), decrypt: the devices of one chunk, ready to leave. */
      async function nextChunk(afterId: string | null): Promise<{ devices: ExportDevice[]; lastId: string | null }> {
        const { devices: leaving, keys, lastId } = await repo.chunk(selections.ids(scope, resolved, kysely), afterId, chunkSize);
        if (leaving.length === 0) return { devices: [], lastId: null };
        const byDevice = new Map<string, ChunkKey[]>();
        for (const key of keys) {
          const list = byDevice.get(key.device_id);
          if (list === undefined) byDevice.set(key.device_id, [key]);
          else list.push(key);
        }
        await kysely.transaction().execute(async (trx) => {
          await deps.audit.write(
            {
              actor,
              action: 'keys.export',
              target: { type: 'export', id },
              result: 'allowed',
              details: { exportId: id, format, count: leaving.length },
              devices: leaving.map((r) => r.id),
            },
            trx,
          );
          await repo.addWritten(id, leaving.length, trx);
        });
        const ordered = leaving.flatMap((r) => sortKeys(byDevice.get(r.id) ?? []));
        const opened = await deps.decrypt(ordered.map((k) => ({ ciphertext: k.ciphertext, context: deviceKeyContext({ id: k.id, deviceId: k.device_id, keyType: k.key_type, version: k.version }) })));
        const plains = new Map<string, Buffer>();
        ordered.forEach((k, i) => {
          const key = opened[i];
          if (key !== undefined) plains.set(k.id, key);
        });
        return { devices: leaving.map((r) => toDevice(r, byDevice.get(r.id) ?? [], plains)), lastId };
      }

      let first: { devices: ExportDevice[]; lastId: string | null };
      try {
        first = await nextChunk(null);
      } catch (err) {
        await finish(isAppError(err) ? err.code : 'internal');
        throw err;
      }

      let devicesOut = 0;
      async function* devices(): AsyncGenerator<ExportDevice> {
        let current = first;
        while (current.lastId !== null) {
          // One chunk ahead: read, audited and decrypted while this one is written.
          const ahead = nextChunk(current.lastId);
          ahead.catch(() => undefined);
          for (const device of current.devices) {
            devicesOut++;
            yield device;
          }
          for (const device of current.devices) for (const key of device.keys) key.key.fill(0);
          current = await ahead;
        }
      }

      return {
        id,
        fileName: armoredKey === undefined ? m.fileName : openPgpFileName(m.fileName),
        contentType: armoredKey === undefined ? 'application/zip' : 'application/pgp-encrypted',
        total: m.devices,
        keys: m.keys,
        leftOut: m.leftOut,
        async run(out) {
          // The writers end what they write into; `out` is ended here, after the export row says
          // done, so whoever has the whole file and asks for the progress sees it done.
          const relay = new PassThrough({ highWaterMark: 64 * 1024 });
          const relayed = new Promise<void>((resolve) => relay.once('end', resolve));
          relay.pipe(out, { end: false });
          relay.once('error', (err) => out.destroy(err));
          try {
            // Encrypted: the ZIP streams through openpgp.js into `out` (openpgp-encrypt.ts).
            const encryption = armoredKey === undefined ? undefined : await encryptToOpenPgp({ armoredKey, out: relay, now: deps.clock.now() });
            const written = await deps.write({ format, password, devices: devices(), out: encryption?.sink ?? relay, signer, fileStem: m.fileStem });
            await encryption?.done;
            await relayed;
            await finish(null);
            out.end();
            return { devices: written.devices, keys: written.keys };
          } catch (err) {
            await finish(isAppError(err) ? err.code : 'internal');
            // A broken download, never unaudited keys: the client sees the transfer fail.
            out.destroy(err instanceof Error ? err : new Error(String(err)));
            throw Object.assign(err instanceof Error ? err : new Error(String(err)), { devicesOut });
          }
        },
      };
    },

    /** An export's progress: its own user's (person or token), or any for operators. */
    async view({ principal, actor, id }: { principal: Principal; actor: Actor; id: string }): Promise<ExportView> {
      await guard.require(principal, actor, 'keys.read');
      const row = await repo.byId(id);
      const operator = principal.kind === 'system' || principal.roles.includes('operator');
      if (row === undefined || (!operator && row.user_id !== principal.userId)) throw await guard.notFound(actor, { type: 'export', id }, 'No such export.');
      return viewOf(row);
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
