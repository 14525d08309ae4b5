import { WmbusError } from '../../drivers/wmbus/errors.js';
import { thrown } from './thrown.js';

/** The WmbusError `f` throws; fails the test if it returns or throws anything else. */
export const catchWmbus = (f: () => unknown): WmbusError => thrown(WmbusError, f);
