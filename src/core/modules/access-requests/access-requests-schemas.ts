import { Type } from '@sinclair/typebox';
import { RequestStatus } from '../../../shared/api/access-requests.js';

// What the web UI reads or sends is in src/shared/api/access-requests.ts (one definition for both
// sides); the queue's query and the path parameters are the server's own. The schemas bound every
// input (docs/style.md 8); src/shared/access-requests/access-request-fields.ts checks the rest
// after trimming and names the field.
export {
  AccessRequestBody, AccessRequestView, ApproveBody, CustomerRef, LinkedCustomersView, LinkedCustomerView, MatchedCustomer, OwnRequestsView, QueuedRequestView, QueuePageView,
  RejectBody, Relation, RequestStatus, WithdrawBody,
} from '../../../shared/api/access-requests.js';

export const RequestParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const QueueQuery = Type.Object(
  {
    status: Type.Optional(RequestStatus),
    cursor: Type.Optional(Type.String({ maxLength: 400 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
