import type { TFunction } from 'i18next';
import { media } from '../../../shared/inventory/device-fields.js';
import { isImportProblemCode } from '../../../shared/inventory/import-problems.js';
import type { Import } from '../../api/imports-api.js';

// An import's problems in the reader's language (docs/inventory.md "Import problems"): the server
// sends a stable code with its parameters beside its English reason. A code this page does not
// know (a newer server) is shown with the server's text, so no problem is ever hidden.

export type ImportProblem = Import['problems'][number];

export function importProblemText(t: TFunction, problem: ImportProblem): string {
  if (!isImportProblemCode(problem.code)) return problem.reason;
  return t(`importProblems.${problem.code}`, { ...problem.params, media: media.join(', ') });
}

export type RejectionSummary = { kind: 'rows' | 'atLeast'; count: number } | { kind: 'file' };

/**
 * How many rows a rejected import refused, for the sentence above the list: the rows named by the
 * problems (one row may have several), "at least" that many when the server kept only the first
 * 1,000 problems, and no count when no problem names a row (an empty file).
 */
export function rejectionSummary(imp: Pick<Import, 'problems' | 'problemCount'>): RejectionSummary {
  const rows = new Set(imp.problems.flatMap((problem) => (problem.row === undefined ? [] : [problem.row]))).size;
  if (rows === 0) return { kind: 'file' };
  return { kind: imp.problemCount > imp.problems.length ? 'atLeast' : 'rows', count: rows };
}
