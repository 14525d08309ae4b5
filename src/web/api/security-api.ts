// The signed-in user's sessions and two-factor sign-in (profile, /mfa/setup).
import type { ApiClient, RequestOptions } from './client.js';
import { arrayOf, nullableStringOf, numberOf, objectOf, stringOf } from './parse.js';

export interface SessionSummary {
  id: string;
  device: string | null;
  ip: string;
  createdAt: string;
  lastSeenAt: string;
  /** `mfa`: someone entered the password and the second factor is still due. */
  stage: 'complete' | 'mfa' | 'enrol';
  current: boolean;
}

export interface MfaStatus {
  required: boolean;
  totp: 'off' | 'pending' | 'on';
  confirmedAt: string | null;
  recoveryCodesLeft: number;
}

export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrDataUrl: string;
}

const stageOf = (value: unknown): SessionSummary['stage'] => (value === 'mfa' || value === 'enrol' ? value : 'complete');

export async function listSessions(client: ApiClient, options?: RequestOptions): Promise<SessionSummary[]> {
  const body = objectOf(await client.get('/api/sessions', options), 'sessions');
  return arrayOf(body['sessions'], 'sessions', (item) => {
    const s = objectOf(item, 'session');
    return {
      id: stringOf(s['id'], 'session id'),
      device: nullableStringOf(s['device'], 'device'),
      ip: stringOf(s['ip'], 'IP address'),
      createdAt: stringOf(s['createdAt'], 'created'),
      lastSeenAt: stringOf(s['lastSeenAt'], 'last use'),
      stage: stageOf(s['stage']),
      current: s['current'] === true,
    };
  });
}

export async function endSession(client: ApiClient, id: string): Promise<void> {
  await client.delete(`/api/sessions/${encodeURIComponent(id)}`);
}

export async function getMfaStatus(client: ApiClient, options?: RequestOptions): Promise<MfaStatus> {
  const body = objectOf(await client.get('/api/me/mfa', options), 'two-factor status');
  const totp = body['totp'];
  return {
    required: body['required'] === true,
    totp: totp === 'on' || totp === 'pending' ? totp : 'off',
    confirmedAt: nullableStringOf(body['confirmedAt'], 'confirmed'),
    recoveryCodesLeft: numberOf(body['recoveryCodesLeft'], 'recovery codes left'),
  };
}

/** A new secret to scan; a signed-in session sends the password (step-up), an enrolment-only one need not. */
export async function beginTotpEnrolment(client: ApiClient, input: { password?: string }): Promise<TotpEnrolment> {
  const body = objectOf(await client.post('/api/me/mfa/totp', input), 'enrolment');
  return { secret: stringOf(body['secret'], 'secret'), otpauthUri: stringOf(body['otpauthUri'], 'otpauth URI'), qrDataUrl: stringOf(body['qrDataUrl'], 'QR code') };
}

/** Confirms with a code: the recovery codes (shown once) and the replaced session's CSRF token. */
export async function confirmTotpEnrolment(client: ApiClient, code: string): Promise<{ recoveryCodes: string[]; csrfToken: string }> {
  const body = objectOf(await client.post('/api/me/mfa/totp/confirm', { code }), 'confirmation');
  return {
    recoveryCodes: arrayOf(body['recoveryCodes'], 'recovery codes', (c) => stringOf(c, 'recovery code')),
    csrfToken: stringOf(body['csrfToken'], 'CSRF token'),
  };
}

export async function disableTotp(client: ApiClient, input: { password: string; code: string }): Promise<void> {
  await client.delete('/api/me/mfa/totp', undefined, input);
}
