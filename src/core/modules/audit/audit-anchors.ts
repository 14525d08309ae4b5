import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/logger.js';
import type { Executor } from '../../db/database.js';
import type { AuditKeys, ChainKey } from './audit-keys.js';

// Anchors (SEC-14): the head of the chain (seq, hash, time) written at intervals and at shutdown
// to an append-only file outside the database (OPENEKS_AUDIT_ANCHORS), one JSON line each,
// signed with the anchor key of the chain (audit-keys.ts). Deleting the newest records leaves a
// chain that still links, but no longer reaches the newest anchor: verify reports the missing
// tail. Several instances may share one database; each appends its own lines, named by its
// instance id, and verify accepts the anchors of any instance. The window an anchor cannot
// cover is the records written since the last one (the interval).

export interface Anchor {
  instance: string;
  seq: number;
  /** The hash (MAC) of record `seq` when the anchor was written. */
  hash: string;
  at: string;
  epoch: number;
  /** HMAC-SHA-256 under the anchor key of `epoch` over the fields above. */
  sig: string;
}

export interface AnchorFile {
  valid: Anchor[];
  /** Line numbers (1-based) of lines whose signature does not hold or whose epoch is unknown. */
  forged: number[];
  /** Line numbers of lines that are not an anchor at all (e.g. cut short by a crash). */
  unreadable: number[];
  /** False when the file does not exist (yet). */
  exists: boolean;
}

function signature(key: ChainKey, a: Omit<Anchor, 'sig'>): string {
  return createHmac('sha256', key.anchor).update(JSON.stringify([a.instance, a.seq, a.hash, a.at, a.epoch])).digest('hex');
}

function isAnchorShape(value: unknown): value is Anchor {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Record<string, unknown>;
  return typeof a.instance === 'string' && Number.isSafeInteger(a.seq) && typeof a.hash === 'string' && typeof a.at === 'string' && Number.isSafeInteger(a.epoch) && typeof a.sig === 'string';
}

/** Reads and checks every line; `keys` are all epochs' keys (verification needs the unsealed vault). */
export async function readAnchors(file: string, keys: ReadonlyMap<number, ChainKey>): Promise<AnchorFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { valid: [], forged: [], unreadable: [], exists: false };
    throw err;
  }
  const result: AnchorFile = { valid: [], forged: [], unreadable: [], exists: true };
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      result.unreadable.push(index + 1);
      return;
    }
    if (!isAnchorShape(parsed)) {
      result.unreadable.push(index + 1);
      return;
    }
    const key = keys.get(parsed.epoch);
    const expected = key === undefined ? undefined : Buffer.from(signature(key, parsed), 'hex');
    const given = Buffer.from(parsed.sig, 'hex');
    if (expected === undefined || expected.length !== given.length || !timingSafeEqual(expected, given)) result.forged.push(index + 1);
    else result.valid.push({ instance: parsed.instance, seq: parsed.seq, hash: parsed.hash, at: parsed.at, epoch: parsed.epoch, sig: parsed.sig });
  });
  return result;
}

/** The anchor with the highest seq: the furthest point the chain is known to have reached. */
export function newestAnchor(anchors: readonly Anchor[]): Anchor | undefined {
  let newest: Anchor | undefined;
  for (const a of anchors) if (newest === undefined || a.seq > newest.seq || (a.seq === newest.seq && a.at > newest.at)) newest = a;
  return newest;
}

export interface AnchorWriter {
  /** Writes an anchor if the head moved since this instance's last one; skipped while sealed. */
  anchorNow(): Promise<Anchor | undefined>;
  start(): void;
  /** Stops the timer and writes a last anchor (shutdown). */
  stop(): Promise<void>;
}

export function createAnchorWriter(deps: { db: Executor; keys: Pick<AuditKeys, 'current'>; file: string; instance: string; clock: Clock; logger: Logger; intervalMs: number }): AnchorWriter {
  let timer: NodeJS.Timeout | undefined;
  let lastSeq: number | undefined;
  let running: Promise<Anchor | undefined> | undefined;

  async function write(): Promise<Anchor | undefined> {
    const key = deps.keys.current();
    if (key === undefined) return undefined;
    const head = await deps.db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (head === undefined || Number(head.seq) === lastSeq) return undefined;
    const fields = { instance: deps.instance, seq: Number(head.seq), hash: head.hash, at: deps.clock.now().toISOString(), epoch: key.epoch };
    const anchor: Anchor = { ...fields, sig: signature(key, fields) };
    await mkdir(dirname(deps.file), { recursive: true, mode: 0o700 });
    await appendFile(deps.file, `${JSON.stringify(anchor)}\n`, { mode: 0o600 });
    lastSeq = anchor.seq;
    return anchor;
  }

  function anchorNow(): Promise<Anchor | undefined> {
    // One at a time: the timer and shutdown must not write the same head twice.
    const next = (running ?? Promise.resolve(undefined)).catch(() => undefined).then(write);
    running = next;
    return next;
  }

  return {
    anchorNow,
    start() {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        anchorNow().catch((err: unknown) => deps.logger.error({ err: err instanceof Error ? err.message : String(err), file: deps.file }, 'audit anchor not written'));
      }, deps.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await anchorNow().catch((err: unknown) => deps.logger.error({ err: err instanceof Error ? err.message : String(err), file: deps.file }, 'audit anchor not written at shutdown'));
    },
  };
}
