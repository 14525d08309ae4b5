import { createHmac, timingSafeEqual } from 'node:crypto';
import { sessionAbsoluteMs } from '../access/session-policy.js';

// The session cookie and its CSRF token, as the auth hook reads them and every route that starts
// or replaces a session sets them.

export const csrfHeader = 'x-csrf-token';

export function sessionCookieName(https: boolean): string {
  // The __Host- prefix pins the cookie to this origin, path / and Secure (SEC-24).
  return https ? '__Host-openeks_session' : 'openeks_session';
}

/** The session cookie as every route that starts or replaces a session sets it. */
export function sessionCookie(https: boolean) {
  return { name: sessionCookieName(https), options: { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: https, maxAge: sessionAbsoluteMs / 1000 } };
}

/**
 * The CSRF token is derived from the session token (HMAC), so the page can fetch it again after
 * a reload without the server storing it, and it dies with the session. A cross-site page can
 * neither read the cookie nor the token.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('openeks-csrf-v1').digest('base64url');
}

export function csrfMatches(sessionToken: string, sent: string | undefined): boolean {
  if (typeof sent !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
