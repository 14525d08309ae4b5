import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReport, summarize, summaryLines } from './run-summary.js';

// The closing line of `npm test`: vitest's JSON reports in the shape vitest 4 writes them.
const file = (name: string, status: string, tests: string[], message = ''): Record<string, unknown> => ({
  name,
  status,
  message,
  assertionResults: tests.map((s, i) => ({ title: `test ${i}`, status: s, failureMessages: [] })),
});
const report = (files: Record<string, unknown>[]): Record<string, unknown> => {
  const statuses = files.flatMap((f) => (Array.isArray(f['assertionResults']) ? f['assertionResults'] : [])).map((a: { status: string }) => a.status);
  return {
    numTotalTestSuites: files.length,
    numFailedTestSuites: files.filter((f) => f['status'] === 'failed').length,
    numTotalTests: statuses.length,
    numPassedTests: statuses.filter((s) => s === 'passed').length,
    numFailedTests: statuses.filter((s) => s === 'failed').length,
    success: false,
    testResults: files,
  };
};

const green = report([file('/r/src/a.test.ts', 'passed', ['passed', 'passed']), file('/r/src/b.test.ts', 'passed', ['passed'])]);
const unloaded = report([
  file('/r/src/a.test.ts', 'passed', ['passed', 'passed']),
  file('/r/src/b.test.ts', 'failed', [], "Cannot find module './gone.js'"),
  file('/r/src/c.test.ts', 'failed', ['passed', 'failed']),
]);

describe('summarize', () => {
  it('adds up both runs', () => {
    const s = summarize([['sqlite.json', parseReport(green)], ['postgres.json', parseReport(green)]]);
    expect(s).toEqual({ passed: 6, failed: 0, notLoaded: [], failedOutsideTests: [], brokenRuns: [] });
    expect(summaryLines(s, '/r').at(-1)).toBe('6 passed, 0 failed (0 files failed to load)');
  });

  it('counts a file that failed to load as a failure and names it', () => {
    const s = summarize([['sqlite.json', parseReport(green)], ['postgres.json', parseReport(unloaded)]]);
    expect(s).toMatchObject({ passed: 6, failed: 2, notLoaded: [{ run: 'postgres.json', file: '/r/src/b.test.ts' }] });
    expect(summaryLines(s, '/r')).toEqual(['failed to load: src/b.test.ts (postgres)', '6 passed, 2 failed (1 file failed to load)']);
  });

  it('counts a file that failed outside its tests (a hook), though every test passed', () => {
    const s = summarize([['sqlite.json', parseReport(report([file('/r/x.test.ts', 'failed', ['passed'])]))]]);
    expect(s).toMatchObject({ passed: 1, failed: 1, notLoaded: [], failedOutsideTests: [{ run: 'sqlite.json', file: '/r/x.test.ts' }] });
  });

  it('counts a missing report and a run of nothing as failures', () => {
    const s = summarize([['sqlite.json', undefined], ['postgres.json', parseReport(report([]))]]);
    expect(s).toEqual({ passed: 0, failed: 2, notLoaded: [], failedOutsideTests: [], brokenRuns: ['sqlite.json', 'postgres.json'] });
  });

  it('refuses what is not a vitest report', () => {
    expect(parseReport({ numPassedTests: 1 })).toBeUndefined();
    expect(parseReport({ ...green, numFailedTests: '0' })).toBeUndefined();
    expect(parseReport({ ...green, testResults: [{ status: 'passed' }] })).toBeUndefined();
  });
});

describe('node --import tsx test/run-summary.ts', () => {
  const run = promisify(execFile);
  const script = fileURLToPath(new URL('./run-summary.ts', import.meta.url));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openeks-summary-'));
    await writeFile(join(dir, 'green.json'), JSON.stringify(green));
    await writeFile(join(dir, 'unloaded.json'), JSON.stringify(unloaded));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints the closing line and exits 0 when all is green', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, join(dir, 'green.json'), join(dir, 'green.json')]);
    expect(stdout.trim().split('\n').at(-1)).toBe('6 passed, 0 failed (0 files failed to load)');
  });

  it('exits 1 when a file failed to load, or a report is missing', async () => {
    const failure = await run(process.execPath, ['--import', 'tsx', script, join(dir, 'unloaded.json'), join(dir, 'missing.json')]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ code: 1 });
    const stdout = failure instanceof Error && 'stdout' in failure ? String(failure.stdout) : '';
    expect(stdout.trim().split('\n').at(-1)).toBe('3 passed, 3 failed (1 file failed to load)');
  });
});
