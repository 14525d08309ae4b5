import * as Type from '@sinclair/typebox';

// Superuser links (docs/superusers.md): who is superuser of which customer account.

export const SuperuserLinkView = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
  customer: Type.Object({ id: Type.String(), customerNo: Type.String(), name: Type.String() }),
  linkedAt: Type.String(),
  linkedBy: Type.Union([Type.Object({ id: Type.String(), email: Type.String() }), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
});

export const LinkPageView = Type.Object({ items: Type.Array(SuperuserLinkView), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const LinkBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 320 }), customerId: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
