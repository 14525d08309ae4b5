import { AppError, type FieldProblem } from '../../../../shared/errors.js';

// The errors every reader throws. Messages and reasons never quote file content: a damaged line
// or decrypted block may hold key material.

export const EXPECTED = 'Expected a CSV file, a KEM or KEM2 file, or a ZIP holding one.';

export function unreadable(message: string, ...problems: FieldProblem[]): AppError {
  return new AppError('file_unreadable', message, problems.length === 0 ? undefined : { details: problems });
}

export function passwordWrong(message?: string): AppError {
  return new AppError('kem_password_wrong', message);
}
