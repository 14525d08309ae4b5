import { readFile } from 'node:fs/promises';
import { createTelegramPipeline, type MeterIdentity, type TelegramPipeline } from '../../drivers/wmbus/index.js';
import type { TelegramEvent } from '../../drivers/wmbus-sticks/index.js';
import { startStickLink, type LinkStatus } from '../gateway/link/stick-link.js';
import { KEY_CSV_HEADER } from '../shared/inventory/key-csv-columns.js';
import { CliFailure } from './cli-context.js';
import { stickLinkOptions } from './stick-link-options.js';

// `openeks wmbus listen --link DEV|tcp://HOST:PORT --stick NAME [--keys keys.csv] [--json]`: prints
// every telegram the stick hears — header, and with a key from the import CSV the verified values.
// One decode pipeline for the whole session (drivers/wmbus/pipeline.ts): a compact frame decodes
// once the same meter's full frame was heard.

const MAX_KEYS_FILE = 16 * 1024 * 1024;

/** manufacturer + serial → DEK, from the import CSV of docs/product.md. */
export type KeyTable = ReadonlyMap<string, Buffer>;
const keyId = (manufacturer: string, serial: string): string => `${manufacturer}/${serial}`;

export function parseKeysCsv(text: string): KeyTable {
  if (text.length > MAX_KEYS_FILE) throw new CliFailure('--keys: the file is larger than 16 MiB', 2);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== KEY_CSV_HEADER) throw new CliFailure(`--keys: the first line must be ${KEY_CSV_HEADER}`, 2);
  const keys = new Map<string, Buffer>();
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.split(',');
    const [serial = '', manufacturer = ''] = f;
    const keyType = f[10] ?? '';
    const key = f[11]?.trim() ?? '';
    if (f.length !== 12) throw new CliFailure(`--keys: row ${i + 2} has ${f.length} columns, not 12`, 2);
    if (keyType !== 'DEK') return; // only wM-Bus/OMS keys decrypt telegrams
    if (!/^[0-9A-Fa-f]{32}$/.test(key)) throw new CliFailure(`--keys: row ${i + 2}: a DEK is 32 hex digits`, 2);
    keys.set(keyId(manufacturer.toUpperCase(), serial), Buffer.from(key, 'hex'));
  });
  return keys;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export interface ListenLine {
  text: string;
  json: Record<string, unknown>;
}

const NO_KEYS: readonly Buffer[] = [];

/** A listener's decoding state: the pipeline (with its per-meter compact formats) and the keys. */
export interface Listener {
  describe(ev: TelegramEvent): ListenLine;
}

/** One session: telegram → one printable result; never throws for what a stick delivers. */
export function createListener(keys: KeyTable): Listener {
  const pipeline: TelegramPipeline = createTelegramPipeline();
  const keysFor = (m: MeterIdentity): readonly Buffer[] => {
    const key = keys.get(keyId(m.manufacturer, m.id));
    return key ? [key] : NO_KEYS;
  };
  return {
    describe(ev) {
      const rssi = ev.rssiDbm === undefined ? {} : { rssiDbm: ev.rssiDbm };
      const rssiText = ev.rssiDbm === undefined ? '' : ` rssi ${ev.rssiDbm} dBm`;
      const r = pipeline.read(ev.telegram, keysFor);
      if (!r.meter) {
        const reason = r.kind === 'bad-telegram' ? `${r.code} at byte ${r.offset}` : 'unreadable';
        return { text: `not a telegram (${reason})${rssiText} ${ev.telegram.toString('hex')}`, json: { status: 'not-a-telegram', reason, ...rssi, hex: ev.telegram.toString('hex') } };
      }
      const a = r.meter;
      const ci = ev.telegram[10] ?? 0;
      const head = { manufacturer: a.manufacturer, id: a.id, version: a.version, deviceType: a.deviceType, ci: hex2(ci), ...rssi };
      const headText = `${a.manufacturer} ${a.id} v${hex2(a.version)} t${hex2(a.deviceType)} ci ${hex2(ci)}${rssiText}`;
      switch (r.kind) {
        case 'no-key':
          return { text: `${headText} encrypted`, json: { ...head, status: 'encrypted' } };
        case 'key-refused': {
          const reason = r.reversedKeyFits ? 'the byte-reversed key would fit' : 'wrong key';
          return { text: `${headText} the key does not decrypt this telegram${r.reversedKeyFits ? '; the byte-reversed key would' : ''}`, json: { ...head, status: 'key-refused', reason } };
        }
        case 'needs-full-frame': {
          const signature = r.signature.toString(16).padStart(4, '0');
          return { text: `${headText} needs-full-frame (compact frame format ${signature})`, json: { ...head, status: 'needs-full-frame', signature } };
        }
        case 'bad-telegram':
          return { text: `${headText} bad telegram (${r.code} at byte ${r.offset})`, json: { ...head, status: 'bad-telegram', reason: r.code, offset: r.offset } };
        case 'reading': {
          const status = r.verified === 'none' ? 'not-encrypted' : 'decrypted';
          const values = Object.entries(r.fields).map(([k, v]) => `${k}=${v === null ? 'null' : String(v)}`).join(' ');
          return {
            text: `${headText} ${status} ${r.driver} ${values}`,
            json: { ...head, status, driver: r.driver, media: r.media, verified: r.verified, accessNumber: r.accessNumber, fields: r.fields },
          };
        }
      }
    },
  };
}

export interface ListenInput {
  link: string;
  stick: string;
  keys?: string;
  json?: boolean;
  /** Stop after this many telegrams (default: run until interrupted). */
  count?: string;
  write(line: string): void;
  /** Connection status lines (stderr, so that --json output stays one object per line). */
  writeStatus(line: string): void;
}

export async function wmbusListen(input: ListenInput): Promise<void> {
  const { codec, target } = stickLinkOptions(input.stick, input.link);
  const count = input.count === undefined ? Infinity : Number(input.count);
  if (count !== Infinity && (!Number.isInteger(count) || count < 1 || count > 1_000_000)) throw new CliFailure('--count must be a whole number from 1 to 1000000', 2);
  let keys: KeyTable = new Map();
  if (input.keys !== undefined) {
    try {
      keys = parseKeysCsv(await readFile(input.keys, 'utf8'));
    } catch (e) {
      if (e instanceof CliFailure) throw e;
      throw new CliFailure(`--keys: cannot read "${input.keys}"`, 2);
    }
  }
  let seen = 0;
  const listener = createListener(keys);
  await new Promise<void>((resolve) => {
    const link = startStickLink({
      target,
      codec,
      onTelegram: (ev) => {
        if (seen >= count) return;
        seen += 1;
        const line = listener.describe(ev);
        input.write(input.json ? JSON.stringify(line.json) : line.text);
        if (seen >= count) void link.close().then(resolve);
      },
      onStatus: (s: LinkStatus) => {
        input.writeStatus(s.kind === 'connected' ? `# listening on ${s.link} (${codec.name})` : `# ${s.link}: ${s.reason}; retrying in ${s.retryInMs} ms`);
      },
    });
  });
}
