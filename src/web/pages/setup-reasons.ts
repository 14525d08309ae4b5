import type { TFunction } from 'i18next';
import { passwordMaxLength, type PolicyRuleId } from '../../shared/password-policy/index.js';
import type { FieldProblem } from '../api/client.js';

// The server names each failed password rule by its id (src/shared/password-policy: 'min-length',
// 'not-email', …). Those are shown in the user's language; any other reason as the server wrote
// it, so a new rule is never hidden.
const ruleIds: readonly PolicyRuleId[] = ['min-length', 'max-length', 'lowercase', 'uppercase', 'digit', 'special', 'not-name', 'not-email', 'not-common'];

const isRuleId = (reason: string): reason is PolicyRuleId => ruleIds.some((id) => id === reason);

export function reasonText(t: TFunction, problem: FieldProblem): string {
  if (isRuleId(problem.reason)) return t(`policy.problems.${problem.reason}`, { limit: passwordMaxLength });
  if (problem.reason === 'required') return t('setup.reasons.required');
  return problem.reason;
}
