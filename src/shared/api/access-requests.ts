import * as Type from '@sinclair/typebox';
import { MAX_COMMENT, MAX_REASON, relations, requestStatuses } from '../access-requests/access-request-fields.js';
import { literals, Nullable } from './schema-helpers.js';

// Superuser requests (docs/superusers.md): the answers the web UI reads and the bodies it sends.
// The schemas bound every input (docs/style.md 8); ../access-requests/access-request-fields.ts
// checks the rest after trimming and names the field.

export const Relation = literals(relations, "dealer, or the customer's own administrator");
export const RequestStatus = literals(requestStatuses);

export const CustomerRef = Type.Object({ id: Type.String(), customerNo: Type.String(), name: Type.String() });
export const MatchedCustomer = Type.Object({ id: Type.String(), customerNo: Type.String(), name: Type.String(), deviceCount: Type.Integer() });

export const AccessRequestView = Type.Object({
  id: Type.String(),
  customerNo: Nullable(Type.String()),
  customerName: Nullable(Type.String()),
  relation: Relation,
  comment: Nullable(Type.String()),
  status: RequestStatus,
  createdAt: Type.String(),
  decidedAt: Nullable(Type.String()),
  decisionReason: Nullable(Type.String()),
  /** The accounts an approval linked (empty otherwise). */
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

export const ApproveBody = Type.Object(
  {
    customerIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 50, description: 'The customer accounts to link the requester to' }),
    note: Type.Optional(Type.String({ maxLength: MAX_REASON * 2, description: 'A note the requester sees' })),
  },
  { additionalProperties: false },
);

export const RejectBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: MAX_REASON * 2, description: 'Why; the requester sees it' }) }, { additionalProperties: false });

export const WithdrawBody = Type.Object({}, { additionalProperties: false });

/** The customer accounts a user is superuser of (GET /api/me/customer-accounts). */
export const LinkedCustomerView = Type.Object({ id: Type.String(), customerNo: Type.String(), name: Type.String(), linkedAt: Type.String() });
export const LinkedCustomersView = Type.Object({ items: Type.Array(LinkedCustomerView) });
