// The password policy profile is read and sent by the web UI: src/shared/api/settings.ts.
export { PasswordPolicyBody, PasswordPolicyView, PasswordProfileName } from '../../../shared/api/settings.js';
