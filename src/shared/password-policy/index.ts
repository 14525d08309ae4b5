// The password policy (SEC-19): one implementation for the server and the web UI, so the policy
// box ticks exactly the rules the server will enforce. Two profiles:
//
// - 'guide' (default), as the seed guide's policy box: 8+ characters; a lower-case letter, an
//   upper-case letter, a digit and a special character; not the name, not the e-mail.
// - 'nist' (SP 800-63B): 15+ characters, or 8+ for an account with a second factor; no
//   composition rules.
//
// Both: at most 128 characters, any Unicode (lengths count code points; nothing is ever cut
// off), no context words (each part of the name or of the e-mail's local part with 3+
// characters, compared case- and accent-insensitively, leetspeak read back as letters), and not
// on the blocklist (see blocklistHas in blocklist.ts).
//
// The blocklist is about 1 MB of words, so it is loaded on demand: `loadBlocklist()`. Until it has
// loaded, 'not-common' reports met — the web UI shows it as still being checked — so the server
// must await `loadBlocklist()` at start-up (createContainer does) and checks `isBlocklistLoaded()`
// before it trusts a result (policyProblems, problems.ts).
import { blocklistHas, isBlocklistLoaded, loadBlocklist } from './blocklist.js';
import { contextWords, fold, leetVariants } from './normalise.js';

export { isBlocklistLoaded, loadBlocklist };
export { policyProblems } from './problems.js';

export type PasswordProfile = 'guide' | 'nist';
export type PolicyRuleId = 'min-length' | 'max-length' | 'lowercase' | 'uppercase' | 'digit' | 'special' | 'not-name' | 'not-email' | 'not-common';
export interface PolicyRule {
  id: PolicyRuleId;
  met: boolean;
  /** for length rules */
  limit?: number;
}
export interface PolicyResult {
  ok: boolean;
  rules: PolicyRule[];
}
export interface PolicyInput {
  password: string;
  name?: string | null;
  email?: string | null;
  profile: PasswordProfile;
  hasSecondFactor?: boolean;
}

export const passwordProfiles: readonly PasswordProfile[] = ['guide', 'nist'];
export const passwordMaxLength = 128;
export const guideMinLength = 8;
export const nistMinLength = 15;
export const nistMinLengthWithSecondFactor = 8;

/** The shortest password the profile accepts. */
export function minLengthFor(profile: PasswordProfile, hasSecondFactor = false): number {
  if (profile === 'guide') return guideMinLength;
  return hasSecondFactor ? nistMinLengthWithSecondFactor : nistMinLength;
}

export function evaluatePassword(input: PolicyInput): PolicyResult {
  const { password, profile } = input;
  const length = [...password].length;
  const minLength = minLengthFor(profile, input.hasSecondFactor === true);
  const rules: PolicyRule[] = [
    { id: 'min-length', met: length >= minLength, limit: minLength },
    { id: 'max-length', met: length <= passwordMaxLength, limit: passwordMaxLength },
  ];
  if (profile === 'guide') {
    // Composed first, so "é" typed as e + combining accent is one letter, not a letter and a
    // special character. Letters of every script count; caseless scripts have no upper/lower.
    const composed = password.normalize('NFC');
    rules.push(
      { id: 'lowercase', met: /\p{Ll}/u.test(composed) },
      { id: 'uppercase', met: /[\p{Lu}\p{Lt}]/u.test(composed) },
      { id: 'digit', met: /\p{Nd}/u.test(composed) },
      { id: 'special', met: /[^\p{L}\p{M}\p{Nd}]/u.test(composed) },
    );
  }
  const folded = fold(password);
  const readings = [folded, ...leetVariants(folded)];
  const words = contextWords(input.name, input.email);
  const contains = (list: string[]) => list.some((word) => readings.some((reading) => reading.includes(word)));
  rules.push(
    { id: 'not-name', met: !contains(words.name) },
    { id: 'not-email', met: !contains(words.email) },
    { id: 'not-common', met: !blocklistHas(folded) },
  );
  return { ok: rules.every((rule) => rule.met), rules };
}

