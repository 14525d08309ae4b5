import { bootToReady } from './boot-support.js';

// One boot in a fresh process, for the peak resident set size of a process that booted on a
// given database (the bench process itself has built a million rows, so its own peak says
// nothing). Started by boot.bench.ts with the database and master key in the environment (never
// on the command line); prints one JSON line. Modules are loaded before the clock starts.

const url = process.env.OPENEKS_BENCH_PROBE_DATABASE_URL;
const masterKey = process.env.OPENEKS_BENCH_PROBE_MASTER_KEY;
if (url === undefined || masterKey === undefined) {
  process.stderr.write('boot-probe: OPENEKS_BENCH_PROBE_DATABASE_URL and OPENEKS_BENCH_PROBE_MASTER_KEY must be set\n');
  process.exit(2);
}

const rssBeforeBytes = process.memoryUsage.rss();
const timing = await bootToReady(url, masterKey);
// maxRSS is in kilobytes: the peak of the whole process, module loading included.
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify({ ...timing, rssBeforeBytes, maxRssBytes })}\n`);
