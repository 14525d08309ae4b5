import type { FieldProblem } from '../errors.js';
import { isBlocklistLoaded } from './blocklist.js';
import type { PolicyResult } from './index.js';

/**
 * The server's view of a policy result: each failed rule as `{ field: 'password', reason: <rule
 * id> }` — stable codes the web UI translates, never English text — for
 * `AppError('password_rejected', undefined, { details })`. Refuses to answer while the blocklist
 * is not loaded (every common password would pass): the container loads it at start-up, so this
 * fires only if that wiring is ever lost.
 */
export function policyProblems(result: PolicyResult): FieldProblem[] {
  if (!isBlocklistLoaded()) throw new Error('the password blocklist is not loaded; await loadBlocklist() at start-up');
  return result.rules.filter((rule) => !rule.met).map((rule) => ({ field: 'password', reason: rule.id }));
}
