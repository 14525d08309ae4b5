import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliEnvVar, envVar, gatewayEnvVar } from '../../src/lib/env-vars.js';

// README.md's "Configuration" table is the operator's list of variables: it must name exactly
// those the code reads (src/lib/env-vars.ts: the core's, the gateway's and the DLMS command line's), no more and no fewer.
function configurationTable(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Configuration\n'));
  if (section === undefined) throw new Error('README.md has no "## Configuration" section');
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => /^\| `([A-Z0-9_]+)` \|/.exec(line)?.[1] ?? `unreadable row: ${line}`);
}

describe('README.md configuration table', () => {
  it('lists exactly the variables of src/lib/env-vars.ts, each once', () => {
    const documented = configurationTable();
    expect(documented).toHaveLength(new Set(documented).size);
    expect([...documented].sort()).toEqual([...Object.values(envVar), ...Object.values(gatewayEnvVar), ...Object.values(cliEnvVar)].sort());
  });
});
