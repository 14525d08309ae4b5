import { Type } from '@sinclair/typebox';

export const ImportProblem = Type.Object({
  row: Type.Optional(Type.Integer({ description: 'the row of the file (CSV: its line, the header is 1; KEM: the n-th meter)' })),
  field: Type.String({ description: 'the CSV column (or file, member) the problem is in' }),
  reason: Type.String(),
  offset: Type.Optional(Type.Integer()),
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

export const ImportQuery = Type.Object(
  {
    fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\x00-\\x1f\\x7f]+$', description: 'the name shown in the list and the audit trail' })),
    newVersion: Type.Optional(Type.Boolean({ description: 'add a new key version to devices that exist instead of refusing them' })),
    customerNo: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._/-]{1,32}$', description: 'customer account of rows that name none (every row of a KEM file)' })),
    deliveryDate: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD; default: the day of the import' })),
    wait: Type.Optional(Type.Boolean({ description: 'answer when the import has finished (200 or its error) instead of 202 at once' })),
  },
  { additionalProperties: false },
);

export const ImportParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
