// The schemas of the OpenPGP key routes are the ones the web UI reads and sends: src/shared/api/openpgp-key.ts.
export { OpenPgpKeyBody, OpenPgpKeyState, OpenPgpKeyView } from '../../../shared/api/openpgp-key.js';
