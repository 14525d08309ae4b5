import type { Duplex } from 'node:stream';
import { HdlcFrameReader } from '../../../drivers/dlms/hdlc.js';
import { describeLinkTarget, openLinkStream, type LinkTarget } from './link-target.js';
import { DEFAULT_BACKOFF, destroyAndWait, onStreamEnd, retryDelayMs, type Backoff } from './reconnect.js';
import type { LinkStatus } from './stick-link.js';

// A HAN-like push port (a Kamstrup HAN module, a Nordic meter's P1/HAN, a push over TCP): the meter
// talks unasked, in HDLC UI frames or as bare APDUs. Every complete frame or APDU goes to `onFrame`
// as it came (the push reader, drivers/dlms/notification.ts, decodes and verifies); it never
// throws out of here. Reconnects with backoff like stick-link.ts.
//
// Where one message ends: a burst that starts with the HDLC flag 7E is cut by the frame reader;
// anything else is a bare APDU, which has no delimiter of its own on a byte stream, so it ends at
// the first quiet gap (idleFlushMs), as a meter sends one APDU in one go.

export interface DlmsPushLinkOptions {
  onFrame(bytes: Buffer): void;
  onStatus?(s: LinkStatus): void;
  /** Bytes that are neither an HDLC frame nor an APDU start (0F DataNotification, DB general-glo). */
  onGarbage?(bytes: Buffer): void;
  /** Serial speed (default 2400, the Kamstrup and Aidon HAN ports). */
  baudRate?: number;
  idleFlushMs?: number;
  backoff?: Backoff;
  connectTimeoutMs?: number;
}

export interface DlmsPushLink {
  close(): Promise<void>;
}

const HDLC_FLAG = 0x7e;
const APDU_STARTS = new Set([0x0f, 0xdb, 0xe0]); // DataNotification, general-glo-ciphering, general-block-transfer
const MAX_BARE_APDU = 64 * 1024;

function createSplitter(o: DlmsPushLinkOptions) {
  let reader = new HdlcFrameReader();
  let bare: Buffer[] = [];
  let bareLength = 0;
  let inFrames = false;

  const flushBare = (): void => {
    if (bareLength === 0) return;
    const bytes = Buffer.concat(bare);
    bare = [];
    bareLength = 0;
    if (APDU_STARTS.has(bytes[0] ?? -1)) o.onFrame(bytes);
    else o.onGarbage?.(bytes);
  };

  return {
    push(chunk: Buffer): void {
      if (!inFrames && bareLength === 0 && chunk[0] === HDLC_FLAG) inFrames = true;
      if (inFrames) {
        for (const item of reader.push(chunk)) {
          if ('frame' in item) o.onFrame(item.bytes);
          else o.onGarbage?.(item.garbage);
        }
        return;
      }
      bare.push(chunk);
      bareLength += chunk.length;
      if (bareLength > MAX_BARE_APDU) flushBare();
    },
    /** A quiet gap: a bare APDU is complete; the next burst decides its own kind again. */
    idle(): void {
      flushBare();
      if (inFrames) reader = new HdlcFrameReader();
      inFrames = false;
    },
  };
}

export function listenDlmsPushes(target: LinkTarget, o: DlmsPushLinkOptions): DlmsPushLink {
  const idleFlushMs = o.idleFlushMs ?? 250;
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  const link = describeLinkTarget(target);
  let stream: Duplex | null = null;
  let closed = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  let idleTimer: NodeJS.Timeout | null = null;

  const safely = (fn: () => void): void => {
    try {
      fn();
    } catch {
      // A callback that throws must not take the link down; the pipeline reports its own errors.
    }
  };

  function connect(): void {
    retryTimer = null;
    if (closed) return;
    const splitter = createSplitter(o);
    openLinkStream(target, o.baudRate ?? 2400, o.connectTimeoutMs ?? 5000).then(
      (s) => {
        if (closed) {
          s.destroy();
          return;
        }
        stream = s;
        failures = 0;
        s.on('data', (chunk: Buffer) => {
          safely(() => splitter.push(chunk));
          if (idleTimer) clearTimeout(idleTimer);
          idleTimer = setTimeout(() => {
            idleTimer = null;
            safely(() => splitter.idle());
          }, idleFlushMs);
        });
        onStreamEnd(s, (reason) => {
          if (idleTimer) clearTimeout(idleTimer);
          idleTimer = null;
          safely(() => splitter.idle());
          s.destroy();
          lost(reason);
        });
        o.onStatus?.({ kind: 'connected', link });
      },
      (err: unknown) => lost(err instanceof Error ? err.message : 'could not open'),
    );
  }

  function lost(reason: string): void {
    stream = null;
    if (closed) return;
    const retryInMs = retryDelayMs(backoff, failures);
    failures += 1;
    o.onStatus?.({ kind: 'disconnected', link, reason, retryInMs });
    retryTimer = setTimeout(connect, retryInMs);
  }

  connect();
  return {
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (idleTimer) clearTimeout(idleTimer);
      const s = stream;
      stream = null;
      await destroyAndWait(s);
    },
  };
}
