import type { Static } from '@sinclair/typebox';
import { SessionView, type SignInBody } from '../../shared/api/auth.js';
import type { SecondFactorBody } from '../../shared/api/mfa.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse, unexpectedAnswer } from './response-check.js';

type SessionBody = Static<typeof SessionView>;

export type SessionUser = NonNullable<SessionBody['user']>;

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

/** The schema allows `user` to be absent (while the second factor is due); a finished session must name it. */
function sessionAnswerOf(value: unknown): SessionAnswer {
  const body = checkResponse(SessionView, value, 'session');
  if (body.stage === 'mfa') return { stage: 'mfa', csrfToken: body.csrfToken };
  if (body.user === undefined) throw unexpectedAnswer('session at /user: the user is missing');
  return { user: body.user, csrfToken: body.csrfToken, stage: body.stage === 'enrol' ? 'enrol' : 'complete' };
}

/** An answer that must be a session with its user (the second step, registration). */
export function signedInSession(value: unknown): Session {
  const answer = sessionAnswerOf(value);
  if (answer.stage === 'mfa') throw unexpectedAnswer('session at /stage: the second factor is still due');
  return answer;
}

/** The current session; rejects with `unauthenticated` (401) when nobody is signed in. */
export async function getSession(client: ApiClient, options?: RequestOptions): Promise<SessionAnswer> {
  return sessionAnswerOf(await client.get('/api/session', options));
}

export async function createSession(client: ApiClient, input: Static<typeof SignInBody>): Promise<SessionAnswer> {
  return sessionAnswerOf(await client.post('/api/session', input));
}

/** The second sign-in step; the server replaces the session (new cookie, new CSRF token). */
export async function verifySecondFactor(client: ApiClient, input: Static<typeof SecondFactorBody>): Promise<Session> {
  return signedInSession(await client.post('/api/session/mfa', input));
}

export async function deleteSession(client: ApiClient): Promise<void> {
  await client.delete('/api/session');
}
