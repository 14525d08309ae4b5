import * as Type from '@sinclair/typebox';
import { Password, SessionStage } from './auth.js';

// Two-factor sign-in: the status and enrolment answers the web UI reads, the bodies it sends.
export const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code the authenticator app shows now' });
export const RecoveryCode = Type.String({ minLength: 20, maxLength: 40, pattern: '^[A-Za-z0-9 -]+$', description: 'One of the recovery codes, with or without dashes' });

export const MfaStatusView = Type.Object({
  required: Type.Boolean({ description: 'Whether this account must sign in with a second factor (operators)' }),
  totp: Type.Union([Type.Literal('off'), Type.Literal('pending'), Type.Literal('on')]),
  confirmedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  recoveryCodesLeft: Type.Integer(),
});

export const EnrolBody = Type.Object(
  { password: Type.Optional(Password) },
  { additionalProperties: false, description: 'The current password: needed in a signed-in session unless it was confirmed within the last 5 minutes' },
);
export const EnrolmentView = Type.Object({
  secret: Type.String({ description: 'The TOTP seed, base32' }),
  otpauthUri: Type.String(),
  qrDataUrl: Type.String({ description: 'The otpauth URI as a QR code: a PNG data: URL' }),
});

export const ConfirmBody = Type.Object({ code: TotpCode }, { additionalProperties: false });
export const ConfirmView = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Shown this once; each works once' }),
  csrfToken: Type.String(),
  stage: SessionStage,
});

export const SecondFactorBody = Type.Union([
  Type.Object({ code: TotpCode }, { additionalProperties: false }),
  Type.Object({ recoveryCode: RecoveryCode }, { additionalProperties: false }),
]);

export const DisableBody = Type.Object({ password: Password, code: TotpCode }, { additionalProperties: false });
