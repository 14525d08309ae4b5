import { randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import type * as Pkcs11 from 'pkcs11js';
import { NONCE_BYTES, TAG_BYTES } from '../../../lib/crypto/aead.js';
import { acquireModule, pkcs11ErrorName, type Pkcs11Module } from './pkcs11-module.js';
import { pkcs11Label, type Pkcs11Spec } from '../../../lib/pkcs11-spec.js';
import type { Secret } from '../../../lib/secret.js';
import { resolvePin } from './pkcs11-pin.js';
import type { MasterKeyProvider, ProviderOpen, WrappedKey } from './provider.js';

// pkcs11: — the master key versions are AES-256 secret keys inside a PKCS#11 token (SoftHSM2, an
// HSM), created with CKA_SENSITIVE=true and CKA_EXTRACTABLE=false, labelled `<label>-v<N>`.
// KEKs are sealed and opened by CKM_AES_GCM inside the token: the master key never leaves it.

const KEY_BYTES = 32;
const MAX_VERSION = 999_999;

interface Session {
  module: Pkcs11Module;
  handle: Buffer;
  keys: Map<number, Buffer>;
}

type Found = { ok: true; keys: Map<number, Buffer> } | { ok: false; problem: string };

function ulong(value: Buffer): number {
  if (value.length === 8) return Number(endianness() === 'LE' ? value.readBigUInt64LE() : value.readBigUInt64BE());
  if (value.length === 4) return endianness() === 'LE' ? value.readUInt32LE() : value.readUInt32BE();
  return -1;
}

function isTrue(value: Buffer): boolean {
  return value.length === 1 && value[0] === 1;
}

/** `envPin`: the value of the `pin=env:NAME` variable, read at start-up (unused for pin=file:). */
export function createPkcs11Provider(spec: Pkcs11Spec, envPin: Secret<string> | undefined): MasterKeyProvider {
  const label = pkcs11Label(spec);
  const subject = `master key ${label}`;
  const versionLabel = (version: number): string => `${spec.label}-v${version}`;
  /** The version in a `<label>-v<N>` object label, or undefined for any other object. */
  const versionOf = (objectLabel: string): number | undefined => {
    const prefix = `${spec.label}-v`;
    const digits = objectLabel.startsWith(prefix) ? objectLabel.slice(prefix.length) : '';
    return /^[1-9][0-9]{0,5}$/.test(digits) ? Number(digits) : undefined;
  };
  let session: Session | undefined;

  function findSlot(module: Pkcs11Module): Buffer | undefined {
    for (const slot of module.lib.C_GetSlotList(true)) {
      if (module.lib.C_GetTokenInfo(slot).label.trim() === spec.token) return slot;
    }
    return undefined;
  }

  /** Every `<label>-v<N>` key in the token, each checked to be a non-extractable AES-256 key. */
  function findKeys(module: Pkcs11Module, handle: Buffer): Found {
    const { api, lib } = module;
    lib.C_FindObjectsInit(handle, [
      { type: api.CKA_CLASS, value: api.CKO_SECRET_KEY },
      { type: api.CKA_KEY_TYPE, value: api.CKK_AES },
    ]);
    const objects: Buffer[] = [];
    try {
      for (let batch = lib.C_FindObjects(handle, 64); batch.length > 0; batch = lib.C_FindObjects(handle, 64)) objects.push(...batch);
    } finally {
      lib.C_FindObjectsFinal(handle);
    }
    const keys = new Map<number, Buffer>();
    for (const object of objects) {
      const [name] = lib.C_GetAttributeValue(handle, object, [{ type: api.CKA_LABEL }]);
      const version = versionOf(name?.value.toString('utf8') ?? '');
      if (version === undefined) continue;
      if (keys.has(version)) return { ok: false, problem: `the token holds two keys labelled ${versionLabel(version)}` };
      const [sensitive, extractable, length, persistent] = lib.C_GetAttributeValue(handle, object, [
        { type: api.CKA_SENSITIVE },
        { type: api.CKA_EXTRACTABLE },
        { type: api.CKA_VALUE_LEN },
        { type: api.CKA_TOKEN },
      ]);
      // A master key that could be read out of the token defeats the point of the token.
      if (!sensitive || !isTrue(sensitive.value) || !extractable || isTrue(extractable.value)) {
        return { ok: false, problem: `key ${versionLabel(version)} is extractable or not sensitive; it must be CKA_SENSITIVE=true, CKA_EXTRACTABLE=false` };
      }
      if (!length || ulong(length.value) !== KEY_BYTES || !persistent || !isTrue(persistent.value)) {
        return { ok: false, problem: `key ${versionLabel(version)} is not a persistent AES-256 key` };
      }
      keys.set(version, object);
    }
    return { ok: true, keys };
  }

  function generate(current: Session, version: number): void {
    const { api, lib } = current.module;
    const handle = lib.C_GenerateKey(current.handle, { mechanism: api.CKM_AES_KEY_GEN }, [
      { type: api.CKA_CLASS, value: api.CKO_SECRET_KEY },
      { type: api.CKA_KEY_TYPE, value: api.CKK_AES },
      { type: api.CKA_VALUE_LEN, value: KEY_BYTES },
      { type: api.CKA_LABEL, value: versionLabel(version) },
      { type: api.CKA_TOKEN, value: true },
      { type: api.CKA_PRIVATE, value: true },
      { type: api.CKA_SENSITIVE, value: true },
      { type: api.CKA_EXTRACTABLE, value: false },
      { type: api.CKA_MODIFIABLE, value: false },
      { type: api.CKA_ENCRYPT, value: true },
      { type: api.CKA_DECRYPT, value: true },
      { type: api.CKA_WRAP, value: false },
      { type: api.CKA_UNWRAP, value: false },
    ]);
    current.keys.set(version, handle);
  }

  function opened(): Session {
    if (session === undefined) throw new Error(`${subject} is not open`);
    return session;
  }

  function keyHandle(current: Session, version: number): Buffer {
    const handle = current.keys.get(version);
    if (handle === undefined) throw new RangeError(`${subject} has no version ${version}`);
    return handle;
  }

  function gcm(api: typeof Pkcs11, nonce: Buffer, aad: Buffer): Pkcs11.Mechanism {
    // The PKCS#11 v2.40 CK_GCM_PARAMS layout (with ulIvBits), the one SoftHSM2 2.6 expects.
    const parameter: Pkcs11.GcmParams = { type: api.CK_PARAMS_AES_GCM_v240, iv: nonce, ivBits: NONCE_BYTES * 8, aad, tagBits: TAG_BYTES * 8 };
    return { mechanism: api.CKM_AES_GCM, parameter };
  }

  async function start(createIfMissing: boolean): Promise<ProviderOpen> {
    const pin = await resolvePin(spec.pin, envPin);
    if (!pin.ok) return { ok: false, reason: `${subject}: ${pin.problem}` };
    let module: Pkcs11Module;
    try {
      module = await acquireModule(spec.module);
    } catch (err) {
      return { ok: false, reason: `${subject}: the PKCS#11 module ${spec.module} cannot be loaded (${pkcs11ErrorName(err)})` };
    }
    let handle: Buffer | undefined;
    const fail = (reason: string): ProviderOpen => {
      if (handle !== undefined) module.lib.C_CloseSession(handle);
      module.release();
      return { ok: false, reason: `${subject}: ${reason}` };
    };
    try {
      const slot = findSlot(module);
      if (slot === undefined) return fail(`no token labelled "${spec.token}" is present`);
      if (!module.lib.C_GetMechanismList(slot).includes(module.api.CKM_AES_GCM)) return fail('the token does not offer CKM_AES_GCM');
      handle = module.lib.C_OpenSession(slot, module.api.CKF_SERIAL_SESSION | module.api.CKF_RW_SESSION);
      try {
        module.lib.C_Login(handle, module.api.CKU_USER, pin.pin);
      } catch (err) {
        // Login state belongs to the application, not the session: a second provider is fine.
        if (pkcs11ErrorName(err) !== 'CKR_USER_ALREADY_LOGGED_IN') return fail(`login to the token failed (${pkcs11ErrorName(err)})`);
      }
      const found = findKeys(module, handle);
      if (!found.ok) return fail(found.problem);
      const current: Session = { module, handle, keys: found.keys };
      if (current.keys.size === 0 && createIfMissing) generate(current, 1);
      if (current.keys.size === 0) return fail(`the token holds no key labelled ${versionLabel(1)} (or any later version)`);
      session = current;
      return { ok: true };
    } catch (err) {
      return fail(`the token failed (${pkcs11ErrorName(err)})`);
    }
  }

  async function close(): Promise<void> {
    const current = session;
    session = undefined;
    if (current === undefined) return;
    try {
      current.module.lib.C_CloseSession(current.handle);
    } finally {
      current.module.release();
    }
  }

  return {
    label,
    canCreateVersions: true,
    async open(options) {
      await close();
      return start(options.createIfMissing);
    },
    versions: () => (session === undefined ? [] : [...session.keys.keys()].sort((a, b) => a - b)),
    currentVersion: () => (session === undefined || session.keys.size === 0 ? undefined : Math.max(...session.keys.keys())),
    async hasVersion(version) {
      const current = opened();
      if (current.keys.has(version)) return true;
      // Another instance may have created it since we opened the token.
      const found = findKeys(current.module, current.handle);
      if (found.ok) for (const [v, handle] of found.keys) if (!current.keys.has(v)) current.keys.set(v, handle);
      return current.keys.has(version);
    },
    async wrap({ version, key, aad }): Promise<WrappedKey> {
      const current = opened();
      const { api, lib } = current.module;
      const nonce = randomBytes(NONCE_BYTES);
      lib.C_EncryptInit(current.handle, gcm(api, nonce, aad), keyHandle(current, version));
      const ciphertext = lib.C_Encrypt(current.handle, key, Buffer.alloc(key.length + TAG_BYTES));
      if (ciphertext.length !== key.length + TAG_BYTES) throw new Error(`${subject}: unexpected GCM output length`);
      return { nonce, ciphertext: Buffer.from(ciphertext) };
    },
    async unwrap({ version, nonce, ciphertext, aad }) {
      const current = opened();
      const handle = current.keys.get(version);
      if (handle === undefined || nonce.length !== NONCE_BYTES || ciphertext.length <= TAG_BYTES) return null;
      const { api, lib } = current.module;
      const out = Buffer.alloc(ciphertext.length);
      try {
        lib.C_DecryptInit(current.handle, gcm(api, nonce, aad), handle);
        return Buffer.from(lib.C_Decrypt(current.handle, ciphertext, out));
      } catch {
        // SoftHSM2 reports a tag mismatch as CKR_GENERAL_ERROR; every failure here means the
        // material does not open under this key, and the operation is already terminated.
        return null;
      } finally {
        out.fill(0);
      }
    },
    async createVersion() {
      const current = opened();
      const found = findKeys(current.module, current.handle);
      if (!found.ok) throw new Error(`${subject}: ${found.problem}`);
      current.keys = found.keys;
      const next = Math.max(0, ...current.keys.keys()) + 1;
      if (next > MAX_VERSION) throw new Error(`${subject} has no free version number`);
      generate(current, next);
      return next;
    },
    close,
  };
}
