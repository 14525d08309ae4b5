import type { FieldProblem } from '../../../shared/errors.js';

/** Problems kept in detail (API, CLI, the imports row); every further one is only counted. */
export const MAX_PROBLEMS_KEPT = 1_000;

/** Every bad row of a file: the first 1,000 in detail and the count of all. */
export class ProblemList {
  readonly kept: FieldProblem[] = [];
  count = 0;

  add(problem: FieldProblem): void {
    this.count += 1;
    if (this.kept.length < MAX_PROBLEMS_KEPT) this.kept.push(problem);
  }

  addAll(problems: readonly FieldProblem[]): void {
    for (const p of problems) this.add(p);
  }
}
