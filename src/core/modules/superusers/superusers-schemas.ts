import { Type } from '@sinclair/typebox';

export const SuperuserLinkView = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
  customer: Type.Object({ id: Type.String(), customerNo: Type.String(), name: Type.String() }),
  linkedAt: Type.String(),
  linkedBy: Type.Union([Type.Object({ id: Type.String(), email: Type.String() }), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
});

export const LinkPageView = Type.Object({ items: Type.Array(SuperuserLinkView), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const LinkListQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    cursor: Type.Optional(Type.String({ maxLength: 800 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

export const LinkBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 320 }), customerId: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const LinkParams = Type.Object({ customerId: Type.String({ minLength: 1, maxLength: 64 }), userId: Type.String({ minLength: 1, maxLength: 64 }) });

/** The customer accounts a user is superuser of, as they see them. */
export const LinkedCustomersView = Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), customerNo: Type.String(), name: Type.String(), linkedAt: Type.String() })) });
