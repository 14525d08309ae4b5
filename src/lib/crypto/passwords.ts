import argon2 from 'argon2';

// SEC-20: argon2id with the OWASP parameters (m = 19456 KiB, t = 2, p = 1), PHC strings with a
// 16-byte salt. Raising these makes `needsRehash` true and sign-in rehashes transparently.
export const passwordHashParams = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1, saltLength: 16 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, passwordHashParams);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
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
