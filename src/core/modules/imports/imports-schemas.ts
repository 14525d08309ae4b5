import { Type } from '@sinclair/typebox';

// What an import looks like to the web UI is in src/shared/api/imports.ts; the upload's query and
// the path parameters are the server's own.
export { ImportList, ImportProblem, ImportView } from '../../../shared/api/imports.js';

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
