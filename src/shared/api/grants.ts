import * as Type from '@sinclair/typebox';
import { Email } from './auth.js';
import { DeviceFilter } from './devices.js';
import { literals, Nullable } from './schema-helpers.js';

// Read rights (docs/grants.md): who may read which devices, handed on by superusers for their
// customer accounts' devices and by operators. The EKS page's dialogs send these bodies; a
// selection is either ticked rows or "all N matching" a filter, so that selecting a million
// devices costs one request and the server resolves it set-based.

/** Ticked rows at most; beyond that the page offers "select all N matching" (a filter). */
export const MAX_SELECTED_IDS = 1000;

const DeviceId = Type.String({ minLength: 1, maxLength: 64 });

export const DeviceIdsSelection = Type.Object({ ids: Type.Array(DeviceId, { minItems: 1, maxItems: MAX_SELECTED_IDS }) }, { additionalProperties: false });

/**
 * "Select all N matching": the filter, and the count the user saw. If the server counts another
 * number for the filter in the caller's scope, the request is refused with 409 `selection_changed`
 * and the new count (`details[0].count`), nothing stored.
 */
export const DeviceFilterSelection = Type.Object(
  { filter: DeviceFilter, count: Type.Integer({ minimum: 0, description: 'How many devices the filter matched when the user selected them' }) },
  { additionalProperties: false },
);

export const DeviceSelection = Type.Union([DeviceIdsSelection, DeviceFilterSelection]);
export type DeviceSelection = Type.Static<typeof DeviceSelection>;

export const readerStatuses = ['active', 'invited'] as const;
export type ReaderStatus = (typeof readerStatuses)[number];

export const ReadersBody = Type.Object({ selection: DeviceSelection }, { additionalProperties: false });

export const ReaderView = Type.Object({
  readerId: Type.String(),
  email: Type.String(),
  name: Nullable(Type.String()),
  /** `invited`: the address has no account yet and holds a pending invitation. */
  status: literals(readerStatuses),
  /** How many of the selected devices this reader may read. */
  devices: Type.Integer(),
  /** ISO time of the reader's earliest grant among the selected devices. */
  since: Type.String(),
  /** Who granted the earliest of them (null: the CLI or a since-deleted account). */
  grantedBy: Nullable(Type.Object({ email: Type.String(), name: Nullable(Type.String()) })),
});
export type ReaderView = Type.Static<typeof ReaderView>;

export const ReadersView = Type.Object({ selected: Type.Integer(), items: Type.Array(ReaderView) });
export type ReadersView = Type.Static<typeof ReadersView>;

export const GrantBody = Type.Object({ selection: DeviceSelection, email: Email }, { additionalProperties: false });
export type GrantBody = Type.Static<typeof GrantBody>;

export const GrantResultView = Type.Object({
  /** Devices newly granted by this request. */
  granted: Type.Integer(),
  /** Selected devices the reader could already read. */
  alreadyGranted: Type.Integer(),
  reader: Type.Object({ readerId: Type.String(), email: Type.String(), status: literals(readerStatuses) }),
});
export type GrantResultView = Type.Static<typeof GrantResultView>;

export const RevokeBody = Type.Object(
  {
    readerId: Type.String({ minLength: 1, maxLength: 64 }),
    /** Without a selection: everything of the reader within the caller's scope. */
    selection: Type.Optional(DeviceSelection),
  },
  { additionalProperties: false },
);
export type RevokeBody = Type.Static<typeof RevokeBody>;

export const RevokeResultView = Type.Object({ revoked: Type.Integer() });
export type RevokeResultView = Type.Static<typeof RevokeResultView>;
