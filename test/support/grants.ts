import { enrolTotp, signIn, type SignedIn, type TestApp } from '../harness.js';
import { createActiveUser, goodPassword } from './accounts.js';

// Helpers for the read-rights tests (docs/grants.md): superusers linked straight in the database
// (with the second factor they must have), requests with a session, and the grants rows.

export const as = (s: SignedIn) => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken });

/** A user linked to the customer accounts, signed in with a freshly enrolled second factor. */
export async function signInSuperuser(t: TestApp, email: string, customerAccountIds: string[], options: { language?: 'de' | 'en'; name?: string } = {}): Promise<SignedIn> {
  const userId = await createActiveUser(t, { email, ...options });
  const now = t.clock.now().toISOString();
  for (const customerAccountId of customerAccountIds) {
    await t.container.db.kysely.insertInto('superuser_links').values({ user_id: userId, customer_account_id: customerAccountId, linked_by: null, request_id: null, created_at: now }).execute();
  }
  const first = await signIn(t.app, email, goodPassword);
  if (first.stage !== 'enrol') throw new Error(`a superuser should have to enrol, not ${first.stage}`);
  const enrolled = await enrolTotp(t.app, first, t.clock);
  return { ...enrolled.session, userId };
}

export function post(t: TestApp, s: SignedIn, url: string, payload: object) {
  return t.app.inject({ method: 'POST', url, headers: as(s), payload });
}

export function get(t: TestApp, s: SignedIn, url: string) {
  return t.app.inject({ method: 'GET', url, headers: as(s) });
}

/** The active grants of a reader: device ids, sorted. */
export async function activeGrants(t: TestApp, readerId: string): Promise<string[]> {
  const rows = await t.container.db.kysely.selectFrom('grants').select('device_id').where('reader_id', '=', readerId).where('revoked_at', 'is', null).execute();
  return rows.map((r) => r.device_id).sort();
}

export async function userByEmail(t: TestApp, email: string) {
  return t.container.db.kysely.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}
