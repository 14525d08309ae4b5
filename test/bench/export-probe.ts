import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { systemPrincipal } from '../../src/core/access/principal.js';
import { createContainer } from '../../src/core/container.js';
import { systemClock } from '../../src/lib/clock.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { silentLogger, systemActorOf } from './kit.js';

// One CSV export of every device through the export service, in a fresh process, for its time and
// its peak resident set size (the bench process holds the seeding's garbage). Started by
// export.bench.ts with the database and master key in the environment; prints one JSON line.
// The file goes to a sink that counts bytes and keeps none (a /dev/null that says how much).

const url = process.env.OPENEKS_BENCH_PROBE_DATABASE_URL;
const masterKey = process.env.OPENEKS_BENCH_PROBE_MASTER_KEY;
if (url === undefined || masterKey === undefined) {
  process.stderr.write('export-probe: OPENEKS_BENCH_PROBE_DATABASE_URL and OPENEKS_BENCH_PROBE_MASTER_KEY must be set\n');
  process.exit(2);
}

const settings = loadSettings({ [envVar.databaseUrl]: url, [envVar.masterKey]: masterKey, [envVar.publicUrl]: 'http://localhost:8080', [envVar.logLevel]: 'silent' });
const container = await createContainer({ ...settings, clock: systemClock, logger: silentLogger, migrate: false });
try {
  const as = { principal: systemPrincipal, actor: systemActorOf('bench') };
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  const count = await container.devices.count({ ...as, query: {} });
  const rssBeforeBytes = process.memoryUsage.rss();
  // Where the memory is at its peak (heap, buffers, the rest: native, the worker, SQLite).
  let peak = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    if (now.rss > peak.rss) peak = { rss: now.rss, heapUsed: now.heapUsed, external: now.external, arrayBuffers: now.arrayBuffers };
  }, 250);
  const start = performance.now();
  const started = await container.exports.start({ ...as, selection: { filter: {}, count }, format: 'csv' });
  const written = await started.run(sink);
  const ms = performance.now() - start;
  clearInterval(sampler);
  // maxRSS is in kilobytes: the peak of the whole process, module loading included.
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ ms, devices: written.devices, keys: written.keys, bytes, maxRssBytes, rssBeforeBytes, peak })}\n`);
} finally {
  await container.close();
}
