import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Bench, type BenchDatabase, type BenchRow, cleanupAll, passes, postgresDatabase, seconds, sqliteDatabase } from './kit.js';

// `npm run bench [-- <filter>…] [--all-databases]`: runs every test/bench/*.bench.ts whose name
// contains a filter (all without one) and prints one table: each figure beside its floor
// measured in the same run, the ratio and the goal. Exits 0 whether goals are met or not; 1 only
// if a bench could not run. SQLite in a temp dir by default; OPENEKS_BENCH_DATABASE_URL=postgres://…
// runs on a fresh database on that server instead; --all-databases runs on both.

const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';

interface Result {
  database: string;
  bench: string;
  rows: BenchRow[];
  error?: string;
  ms: number;
}

function parseArgs(argv: readonly string[]): { filters: string[]; allDatabases: boolean } {
  const filters: string[] = [];
  let allDatabases = false;
  for (const arg of argv) {
    if (arg === '--all-databases') allDatabases = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: npm run bench [-- <name filter>… ] [--all-databases]\n  OPENEKS_BENCH_DATABASE_URL=postgres://… to run on PostgreSQL\n');
      process.exit(0);
    } else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else filters.push(arg.toLowerCase());
  }
  return { filters, allDatabases };
}

function databases(allDatabases: boolean): BenchDatabase[] {
  const url = process.env.OPENEKS_BENCH_DATABASE_URL;
  const isPg = url !== undefined && /^postgres(ql)?:\/\//.test(url);
  if (url !== undefined && url !== '' && !isPg) throw new Error('OPENEKS_BENCH_DATABASE_URL must be a postgres:// URL (SQLite is the default)');
  if (allDatabases) return [sqliteDatabase(), postgresDatabase(isPg ? url : (process.env.OPENEKS_TEST_PG_URL ?? DEFAULT_PG))];
  return [isPg ? postgresDatabase(url) : sqliteDatabase()];
}

async function loadBenches(filters: readonly string[]): Promise<Bench[]> {
  const dir = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const benches: Bench[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { bench?: Bench };
    if (mod.bench === undefined) throw new Error(`${file} exports no \`bench\``);
    benches.push(mod.bench);
  }
  return filters.length === 0 ? benches : benches.filter((b) => filters.some((f) => b.name.toLowerCase().includes(f)));
}

function formatValue(value: number, unit: BenchRow['unit']): string {
  if (unit === 'keys/s') return `${Math.round(value).toLocaleString('en')} keys/s`;
  if (unit === 'req/s') return `${Math.round(value).toLocaleString('en')} req/s`;
  if (unit === 'ms') return `${value.toFixed(value < 100 ? 1 : 0)} ms`;
  if (unit === 'B') return `${Math.round(value).toLocaleString('en')} B`;
  return `${value.toFixed(1)} MB`;
}

function formatGoal(r: BenchRow): string {
  switch (r.goal.kind) {
    case 'ratio-at-least':
      return `ratio ≥ ${r.goal.value}`;
    case 'figure-below':
      return `< ${formatValue(r.goal.value, r.unit)}`;
    case 'info':
      return '—';
  }
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function report(results: readonly Result[]): void {
  const body: string[][] = [];
  const notes: string[] = [];
  for (const result of results) {
    if (result.error !== undefined) {
      body.push([result.database, result.bench, '', '', '', '', 'ERROR']);
      notes.push(`${result.database} ${result.bench}: ERROR ${result.error}`);
      continue;
    }
    for (const r of result.rows) {
      const pass = passes(r);
      body.push([result.database, r.name, formatValue(r.figure, r.unit), formatValue(r.floor, r.unit), r.ratio.toFixed(2), formatGoal(r), pass === undefined ? 'info' : pass ? 'PASS' : 'FAIL']);
      if (r.note !== undefined) notes.push(`${result.database} ${r.name}: ${r.note}`);
    }
  }
  const out = [
    '',
    table(['db', 'benchmark', 'figure', 'floor', 'ratio', 'goal', 'result'], body),
    '',
    'ratio = floor cost / figure cost, measured in the same run (1.00 = as cheap as the floor; higher is better).',
    ...notes.map((n) => `  ${n}`),
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  const failed = results.flatMap((r) => r.rows).filter((r) => passes(r) === false).length;
  const errors = results.filter((r) => r.error !== undefined).length;
  process.stdout.write(`${failed === 0 ? 'all goals met' : `${failed} goal(s) NOT met`}${errors > 0 ? `; ${errors} bench(es) failed to run` : ''}\n`);
}

async function main(): Promise<number> {
  const { filters, allDatabases } = parseArgs(process.argv.slice(2));
  const targets = databases(allDatabases);
  const benches = await loadBenches(filters);
  if (benches.length === 0) {
    process.stderr.write(`no bench matches ${filters.join(', ')}\n`);
    return 1;
  }
  process.stderr.write(`openeks bench: node ${process.version}, ${cpus().length} CPU(s), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${benches.map((b) => b.name).join(', ')} on ${targets.map((t) => t.kind).join(' and ')}\n`);

  const results: Result[] = [];
  for (const database of targets) {
    for (const bench of benches) {
      const log = (line: string): void => void process.stderr.write(`[${database.kind} ${bench.name}] ${line}\n`);
      const start = performance.now();
      log('running');
      try {
        const rows = await bench.run({ database, log });
        results.push({ database: database.kind, bench: bench.name, rows, ms: performance.now() - start });
      } catch (err) {
        results.push({ database: database.kind, bench: bench.name, rows: [], error: err instanceof Error ? (err.stack ?? err.message) : String(err), ms: performance.now() - start });
      } finally {
        await cleanupAll();
      }
      log(`done in ${seconds(performance.now() - start)}`);
    }
  }
  report(results);
  return results.some((r) => r.error !== undefined) ? 1 : 0;
}

process.once('SIGINT', () => {
  void cleanupAll().finally(() => process.exit(130));
});

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    await cleanupAll();
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
