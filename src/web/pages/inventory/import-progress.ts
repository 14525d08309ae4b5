// What the import page's progress bar shows: first the upload (bytes sent), then the import on
// the server (bytes read of the spooled file), as one bar with a text for each phase. A failed
// import keeps the bar where the server stopped reading, marked failed: a full bar reads as done.
import type { Import } from '../../api/imports-api.js';

export type ImportPhase =
  | { phase: 'uploading'; sent: number; total: number }
  | { phase: 'importing'; import: Import }
  | { phase: 'finished'; import: Import };

export interface ProgressView {
  /** null: indeterminate (the server has not said how much there is yet). */
  value: number | null;
  max: number;
  text: 'upload' | 'import' | 'waiting' | 'done' | 'failed';
}

export function progressView(state: ImportPhase): ProgressView {
  switch (state.phase) {
    case 'uploading':
      return { value: Math.min(state.sent, state.total), max: Math.max(state.total, 1), text: 'upload' };
    case 'importing': {
      const { bytesDone, bytesTotal } = state.import;
      if (bytesTotal === null || bytesTotal <= 0) return { value: null, max: 1, text: 'waiting' };
      return { value: Math.min(bytesDone ?? 0, bytesTotal), max: bytesTotal, text: 'import' };
    }
    case 'finished': {
      if (state.import.status !== 'failed') return { value: 1, max: 1, text: 'done' };
      const { bytesDone, bytesTotal } = state.import;
      if (bytesTotal === null || bytesTotal <= 0) return { value: 0, max: 1, text: 'failed' };
      return { value: Math.min(bytesDone ?? 0, bytesTotal), max: bytesTotal, text: 'failed' };
    }
  }
}

/** How long to wait before asking for the import's progress again (milliseconds). */
export const pollInterval = 500;

/** The problems not listed (the server keeps the first 1,000 and counts all). */
export function unlistedProblems(imp: Pick<Import, 'problems' | 'problemCount'>): number {
  return Math.max(imp.problemCount - imp.problems.length, 0);
}
