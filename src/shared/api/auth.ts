import * as Type from '@sinclair/typebox';
import { passwordMaxLength } from '../password-policy/index.js';

// Sign-in, the session and the operator setup link: the answers the web UI reads and the bodies
// it sends. Bounded inputs (docs/style.md 8); these schemas are also the OpenAPI document.
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const Password = Type.String({ minLength: 1, maxLength: passwordMaxLength * 4 });
export const Token = Type.String({ pattern: '^[A-Za-z0-9_-]{20,100}$' });
export const Name = Type.String({ maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]*$' });

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  language: Type.Union([Type.Literal('de'), Type.Literal('en')]),
});

export const SessionStage = Type.Union([Type.Literal('complete'), Type.Literal('mfa'), Type.Literal('enrol')], {
  description: '`complete`: signed in; `mfa`: the second factor is due (POST /api/session/mfa); `enrol`: a second factor must be set up first (/api/me/mfa/totp).',
});

/** `user` is left out while the second factor is due; `stage` is absent only where it is always `complete`. */
export const SessionView = Type.Object({ user: Type.Optional(UserView), csrfToken: Type.String(), stage: Type.Optional(SessionStage) });

export const SessionSummaryView = Type.Object({
  id: Type.String(),
  device: Type.Union([Type.String(), Type.Null()], { description: 'From the user agent, e.g. "Chrome on Linux"; null when unknown' }),
  ip: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  stage: SessionStage,
  current: Type.Boolean(),
});
export const SessionListView = Type.Object({ sessions: Type.Array(SessionSummaryView) });

export const SignInBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
export const SetupInspectBody = Type.Object({ token: Token }, { additionalProperties: false });
export const SetupInspectView = Type.Object({ email: Type.Union([Type.String(), Type.Null()]) });
export const SetupCompleteBody = Type.Object(
  {
    token: Token,
    password: Password,
    name: Type.Optional(Name),
    email: Type.Optional(Email),
    language: Type.Optional(Type.Union([Type.Literal('de'), Type.Literal('en')], { description: "The setup page's language: the account's language from now on (its mails)" })),
  },
  { additionalProperties: false },
);
