import { writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, type TestApp } from '../../../../test/harness.js';
import { sh, tempDir } from '../../../../test/exports/export-files.js';
import { storeDevice } from '../../../../test/support/devices.js';
import { AppError } from '../../../shared/errors.js';
import type { Executor } from '../../db/database.js';
import type { DecryptInput } from '../../vault/vault-service.js';
import type { AuditEntry, AuditWriter } from '../audit/audit-writer.js';
import { createDeviceSelections } from '../devices/device-selection.js';
import { createDevicesRepo } from '../devices/devices-repo.js';
import { createExportRepo } from './export-repo.js';
import { createExportService } from './export-service.js';
import { writeExport } from './write-export.js';

// Audited per device before it leaves (docs/downloads.md "Downloading"): the service with the real
// database, vault, writer and audit writer, except that the audit writer fails on the n-th
// `keys.export` record. Then nothing of that chunk is decrypted or sent: a failure on the first
// chunk is an error answer before any byte; a later one aborts the download.

let t: TestApp;
const devices: string[] = [];
const keyHex = (i: number) => `${i.toString(16).padStart(2, '0')}`.repeat(16);

beforeAll(async () => {
  t = await createTestApp();
  for (let i = 1; i <= 3; i++) devices.push((await storeDevice(t.container, { manufacturer: 'KAM', serial: `6000000${i}`, keys: [{ hex: keyHex(0x40 + i) }] })).deviceId);
  devices.sort();
});
afterAll(async () => t?.close());

/** The real writer, failing from the n-th `keys.export` record on (a unit-level fake, test only). */
function failingAt(n: number): AuditWriter {
  let seen = 0;
  return {
    async write(entry: AuditEntry, trx: Executor) {
      if (entry.action === 'keys.export' && ++seen >= n) throw new AppError('audit_unavailable');
      await t.container.audit.write(entry, trx);
    },
  };
}

function service(audit: AuditWriter, opened: string[]) {
  const c = t.container;
  const repo = createDevicesRepo(c.db);
  return createExportService({
    db: c.db,
    repo: createExportRepo(c.db.kysely),
    selections: createDeviceSelections({ repo, guard: c.guard }),
    vault: c.vault,
    decrypt: (inputs: readonly DecryptInput[]) => {
      for (const input of inputs) opened.push(String(input.context.deviceId));
      return c.vault.decryptMany(inputs);
    },
    write: writeExport,
    signer: () => c.signingKeys.signer(),
    openPgpKeys: c.openPgpKeys,
    audit,
    guard: c.guard,
    clock: c.clock,
    chunkSize: 1,
  });
}

const linked = async (exportId: string) =>
  (
    await t.container.db.kysely
      .selectFrom('audit_devices')
      .innerJoin('audit_log', 'audit_log.seq', 'audit_devices.audit_seq')
      .select('audit_devices.device_id')
      .where('audit_log.target_id', '=', exportId)
      .execute()
  ).map((r) => r.device_id);

const exportRow = (id: string) => t.container.db.kysely.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('an audit record that cannot be written', () => {
  it('on the first chunk: an error before any byte, nothing decrypted, the export failed', async () => {
    const opened: string[] = [];
    const before = await t.container.db.kysely.selectFrom('exports').select('id').execute();
    await expect(service(failingAt(1), opened).start({ ...asSystem, selection: { ids: devices }, format: 'csv' })).rejects.toMatchObject({ code: 'audit_unavailable' });
    expect(opened).toEqual([]);
    const rows = await t.container.db.kysely.selectFrom('exports').selectAll().where('id', 'not in', before.length === 0 ? ['-'] : before.map((r) => r.id)).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', error: 'audit_unavailable', rows_written: 0, total: 3 });
    expect(await linked(rows[0]?.id ?? '')).toEqual([]);
  });

  it('on a later chunk: the download is aborted, that chunk never decrypted nor sent', async () => {
    const opened: string[] = [];
    const started = await service(failingAt(2), opened).start({ ...asSystem, selection: { ids: devices }, format: 'csv' });
    const out = new PassThrough();
    const bytes: Buffer[] = [];
    out.on('data', (chunk: Buffer) => bytes.push(chunk));
    const closed = new Promise<Error | undefined>((resolve) => {
      out.on('error', (err) => resolve(err));
      out.on('close', () => resolve(undefined));
    });
    await expect(started.run(out)).rejects.toMatchObject({ code: 'audit_unavailable' });
    expect(await closed).toBeInstanceOf(Error);
    expect(out.destroyed).toBe(true);
    // Only the first chunk's device was decrypted; the second's record failed, the third was never reached.
    expect(opened).toEqual([devices[0]]);
    expect(await linked(started.id)).toEqual([devices[0]]);
    expect(await exportRow(started.id)).toMatchObject({ status: 'failed', error: 'audit_unavailable', rows_written: 1 });
    // What reached the client is a broken file, not a download.
    const dir = await tempDir();
    try {
      await writeFile(dir.path('broken.zip'), Buffer.concat(bytes));
      await expect(sh('unzip', ['-t', dir.path('broken.zip')])).rejects.toThrow();
    } finally {
      await dir.remove();
    }
  });

  it('and when every record is written, all three leave, each linked before its chunk was decrypted', async () => {
    const opened: string[] = [];
    const started = await service(failingAt(Number.POSITIVE_INFINITY), opened).start({ ...asSystem, selection: { ids: devices }, format: 'csv' });
    const out = new PassThrough();
    out.resume();
    expect(await started.run(out)).toEqual({ devices: 3, keys: 3 });
    expect(opened).toEqual(devices);
    expect((await linked(started.id)).sort()).toEqual(devices);
    expect(await exportRow(started.id)).toMatchObject({ status: 'done', error: null, rows_written: 3 });
  });
});
