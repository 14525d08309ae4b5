import * as Type from '@sinclair/typebox';

// The development outbox (operators): the list and one mail with its body.

export const MailItemView = Type.Object({
  id: Type.String(),
  recipient: Type.String(),
  subject: Type.String(),
  template: Type.String(),
  language: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  createdAt: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
});

export const MailPageView = Type.Object({ items: Type.Array(MailItemView), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const MailMessageView = Type.Intersect([MailItemView, Type.Object({ text: Type.Union([Type.String(), Type.Null()]), html: Type.Union([Type.String(), Type.Null()]) })]);
