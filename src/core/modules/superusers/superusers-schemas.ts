import { Type } from '@sinclair/typebox';

// Links as the web UI reads and makes them are in src/shared/api/superusers.ts; the list's query
// and the path parameters are the server's own.
export { LinkBody, LinkPageView, SuperuserLinkView } from '../../../shared/api/superusers.js';
export { LinkedCustomersView } from '../../../shared/api/access-requests.js';

export const LinkListQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    cursor: Type.Optional(Type.String({ maxLength: 800 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

export const LinkParams = Type.Object({ customerId: Type.String({ minLength: 1, maxLength: 64 }), userId: Type.String({ minLength: 1, maxLength: 64 }) });
