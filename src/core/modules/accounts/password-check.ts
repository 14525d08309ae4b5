import { AppError } from '../../../shared/errors.js';
import type { SettingsService } from '../settings/settings-service.js';

export type PasswordCheck = (input: { password: string; name: string | null; email: string; hasSecondFactor: boolean }) => Promise<void>;

/**
 * The server's half of the policy (SEC-19): the same rules the page ticks while the user types,
 * under the profile the operators chose. Every failed rule is named (details: reason = rule id),
 * so the page can say them all in the user's language.
 */
export function createPasswordCheck(deps: { settings: Pick<SettingsService, 'checkPassword'> }): PasswordCheck {
  return async (input) => {
    const problems = await deps.settings.checkPassword(input);
    if (problems.length > 0) throw new AppError('password_rejected', undefined, { details: problems });
  };
}
