import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// A small HTTP load generator for sign-in.bench.ts and export-token.bench.ts (autocannon is not
// installed): keep-alive connections, a fixed number of requests in flight, bounded by a count or
// a deadline; and the start of their server process (probe-server.ts).

export const benchPassword = 'Bench-Passwort 2026!';
export const benchUsers = { reader: 'reader@bench.example', victim: 'victim@bench.example' } as const;

export interface Shot {
  status: number;
  ms: number;
  setCookie: string[];
  body: string;
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export function shoot(agent: Agent, port: number, spec: RequestSpec): Promise<Shot> {
  const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: spec.method,
        path: spec.path,
        agent,
        headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }), ...spec.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'] ?? [];
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, setCookie, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface LoadResult {
  shots: Shot[];
  elapsedMs: number;
  perSecond: number;
}

/** `concurrency` requests in flight until `count` are done or `deadlineMs` has passed. */
export async function load(input: { port: number; concurrency: number; count?: number; durationMs?: number; next: (i: number) => RequestSpec; stop?: () => boolean }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency });
  const shots: Shot[] = [];
  const started = performance.now();
  const deadline = input.durationMs === undefined ? Number.POSITIVE_INFINITY : started + input.durationMs;
  const limit = input.count ?? Number.POSITIVE_INFINITY;
  let issued = 0;
  const worker = async () => {
    while (issued < limit && performance.now() < deadline && !(input.stop?.() ?? false)) {
      const i = issued;
      issued += 1;
      shots.push(await shoot(agent, input.port, input.next(i)));
    }
  };
  try {
    await Promise.all(Array.from({ length: input.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const elapsedMs = performance.now() - started;
  return { shots, elapsedMs, perSecond: (shots.length / elapsedMs) * 1000 };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

export function statusCounts(shots: readonly Shot[]): string {
  const counts = new Map<number, number>();
  for (const s of shots) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n}×${status}`).join(', ');
}

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

export type BenchServer<T> = T & { app: number; hello: number; stop(): Promise<void> };

/**
 * Starts test/bench/<script> (a server built with probe-server.ts) in a process of its own with the
 * database and master key in its environment; resolves with the JSON line it prints once listening.
 */
export async function startBenchServer<T extends object = object>(input: { script: string; databaseUrl: string; masterKey: string }): Promise<BenchServer<T>> {
  const name = input.script.replace(/\.ts$/, '');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(here, input.script)], {
    cwd: repoRoot,
    env: { ...process.env, OPENEKS_BENCH_PROBE_DATABASE_URL: input.databaseUrl, OPENEKS_BENCH_PROBE_MASTER_KEY: input.masterKey },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    if (!child.stdout) throw new Error(`${name} has no stdout`);
    const lines = createInterface({ input: child.stdout });
    const first = await Promise.race([
      once(lines, 'line').then(([line]) => String(line)),
      once(child, 'exit').then(([code]) => Promise.reject(new Error(`${name} exited with ${String(code)} before listening`))),
    ]);
    const started = JSON.parse(first) as T & { app: number; hello: number };
    return { ...started, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
