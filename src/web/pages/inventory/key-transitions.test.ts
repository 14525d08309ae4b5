import { describe, expect, it } from 'vitest';
import { keyStates } from '../../../shared/inventory/device-fields.js';
import { allowedTransitions, needsConfirmation, reasonRequired } from './key-transitions.js';

describe('key state transitions', () => {
  it('offer exactly the table of docs/inventory.md', () => {
    expect(Object.fromEntries(keyStates.map((s) => [s, allowedTransitions(s)]))).toEqual({
      'pre-activation': ['active', 'compromised', 'destroyed'],
      active: ['suspended', 'deactivated', 'compromised'],
      suspended: ['active', 'deactivated', 'compromised'],
      deactivated: ['compromised', 'destroyed'],
      compromised: ['destroyed'],
      destroyed: [],
    });
  });

  it('never offer staying in the same state, nor leaving destroyed', () => {
    for (const state of keyStates) expect(allowedTransitions(state)).not.toContain(state);
    expect(allowedTransitions('destroyed')).toEqual([]);
  });

  it('ask a reason for compromised and a confirmation for destroyed only', () => {
    expect(keyStates.filter(reasonRequired)).toEqual(['compromised']);
    expect(keyStates.filter(needsConfirmation)).toEqual(['destroyed']);
  });
});
