import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiToken } from '../../src/lib/crypto/tokens.js';
import { type CliDb, createCliDb } from '../support/cli-db.js';

// `openeks tokens list` and `openeks tokens revoke ID` in a child process, on the suite's database
// kind (docs/api-tokens.md "CLI"): the operators' tokens service, with the system principal.
let cli: CliDb;

const secret = newApiToken();

beforeAll(async () => {
  cli = await createCliDb({ name: 'tokens' });
  const now = new Date();
  const at = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
  await cli.query(async (db) => {
    await db.kysely
      .insertInto('users')
      .values({ id: 'usr_1', email: 'gateway@example.com', name: null, password_hash: null, is_operator: 0, status: 'active', language: 'de', created_at: at(0), updated_at: at(0), email_verified_at: at(0) })
      .execute();
    const token = (id: string, name: string, created: number, expires: number, hash: string, extra: object = {}) =>
      db.kysely
        .insertInto('api_tokens')
        .values({ id, user_id: 'usr_1', name, kind: 'gateway', token_hash: hash, device_filter: null, public_key: null, created_at: at(created), expires_at: at(expires), revoked_at: null, revoked_by: null, last_used_at: null, last_used_ip: null, ...extra })
        .execute();
    await token('tok_old', 'Alt', -100, -10, newApiToken().hash);
    await token('tok_keller', 'Keller', -1, 89, secret.hash, { device_filter: '{"customerNo":"K-1"}', last_used_at: at(0), last_used_ip: '192.0.2.1' });
  });
}, 60_000);

afterAll(async () => {
  await cli?.cleanup();
});

describe('openeks tokens', () => {
  it('lists every token newest first, never the token, and only the active ones with --active', async () => {
    const list = await cli.openeks(['tokens', 'list']);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^tok_keller\tgateway@example\.com\tKeller\tgateway\tactive\texpires \S+\tfilter \{"customerNo":"K-1"\}\tlast used \S+ from 192\.0\.2\.1$/);
    expect(lines[1]).toMatch(/^tok_old\tgateway@example\.com\tAlt\tgateway\texpired\t/);
    expect(list.stdout).not.toContain(secret.token);
    expect(list.stdout).not.toContain(secret.hash);
    const active = await cli.openeks(['tokens', 'list', '--active']);
    expect(active.stdout.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['tok_keller']);
  }, 60_000);

  it('revokes by id (audited as the shell user) and refuses an unknown id', async () => {
    const res = await cli.openeks(['tokens', 'revoke', 'tok_keller']);
    expect(res).toMatchObject({ code: 0, stdout: 'revoked tok_keller: its next request is refused\n' });
    const row = await cli.query((db) => db.kysely.selectFrom('api_tokens').select(['revoked_at', 'revoked_by']).where('id', '=', 'tok_keller').executeTakeFirstOrThrow());
    expect(row.revoked_at).not.toBeNull();
    expect(row.revoked_by).toBeNull();
    const record = await cli.query((db) => db.kysely.selectFrom('audit_log').select(['target_id', 'actor_role', 'auth_method']).where('action', '=', 'token.revoke').execute());
    expect(record).toEqual([{ target_id: 'tok_keller', actor_role: 'system', auth_method: 'cli' }]);
    expect((await cli.openeks(['tokens', 'list'])).stdout).toMatch(/^tok_keller\t.*\trevoked\t/m);

    const unknown = await cli.openeks(['tokens', 'revoke', 'tok_nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('openeks: No such token.\n');
  }, 60_000);
});
