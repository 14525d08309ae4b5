import { WmbusError } from '../../drivers/wmbus/errors.js';

/** The WmbusError `f` throws; fails the test if it returns or throws anything else. */
export function catchWmbus(f: () => unknown): WmbusError {
  try {
    f();
  } catch (e) {
    if (e instanceof WmbusError) return e;
    throw e;
  }
  throw new Error('expected a WmbusError');
}
