import { Type } from '@sinclair/typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      requestId: Type.String(),
      details: Type.Optional(
        Type.Array(
          Type.Object({
            field: Type.String(),
            reason: Type.String(),
            row: Type.Optional(Type.Integer()),
            offset: Type.Optional(Type.Integer()),
            // An import's problems carry a stable code and its parameters (docs/inventory.md "Import problems").
            code: Type.Optional(Type.String()),
            params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
            // `selection_changed`: the selection's new size (docs/grants.md).
            count: Type.Optional(Type.Integer()),
          }),
        ),
      ),
    }),
  },
  { $id: 'ErrorBody' },
);

export const errorResponses = {
  400: Type.Ref('ErrorBody'),
  401: Type.Ref('ErrorBody'),
  403: Type.Ref('ErrorBody'),
  404: Type.Ref('ErrorBody'),
  409: Type.Ref('ErrorBody'),
  410: Type.Ref('ErrorBody'),
  413: Type.Ref('ErrorBody'),
  422: Type.Ref('ErrorBody'),
  429: Type.Ref('ErrorBody'),
  500: Type.Ref('ErrorBody'),
  503: Type.Ref('ErrorBody'),
};
