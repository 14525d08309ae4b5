// The closed list of audit events (STYLE.md 10), named `resource.verb`. Names are never renamed
// once released: the trail outlives the code. docs/audit-events.md is checked against this list.
export const auditEvents = {
  'operator.create': 'An operator account was created or its setup link re-issued.',
  'operator.bootstrap': 'A one-time link for the very first operator was issued at start-up.',
  'operator.activate': 'An operator set their first password through a setup link.',
  'session.create': 'A user signed in.',
  'session.deny': 'A sign-in failed (wrong e-mail or password, or an inactive account).',
  'session.end': 'A user signed out.',
  'access.deny': 'A request was refused for lack of a permission.',
  'session.revoke': 'A user or operator ended a session other than the current one.',
  'user.register': 'Someone asked to register an e-mail address (an activation or "you already have an account" mail was queued).',
  'user.activate': 'A registration was completed through its activation link.',
  'user.update': 'A user changed their profile (name, language).',
  'user.disable': 'An operator disabled an account; all its sessions ended.',
  'user.lock': 'Failed sign-ins locked an account temporarily, or hard after 100.',
  'password.change': 'A user changed their password (the current one was confirmed).',
  'password.reset_request': 'Someone asked for a password reset mail, or an operator sent one.',
  'password.reset': 'A password was set through a reset link; other sessions ended.',
  'mfa.enrol': 'A user set up two-factor sign-in (TOTP) and received recovery codes.',
  'mfa.verify': 'A second-factor check succeeded or failed (code or recovery code).',
  'mfa.disable': 'Two-factor sign-in was switched off for an account.',
  'settings.update': 'An operator changed a service setting (e.g. the password policy profile).',
  'mail.read': 'An operator opened a mail of the development outbox.',
  'vault.init': 'The key vault was created: first key-encryption key and canary.',
  'vault.rotate': 'The master key / key-encryption key was rotated and data keys rewrapped.',
} as const;

export type AuditAction = keyof typeof auditEvents;
