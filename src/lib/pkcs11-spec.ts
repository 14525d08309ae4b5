// The grammar of a `pkcs11:` master key spec (docs/crypto.md §6), parsed with the rest of the
// configuration (master-key-spec.ts); the vault's PKCS#11 provider resolves the PIN and talks to
// the token.
//
// pkcs11:module=/usr/lib/softhsm/libsofthsm2.so;token=openeks;pin=env:OPENEKS_PKCS11_PIN;label=openeks-master
//
// module  absolute path of the PKCS#11 library (required)
// token   label of the token to use (required)
// pin     env:NAME (the PIN is in that variable) or file:PATH (mode 0600/0400) (required).
//         A PIN is never written into the spec itself: the spec is configuration and gets
//         printed, copied and logged; the PIN must not be.
// label   prefix of the key objects, versions are `<label>-v1`, `<label>-v2`… (default openeks-master)

export type PinSource = { kind: 'env'; name: string } | { kind: 'file'; path: string };

export interface Pkcs11Spec {
  module: string;
  token: string;
  pin: PinSource;
  label: string;
}

export type SpecParse = { ok: true; spec: Pkcs11Spec } | { ok: false; problem: string };

const NAMES = ['module', 'token', 'pin', 'label'] as const;
type Name = (typeof NAMES)[number];

function isName(value: string): value is Name {
  return (NAMES as readonly string[]).includes(value);
}

function parsePin(value: string): PinSource | undefined {
  const env = /^env:([A-Za-z_][A-Za-z0-9_]{0,127})$/.exec(value);
  if (env?.[1] !== undefined) return { kind: 'env', name: env[1] };
  if (value.startsWith('file:') && value.length > 'file:'.length) return { kind: 'file', path: value.slice('file:'.length) };
  return undefined;
}

export function parsePkcs11Spec(text: string): SpecParse {
  if (!text.startsWith('pkcs11:')) return { ok: false, problem: 'does not start with pkcs11:' };
  const fields = new Map<Name, string>();
  for (const part of text.slice('pkcs11:'.length).split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    // Report only the field name: a mistyped field might hold a PIN.
    if (eq < 0 || !isName(name)) return { ok: false, problem: `unknown field "${name.slice(0, 32)}" (known: ${NAMES.join(', ')})` };
    if (fields.has(name)) return { ok: false, problem: `field ${name} appears twice` };
    fields.set(name, part.slice(eq + 1));
  }
  const module = fields.get('module');
  const token = fields.get('token');
  const pinText = fields.get('pin');
  const label = fields.get('label') ?? 'openeks-master';
  if (module === undefined || !module.startsWith('/')) return { ok: false, problem: 'module= must be the absolute path of the PKCS#11 library' };
  if (token === undefined || !/^[^\0]{1,32}$/.test(token)) return { ok: false, problem: 'token= must be the token label (1-32 characters)' };
  if (pinText === undefined) return { ok: false, problem: 'pin= is missing (pin=env:NAME or pin=file:PATH)' };
  const pin = parsePin(pinText);
  if (pin === undefined) return { ok: false, problem: 'pin= must be env:NAME or file:PATH; the PIN itself never goes into the spec' };
  if (!/^[A-Za-z0-9._-]{1,48}$/.test(label)) return { ok: false, problem: 'label= must be 1-48 characters of [A-Za-z0-9._-]' };
  return { ok: true, spec: { module, token, pin, label } };
}

/** What may be printed about a spec: no PIN source details beyond the variable or file name. */
export function pkcs11Label(spec: Pkcs11Spec): string {
  return `pkcs11:token=${spec.token};label=${spec.label}`;
}
