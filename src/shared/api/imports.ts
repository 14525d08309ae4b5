import * as Type from '@sinclair/typebox';

// Imports (docs/inventory.md "Import"): what an import run looks like to the web UI. The upload's
// query stays with the server's routes (src/core/modules/imports/imports-schemas.ts).

export const ImportProblem = Type.Object({
  row: Type.Optional(Type.Integer({ description: 'the row of the file (CSV: its line, the header is 1; KEM: the n-th meter)' })),
  field: Type.String({ description: 'the CSV column (or file, member) the problem is in' }),
  reason: Type.String({ description: 'the problem in English words' }),
  offset: Type.Optional(Type.Integer()),
  code: Type.Optional(Type.String({ description: 'a stable code for the problem (docs/inventory.md "Import problems"), to show it in the reader\'s language; a client falls back to `reason` for a code it does not know' })),
  params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), { description: "what the code's text needs (a count, a customer number, …)" })),
});

export const ImportView = Type.Object({
  id: Type.String(),
  fileName: Type.String(),
  format: Type.Union([Type.Literal('csv'), Type.Literal('kem'), Type.Literal('kem2'), Type.Null()]),
  status: Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
  newVersion: Type.Boolean(),
  bytesTotal: Type.Union([Type.Integer(), Type.Null()]),
  bytesDone: Type.Union([Type.Integer(), Type.Null()]),
  rowsDone: Type.Integer(),
  devicesCreated: Type.Integer(),
  keysCreated: Type.Integer(),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  problems: Type.Array(ImportProblem, { description: 'the first 1,000 problems' }),
  problemCount: Type.Integer({ description: 'how many problems there were in all' }),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

export const ImportList = Type.Object({ items: Type.Array(ImportView) });
