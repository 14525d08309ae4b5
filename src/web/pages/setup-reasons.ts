import type { TFunction } from 'i18next';
import type { FieldProblem } from '../api/client.js';

// The server names each failed password rule in English words (src/core/modules/auth/
// password-rules.ts). The ones known here are shown in the user's language; any other reason
// as the server wrote it, so a new rule is never hidden.
const patterns: { pattern: RegExp; text: (t: TFunction, match: RegExpMatchArray) => string }[] = [
  { pattern: /^at least (\d+) characters$/, text: (t, m) => t('setup.reasons.tooShort', { count: Number(m[1]) }) },
  { pattern: /^at most (\d+) characters$/, text: (t, m) => t('setup.reasons.tooLong', { count: Number(m[1]) }) },
  { pattern: /^must not contain the e-mail address$/, text: (t) => t('setup.reasons.containsEmail') },
  { pattern: /^required$/, text: (t) => t('setup.reasons.required') },
];

export function reasonText(t: TFunction, problem: FieldProblem): string {
  for (const { pattern, text } of patterns) {
    const match = problem.reason.match(pattern);
    if (match !== null) return text(t, match);
  }
  return problem.reason;
}
