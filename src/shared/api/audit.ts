import * as Type from '@sinclair/typebox';

// GET /api/audit/status (operators): the audit chain as `openeks audit verify` sees it, and the
// newest anchor (SEC-14). Hashes and sequence numbers only, never a record's content.
export const AuditChainState = Type.Union([
  Type.Literal('intact'),
  Type.Literal('broken'),
  Type.Literal('missing-tail'),
  Type.Literal('unverifiable'),
]);

export const AuditAnchorView = Type.Object({ at: Type.String(), seq: Type.Integer(), instance: Type.String() });

export const AuditStatusView = Type.Object({
  state: AuditChainState,
  /** What is wrong, or the warnings of an intact chain; English, as the CLI prints it. */
  message: Type.Optional(Type.String()),
  warnings: Type.Array(Type.String()),
  records: Type.Integer(),
  keyed: Type.Integer(),
  unkeyedSinceKeying: Type.Integer(),
  headSeq: Type.Union([Type.Integer(), Type.Null()]),
  lastAnchor: Type.Union([AuditAnchorView, Type.Null()]),
});

export type AuditStatus = Type.Static<typeof AuditStatusView>;
