import { Type } from '@sinclair/typebox';
import { MAX_COMMENT, MAX_REASON } from '../../../shared/access-requests/access-request-fields.js';

// The schemas bound every input (docs/style.md 8); src/shared/access-requests/access-request-fields.ts checks the rest after
// trimming and names the field.

const Relation = Type.Union([Type.Literal('dealer'), Type.Literal('customer-admin')], { description: 'dealer, or the customer\'s own administrator' });
const Status = Type.Union([Type.Literal('open'), Type.Literal('approved'), Type.Literal('rejected'), Type.Literal('withdrawn')]);
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const CustomerRef = Type.Object({ id: Type.String(), customerNo: Type.String(), name: Type.String() });
const MatchedCustomer = Type.Object({ id: Type.String(), customerNo: Type.String(), name: Type.String(), deviceCount: Type.Integer() });

export const AccessRequestView = Type.Object({
  id: Type.String(),
  customerNo: Nullable(Type.String()),
  customerName: Nullable(Type.String()),
  relation: Relation,
  comment: Nullable(Type.String()),
  status: Status,
  createdAt: Type.String(),
  decidedAt: Nullable(Type.String()),
  decisionReason: Nullable(Type.String()),
  linkedCustomers: Type.Array(CustomerRef),
});

export const QueuedRequestView = Type.Composite([
  AccessRequestView,
  Type.Object({
    requester: Type.Object({ id: Type.String(), email: Type.String(), name: Nullable(Type.String()) }),
    decidedBy: Type.Union([Type.Object({ id: Type.String(), email: Type.String() }), Type.Null()]),
    matches: Type.Object({ byNumber: Type.Union([MatchedCustomer, Type.Null()]), byName: Type.Array(MatchedCustomer) }),
  }),
]);

export const OwnRequestsView = Type.Object({ items: Type.Array(AccessRequestView) });
export const QueuePageView = Type.Object({ items: Type.Array(QueuedRequestView), nextCursor: Nullable(Type.String()) });

export const AccessRequestBody = Type.Object(
  {
    customerNo: Type.Optional(Type.String({ maxLength: 64, description: 'The customer number, as far as known' })),
    customerName: Type.Optional(Type.String({ maxLength: 400, description: 'The customer name, as far as known' })),
    relation: Relation,
    comment: Type.Optional(Type.String({ maxLength: MAX_COMMENT * 2 })),
  },
  { additionalProperties: false },
);

export const RequestParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const QueueQuery = Type.Object(
  {
    status: Type.Optional(Status),
    cursor: Type.Optional(Type.String({ maxLength: 400 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

export const ApproveBody = Type.Object(
  {
    customerIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 50, description: 'The customer accounts to link the requester to' }),
    note: Type.Optional(Type.String({ maxLength: MAX_REASON * 2, description: 'A note the requester sees' })),
  },
  { additionalProperties: false },
);

export const RejectBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: MAX_REASON * 2, description: 'Why; the requester sees it' }) }, { additionalProperties: false });

export const WithdrawBody = Type.Object({}, { additionalProperties: false });

export const LinkedCustomersView = Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), customerNo: Type.String(), name: Type.String(), linkedAt: Type.String() })) });
