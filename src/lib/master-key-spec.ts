import { ConfigError } from './config-error.js';
import { envVar } from './env-vars.js';
import { parsePkcs11Spec, type Pkcs11Spec } from './pkcs11-spec.js';
import { Secret } from './secret.js';

// OPENEKS_MASTER_KEY, parsed once where the environment is read; the vault opens its provider
// from this value (docs/crypto.md §6). What is secret in it is wrapped: the key list of `env:`
// (it IS the master key) and the PIN of `pin=env:NAME`, looked up now so that nothing after
// start-up needs the environment.
//
// A spec that is not one of the three kinds stops start-up (ConfigError). A `pkcs11:` spec
// whose fields are wrong starts the service sealed instead (SEC-05), as a missing key file or a
// short `env:` key do: those are found out only when the vault opens its provider.

export type MasterKeySpec =
  | { kind: 'file'; path: string }
  /** `variable` names the key in labels and messages; `keys` is `BASE64` or `v2=BASE64,v1=BASE64`. */
  | { kind: 'env'; variable: string; keys: Secret<string> }
  /** `envPin` holds the value of the `pin=env:NAME` variable (undefined if unset, or for pin=file:). */
  | { kind: 'pkcs11'; spec: Pkcs11Spec; envPin: Secret<string> | undefined }
  | { kind: 'unusable'; label: string; reason: string };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `env` is where `pin=env:NAME` is looked up; `variable` is the variable the text came from
 * (the benches use a name of their own).
 */
export function parseMasterKeySpec(text: string, env: Env = {}, variable: string = envVar.masterKey): MasterKeySpec {
  if (text.startsWith('file:') && text.length > 'file:'.length) return { kind: 'file', path: text.slice('file:'.length) };
  if (text.startsWith('env:')) return { kind: 'env', variable, keys: new Secret(text.slice('env:'.length)) };
  if (text.startsWith('pkcs11:') && text.length > 'pkcs11:'.length) {
    const parsed = parsePkcs11Spec(text);
    if (!parsed.ok) return { kind: 'unusable', label: 'pkcs11:', reason: `master key pkcs11: spec: ${parsed.problem}` };
    const pin = parsed.spec.pin.kind === 'env' ? env[parsed.spec.pin.name] : undefined;
    return { kind: 'pkcs11', spec: parsed.spec, envPin: pin === undefined || pin === '' ? undefined : new Secret(pin) };
  }
  // Never echo the text: it may be a key given with the wrong prefix.
  throw new ConfigError(variable, 'must be file:PATH, env:BASE64 or pkcs11:…');
}
