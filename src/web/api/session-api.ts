import type { ApiClient, RequestOptions } from './client.js';
import { arrayOf, nullableStringOf, objectOf, stringOf } from './parse.js';

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  language: string | null;
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
}

export function isOperator(user: SessionUser): boolean {
  return user.roles.includes('operator');
}

function parseSession(value: unknown): Session {
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
  };
}

/** The current session; rejects with `unauthenticated` (401) when nobody is signed in. */
export async function getSession(client: ApiClient, options?: RequestOptions): Promise<Session> {
  return parseSession(await client.get('/api/session', options));
}

export async function createSession(client: ApiClient, input: { email: string; password: string }): Promise<Session> {
  return parseSession(await client.post('/api/session', input));
}

export async function deleteSession(client: ApiClient): Promise<void> {
  await client.delete('/api/session');
}
