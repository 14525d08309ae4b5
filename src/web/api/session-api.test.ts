import { describe, expect, it } from 'vitest';
import type { ApiClient } from './client.js';
import { getSession, signedInSession } from './session-api.js';

function answering(body: unknown): ApiClient {
  const unused = () => Promise.reject(new Error('not used here'));
  return { get: async () => body, post: unused, put: unused, patch: unused, delete: unused, upload: unused, download: unused, setCsrfToken: () => undefined, onUnauthenticated: () => () => undefined };
}

const user = { id: 'usr_1', email: 'anna@example.com', name: 'Anna', roles: ['user'], language: 'de' };

describe('session answers', () => {
  it('tell a finished session, one that must enrol, and one whose second factor is due', async () => {
    await expect(getSession(answering({ user, csrfToken: 'c1' }))).resolves.toEqual({ user, csrfToken: 'c1', stage: 'complete' });
    await expect(getSession(answering({ user, csrfToken: 'c2', stage: 'enrol' }))).resolves.toEqual({ user, csrfToken: 'c2', stage: 'enrol' });
    await expect(getSession(answering({ csrfToken: 'c3', stage: 'mfa' }))).resolves.toEqual({ stage: 'mfa', csrfToken: 'c3' });
  });

  it('refuses a finished session without its user, and a pending one where a session is due', async () => {
    await expect(getSession(answering({ csrfToken: 'c1', stage: 'complete' }))).rejects.toMatchObject({ code: 'bad_response', message: 'The server sent an unexpected answer (session at /user: the user is missing).' });
    expect(() => signedInSession({ csrfToken: 'c3', stage: 'mfa' })).toThrow('The server sent an unexpected answer (session at /stage: the second factor is still due).');
    expect(() => signedInSession({ user: { ...user, language: 'fr' }, csrfToken: 'c1' })).toThrow(/^The server sent an unexpected answer \(session at \/user\/language: /);
  });
});
