import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AadContext } from '../../lib/crypto/aad.js';

// AES-GCM opening of many vault envelopes on worker threads (exports, docs/downloads.md
// "Downloading"): the main thread reads, audits and writes the file while a worker opens the next
// chunk's keys. Only the opening moves: which data key a ciphertext needs, whether it may still
// be used and its unwrapping stay in the vault on the main thread (vault-service.ts
// decryptParallel), which hands the worker the unwrapped data keys a job needs, once per worker.
//
// The worker is plain JavaScript with node:crypto only (an `eval` worker needs no loader, so it
// runs the same under tsx, vitest and the compiled CLI). It builds the AAD exactly as
// src/lib/crypto/aad.ts does (header, LF, RFC 8785 JSON of the context; decrypt-pool.test.ts
// compares the two). Anything it cannot open is reported by index, and the vault then opens the
// whole job itself with its strict parser, so a refusal is always the vault's own error.

const workerSource = `
const { parentPort } = require('node:worker_threads');
const { createDecipheriv } = require('node:crypto');
const keys = new Map();
const PREFIX = 'oek1.A256GCM.';
function value(v) {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  throw new TypeError('context value');
}
function canonical(context) {
  const names = Object.keys(context).sort();
  if (names.length === 0) return '{}';
  let out = '{';
  for (let i = 0; i < names.length; i++) out += (i === 0 ? '' : ',') + JSON.stringify(names[i]) + ':' + value(context[names[i]]);
  return out + '}';
}
function open(text, context) {
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) return null;
  const keyEnd = text.indexOf('.', PREFIX.length);
  const nonceEnd = keyEnd < 0 ? -1 : text.indexOf('.', keyEnd + 1);
  if (nonceEnd < 0) return null;
  const key = keys.get(text.slice(PREFIX.length, keyEnd));
  if (key === undefined) return null;
  const nonce = Buffer.from(text.slice(keyEnd + 1, nonceEnd), 'base64url');
  const all = Buffer.from(text.slice(nonceEnd + 1), 'base64url');
  if (nonce.length !== 12 || all.length < 17) return null;
  const aad = Buffer.from(text.slice(0, keyEnd) + '\\n' + canonical(context), 'utf8');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    decipher.setAAD(aad);
    decipher.setAuthTag(all.subarray(all.length - 16));
    const head = decipher.update(all.subarray(0, all.length - 16));
    decipher.final();
    return head;
  } catch {
    return null;
  }
}
parentPort.on('message', (job) => {
  if (job.wipe) {
    for (const key of keys.values()) key.fill(0);
    keys.clear();
    return;
  }
  for (const [id, key] of job.keys) keys.set(id, Buffer.from(key));
  const [ciphertexts, contexts] = JSON.parse(job.items);
  const out = [];
  let failed = -1;
  let total = 0;
  for (let i = 0; i < ciphertexts.length; i++) {
    const plain = open(ciphertexts[i], contexts[i]);
    if (plain === null) { failed = i; break; }
    out.push(plain);
    total += plain.length;
  }
  if (failed >= 0) {
    for (const b of out) b.fill(0);
    parentPort.postMessage({ id: job.id, failed });
    return;
  }
  const plain = Buffer.allocUnsafeSlow(total);
  const lengths = new Uint8Array(out.length);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    out[i].copy(plain, at);
    at += out[i].length;
    lengths[i] = out[i].length;
    out[i].fill(0);
  }
  parentPort.postMessage({ id: job.id, plain, lengths }, [plain.buffer, lengths.buffer]);
});
`;

export interface DecryptJob {
  /** The unwrapped data keys the ciphertexts need, by id. */
  keys: ReadonlyMap<string, Buffer>;
  ciphertexts: readonly string[];
  contexts: readonly AadContext[];
}

/** The worker could not open one of the job's ciphertexts: the vault opens the job itself. */
export class PoolDeclined extends Error {
  constructor(readonly index: number) {
    super(`the decrypt pool could not open ciphertext ${index}`);
  }
}

interface Reply {
  id: number;
  failed?: number;
  plain?: Uint8Array;
  lengths?: Uint8Array;
}

interface Slot {
  worker: Worker;
  known: Set<string>;
  pending: Map<number, { resolve(plain: Buffer[]): void; reject(err: Error): void }>;
}

/** One worker per spare CPU, at most 4, at least 1. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export function createDecryptPool(size = defaultPoolSize()) {
  let nextId = 1;
  const slots: Slot[] = [];

  function start(): Slot {
    // A job is a thousand short strings: a small heap is plenty, and keeps the export's memory flat.
    const worker = new Worker(workerSource, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 } });
    const slot: Slot = { worker, known: new Set(), pending: new Map() };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiting = slot.pending.get(reply.id);
      if (waiting === undefined) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.failed !== undefined || reply.plain === undefined || reply.lengths === undefined) {
        waiting.reject(new PoolDeclined(reply.failed ?? -1));
        return;
      }
      const plain = Buffer.from(reply.plain.buffer, reply.plain.byteOffset, reply.plain.byteLength);
      const out: Buffer[] = [];
      let at = 0;
      for (const length of reply.lengths) {
        out.push(plain.subarray(at, at + length));
        at += length;
      }
      waiting.resolve(out);
    });
    const fail = (err: Error) => {
      for (const waiting of slot.pending.values()) waiting.reject(err);
      slot.pending.clear();
      const at = slots.indexOf(slot);
      if (at >= 0) slots.splice(at, 1);
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('a decrypt worker stopped')));
    slots.push(slot);
    return slot;
  }

  function pick(): Slot {
    if (slots.length < size) return start();
    return slots.reduce((best, slot) => (slot.pending.size < best.pending.size ? slot : best));
  }

  return {
    /** Opens every ciphertext of the job; rejects with PoolDeclined when one does not open there. */
    open(job: DecryptJob): Promise<Buffer[]> {
      const slot = pick();
      const id = nextId++;
      const keys: Array<[string, Buffer]> = [];
      for (const [keyId, key] of job.keys) {
        if (slot.known.has(keyId)) continue;
        keys.push([keyId, key]);
        slot.known.add(keyId);
      }
      return new Promise<Buffer[]>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.ref();
        // One string: cloning it is a copy, cloning a thousand small objects costs more than opening them.
        slot.worker.postMessage({ id, keys, items: JSON.stringify([job.ciphertexts, job.contexts]) });
      });
    },

    /** Wipes the workers' data keys (the vault's were wiped); they are sent again when needed. */
    wipe(): void {
      for (const slot of slots) {
        slot.known.clear();
        slot.worker.postMessage({ wipe: true });
      }
    },

    async close(): Promise<void> {
      const all = slots.splice(0);
      await Promise.all(all.map((slot) => slot.worker.terminate()));
    },
  };
}

export type DecryptPool = ReturnType<typeof createDecryptPool>;
