import * as Type from '@sinclair/typebox';

// The outbox (operators): metadata only, for every reader. A mail's body is never in an answer:
// it can hold someone else's one-time link (issue 11, item 2).

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
  oneTimeLink: Type.Boolean({ description: 'The mail carried a one-time link, which only its recipient ever sees' }),
});

export const MailPageView = Type.Object({ items: Type.Array(MailItemView), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const MailMessageView = Type.Intersect([
  MailItemView,
  Type.Object({ lastError: Type.Union([Type.String(), Type.Null()], { description: 'Why the last delivery attempt failed (the SMTP reply, one line), if it did' }) }),
]);
