import * as Type from '@sinclair/typebox';
import { DeviceFilter } from './devices.js';
import { literals, Nullable, StringEnum } from './schema-helpers.js';

// API tokens (docs/api-tokens.md): a user's machine credentials for the documented API with
// `Authorization: Bearer`. The profile page's section and the operators' list read these.

export const tokenKinds = ['read', 'gateway', 'concentrator'] as const;
export type TokenKindName = (typeof tokenKinds)[number];

export const DEFAULT_TOKEN_DAYS = 90;
/** At most a year (issue 13); 366 so that "a year from today" fits in a leap year. */
export const MAX_TOKEN_DAYS = 366;
export const MAX_TOKEN_NAME = 100;
/** An X25519 SPKI PEM is 113 characters; this leaves room for line ends, nothing more. */
export const MAX_PUBLIC_KEY_PEM = 1000;

export const TokenCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: MAX_TOKEN_NAME }),
    kind: StringEnum(tokenKinds, { description: 'What the token is for: read, gateway or concentrator' }),
    expiresInDays: Type.Optional(Type.Integer({ description: `Days until the token expires (default ${DEFAULT_TOKEN_DAYS}, 1 … ${MAX_TOKEN_DAYS})` })),
    deviceFilter: Type.Optional(DeviceFilter),
    publicKey: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_PUBLIC_KEY_PEM, description: 'X25519 public key, SPKI PEM: the key sync encrypts its answers to it' })),
  },
  { additionalProperties: false },
);
export type TokenCreateBody = Type.Static<typeof TokenCreateBody>;

export const tokenStatuses = ['active', 'expired', 'revoked'] as const;

export const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: literals(tokenKinds),
  deviceFilter: Nullable(DeviceFilter),
  /** SHA-256 of the registered public key's DER, hex; null without one. */
  publicKeyFingerprint: Nullable(Type.String()),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  revokedAt: Nullable(Type.String()),
  lastUsedAt: Nullable(Type.String()),
  lastUsedIp: Nullable(Type.String()),
  status: literals(tokenStatuses),
});
export type TokenView = Type.Static<typeof TokenView>;

export const TokenCreatedView = Type.Object({
  /** The token itself: shown this once, never again (only its SHA-256 is stored). */
  token: Type.String(),
  view: TokenView,
});

export const TokenListView = Type.Object({ items: Type.Array(TokenView) });

export const OperatorTokenView = Type.Object({ ...TokenView.properties, userId: Type.String(), email: Type.String() });
export type OperatorTokenView = Type.Static<typeof OperatorTokenView>;
export const OperatorTokenPageView = Type.Object({ items: Type.Array(OperatorTokenView), nextCursor: Nullable(Type.String()) });
