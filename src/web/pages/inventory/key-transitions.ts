// The legal state changes of a key version (SEC-09, docs/inventory.md "Key states"), from the
// same table the server checks (409 key_transition_illegal otherwise): the UI offers only these,
// so nobody is shown a choice that must fail.
import type { KeyState } from '../../../shared/inventory/device-fields.js';
import { keyTransitions } from '../../../shared/inventory/key-states.js';

export function allowedTransitions(from: KeyState): readonly KeyState[] {
  return keyTransitions[from];
}

/** A key marked compromised must say why (it is what the audit and the readers see). */
export function reasonRequired(to: KeyState): boolean {
  return to === 'compromised';
}

/** Destroying erases the key material for good, so it asks once more. */
export function needsConfirmation(to: KeyState): boolean {
  return to === 'destroyed';
}
