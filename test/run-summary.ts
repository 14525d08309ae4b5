// The closing line of `npm test` (test/run-all.sh), over vitest's JSON reports of the SQLite and
// the PostgreSQL run. A test file that fails to load (a missing import, a syntax error) runs no
// test at all, so counting failed tests alone reported such a run as nearly green ("1642 passed,
// 38 failed" while 22 files had not loaded). Here every file that failed without a failing test
// counts as a failure, and so does a run that wrote no report or ran nothing.
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface FileResult {
  name: string;
  status: string;
  failedTests: number;
  tests: number;
}

export interface RunReport {
  passedTests: number;
  failedTests: number;
  totalTests: number;
  files: FileResult[];
}

/** A test file of one run: `run` is the run's label (its report's path). */
export interface RunFile {
  run: string;
  file: string;
}

export interface RunSummary {
  passed: number;
  failed: number;
  /** Files that failed before any of their tests ran. */
  notLoaded: RunFile[];
  /** Files that failed although none of their tests did (a failing hook). */
  failedOutsideTests: RunFile[];
  /** Reports that were missing, unreadable, or of a run without a single test. */
  brokenRuns: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : Number.NaN);

/** Reads the fields used here from a vitest JSON report; undefined when it is not one. */
export function parseReport(json: unknown): RunReport | undefined {
  if (!isRecord(json) || !Array.isArray(json['testResults'])) return undefined;
  const files: FileResult[] = [];
  for (const file of json['testResults']) {
    if (!isRecord(file) || typeof file['name'] !== 'string' || typeof file['status'] !== 'string') return undefined;
    const assertions = Array.isArray(file['assertionResults']) ? file['assertionResults'] : [];
    const failedTests = assertions.filter((a) => isRecord(a) && a['status'] === 'failed').length;
    files.push({ name: file['name'], status: file['status'], failedTests, tests: assertions.length });
  }
  const report = { passedTests: count(json['numPassedTests']), failedTests: count(json['numFailedTests']), totalTests: count(json['numTotalTests']), files };
  return [report.passedTests, report.failedTests, report.totalTests].some(Number.isNaN) ? undefined : report;
}

/** Adds up the runs; `runs` maps a label (the report's path) to its report, undefined if unreadable. */
export function summarize(runs: [label: string, report: RunReport | undefined][]): RunSummary {
  const summary: RunSummary = { passed: 0, failed: 0, notLoaded: [], failedOutsideTests: [], brokenRuns: [] };
  for (const [label, report] of runs) {
    if (report === undefined || report.totalTests + report.files.length === 0) {
      summary.brokenRuns.push(label);
      continue;
    }
    summary.passed += report.passedTests;
    summary.failed += report.failedTests;
    for (const file of report.files) {
      if (file.status !== 'failed' || file.failedTests > 0) continue;
      (file.tests === 0 ? summary.notLoaded : summary.failedOutsideTests).push({ run: label, file: file.name });
    }
  }
  summary.failed += summary.notLoaded.length + summary.failedOutsideTests.length + summary.brokenRuns.length;
  return summary;
}

/** The lines to print; the last one is the closing line. */
export function summaryLines(summary: RunSummary, cwd: string): string[] {
  const name = (path: string): string => relative(cwd, path) || path;
  const where = ({ run, file }: RunFile): string => `${name(file)} (${basename(run, '.json')})`;
  const files = (n: number): string => (n === 1 ? '1 file' : `${n} files`);
  return [
    ...summary.notLoaded.map((f) => `failed to load: ${where(f)}`),
    ...summary.failedOutsideTests.map((f) => `failed outside its tests: ${where(f)}`),
    ...summary.brokenRuns.map((path) => `no usable report (the run crashed or ran nothing): ${name(path)}`),
    `${summary.passed} passed, ${summary.failed} failed (${files(summary.notLoaded.length)} failed to load)`,
  ];
}

function readReport(path: string): RunReport | undefined {
  try {
    return parseReport(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return undefined;
  }
}

// `node --import tsx test/run-summary.ts REPORT.json…`: prints the lines, exits 1 on any failure.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  if (process.argv.length < 3) {
    console.error('usage: node --import tsx test/run-summary.ts REPORT.json…');
    process.exit(2);
  }
  const summary = summarize(process.argv.slice(2).map((path) => [path, readReport(path)]));
  console.log(`\n${summaryLines(summary, process.cwd()).join('\n')}`);
  process.exitCode = summary.failed > 0 ? 1 : 0;
}
