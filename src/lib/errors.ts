// The error type and its catalogue live in src/shared/errors.ts: the web UI translates every code
// of the catalogue, so it must reach it without importing the server's lib/. The server's many
// importers keep this path; new code may import either.
export { AppError, errorCatalog, isAppError, type ErrorCode, type FieldProblem } from '../shared/errors.js';
