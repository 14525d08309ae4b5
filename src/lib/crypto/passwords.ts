import { availableParallelism } from 'node:os';
import argon2 from 'argon2';

// SEC-20: argon2id with the OWASP parameters (m = 19456 KiB, t = 2, p = 1), PHC strings with a
// 16-byte salt. Raising these makes `needsRehash` true and sign-in rehashes transparently.
export const passwordHashParams = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1, saltLength: 16 } as const;

/**
 * How many hashes run at once. argon2 runs on libuv's thread pool, so it never blocks the event
 * loop; this bound also keeps it from starving it under a flood of sign-ins: one CPU stays for
 * the event loop, and one of the pool's 4 threads stays free for file I/O. Further hashes wait
 * their turn, in order.
 */
export const concurrentHashes = Math.max(1, Math.min(availableParallelism() - 1, 3));

function createGate(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(work: () => Promise<T>): Promise<T> {
    if (active < limit) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}

const hashing = createGate(concurrentHashes);

export function hashPassword(password: string): Promise<string> {
  return hashing(() => argon2.hash(password, passwordHashParams));
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await hashing(() => argon2.verify(hash, password));
  } catch {
    return false;
  }
}

export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, passwordHashParams);
}

// Verifying against this when the e-mail is unknown keeps the answer time equal (SEC-18).
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('openeks-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
}
