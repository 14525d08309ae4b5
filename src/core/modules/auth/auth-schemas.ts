import { Type } from '@sinclair/typebox';
import { passwordMaxLength } from './password-rules.js';

// Bounded inputs (STYLE.md 8); these schemas are also the OpenAPI document.
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

export const SessionView = Type.Object({ user: UserView, csrfToken: Type.String() });

export const SignInBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
export const SetupInspectBody = Type.Object({ token: Token }, { additionalProperties: false });
export const SetupInspectView = Type.Object({ email: Type.Union([Type.String(), Type.Null()]) });
export const SetupCompleteBody = Type.Object(
  { token: Token, password: Password, name: Type.Optional(Name), email: Type.Optional(Email) },
  { additionalProperties: false },
);
