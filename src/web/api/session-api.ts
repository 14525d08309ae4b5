import type { ApiClient, RequestOptions } from './client.js';
import { arrayOf, nullableStringOf, objectOf, stringOf } from './parse.js';

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  language: string | null;
}

/**
 * A session that knows its user: `complete` (signed in) or `enrol` (the account must set up a
 * second factor before anything else; only /mfa/setup works).
 */
export interface Session {
  user: SessionUser;
  csrfToken: string;
  stage: 'complete' | 'enrol';
}

/** The password was right; the second factor is still due. The server names nobody yet. */
export interface PendingSecondFactor {
  stage: 'mfa';
  csrfToken: string;
}

export type SessionAnswer = Session | PendingSecondFactor;

export function isOperator(user: SessionUser): boolean {
  return user.roles.includes('operator');
}

export function parseSession(value: unknown): Session {
  const body = objectOf(value, 'session');
  const user = objectOf(body['user'], 'session user');
  return {
    user: {
      id: stringOf(user['id'], 'user id'),
      email: stringOf(user['email'], 'user e-mail'),
      name: nullableStringOf(user['name'], 'user name'),
      roles: arrayOf(user['roles'], 'user roles', (role) => stringOf(role, 'user role')),
      language: nullableStringOf(user['language'], 'user language'),
    },
    csrfToken: stringOf(body['csrfToken'], 'CSRF token'),
    stage: body['stage'] === 'enrol' ? 'enrol' : 'complete',
  };
}

export function parseSessionAnswer(value: unknown): SessionAnswer {
  const body = objectOf(value, 'session');
  if (body['stage'] === 'mfa') return { stage: 'mfa', csrfToken: stringOf(body['csrfToken'], 'CSRF token') };
  return parseSession(body);
}

/** The current session; rejects with `unauthenticated` (401) when nobody is signed in. */
export async function getSession(client: ApiClient, options?: RequestOptions): Promise<SessionAnswer> {
  return parseSessionAnswer(await client.get('/api/session', options));
}

export async function createSession(client: ApiClient, input: { email: string; password: string }): Promise<SessionAnswer> {
  return parseSessionAnswer(await client.post('/api/session', input));
}

/** The second sign-in step; the server replaces the session (new cookie, new CSRF token). */
export async function verifySecondFactor(client: ApiClient, input: { code: string } | { recoveryCode: string }): Promise<Session> {
  return parseSession(await client.post('/api/session/mfa', input));
}

export async function deleteSession(client: ApiClient): Promise<void> {
  await client.delete('/api/session');
}
