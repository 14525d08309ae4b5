import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, asSystem, systemActor, type TestApp } from '../../../../test/harness.js';
import { systemClock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import { testDatabaseKind } from '../../../../test/support/test-db.js';
import { dialects } from '../../db/dialect.js';
import type { Actor } from '../../access/actor.js';
import { createAuditWriter, type AuditWriter } from './audit-writer.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const db = () => t.container.db.kysely;
const verify = () => t.container.auditTrail.verify(asSystem);

async function writeSome(n: number, actor: Actor = systemActor) {
  for (let i = 0; i < n; i += 1) {
    await db().transaction().execute((trx) => t.container.audit.write({ actor, action: 'mail.read', target: { type: 'mail', id: `mail_${i}` }, result: 'allowed' }, trx));
  }
}

/** What an attacker with the database owner's rights could do: lift the append-only guard. */
async function dropGuards() {
  if (t.container.db.kind === 'postgres') {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(db());
  } else {
    await sql`DROP TRIGGER audit_log_no_update`.execute(db());
    await sql`DROP TRIGGER audit_log_no_delete`.execute(db());
  }
}

async function seqs() {
  return (await db().selectFrom('audit_log').select('seq').orderBy('seq').execute()).map((r) => r.seq);
}

describe('audit trail', () => {
  it('begins with the creation of the vault, in the transaction that created it', async () => {
    const first = await db().selectFrom('audit_log').selectAll().orderBy('seq').limit(1).executeTakeFirstOrThrow();
    expect(first).toMatchObject({ action: 'vault.init', actor_role: 'system', target_type: 'master-key', target_id: 'env:OPENEKS_MASTER_KEY', result: 'allowed' });
    const keks = await db().selectFrom('vault_keks').select('created_at').execute();
    expect(keks).toHaveLength(1);
  });

  it('chains every record to its predecessor and verifies', async () => {
    await writeSome(5);
    const verdict = await verify();
    expect(verdict).toMatchObject({ ok: true });
    const rows = await db().selectFrom('audit_log').selectAll().orderBy('seq').execute();
    for (let i = 1; i < rows.length; i += 1) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
  });

  it('refuses UPDATE and DELETE at the database', async () => {
    await writeSome(1);
    await expect(db().updateTable('audit_log').set({ reason: 'edited' }).execute()).rejects.toThrow();
    await expect(db().deleteFrom('audit_log').execute()).rejects.toThrow();
    expect((await db().selectFrom('audit_log').select('seq').execute()).length).toBeGreaterThan(0);
  });

  it('finds an edited record', async () => {
    await writeSome(5);
    await dropGuards();
    const target = (await seqs())[2] ?? 0;
    await db().updateTable('audit_log').set({ target_id: 'mail_forged' }).where('seq', '=', target).execute();
    expect(await verify()).toMatchObject({ ok: false, seq: target, problem: 'edited' });
  });

  it('finds a deleted record at the record after it', async () => {
    await writeSome(5);
    await dropGuards();
    const all = await seqs();
    await db().deleteFrom('audit_log').where('seq', '=', all[2] ?? 0).execute();
    expect(await verify()).toMatchObject({ ok: false, seq: all[3], problem: 'broken-link' });
  });

  it('finds two swapped records', async () => {
    await writeSome(5);
    await dropGuards();
    const all = await seqs();
    const [a, b] = [all[1] ?? 0, all[2] ?? 0];
    const rowA = await db().selectFrom('audit_log').selectAll().where('seq', '=', a).executeTakeFirstOrThrow();
    const rowB = await db().selectFrom('audit_log').selectAll().where('seq', '=', b).executeTakeFirstOrThrow();
    const { seq: _sa, id: idA, ...restA } = rowA;
    const { seq: _sb, id: idB, ...restB } = rowB;
    await db().updateTable('audit_log').set({ id: `${idA}-tmp`, prev_hash: 'tmp-a' }).where('seq', '=', a).execute();
    await db().updateTable('audit_log').set({ id: idA, ...restA }).where('seq', '=', b).execute();
    await db().updateTable('audit_log').set({ id: idB, ...restB }).where('seq', '=', a).execute();
    expect(await verify()).toMatchObject({ ok: false, seq: a, problem: 'broken-link' });
  });

  it('encodes control characters in user-supplied fields (log injection)', async () => {
    await writeSome(1, { ...systemActor, userAgent: 'x\nFAKE ENTRY\r\u0007' });
    const row = await db().selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(row.user_agent).toBe('x\\u000aFAKE ENTRY\\u000d\\u0007');
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('rolls the action back when the record is written and the transaction then fails', async () => {
    const before = (await seqs()).length;
    await expect(
      db()
        .transaction()
        .execute(async (trx) => {
          await t.container.audit.write({ actor: systemActor, action: 'mail.read', result: 'allowed' }, trx);
          throw new Error('the action failed after auditing');
        }),
    ).rejects.toThrow('the action failed after auditing');
    expect((await seqs()).length).toBe(before);
  });
});

describe('fail closed', () => {
  it('an action whose audit write fails does not happen and answers 503 audit_unavailable', async () => {
    // The audit store breaks after boot (the vault's creation was still recorded).
    let broken = false;
    let real: AuditWriter | undefined;
    const failing = await createTestApp({
      container: {
        audit: {
          async write(entry, trx) {
            if (broken) throw new AppError('audit_unavailable');
            real ??= createAuditWriter({ dialect: dialects[testDatabaseKind()], clock: systemClock });
            await real.write(entry, trx);
          },
        },
      },
    });
    broken = true;
    try {
      const setup = await failing.container.operatorSetup.createOperator({ email: 'x@example.com', ...asSystem }).catch((err: unknown) => err);
      expect(setup).toMatchObject({ code: 'audit_unavailable' });
      expect(await failing.container.db.kysely.selectFrom('users').selectAll().execute()).toHaveLength(0);
      expect(await failing.container.db.kysely.selectFrom('mail_outbox').selectAll().execute()).toHaveLength(0);
      const res = await failing.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'x@example.com', password: 'whatever it is' } });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('audit_unavailable');
    } finally {
      await failing.close();
    }
  });

  it('refuses to create a vault whose creation cannot be audited', async () => {
    await expect(
      createTestApp({
        container: {
          audit: {
            async write() {
              throw new AppError('audit_unavailable');
            },
          },
        },
      }),
    ).rejects.toMatchObject({ code: 'audit_unavailable' });
  });
});
