import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliDb, createCliDb } from '../support/cli-db.js';

// `openeks grant`, `openeks revoke` and `openeks grants list` in a child process, on the suite's
// database kind (docs/grants.md "CLI"): the same service as the API, with operators' rights.
let cli: CliDb;

const activeOf = (email: string) =>
  cli.query(async (db) =>
    (
      await db.kysely
        .selectFrom('grants')
        .innerJoin('users', 'users.id', 'grants.reader_id')
        .innerJoin('devices', 'devices.id', 'grants.device_id')
        .select('devices.serial')
        .where('users.email', '=', email)
        .where('grants.revoked_at', 'is', null)
        .orderBy('devices.serial')
        .execute()
    ).map((r) => r.serial),
  );

beforeAll(async () => {
  cli = await createCliDb({ name: 'grants' });
  const now = new Date().toISOString();
  await cli.query(async (db) => {
    await db.kysely.insertInto('customer_accounts').values({ id: 'cus_1', customer_no: 'K-1', name: 'Stadtwerke', name_search: 'stadtwerke', contact_email: null, notes: null, created_at: now, updated_at: now }).execute();
    for (const [i, serial] of ['51000001', '51000002', '51000003'].entries()) {
      await db.kysely.insertInto('devices').values({ id: `dev_${i}`, manufacturer: 'KAM', serial, kind: 'meter', medium: 'heat', customer_account_id: 'cus_1', created_at: now }).execute();
    }
    await db.kysely.insertInto('devices').values({ id: 'dev_x', manufacturer: 'DME', serial: '51000001', kind: 'meter', medium: 'heat', customer_account_id: null, created_at: now }).execute();
  });
}, 60_000);

afterAll(async () => {
  await cli?.cleanup();
});

describe('openeks grant / revoke / grants list', () => {
  it('grants a filter to a new address (an invitation), lists and revokes by a serials file', async () => {
    const granted = await cli.openeks(['grant', '--email', 'Leser@Example.com', '--filter', 'customerNo=K-1', '--filter', 'manufacturer=KAM']);
    expect(granted).toMatchObject({ code: 0, stdout: 'leser@example.com (invited): 3 devices granted, 0 already granted\n' });
    expect(await activeOf('leser@example.com')).toEqual(['51000001', '51000002', '51000003']);
    const record = await cli.query((db) => db.kysely.selectFrom('audit_log').select(['action', 'actor_role', 'auth_method', 'details']).where('action', '=', 'grant.create').executeTakeFirst());
    expect(record).toMatchObject({ actor_role: 'system', auth_method: 'cli' });
    expect(JSON.parse(record?.details ?? '{}')).toMatchObject({ selection: 'filter', filter: '{"customerNo":"K-1","manufacturer":"KAM"}', devices: 3, granted: 3 });
    expect(await cli.query((db) => db.kysely.selectFrom('mail_outbox').select('template').where('recipient', '=', 'leser@example.com').execute())).toEqual([{ template: 'invitation' }]);

    const list = await cli.openeks(['grants', 'list', '--email', 'leser@example.com']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toBe('leser@example.com (invited): 3 devices');
    expect(list.stdout).toMatch(/KAM 51000002\tdev_1\tsince \S+\tby openeks \(CLI\)/);

    await writeFile(join(cli.dir, 'serials.txt'), '# the first two\nKAM 51000001\n51000002\n');
    const ambiguous = await cli.openeks(['revoke', '--email', 'leser@example.com', '--serials', join(cli.dir, 'serials.txt')]);
    expect(ambiguous).toMatchObject({ code: 0, stdout: 'leser@example.com: 2 devices revoked\n' });
    expect(await activeOf('leser@example.com')).toEqual(['51000003']);

    const rest = await cli.openeks(['revoke', '--email', 'leser@example.com']);
    expect(rest).toMatchObject({ code: 0, stdout: 'leser@example.com: 1 devices revoked\n' });
    expect(await activeOf('leser@example.com')).toEqual([]);
    const cancelled = await cli.query((db) => db.kysely.selectFrom('audit_log').select('action').where('action', '=', 'invitation.cancel').execute());
    expect(cancelled).toHaveLength(1);
  }, 120_000);

  it('refuses bad input naming the option, the line or the rule, and stores nothing', async () => {
    const before = await cli.query(async (db) => (await db.kysely.selectFrom('grants').select('id').execute()).length);
    await writeFile(join(cli.dir, 'bad.txt'), '51000003\n51000001\n');
    const cases: Array<[string[], string]> = [
      [['grant', '--email', 'a@example.com', '--filter', 'colour=red'], 'openeks: --filter colour=red: unknown key "colour"'],
      [['grant', '--email', 'a@example.com', '--filter', 'deliveredFrom=tomorrow'], 'openeks: --filter deliveredFrom:'],
      [['grant', '--email', 'a@example.com'], 'openeks: give --filter key=value … or --serials FILE'],
      [['grant', '--email', 'a@example.com', '--filter', 'serial=9*', '--serials', join(cli.dir, 'bad.txt')], 'openeks: give either --filter or --serials, not both'],
      [['grant', '--email', 'a@example.com', '--serials', join(cli.dir, 'bad.txt')], `openeks: ${join(cli.dir, 'bad.txt')} line 2: serial 51000001 names several devices; write MANUFACTURER SERIAL`],
      [['grant', '--email', 'a@example.com', '--filter', 'serial=9*'], 'openeks: The selection holds no device.'],
      [['revoke', '--email', 'nobody@example.com'], 'openeks: No account with this e-mail.'],
    ];
    for (const [args, message] of cases) {
      const res = await cli.openeks(args);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stderr).toContain(message);
    }
    expect(await cli.query(async (db) => (await db.kysely.selectFrom('grants').select('id').execute()).length)).toBe(before);
  }, 120_000);
});
