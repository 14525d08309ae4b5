import { Type } from '@sinclair/typebox';

// What the web UI reads or sends is in src/shared/api/customers.ts (one definition for both
// sides); the list's query and the path parameters are the server's own. The schemas bound every
// input (docs/style.md 8); the exact rules (after trimming) are in
// src/shared/inventory/customer-fields.ts, which answers with the field and the reason.
export { CustomerCreateBody, CustomerPageView, CustomerUpdateBody, CustomerView } from '../../../shared/api/customers.js';

export const CustomerListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: "The number's prefix or any part of the name, case-insensitive" })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The nextCursor of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

export const CustomerParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
