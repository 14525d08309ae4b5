import type { Clock } from '../../../lib/clock.js';
import type { FieldProblem } from '../../../shared/errors.js';
import { evaluatePassword, passwordProfiles, policyProblems, type PasswordProfile, type PolicyInput } from '../../../shared/password-policy/index.js';
import type { Db } from '../../db/database.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { SettingsRepo } from './settings-repo.js';

const passwordProfileSetting = 'password-profile';
export const defaultPasswordProfile: PasswordProfile = 'guide';

const isProfile = (value: string | undefined): value is PasswordProfile => passwordProfiles.some((profile) => profile === value);

/** Service-wide settings that operators change at run time; today the password policy profile. */
export function createSettingsService(deps: { db: Db; settings: SettingsRepo; guard: AccessGuard; audit: AuditWriter; clock: Clock }) {
  async function getPasswordProfile(): Promise<PasswordProfile> {
    const stored = await deps.settings.get(passwordProfileSetting);
    // Unset, or a value this build does not know (written by a newer one): the guide's profile.
    return isProfile(stored) ? stored : defaultPasswordProfile;
  }

  return {
    getPasswordProfile,

    async setPasswordProfile({ principal, actor, profile }: { principal: Principal; actor: Actor; profile: PasswordProfile }): Promise<PasswordProfile> {
      await deps.guard.require(principal, actor, 'settings.manage');
      await deps.db.kysely.transaction().execute(async (trx) => {
        const previous = await deps.settings.get(passwordProfileSetting, trx);
        await deps.settings.put({ name: passwordProfileSetting, value: profile, updatedAt: deps.clock.now().toISOString() }, trx);
        await deps.audit.write({
          actor,
          action: 'settings.update',
          target: { type: 'setting', id: passwordProfileSetting },
          result: 'allowed',
          details: { from: previous ?? defaultPasswordProfile, to: profile },
        }, trx);
      });
      return profile;
    },

    /**
     * A new password against the configured profile: every failed rule as `{ field: 'password',
     * reason: <rule id> }`, none when it is acceptable. Throw `AppError('password_rejected', …,
     * { details })` with a non-empty answer.
     */
    async checkPassword(input: Omit<PolicyInput, 'profile'>): Promise<FieldProblem[]> {
      return policyProblems(evaluatePassword({ ...input, profile: await getPasswordProfile() }));
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
