import * as Type from '@sinclair/typebox';

// The password policy profile (public: the policy box shows it before sign-in).
export const PasswordProfileName = Type.Union([Type.Literal('guide'), Type.Literal('nist')], {
  description: "'guide': 8+ characters with lower, upper, digit and special (the default); 'nist': NIST SP 800-63B, 15+ characters (8+ with a second factor), no composition rules",
});
export const PasswordPolicyView = Type.Object({ profile: PasswordProfileName });
export const PasswordPolicyBody = Type.Object({ profile: PasswordProfileName }, { additionalProperties: false });
