// One error type and one closed catalogue of codes (docs/style.md 5). The catalogue is the source of
// truth for HTTP status and default message; docs/errors.md is checked against it by a test.
// Messages are for users: product words, never a key, token, password or database error.

export const errorCatalog = {
  validation_failed: { status: 400, message: 'The request is not valid.' },
  unsupported_media_type: { status: 415, message: 'The request body must be JSON.' },
  body_too_large: { status: 413, message: 'The request body is too large.' },
  unauthenticated: { status: 401, message: 'Please sign in.' },
  invalid_credentials: { status: 401, message: 'E-mail or password is wrong.' },
  csrf_failed: { status: 403, message: 'The request lacks a valid CSRF token. Reload the page and try again.' },
  forbidden: { status: 403, message: 'You may not do this.' },
  not_found: { status: 404, message: 'Not found.' },
  token_invalid: { status: 410, message: 'This link is invalid, was already used or has expired.' },
  password_rejected: { status: 400, message: 'The password does not meet the password policy.' },
  mfa_invalid: { status: 401, message: 'The code is wrong, expired or was already used.' },
  mfa_enrolment_required: { status: 403, message: 'Set up two-factor sign-in before you continue.' },
  step_up_required: { status: 401, message: 'Confirm your password (and code) again to do this.' },
  conflict: { status: 409, message: 'This conflicts with the current state.' },
  rate_limited: { status: 429, message: 'Too many requests. Try again later.' },
  precondition_failed: { status: 412, message: 'The file does not match the version the request names.' },
  range_not_satisfiable: { status: 416, message: 'The range asked for lies outside the file.' },
  sealed: { status: 503, message: 'The key vault is sealed.' },
  database_unavailable: { status: 503, message: 'The database is unavailable.' },
  audit_unavailable: { status: 503, message: 'The audit trail cannot be written; the action was not carried out.' },
  key_integrity: { status: 500, message: 'A stored key failed its integrity check.' },
  vault_version_in_use: { status: 409, message: 'This key version still protects stored keys.' },
  import_rejected: { status: 422, message: 'The file was not imported because some rows are not valid; nothing was stored.' },
  kem_password_wrong: { status: 422, message: 'The password does not open this KEM file.' },
  file_unreadable: { status: 422, message: 'The file is not a CSV, KEM or KEM2 file, or a ZIP holding one.' },
  customer_no_taken: { status: 409, message: 'A customer account with this number already exists.' },
  key_transition_illegal: { status: 409, message: 'The key version cannot change from its current state to the one asked for.' },
  key_destroyed: { status: 410, message: 'This key version was destroyed; the key no longer exists.' },
  access_request_open: { status: 409, message: 'You already have an open request for this customer account.' },
  already_superuser: { status: 409, message: 'You are already superuser of this customer account.' },
  access_request_decided: { status: 409, message: 'This request was already decided or withdrawn.' },
  superuser_link_exists: { status: 409, message: 'This user is already superuser of this customer account.' },
  selection_changed: { status: 409, message: 'The selection changed meanwhile; check the new count and try again.' },
  reader_disabled: { status: 409, message: 'This account is disabled and cannot be given read rights.' },
  nothing_to_revoke: { status: 409, message: 'This reader has no read rights on the selected devices.' },
  invitation_withdrawn: { status: 410, message: 'This invitation was withdrawn: the read rights it offered were removed.' },
  // Downloads (docs/downloads.md "Step-up").
  reauth_required: { status: 401, message: 'Confirm your password (and code) again to download keys: the last sign-in is older than 5 minutes.' },
  // The key sync (docs/key-sync.md).
  sync_cursor_invalid: { status: 400, message: 'The sync cursor (since) is not one this service gave to this token.' },
  sync_reset: { status: 410, message: 'The sync cursor (since) can no longer be served; start over with a full sync.' },
  openpgp_key_invalid: { status: 422, message: 'This is not an OpenPGP public key that can encrypt.' },
  internal: { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export interface FieldProblem {
  /** JSON pointer or name of the field, row or byte offset the problem is about. */
  field: string;
  reason: string;
  /** The row of a file (1 = the first line, the CSV header included) the problem is in. */
  row?: number;
  /** The byte offset (from 0) in a file or telegram the problem was found at. */
  offset?: number;
  /**
   * A stable code where the producer has one (an import's problems, src/shared/inventory/import-problems.ts),
   * for clients to show the problem in their language; `reason` stays the English text.
   */
  code?: string;
  /** What the code's text needs (a count, a customer number, …); never a secret. */
  params?: Record<string, string | number>;
  /** A count the client shows beside the problem (`selection_changed`: the selection's new size). */
  count?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: FieldProblem[] | undefined;

  constructor(code: ErrorCode, message?: string, options?: { details?: FieldProblem[]; cause?: unknown }) {
    super(message ?? errorCatalog[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalog[code].status;
    this.details = options?.details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
