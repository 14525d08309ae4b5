import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

// A small HTTP load generator for sign-in.bench.ts (autocannon is not installed): keep-alive
// connections, a fixed number of requests in flight, bounded by a count or a deadline.

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
