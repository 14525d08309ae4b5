import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, systemActor, testMasterKey, type TestApp } from '../../../../test/harness.js';
import { envVar } from '../../../lib/env-vars.js';
import type { Anchor } from './audit-anchors.js';
import { auditHash } from './audit-hash.js';

// Issue 11, finding 3 (SEC-14): whoever can write the database could delete the newest records
// or edit one and recompute every later SHA-256 hash, and `audit verify` said "intact". Now the
// chain is keyed by the vault and its head is anchored in a file outside the database.

let dir: string;
let anchorFile: string;
const apps: TestApp[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-anchors-'));
  anchorFile = join(dir, 'anchors', 'audit-anchors.jsonl');
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}, intervalMs?: number): Promise<TestApp> {
  const app = await createTestApp({ env: { [envVar.auditAnchors]: anchorFile, ...env }, container: intervalMs === undefined ? {} : { auditAnchorIntervalMs: intervalMs } });
  apps.push(app);
  return app;
}

async function writeSome(t: TestApp, n: number) {
  for (let i = 0; i < n; i += 1) {
    await t.container.db.kysely.transaction().execute((trx) => t.container.audit.write({ actor: systemActor, action: 'mail.read', target: { type: 'mail', id: `mail_${i}` }, result: 'allowed' }, trx));
  }
}

/** What an attacker with the database owner's rights could do: lift the append-only guard. */
async function dropGuards(t: TestApp) {
  const db = t.container.db;
  if (db.kind === 'postgres') {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(db.kysely);
  } else {
    await sql`DROP TRIGGER audit_log_no_update`.execute(db.kysely);
    await sql`DROP TRIGGER audit_log_no_delete`.execute(db.kysely);
  }
}

const rows = (t: TestApp) => t.container.db.kysely.selectFrom('audit_log').selectAll().orderBy('seq').execute();
const anchorLines = async (): Promise<Anchor[]> =>
  (await readFile(anchorFile, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Anchor);

/** Edits record `seq` and recomputes the SHA-256 link of it and of every later record, as the probe did. */
async function editAndRecompute(t: TestApp, seq: number, options: { plain: boolean }) {
  let previous: string | undefined;
  for (const row of await rows(t)) {
    if (row.seq < seq) {
      previous = row.hash;
      continue;
    }
    const { seq: rowSeq, hash: _old, ...fields } = row;
    const edited = { ...fields, prev_hash: previous ?? fields.prev_hash, target_id: rowSeq === seq ? 'mail_forged' : fields.target_id, key_epoch: options.plain ? null : fields.key_epoch };
    const hash = auditHash(edited);
    await t.container.db.kysely.updateTable('audit_log').set({ ...edited, hash }).where('seq', '=', rowSeq).execute();
    previous = hash;
  }
}

describe('the keyed audit chain (SEC-14)', () => {
  it('keys every record from the first unsealed start on; the key is stored only as a vault envelope', async () => {
    const t = await start();
    await writeSome(t, 2);
    const all = await rows(t);
    expect(all.map((r) => [r.action, r.key_epoch])).toEqual([
      ['vault.init', null],
      ['audit.key_create', 1],
      // The service's signing key is made right after the chain key (docs/downloads.md).
      ['signing_key.create', 1],
      ['mail.read', 1],
      ['mail.read', 1],
    ]);
    const keys = await t.container.db.kysely.selectFrom('audit_chain_keys').selectAll().execute();
    expect(keys).toHaveLength(1);
    expect(keys[0]?.ciphertext).toMatch(/^oek1\.A256GCM\./);
    // A keyed record's hash is not the SHA-256 anyone can compute from the database.
    const keyed = all[2];
    if (keyed === undefined) throw new Error('no record');
    const { seq: _s, hash, ...fields } = keyed;
    expect(hash).not.toBe(auditHash(fields));
    expect(await t.container.auditTrail.verify(asSystem)).toMatchObject({ ok: true, records: 5, keyed: 4, unkeyedSinceKeying: 0 });
  });

  it('finds an edited record even when every later hash was recomputed with SHA-256', async () => {
    const t = await start();
    await writeSome(t, 5);
    await dropGuards(t);
    const target = (await rows(t))[3]?.seq ?? 0;
    await editAndRecompute(t, target, { plain: false });
    expect(await t.container.auditTrail.verify(asSystem)).toMatchObject({ ok: false, seq: target, problem: 'edited' });
  });

  it('finds an edited record whose later records were rewritten as plain SHA-256 records, by the anchor', async () => {
    const t = await start();
    await writeSome(t, 5);
    const anchor = await t.container.auditAnchors.anchorNow();
    await dropGuards(t);
    const target = (await rows(t))[3]?.seq ?? 0;
    await editAndRecompute(t, target, { plain: true });
    expect(await t.container.auditTrail.verify(asSystem)).toMatchObject({ ok: false, seq: anchor?.seq, problem: 'anchor-mismatch' });
  });

  it('reports the newest records deleted after an anchor as a missing tail', async () => {
    const t = await start();
    await writeSome(t, 4);
    const anchor = await t.container.auditAnchors.anchorNow();
    expect(anchor).toBeDefined();
    await dropGuards(t);
    const all = await rows(t);
    const last = all.at(-1)?.seq ?? 0;
    const before = all.at(-3)?.seq ?? 0;
    await t.container.db.kysely.deleteFrom('audit_log').where('seq', '>', before).execute();
    const verdict = await t.container.auditTrail.verify(asSystem);
    expect(verdict).toMatchObject({ ok: false, problem: 'missing-tail', seq: before + 1, headSeq: before });
    expect(verdict.ok ? '' : verdict.message).toBe(`missing tail: records ${before + 1}…${last} were removed after the anchor of ${anchor?.at} (instance ${anchor?.instance})`);
  });

  it('refuses an anchor file line whose signature does not hold', async () => {
    const t = await start();
    await writeSome(t, 1);
    const anchor = await t.container.auditAnchors.anchorNow();
    if (anchor === undefined) throw new Error('no anchor');
    // Moving the anchor back (to hide a removed tail) needs a signature only the vault can make.
    await appendFile(anchorFile, `${JSON.stringify({ ...anchor, seq: anchor.seq + 100 })}\n`);
    expect(await t.container.auditTrail.verify(asSystem)).toMatchObject({ ok: false, problem: 'forged-anchor', message: expect.stringContaining('line 2') });
  });

  it('writes an anchor at the interval and one at shutdown, in a private file', async () => {
    const t = await start({}, 30);
    await writeSome(t, 2);
    const head = (await rows(t)).at(-1)?.seq;
    for (let i = 0; i < 100 && !(await readFile(anchorFile, 'utf8').catch(() => '')).includes(`"seq":${head},`); i += 1) await new Promise((r) => setTimeout(r, 20));
    expect((await anchorLines()).at(-1)).toMatchObject({ seq: head, epoch: 1, instance: expect.stringMatching(/^ins_/) });
    expect((await import('node:fs')).statSync(anchorFile).mode & 0o777).toBe(0o600);
    // The head did not move: no new line at the next ticks.
    const count = (await anchorLines()).length;
    await new Promise((r) => setTimeout(r, 100));
    expect(await anchorLines()).toHaveLength(count);

    await writeSome(t, 1);
    const newHead = (await rows(t)).at(-1)?.seq;
    // Shutdown (what SIGTERM runs): the last anchor is written before the keys and the database close.
    apps.splice(apps.indexOf(t), 1);
    await t.close();
    expect((await anchorLines()).at(-1)).toMatchObject({ seq: newHead });
  });

  it('accepts the anchors of two instances sharing one database', async () => {
    const masterKey = testMasterKey();
    const first = await start({ [envVar.masterKey]: masterKey });
    const second = await start({ [envVar.masterKey]: masterKey, [envVar.databaseUrl]: first.secrets.databaseUrl.reveal() });
    await writeSome(first, 2);
    await first.container.auditAnchors.anchorNow();
    await writeSome(second, 2);
    await second.container.auditAnchors.anchorNow();
    await writeSome(first, 1);
    await first.container.auditAnchors.anchorNow();
    const lines = await anchorLines();
    expect(new Set(lines.map((a) => a.instance)).size).toBe(2);
    // Both use the one chain key: the second instance opened the key the first made.
    expect(await first.container.db.kysely.selectFrom('audit_chain_keys').select('epoch').execute()).toEqual([{ epoch: 1 }]);
    for (const t of [first, second]) {
      // audit.key_create, signing_key.create and five records written.
      expect(await t.container.auditTrail.verify(asSystem)).toMatchObject({ ok: true, keyed: 7, anchor: { seq: lines.at(-1)?.seq } });
    }
  });

  it('with a sealed vault: records are written unkeyed, and verify says it cannot check the MACs', async () => {
    const first = await start();
    await writeSome(first, 2);
    const sealed = await start({ [envVar.masterKey]: testMasterKey(), [envVar.databaseUrl]: first.secrets.databaseUrl.reveal() });
    expect(sealed.container.vault.status().sealed).toBe(true);
    await writeSome(sealed, 1);
    expect((await rows(first)).at(-1)?.key_epoch).toBeNull();
    expect(await sealed.container.auditAnchors.anchorNow()).toBeUndefined();
    expect(await sealed.container.auditTrail.verify(asSystem)).toMatchObject({ ok: false, problem: 'unverifiable', seq: undefined });
    // The instance with the vault sees the plain record and says so; a keyed record after it pins it.
    const seen = await first.container.auditTrail.verify(asSystem);
    expect(seen).toMatchObject({ ok: true, unkeyedSinceKeying: 1 });
    expect(seen.ok ? seen.warnings.join('\n') : '').toContain('1 records after the first keyed one are plain SHA-256');
  });
});

describe('GET /api/audit/status', () => {
  it('shows operators the chain state and the newest anchor; others are refused', async () => {
    const t = await start();
    const op = await t.signInOperator();
    const anchor = await t.container.auditAnchors.anchorNow();
    const res = await t.app.inject({ method: 'GET', url: '/api/audit/status', headers: { cookie: op.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'intact', lastAnchor: { seq: anchor?.seq, at: anchor?.at, instance: anchor?.instance }, unkeyedSinceKeying: 0 });
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/audit/status' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('says missing-tail when the newest records were deleted after the anchor', async () => {
    const t = await start();
    const op = await t.signInOperator();
    await t.container.auditAnchors.anchorNow();
    await dropGuards(t);
    const all = await rows(t);
    const [previous, last] = [all.at(-2)?.seq, all.at(-1)?.seq ?? 0];
    await t.container.db.kysely.deleteFrom('audit_log').where('seq', '=', last).execute();
    const res = await t.app.inject({ method: 'GET', url: '/api/audit/status', headers: { cookie: op.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'missing-tail', headSeq: previous, message: expect.stringContaining('missing tail') });
  });
});
