import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

// Table types. Timestamps are ISO-8601 UTC strings on both databases so that SQLite and
// PostgreSQL rows compare and sort alike; booleans are 0/1 integers for the same reason.

export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string | null;
  is_operator: number;
  status: 'pending' | 'active' | 'disabled';
  language: 'de' | 'en';
  created_at: string;
  updated_at: string;
  email_verified_at: string | null;
  password_changed_at: string | null;
  failed_sign_ins: Generated<number>;
  locked_until: string | null;
  hard_locked: Generated<number>;
}

export interface OneTimeTokensTable {
  id: string;
  user_id: string | null;
  purpose: 'operator-setup' | 'operator-bootstrap' | 'activation' | 'password-reset' | 'invitation';
  token_hash: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string;
  user_agent: string;
  /** 1: password; 2: password and a second factor. */
  aal: Generated<number>;
  /** `complete`, or waiting for the second factor (`mfa`) or for its enrolment (`enrol`). */
  stage: Generated<'complete' | 'mfa' | 'enrol'>;
  authenticated_at: string | null;
}

export interface SignInThrottleTable {
  subject: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface MfaTotpTable {
  user_id: string;
  secret_ciphertext: string;
  confirmed_at: string | null;
  last_step: number | null;
  created_at: string;
}

export interface MfaRecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: string | null;
  created_at: string;
}

export interface SettingsTable {
  name: string;
  value: string;
  updated_at: string;
}

export interface AuditLogTable {
  seq: Generated<number>;
  id: string;
  occurred_at: string;
  request_id: string | null;
  actor_id: string | null;
  actor_role: string | null;
  tenant: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: 'allowed' | 'denied' | 'error';
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  auth_method: string | null;
  details: string;
  prev_hash: string;
  /** SHA-256 of the record (key_epoch null) or its HMAC under the chain key of that epoch. */
  hash: string;
  /** The chain key epoch the record was MACed under; null: plain SHA-256 (older or written while sealed). */
  key_epoch: number | null;
}

export interface AuditChainKeysTable {
  epoch: number;
  /** The chain secret as a vault envelope (context: audit_chain_keys, epoch). */
  ciphertext: string;
  created_at: string;
}

export interface MailOutboxTable {
  id: string;
  recipient: string;
  template: string;
  language: 'de' | 'en';
  subject: string;
  body_text: string | null;
  body_html: string | null;
  status: 'pending' | 'sent' | 'stored' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface VaultKeksTable {
  id: string;
  version: number;
  master_version: number;
  wrapped: string;
  state: 'active' | 'decrypt-only' | 'retired';
  operations: number;
  created_at: string;
}

export interface VaultDataKeysTable {
  id: string;
  kek_id: string;
  wrapped: string;
  state: 'active' | 'decrypt-only';
  operations: number;
  created_at: string;
}

export interface VaultMetaTable {
  name: string;
  value: string;
}

export interface DevicesTable {
  id: string;
  manufacturer: string;
  serial: string;
  kind: 'meter' | 'concentrator';
  medium: string;
  model: string | null;
  type_no: string | null;
  config_no: string | null;
  order_no: string | null;
  delivery_note: string | null;
  customer_account_id: string | null;
  /** YYYY-MM-DD */
  delivery_date: string | null;
  driver_hint: string | null;
  import_id: string | null;
  created_at: string;
  updated_at: string | null;
}

export interface CustomerAccountsTable {
  id: string;
  customer_no: string;
  name: string;
  name_search: string;
  contact_email: string | null;
  notes: string | null;
  created_at: string;
  updated_at: string;
}

export interface ImportsTable {
  id: string;
  user_id: string | null;
  file_name: string;
  format: 'csv' | 'kem' | 'kem2' | null;
  status: 'running' | 'succeeded' | 'failed';
  new_version: number;
  rows_done: number;
  bytes_total: number | null;
  bytes_done: number | null;
  devices_created: number;
  keys_created: number;
  error_code: string | null;
  problems: string | null;
  problem_count: number;
  sha256: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface DeviceKeysTable {
  id: string;
  device_id: string;
  key_type: string;
  version: number;
  state: 'pre-activation' | 'active' | 'suspended' | 'deactivated' | 'compromised' | 'destroyed';
  ciphertext: string | null;
  data_key_id: string | null;
  key_length: number | null;
  import_id: string | null;
  state_changed_at: string | null;
  state_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface AccessRequestsTable {
  id: string;
  user_id: string;
  customer_no: string | null;
  customer_name: string | null;
  subject: string;
  relation: 'dealer' | 'customer-admin';
  comment: string | null;
  status: 'open' | 'approved' | 'rejected' | 'withdrawn';
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  approved_customer_ids: string | null;
  operators_notified_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SuperuserLinksTable {
  user_id: string;
  customer_account_id: string;
  linked_by: string | null;
  request_id: string | null;
  created_at: string;
}

export interface GrantsTable {
  id: Generated<number>;
  device_id: string;
  reader_id: string;
  granted_by: string | null;
  granted_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  /** The `grant.create` record that granted this row (0008; null before). */
  granted_audit_id: string | null;
  /** The `grant.revoke` record that revoked it. */
  revoked_audit_id: string | null;
}

/** Which devices an audit record is about (0008, docs/audit-trail.md); grants name theirs in `grants`. */
export interface AuditDevicesTable {
  audit_seq: number;
  device_id: string;
}

export interface SigningKeysTable {
  /** `sk_` + the first 16 hex digits of the SHA-256 of the public key's DER (its fingerprint). */
  id: string;
  /** SPKI PEM, published at /.well-known/openeks-signing-key. */
  public_pem: string;
  /** The PKCS#8 DER private key as a vault envelope (context: signing_keys, id). */
  private_ciphertext: string;
  created_at: string;
  retired_at: string | null;
}

/** The user's registered OpenPGP public key (migration 0013; docs/downloads.md "OpenPGP"). */
export interface OpenPgpKeysTable {
  user_id: string;
  armored: string;
  fingerprint: string;
  algorithm: string;
  created_at: string;
}

export interface Database {
  users: UsersTable;
  one_time_tokens: OneTimeTokensTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  audit_chain_keys: AuditChainKeysTable;
  mail_outbox: MailOutboxTable;
  vault_keks: VaultKeksTable;
  vault_data_keys: VaultDataKeysTable;
  vault_meta: VaultMetaTable;
  devices: DevicesTable;
  device_keys: DeviceKeysTable;
  customer_accounts: CustomerAccountsTable;
  imports: ImportsTable;
  sign_in_throttle: SignInThrottleTable;
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  settings: SettingsTable;
  access_requests: AccessRequestsTable;
  superuser_links: SuperuserLinksTable;
  grants: GrantsTable;
  audit_devices: AuditDevicesTable;
  signing_keys: SigningKeysTable;
  openpgp_keys: OpenPgpKeysTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type MailRow = Selectable<MailOutboxTable>;
export type DeviceKeyRow = Selectable<DeviceKeysTable>;
export type AccessRequestRow = Selectable<AccessRequestsTable>;
export type SuperuserLinkRow = Selectable<SuperuserLinksTable>;
