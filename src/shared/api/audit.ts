import * as Type from '@sinclair/typebox';
import { Nullable } from './schema-helpers.js';

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

// GET /api/audit and /api/audit.csv (every signed-in user; docs/audit-trail.md): the records of
// the devices the caller may see, operators every record. Newest first, keyset paging on the
// record's sequence number.

const Moment = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?Z)?$',
  description: 'UTC: YYYY-MM-DD (a whole day) or YYYY-MM-DDTHH:MM[:SS[.sss]]Z',
});

export const auditTrailFilterProperties = {
  device: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._/-]{1,64}$', description: 'A device id or serial you may see' })),
  actor: Type.Optional(Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$', description: 'E-mail of who acted' })),
  event: Type.Optional(Type.String({ pattern: '^[a-z_]{1,40}\\.[a-z_]{1,40}$', description: 'An event of docs/audit-events.md' })),
  from: Type.Optional(Moment),
  to: Type.Optional(Type.String({ ...Moment, description: 'Up to and including (a day: the whole day)' })),
};

export const AuditTrailQuery = Type.Object(
  {
    ...auditTrailFilterProperties,
    cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'nextCursor of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type AuditTrailQuery = Type.Static<typeof AuditTrailQuery>;

export const AuditTrailCsvQuery = Type.Object(auditTrailFilterProperties, { additionalProperties: false });
export type AuditTrailCsvQuery = Type.Static<typeof AuditTrailCsvQuery>;

export const AuditRecordView = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  event: Type.String(),
  result: Type.String(),
  /** Who acted: null for the service itself or an unknown address. */
  actor: Nullable(Type.Object({ id: Type.String(), email: Nullable(Type.String()), role: Nullable(Type.String()) })),
  ip: Nullable(Type.String()),
  /** What the record is about; another user is shown to operators only. */
  target: Nullable(Type.Object({ type: Type.String(), id: Type.String() })),
  /** The device through which the record is in the caller's trail (or the one it is about). */
  device: Nullable(Type.Object({ id: Type.String(), manufacturer: Nullable(Type.String()), serial: Nullable(Type.String()) })),
  reason: Nullable(Type.String()),
  /** The record's facts: all for operators, for others only those about the device (key state, outcome). */
  details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
});
export type AuditRecordView = Type.Static<typeof AuditRecordView>;

export const AuditTrailPageView = Type.Object({ items: Type.Array(AuditRecordView), nextCursor: Nullable(Type.String()) });
export type AuditTrailPageView = Type.Static<typeof AuditTrailPageView>;
