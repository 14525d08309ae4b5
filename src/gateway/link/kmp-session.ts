import type { Duplex } from 'node:stream';
import {
  KMP_CID, KMP_DEST_HEAT, KMP_DEFAULT_HEAT_REGISTERS, KMP_MAX_REGISTERS_PER_REQUEST, KMP_START_FROM_METER, KmpError, KmpFrameReader,
  getRegisterRequest, getSerialNoRequest, getTypeRequest, kmpFields,
  parseGetRegisterResponse, parseGetSerialNoResponse, parseGetTypeResponse,
  type KmpFrame, type KmpRegisterValue,
} from '../../../drivers/kmp/index.js';
import type { Fields } from '../../../drivers/wmbus/meters/fields.js';
import { describeLinkTarget, openLinkStream, type LinkTarget } from './link-target.js';

// The gateway's side of a KMP meter on an optical eye (docs/protocols/kmp.md): owns the serial
// device at 1200 baud 8N2 (or a TCP socket, e.g. ser2net in front of the eye), sends one request at
// a time (the line is half duplex) and waits for its answer, with a timeout that restarts with every
// byte heard and a bounded number of retries. A probe that echoes what it sends is tolerated: the
// echo decodes as a frame towards the meter and is skipped. A poll is GetSerialNo, GetType and
// GetRegister in batches of at most 8 registers.

export const KMP_BAUD_RATE = 1200;

export interface KmpPollResult {
  /**
   * Decimal, as the core stores a device's serial: at least 8 digits with leading zeros, as the
   * meter's label and its wM-Bus id (the same number, 8 BCD digits) print it.
   */
  serial: string;
  meterType: number;
  /** The GetType answer's software revision (beyond the contract's shape; informative). */
  swRevision: number;
  registers: KmpRegisterValue[];
  fields: Fields;
  /** Bytes written and read during this poll (echoes included): the line time it cost. */
  bytesSent: number;
  bytesReceived: number;
}

export interface KmpSessionOptions {
  /** Quiet milliseconds after which an attempt is given up (default 2000; restarts with every byte). */
  timeoutMs?: number;
  /** Attempts after the first one, for each request (default 2). */
  retries?: number;
  /** Destination address (default 0x3F, the heat meter). */
  dest?: number;
  connectTimeoutMs?: number;
}

export interface KmpSession {
  /** Reads serial, type and the registers (default: KMP_DEFAULT_HEAT_REGISTERS); rejects with a KmpError. */
  poll(rids?: readonly number[]): Promise<KmpPollResult>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_RETRIES = 2;
const CLOSE_TIMEOUT_MS = 2000;

interface Waiter {
  onFrame(frame: KmpFrame): void;
  onBytes(): void;
  onBadFrame(garbage: Buffer, error: KmpError): void;
  onClosed(reason: string): void;
}

export async function openKmpSession(target: LinkTarget, opts: KmpSessionOptions = {}): Promise<KmpSession> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = opts.retries ?? DEFAULT_RETRIES;
  const dest = opts.dest ?? KMP_DEST_HEAT;
  if (!(timeoutMs > 0) || !Number.isInteger(retries) || retries < 0) throw new RangeError('timeoutMs must be positive and retries a whole number ≥ 0');
  const link = describeLinkTarget(target);
  const stream: Duplex = await openLinkStream(target, KMP_BAUD_RATE, opts.connectTimeoutMs ?? 5000, { dataBits: 8, parity: 'none', stopBits: 2 });
  const reader = new KmpFrameReader();
  let waiter: Waiter | null = null;
  let closedReason: string | null = null;
  let sent = 0;
  let received = 0;

  stream.on('data', (chunk: Buffer) => {
    received += chunk.length;
    const w = waiter;
    if (!w) return; // nothing asked: a late answer or noise, dropped with the reader's state below
    w.onBytes();
    for (const ev of reader.push(chunk)) {
      if ('ack' in ev) continue;
      if ('garbage' in ev) w.onBadFrame(ev.garbage, ev.error);
      else w.onFrame(ev);
    }
  });
  const onGone = (reason: string): void => {
    if (closedReason === null) closedReason = reason;
    waiter?.onClosed(reason);
  };
  stream.on('error', (err: Error) => onGone(err.message));
  stream.once('close', () => onGone('closed'));

  /** One attempt: write, then the first frame from the meter with the CID asked, or an error. */
  const attempt = (request: Buffer, cid: number): Promise<KmpFrame> =>
    new Promise<KmpFrame>((resolve, reject) => {
      reader.flush(); // a half frame from before belongs to no one
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        waiter = null;
      };
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          done();
          reject(new KmpError('no-answer', 0, `no answer from the meter on ${link} within ${timeoutMs} ms`));
        }, timeoutMs);
      };
      waiter = {
        onBytes: arm,
        onFrame(frame) {
          // The probe's echo of our request, or an answer to another destination or command (a
          // late one from an attempt given up): not ours.
          if (frame.toMeter || frame.dest !== dest || frame.cid !== cid) return;
          done();
          resolve(frame);
        },
        onBadFrame(garbage, error) {
          // Only a frame from the meter (start byte 40) counts as an answer gone wrong: noise
          // before it or an echo cut off does not, the answer may still come.
          if (garbage[0] === KMP_START_FROM_METER) {
            done();
            reject(error);
          }
        },
        onClosed(reason) {
          done();
          reject(new KmpError('no-answer', 0, `the link ${link} closed (${reason})`));
        },
      };
      if (closedReason !== null) {
        waiter.onClosed(closedReason);
        return;
      }
      arm();
      sent += request.length;
      stream.write(request);
    });

  /** The request with retries; the parse's own errors (a wrong register) are not retried. */
  const exchange = async <T>(request: Buffer, cid: number, parse: (f: KmpFrame) => T): Promise<T> => {
    let last: KmpError | undefined;
    for (let i = 0; i <= retries; i++) {
      let frame: KmpFrame;
      try {
        frame = await attempt(request, cid);
      } catch (err) {
        if (!(err instanceof KmpError)) throw err;
        last = err;
        if (closedReason !== null) break;
        continue;
      }
      return parse(frame);
    }
    throw last ?? new KmpError('no-answer', 0, `no answer from the meter on ${link}`);
  };

  let queue: Promise<unknown> = Promise.resolve();
  const poll = async (rids: readonly number[]): Promise<KmpPollResult> => {
    const sent0 = sent;
    const received0 = received;
    const serial = await exchange(getSerialNoRequest(dest), KMP_CID.getSerialNo, parseGetSerialNoResponse);
    const type = await exchange(getTypeRequest(dest), KMP_CID.getType, parseGetTypeResponse);
    const registers: KmpRegisterValue[] = [];
    for (let i = 0; i < rids.length; i += KMP_MAX_REGISTERS_PER_REQUEST) {
      const batch = rids.slice(i, i + KMP_MAX_REGISTERS_PER_REQUEST);
      registers.push(...(await exchange(getRegisterRequest(batch, dest), KMP_CID.getRegister, (f) => parseGetRegisterResponse(f, batch))));
    }
    return {
      serial: String(serial).padStart(8, '0'),
      meterType: type.meterType,
      swRevision: type.swRevision,
      registers,
      fields: kmpFields(registers),
      bytesSent: sent - sent0,
      bytesReceived: received - received0,
    };
  };

  return {
    poll(rids = KMP_DEFAULT_HEAT_REGISTERS) {
      try {
        // The ids are checked before any byte is sent.
        if (rids.length === 0) throw new KmpError('bad-value', 0, 'a poll reads at least one register', 'data-link');
        for (let i = 0; i < rids.length; i += KMP_MAX_REGISTERS_PER_REQUEST) getRegisterRequest(rids.slice(i, i + KMP_MAX_REGISTERS_PER_REQUEST), dest);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      const run = queue.then(() => poll(rids));
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      if (closedReason === null) closedReason = 'closed by the gateway';
      if (stream.destroyed) return;
      await new Promise<void>((resolve) => {
        const guard = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        const finish = (): void => {
          clearTimeout(guard);
          stream.destroy();
          resolve();
        };
        // A SerialPort's destroy() leaves the device open and locked: close it first.
        const port = stream as Duplex & { isOpen?: boolean; close?: (cb: () => void) => void };
        if (port.isOpen === true && typeof port.close === 'function') port.close(finish);
        else {
          stream.once('close', finish);
          stream.destroy();
        }
      });
    },
  };
}
