import type { DlmsClient, DlmsClientOptions, RegisterObject } from '../../drivers/dlms/client.js';
import type { Fields } from '../../drivers/wmbus/meters/fields.js';
import { openDlmsSession } from '../../src/gateway/link/dlms-session.js';
import type { LinkTarget } from '../../src/gateway/link/link-target.js';
import { createConcentratorKeys, type ConcentratorKeys, type SyncResult } from './concentrator-keys.js';

// A data concentrator: it pulls its meters' keys from a core with a concentrator token (the key
// sync, concentrator-keys.ts) and reads those DLMS meters over their optical ports with the DLMS
// client (src/gateway/link/dlms-session.ts: mode E sign-on, HDLC, HLS-GMAC, suite 0) using the
// GUEK and GAK it received. A meter whose keys the token no longer holds is not read: the
// concentrator says so. Its invocation counter only rises (from the clock, then per reading), as
// the meter refuses a counter it has seen.

export interface ConcentratorMeter {
  manufacturer?: string;
  serial: string;
  /** The meter's optical port. */
  target: LinkTarget;
  modeE?: boolean;
}

export interface ConcentratorReading {
  manufacturer: string;
  serial: string;
  readAt: string;
  objects: RegisterObject[];
  fields: Fields;
}

export type ConcentratorEvent =
  | { kind: 'synced'; full: boolean; devices: number; changed: number }
  | { kind: 'sync-failed'; message: string }
  | { kind: 'no-key'; serial: string; message: string }
  | { kind: 'read-failed'; serial: string; message: string }
  | { kind: 'reading'; reading: ConcentratorReading };

/** How a meter is opened: the DLMS session by default; tests may wrap it. */
export type OpenSession = (target: LinkTarget, o: DlmsClientOptions & { modeE?: boolean; timeoutMs?: number }) => Promise<DlmsClient & { close(): Promise<void> }>;

export interface ConcentratorOptions {
  coreUrl: string;
  /** The concentrator token, read when needed (from its file: it may be created after the bench starts). */
  token: () => Promise<string>;
  meters: ConcentratorMeter[];
  syncSeconds: number;
  pollSeconds: number;
  /** The concentrator's own system title (default `OEK` + 5 bytes of its number 1). */
  systemTitle?: Buffer;
  /** The OBIS codes read from each meter. */
  obis?: string[];
  onEvent(e: ConcentratorEvent): void;
  fetch?: typeof fetch;
  openSession?: OpenSession;
}

export interface Concentrator {
  keys: ConcentratorKeys;
  syncNow(): Promise<SyncResult>;
  /** Reads every meter once (those without keys are reported, not read). */
  readNow(): Promise<ConcentratorReading[]>;
  /** Starts the sync and poll timers (a sync first, then a reading). */
  start(): void;
  close(): Promise<void>;
}

export const CONCENTRATOR_OBIS = ['1-0:1.8.0.255', '1-0:2.8.0.255', '1-0:1.7.0.255', '1-0:2.7.0.255', '1-0:32.7.0.255', '1-0:52.7.0.255', '1-0:72.7.0.255'];
const DEFAULT_TITLE = Buffer.from('4F454B0000000001', 'hex');

export function createConcentrator(o: ConcentratorOptions): Concentrator {
  const keys = createConcentratorKeys({ coreUrl: o.coreUrl, token: o.token, ...(o.fetch ? { fetch: o.fetch } : {}) });
  const open = o.openSession ?? openDlmsSession;
  const counters = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];
  let busy: Promise<unknown> = Promise.resolve();
  let closed = false;

  const syncNow = async (): Promise<SyncResult> => {
    const r = await keys.sync();
    o.onEvent(r.ok ? { kind: 'synced', full: r.full, devices: r.devices, changed: r.changed } : { kind: 'sync-failed', message: r.message });
    return r;
  };

  const readMeter = async (m: ConcentratorMeter): Promise<ConcentratorReading | null> => {
    const manufacturer = m.manufacturer ?? 'KAM';
    const found = keys.lookup(manufacturer, m.serial);
    if (found.kind !== 'keys') {
      const why = {
        'not-synced': 'no key sync has succeeded yet',
        'no-right': 'the concentrator token holds no keys for it (not granted, or revoked)',
        incomplete: 'the token holds it without both a GUEK and a GAK',
      }[found.kind];
      o.onEvent({ kind: 'no-key', serial: m.serial, message: `${manufacturer} ${m.serial}: not read, ${why}` });
      return null;
    }
    // Our counter only rises: the meter refuses one it has already seen (and counts per client title).
    // It starts from the clock (8 a second since 2024, as the gateway's DLMS link counts), so a
    // restarted concentrator is not refused by a meter that still remembers the last run.
    const fromClock = Math.floor((Date.now() - Date.UTC(2024, 0, 1)) / 125);
    const ic = Math.max((counters.get(m.serial) ?? 0) + 1, fromClock);
    const session = await open(m.target, {
      client: 1,
      serverUpper: 1,
      serverLower: 17,
      authentication: 'hls-gmac',
      security: 'authenticated-encrypted',
      keys: { ek: found.guek, ak: found.gak },
      clientSystemTitle: o.systemTitle ?? DEFAULT_TITLE,
      invocationCounter: ic,
      modeE: m.modeE ?? true,
      timeoutMs: 3000,
    });
    try {
      // Each association uses at most a few counters (initiate, HLS reply, one per GET): leave room.
      counters.set(m.serial, ic + 64);
      await session.connect();
      const { objects, fields } = await session.readRegisters(o.obis ?? CONCENTRATOR_OBIS);
      await session.release();
      const reading = { manufacturer, serial: m.serial, readAt: new Date().toISOString(), objects, fields };
      o.onEvent({ kind: 'reading', reading });
      return reading;
    } finally {
      found.guek.fill(0);
      found.gak.fill(0);
      await session.close();
    }
  };

  const readNow = async (): Promise<ConcentratorReading[]> => {
    const out: ConcentratorReading[] = [];
    for (const m of o.meters) {
      try {
        const r = await readMeter(m);
        if (r) out.push(r);
      } catch (err) {
        o.onEvent({ kind: 'read-failed', serial: m.serial, message: `${m.manufacturer ?? 'KAM'} ${m.serial}: ${(err as Error).message}` });
      }
    }
    return out;
  };

  /** One at a time: a sync and a reading never overlap, and a slow one is not stacked. */
  const serial = (job: () => Promise<unknown>): void => {
    busy = busy.then(() => (closed ? undefined : job())).catch(() => undefined);
  };

  return {
    keys,
    syncNow,
    readNow,
    start() {
      serial(syncNow);
      serial(readNow);
      timers.push(setInterval(() => serial(syncNow), o.syncSeconds * 1000));
      timers.push(setInterval(() => serial(readNow), o.pollSeconds * 1000));
    },
    async close() {
      closed = true;
      for (const t of timers.splice(0)) clearInterval(t);
      await busy;
    },
  };
}
