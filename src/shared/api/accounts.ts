import * as Type from '@sinclair/typebox';
import { passwordMaxLength } from '../password-policy/index.js';
import { Email, Token } from './auth.js';

// Registration, password reset and the profile: the answers the web UI reads and the bodies it
// sends. Bounded inputs (docs/style.md 8); these schemas are also the OpenAPI document. The
// password's own limit (128 characters, counted in code points) is a rule of the policy, so a
// longer one is answered with the rule that failed; the schema only stops absurd bodies (4 bytes
// a character).
export const NewPassword = Type.String({ minLength: 1, maxLength: passwordMaxLength * 4 });
// A person's name: no control characters (C0, DEL, C1) and no line or paragraph separators, so a
// name can never forge a line in a mail, a log or the audit trail (SEC-15).
export const PersonName = Type.String({ maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$' });
export const Language = Type.Union([Type.Literal('de'), Type.Literal('en')]);

export const RegistrationBody = Type.Object({ email: Email, language: Type.Optional(Language) }, { additionalProperties: false });
export const PasswordResetRequestBody = Type.Object({ email: Email }, { additionalProperties: false });

export const LinkBody = Type.Object({ token: Token }, { additionalProperties: false });
/** An invitation link (docs/grants.md) also says how many devices the invitation grants. */
export const LinkView = Type.Object({ email: Type.String(), invitedDevices: Type.Optional(Type.Integer()) });
/** A reset link also names the account's name: the policy box checks the new password against it. */
export const ResetLinkView = Type.Object({ email: Type.String(), name: Type.Union([Type.String(), Type.Null()]) });

export const RegistrationCompleteBody = Type.Object({ token: Token, password: NewPassword, name: Type.Optional(PersonName) }, { additionalProperties: false });
export const PasswordResetCompleteBody = Type.Object({ token: Token, password: NewPassword }, { additionalProperties: false });

export const ProfileView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  language: Language,
  roles: Type.Array(Type.String()),
});
export const ProfileUpdateBody = Type.Object(
  { name: Type.Optional(Type.Union([PersonName, Type.Null()])), language: Type.Optional(Language) },
  { additionalProperties: false, minProperties: 1 },
);
export const PasswordChangeBody = Type.Object({ currentPassword: NewPassword, newPassword: NewPassword }, { additionalProperties: false });
