import { describe, expect, it } from 'vitest';
import { evaluatePassword, isBlocklistLoaded, loadBlocklist, policyProblems } from './index.js';

// Each test file runs in a fresh module graph, so here the blocklist starts unloaded.
describe('the blocklist loads on demand', () => {
  it("reports 'not-common' as met until loaded, and the server helper refuses to answer meanwhile", async () => {
    expect(isBlocklistLoaded()).toBe(false);
    const before = evaluatePassword({ password: 'Passw0rd!', profile: 'guide' });
    expect(before.ok).toBe(true);
    expect(() => policyProblems(before)).toThrow(/blocklist is not loaded/);

    await Promise.all([loadBlocklist(), loadBlocklist()]);
    expect(isBlocklistLoaded()).toBe(true);
    const after = evaluatePassword({ password: 'Passw0rd!', profile: 'guide' });
    expect(after.ok).toBe(false);
    expect(policyProblems(after)).toEqual([{ field: 'password', reason: 'not-common' }]);
  });
});
