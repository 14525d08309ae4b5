// The text format of file: and env: master keys. One version per line, `v<N> <base64>`, each
// exactly 32 bytes; `#` starts a comment line. Parsing is strict (docs/style.md: no lenient key
// parsing): a short, long or non-canonical key is an error, never padded or truncated.
// Problems name the line, never its content.

export const MASTER_KEY_BYTES = 32;
const MAX_VERSION = 999_999;
const LINE = /^v([1-9][0-9]{0,5}) ([A-Za-z0-9+/=]+)$/;

export type KeyRingParse = { ok: true; keys: Map<number, Buffer> } | { ok: false; problem: string };

/** A single key in standard base64 with padding, decoded strictly; null if it is not one. */
export function decodeKey(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const key = Buffer.from(text, 'base64');
  if (key.length !== MASTER_KEY_BYTES || key.toString('base64') !== text) {
    key.fill(0);
    return null;
  }
  return key;
}

function addVersion(keys: Map<number, Buffer>, version: number, key: Buffer | null, where: string): string | undefined {
  const prefix = where === '' ? '' : `${where}: `;
  if (key === null) return `${prefix}the key is not ${MASTER_KEY_BYTES} bytes of base64`;
  if (keys.has(version)) return `${prefix}version ${version} appears twice`;
  keys.set(version, key);
  return undefined;
}

function wipe(keys: Map<number, Buffer>): void {
  for (const key of keys.values()) key.fill(0);
}

export function parseKeyFile(text: string): KeyRingParse {
  const keys = new Map<number, Buffer>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '' || line.startsWith('#')) continue;
    const where = `line ${i + 1}`;
    const match = LINE.exec(line);
    if (match === null || match[1] === undefined || match[2] === undefined) {
      wipe(keys);
      return { ok: false, problem: `${where} is not "v<version> <base64 key>"` };
    }
    const problem = addVersion(keys, Number(match[1]), decodeKey(match[2]), where);
    if (problem !== undefined) {
      wipe(keys);
      return { ok: false, problem };
    }
  }
  if (keys.size === 0) return { ok: false, problem: 'contains no key' };
  return { ok: true, keys };
}

/** `BASE64` (version 1) or `v2=BASE64,v1=BASE64`: the env: form of the same key ring. */
export function parseKeyList(text: string): KeyRingParse {
  const keys = new Map<number, Buffer>();
  if (text === '') return { ok: false, problem: 'no key is given' };
  if (!/^v[0-9]+=/.test(text)) {
    const problem = addVersion(keys, 1, decodeKey(text), '');
    return problem === undefined ? { ok: true, keys } : { ok: false, problem };
  }
  const items = text.split(',');
  for (let i = 0; i < items.length; i++) {
    const match = /^v([1-9][0-9]{0,5})=(.+)$/.exec(items[i] ?? '');
    const where = `entry ${i + 1}`;
    if (match === null || match[1] === undefined || match[2] === undefined) {
      wipe(keys);
      return { ok: false, problem: `${where} is not "v<version>=<base64 key>"` };
    }
    const problem = addVersion(keys, Number(match[1]), decodeKey(match[2]), where);
    if (problem !== undefined) {
      wipe(keys);
      return { ok: false, problem };
    }
  }
  return { ok: true, keys };
}

export function formatKeyFile(keys: ReadonlyMap<number, Buffer>): string {
  const header = [
    '# openeks master key. Keep it secret (mode 0600) and keep an offline copy:',
    '# without it no stored key can ever be decrypted again. See docs/crypto.md.',
  ];
  const lines = [...keys.entries()]
    .sort(([a], [b]) => a - b)
    .map(([version, key]) => {
      if (version < 1 || version > MAX_VERSION || key.length !== MASTER_KEY_BYTES) throw new RangeError('invalid master key version');
      return `v${version} ${key.toString('base64')}`;
    });
  return `${[...header, ...lines].join('\n')}\n`;
}

export const MAX_MASTER_VERSION = MAX_VERSION;
