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
  'mail.read': 'An operator opened a mail of the development outbox.',
  'vault.init': 'The key vault was created: first key-encryption key and canary.',
  'vault.rotate': 'The master key / key-encryption key was rotated and data keys rewrapped.',
} as const;

export type AuditAction = keyof typeof auditEvents;
