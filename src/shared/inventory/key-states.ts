import type { KeyState } from './device-fields.js';

// SP 800-57 key states (SEC-09, docs/inventory.md "Key states"): the legal transitions as data.
// Everything not listed is illegal, the same state included; `destroyed` is final.
export const keyTransitions: Readonly<Record<KeyState, readonly KeyState[]>> = {
  'pre-activation': ['active', 'compromised', 'destroyed'],
  active: ['suspended', 'deactivated', 'compromised'],
  suspended: ['active', 'deactivated', 'compromised'],
  deactivated: ['compromised', 'destroyed'],
  compromised: ['destroyed'],
  destroyed: [],
};

export function canTransition(from: KeyState, to: KeyState): boolean {
  return keyTransitions[from].includes(to);
}
