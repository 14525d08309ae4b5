import * as Type from '@sinclair/typebox';

// Customer accounts (docs/inventory.md "Customer accounts"): the answers the web UI reads and the
// bodies it sends. The schemas bound every input (docs/style.md 8); the exact rules (after
// trimming) are in ../inventory/customer-fields.ts, which answers with the field and the reason.

const CustomerNo = Type.String({ minLength: 1, maxLength: 64, description: '1–32 letters, digits, "-", "_", "." or "/" (surrounding blanks are trimmed)' });
const Name = Type.String({ minLength: 1, maxLength: 400, description: '1–200 characters' });
const ContactEmail = Type.Union([Type.String({ maxLength: 320 }), Type.Null()], { description: 'An e-mail address; empty or null for none' });
const Notes = Type.Union([Type.String({ maxLength: 4000 }), Type.Null()], { description: 'At most 2,000 characters; empty or null for none' });

export const CustomerView = Type.Object({
  id: Type.String(),
  customerNo: Type.String(),
  name: Type.String(),
  contactEmail: Type.Union([Type.String(), Type.Null()]),
  notes: Type.Union([Type.String(), Type.Null()]),
  deviceCount: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const CustomerPageView = Type.Object({ items: Type.Array(CustomerView), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const CustomerCreateBody = Type.Object(
  { customerNo: CustomerNo, name: Name, contactEmail: Type.Optional(ContactEmail), notes: Type.Optional(Notes) },
  { additionalProperties: false },
);

export const CustomerUpdateBody = Type.Object(
  { customerNo: Type.Optional(CustomerNo), name: Type.Optional(Name), contactEmail: Type.Optional(ContactEmail), notes: Type.Optional(Notes) },
  { additionalProperties: false, minProperties: 1 },
);
