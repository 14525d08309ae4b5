import { performance } from 'node:perf_hooks';
import { buildApp } from '../../src/core/app.js';
import { createContainer } from '../../src/core/container.js';
import { systemClock } from '../../src/lib/clock.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { silentLogger } from './kit.js';

// One boot of the EKS core as `serve` does it, minus listen(): createContainer (migrate: true,
// schema check, vault self-test) and buildApp, then /readyz until it answers 200. Used in the
// bench process (boot.bench.ts) and in a fresh process for peak RSS (boot-probe.ts).

const READY_TIMEOUT_MS = 60_000;

export interface BootTiming {
  /** From calling createContainer to the first 200 from /readyz. */
  readyMs: number;
  /** Of which createContainer (migrations check, vault boot). */
  containerMs: number;
}

export async function bootToReady(databaseUrl: string, masterKey: string): Promise<BootTiming> {
  const settings = loadSettings({ [envVar.databaseUrl]: databaseUrl, [envVar.masterKey]: masterKey, [envVar.logLevel]: 'silent' });
  const start = performance.now();
  const container = await createContainer({ ...settings, clock: systemClock, logger: silentLogger, migrate: true });
  const containerMs = performance.now() - start;
  try {
    const app = await buildApp(container, { logger: false });
    try {
      for (;;) {
        const res = await app.inject({ method: 'GET', url: '/readyz' });
        if (res.statusCode === 200) return { readyMs: performance.now() - start, containerMs };
        if (performance.now() - start > READY_TIMEOUT_MS) throw new Error(`/readyz still answers ${res.statusCode} after ${READY_TIMEOUT_MS} ms: ${res.body}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      await app.close();
    }
  } finally {
    await container.close();
  }
}
