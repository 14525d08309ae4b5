import { readFile } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import type { Logger } from '../../lib/logger.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { meterKeyFor, type KeyLookup, type KeySource, type KeySourceStatus, type KeysLookup } from '../gateway-types.js';
import { openKeyCache, type CachedDevice } from './key-cache.js';
import { fetchSigningKey, requestSync, signingKeyOf, type SyncOutcome } from './sync-client.js';

// The gateway's keys, only ever from the core (docs/gateway.md "Keys"): a sync every
// syncIntervalSeconds into the encrypted cache, lookups answered from memory. Offline, the cache
// serves until offlineHours after the last successful sync, then nothing is used and the status
// says so. A revocation reaches the gateway with the next sync, so within the interval (≤ 55 s).

export type { KeyLookup, KeySource, KeySourceStatus, KeysLookup } from '../gateway-types.js';

export interface GatewayKeySource extends KeySource {
  /** Syncs now (or joins the sync under way); resolves when it is done, whatever its outcome (see status()). */
  syncNow(): Promise<void>;
  /** Resolves when no sync is under way (a sync that missed() started, say); starts none. */
  settled(): Promise<void>;
}

interface HeldMeter {
  deviceId: string;
  driverHint: string | null;
  /** DEKs, current first: the core delivers the active version only. */
  deks: Buffer[];
  /** Every key type held (the active version each): GUEK and GAK for DLMS, DEK for wM-Bus, … */
  byType: Map<string, Buffer>;
}

const DEFAULT_MISS_INTERVAL_MS = 60_000;

export { meterKeyFor } from '../gateway-types.js';

function heldOf(d: CachedDevice): HeldMeter {
  const byType = new Map<string, Buffer>();
  // The highest version of each type wins, should an answer ever carry two.
  for (const k of [...d.keys].sort((a, b) => a.version - b.version)) byType.set(k.keyType, Buffer.from(k.key, 'hex'));
  return { deviceId: d.deviceId, driverHint: d.driverHint, deks: d.keys.filter((k) => k.keyType === 'DEK').map((k) => Buffer.from(k.key, 'hex')), byType };
}

/** core.signing_key_file: an Ed25519 SPKI PEM, or an error naming the file and what is wrong. */
async function readPinnedKey(path: string): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`core.signing_key_file: ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return signingKeyOf(pem);
  } catch (err) {
    throw new Error(`core.signing_key_file: ${path} is not the core's Ed25519 public key (SPKI PEM from /.well-known/openeks-signing-key): ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
}

export async function openKeySource(o: {
  config: GatewayConfig['core'];
  log: Logger;
  now?: () => Date;
  fetch?: typeof fetch;
  /** At most one extra sync per this many ms for meters heard without a key (default 60 s). */
  missIntervalMs?: number;
}): Promise<GatewayKeySource> {
  const now = o.now ?? (() => new Date());
  const fetchFn = o.fetch ?? fetch;
  const { config, log } = o;
  const missIntervalMs = o.missIntervalMs ?? DEFAULT_MISS_INTERVAL_MS;
  const pinnedByOperator = config.signingKeyPath === undefined ? undefined : await readPinnedKey(config.signingKeyPath);

  const cache = openKeyCache(config.cachePath, config.cacheKey);
  const loaded = (() => {
    try {
      return cache.load();
    } catch (err) {
      cache.close();
      throw err;
    }
  })();
  const meters = new Map<string, HeldMeter>();
  const byDevice = new Map<string, string>();
  const hold = (d: CachedDevice) => {
    const key = meterKeyFor(d.manufacturer, d.serial);
    meters.set(key, heldOf(d));
    byDevice.set(d.deviceId, key);
  };
  const drop = (deviceId: string) => {
    const key = byDevice.get(deviceId);
    if (key === undefined) return;
    byDevice.delete(deviceId);
    const held = meters.get(key);
    // Two devices of the core with one meter key: the one held last answers; dropping the other leaves it.
    if (held?.deviceId !== deviceId) return;
    for (const k of held.deks) k.fill(0);
    for (const k of held.byType.values()) k.fill(0);
    meters.delete(key);
  };
  for (const d of loaded.devices) hold(d);

  let cursor: string | null = loaded.meta.cursor ?? null;
  let lastSyncAt: Date | null = loaded.meta.last_sync_at === undefined ? null : new Date(loaded.meta.last_sync_at);
  let pinnedPem: string | null = loaded.meta.signing_key ?? null;
  let lastOk = false;
  let lastError: string | null = null;
  let inFlight: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastMissAt: number | null = null;
  let closed = false;

  const expiresAt = (): Date | null => (lastSyncAt === null ? null : new Date(lastSyncAt.getTime() + config.offlineHours * 3_600_000));
  const state = (): KeySourceStatus['state'] => {
    const expiry = expiresAt();
    if (expiry === null) return 'not-synced';
    if (now().getTime() >= expiry.getTime()) return 'expired';
    return lastOk ? 'fresh' : 'offline';
  };

  const fail = (message: string) => {
    lastOk = false;
    if (message !== lastError) log.warn({ coreUrl: config.url, reason: message }, 'key sync failed');
    lastError = message;
  };

  async function signingKey(): Promise<KeyObject | null> {
    if (pinnedByOperator !== undefined) return pinnedByOperator;
    if (pinnedPem === null) {
      const fetched = await fetchSigningKey(config.url, fetchFn);
      if ('message' in fetched) {
        fail(fetched.message);
        return null;
      }
      pinnedPem = fetched.pem;
      cache.setMeta('signing_key', fetched.pem);
      log.info({ coreUrl: config.url }, "pinned the core's signing key");
    }
    return signingKeyOf(pinnedPem);
  }

  /** Says whether a bad signature is a changed key at the core (refused: the pin holds) or a changed answer. */
  async function explainBadSignature(message: string): Promise<string> {
    if (pinnedByOperator !== undefined || pinnedPem === null) return message;
    const published = await fetchSigningKey(config.url, fetchFn);
    if ('pem' in published && published.pem.trim() !== pinnedPem.trim()) {
      return "the core now publishes another signing key than the one pinned in the key cache: answers are refused (if the core's key was replaced on purpose, move the cache file away to pin the new one)";
    }
    return message;
  }

  function applyAnswer(answer: Extract<SyncOutcome, { kind: 'answer' }>) {
    const syncedAt = now();
    const touched = cache.apply({ ...answer, syncedAt: syncedAt.toISOString() });
    if (answer.full) for (const id of [...byDevice.keys()]) drop(id);
    for (const [deviceId, device] of touched) {
      drop(deviceId);
      if (device !== null) hold(device);
    }
    cursor = answer.cursor;
    lastSyncAt = syncedAt;
    if (lastError !== null) log.info({ coreUrl: config.url, devices: meters.size }, 'key sync works again');
    lastOk = true;
    lastError = null;
  }

  /**
   * The token was refused (revoked or expired): what it held is wiped from the cache and from memory
   * (SEC-39), so nothing it was granted is used any more; the next accepted token syncs in full.
   */
  function wipe(message: string) {
    cache.wipe();
    for (const id of [...byDevice.keys()]) drop(id);
    if (lastSyncAt !== null) log.warn({ coreUrl: config.url }, 'the gateway token was refused: the key cache is wiped');
    cursor = null;
    lastSyncAt = null;
    fail(message);
  }

  async function syncOnce(): Promise<void> {
    const key = await signingKey();
    if (key === null) return;
    // At most two rounds: a refused cursor (410 sync_reset, 400) starts over with one full answer.
    for (let round = 0; round < 2; round += 1) {
      const outcome = await requestSync({ coreUrl: config.url, token: config.token, cursor, signingKey: key, fetch: fetchFn });
      if (closed) return;
      if (outcome.kind === 'answer') return applyAnswer(outcome);
      if (outcome.kind === 'failed' && outcome.unauthorized === true) return wipe(outcome.message);
      if (outcome.kind === 'failed') return fail(outcome.message.includes('does not verify') ? await explainBadSignature(outcome.message) : outcome.message);
      log.info({ coreUrl: config.url, reason: outcome.reason }, 'key sync starts over with a full answer');
      cursor = null;
    }
    fail('the core refused the cursor of a full answer; the gateway retries');
  }

  const schedule = () => {
    if (closed) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => void syncNow(), config.syncIntervalSeconds * 1000);
    timer.unref();
  };

  function syncNow(): Promise<void> {
    if (closed) return Promise.resolve();
    if (inFlight !== null) return inFlight;
    inFlight = syncOnce()
      .catch((err: unknown) => fail(`the key sync failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        inFlight = null;
        schedule();
      });
    return inFlight;
  }

  await syncNow();

  return {
    lookup(manufacturer, serial): KeyLookup {
      const s = state();
      if (s === 'not-synced' || s === 'expired') return { kind: s };
      const held = meters.get(meterKeyFor(manufacturer, serial));
      if (held === undefined || held.deks.length === 0) return { kind: 'no-right' };
      return held.driverHint === null ? { kind: 'keys', keys: [...held.deks] } : { kind: 'keys', keys: [...held.deks], driverHint: held.driverHint };
    },
    lookupKeys(manufacturer, serial): KeysLookup {
      const s = state();
      if (s === 'not-synced' || s === 'expired') return { kind: s };
      const held = meters.get(meterKeyFor(manufacturer, serial));
      if (held === undefined) return { kind: 'no-right' };
      // Copies: a removal zeroes the held buffers, and a caller mid-association must not see its key change.
      const byType = new Map([...held.byType].map(([t, k]) => [t, Buffer.from(k)]));
      return held.driverHint === null ? { kind: 'keys', byType } : { kind: 'keys', byType, driverHint: held.driverHint };
    },
    missed() {
      const at = now().getTime();
      if (closed || (lastMissAt !== null && at - lastMissAt < missIntervalMs)) return;
      lastMissAt = at;
      void syncNow();
    },
    status(): KeySourceStatus {
      return { state: state(), devices: meters.size, lastSyncAt: lastSyncAt?.toISOString() ?? null, expiresAt: expiresAt()?.toISOString() ?? null, lastError };
    },
    syncNow,
    settled: () => inFlight ?? Promise.resolve(),
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      await inFlight;
      for (const id of [...byDevice.keys()]) drop(id);
      cache.close();
    },
  };
}
