import * as Type from '@sinclair/typebox';
import { Password } from './auth.js';
import { DeviceSelection } from './grants.js';
import { TotpCode } from './mfa.js';
import { literals, Nullable, StringEnum } from './schema-helpers.js';

// Downloads (docs/downloads.md "Downloading"): the EKS page's "Download keys" dialog sends a
// selection (ticked rows or "all N matching", exactly as grants take it) and a format; the
// preview says what will leave and what not, the download streams the file, the progress is
// polled by the export's id (the `X-OpenEKS-Export-Id` header of the download).

/** The formats a download can be written in (src/core/modules/exports/export-format.ts). */
export const exportFormatNames = ['kem', 'kem2', 'csv', 'wmbusmeters', 'json'] as const;
export type ExportFormatName = (typeof exportFormatNames)[number];

const Format = StringEnum(exportFormatNames, { description: 'The file format: kem, kem2, csv, wmbusmeters or json' });

/**
 * Why selected devices do not leave: a device leaves with its active key versions only; one
 * without any is counted under the worst state among its versions (in this order), or
 * `noActiveKey` when it has no key version at all.
 */
export const leftOutReasons = ['compromised', 'suspended', 'deactivated', 'destroyed', 'preActivation', 'noActiveKey'] as const;
export type LeftOutReason = (typeof leftOutReasons)[number];

export const LeftOutView = Type.Object({
  compromised: Type.Integer(),
  suspended: Type.Integer(),
  deactivated: Type.Integer(),
  destroyed: Type.Integer(),
  preActivation: Type.Integer(),
  noActiveKey: Type.Integer(),
});
export type LeftOutView = Type.Static<typeof LeftOutView>;

export const ExportPreviewBody = Type.Object({ selection: DeviceSelection, format: Format }, { additionalProperties: false });
export type ExportPreviewBody = Type.Static<typeof ExportPreviewBody>;

export const ExportPreviewView = Type.Object({
  /** Selected devices that will leave (those with at least one active key version). */
  devices: Type.Integer(),
  /** Active key versions that will leave. */
  keys: Type.Integer(),
  /** Selected devices that will not leave, by why. */
  leftOut: LeftOutView,
  /** The download's file name, e.g. `openeks-10042-2026-12-03-1000.kem.zip`. */
  fileName: Type.String(),
  /** True when this session must confirm its password (and code) first: POST /api/session/reauth. */
  reauthRequired: Type.Boolean(),
});
export type ExportPreviewView = Type.Static<typeof ExportPreviewView>;

export const ExportBody = Type.Object(
  {
    selection: DeviceSelection,
    format: Format,
    /** KEM and KEM2 only, and required there: 1–16 bytes of UTF-8 (the file's only protection). */
    password: Type.Optional(Type.String({ maxLength: 64, description: 'KEM/KEM2: 1 to 16 bytes of UTF-8, the AES key and IV' })),
    /** Encrypt the download to the OpenPGP public key registered on the profile page. */
    encryptTo: Type.Optional(literals(['openpgp'] as const)),
  },
  { additionalProperties: false },
);
export type ExportBody = Type.Static<typeof ExportBody>;

export const exportStatuses = ['running', 'done', 'failed'] as const;
export type ExportStatus = (typeof exportStatuses)[number];

/** An export's progress (`GET /api/exports/:id`): the dialog shows "rows written / total". */
export const ExportView = Type.Object({
  id: Type.String(),
  format: Type.String(),
  status: literals(exportStatuses),
  /** Devices that leave. */
  total: Type.Integer(),
  /** Devices audited and handed to the file so far. */
  rowsWritten: Type.Integer(),
  leftOut: LeftOutView,
  fileName: Type.String(),
  createdAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  /** Why a failed export stopped (an error code, e.g. `audit_unavailable`). */
  error: Nullable(Type.String()),
});
export type ExportView = Type.Static<typeof ExportView>;

export const ExportIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Step-up (SEC-25): the password again, and a current code where two-factor sign-in is on. */
export const ReauthBody = Type.Object({ password: Password, code: Type.Optional(TotpCode) }, { additionalProperties: false });
export type ReauthBody = Type.Static<typeof ReauthBody>;
