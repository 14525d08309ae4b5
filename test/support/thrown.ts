/** An error class as `instanceof` needs it (DlmsError, IecError, KmpError, WmbusError …). */
type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** The `type` error that `f` throws; fails the test if `f` returns or throws anything else. */
export function thrown<E extends Error>(type: ErrorClass<E>, f: () => unknown): E {
  try {
    f();
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`did not throw, expected a ${type.name}`);
}

/** The `type` error that `p` rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejected<E extends Error>(type: ErrorClass<E>, p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`resolved, expected a ${type.name}`);
}
