import { WmbusError, crc16En13757, stripFormatA, stripFormatB } from '../../../../drivers/wmbus/index.js';
import { parseTelegramHex as parseHexText, type HexProblem } from '../../../shared/telegrams/telegram-hex.js';

// What a user pastes, turned into stripped telegrams (L-field + frame without the link-layer
// CRCs, what the wM-Bus driver decodes). See README.md "Frames" for why the order is this one.

/**
 * The hex as the web UI and the CLI read it too (src/shared/telegrams/telegram-hex.ts: whitespace,
 * `:`, `_` and `|` between the digits; whole bytes; at most 512); a problem or the bytes.
 */
export function parseTelegramHex(text: string): { bytes: Buffer } | { problem: HexProblem } {
  const parsed = parseHexText(text);
  return 'problem' in parsed ? parsed : { bytes: Buffer.from(parsed.hex, 'hex') };
}

export type FrameKind = 'stripped' | 'A' | 'B';

export interface Frame {
  /** How the input carried its CRCs. */
  kind: FrameKind;
  /** The telegram without CRCs. */
  telegram: Buffer;
}

const HEADER = 10; // L C M(2) A(6): format A's first block
const BLOCK = 16;

/** Bytes of a format A frame with this L-field: L + 1 and a CRC per block. */
function formatALength(l: number): number {
  return 1 + l + 2 * (1 + Math.ceil(Math.max(0, l - (HEADER - 1)) / BLOCK));
}

function firstBlockCrcOk(bytes: Buffer): boolean {
  return bytes.length >= HEADER + 2 && crc16En13757(bytes, 0, HEADER) === bytes.readUInt16BE(HEADER);
}

/**
 * The readings of the input, most likely first. Deterministic:
 * 1. its length is a format A frame's for its L-field and block 1's CRC checks out → format A
 *    only (a later block's bad CRC is the answer then: 'bad-crc' at that block);
 * 2. its length is L + 1 and its format B CRCs check out → format B, then stripped (the CRC of a
 *    stripped telegram matches its last two bytes by chance once in 65,536);
 * 3. otherwise stripped: decoding it names the length error ('truncated' / 'bad-length').
 * Throws the driver's WmbusError for a format A frame with a bad CRC after block 1.
 */
export function framesOf(bytes: Buffer): Frame[] {
  const l = bytes[0] ?? 0;
  if (l >= HEADER - 1 && bytes.length === formatALength(l) && firstBlockCrcOk(bytes)) return [{ kind: 'A', telegram: stripFormatA(bytes) }];
  const stripped: Frame = { kind: 'stripped', telegram: bytes };
  if (bytes.length === l + 1) {
    try {
      return [{ kind: 'B', telegram: stripFormatB(bytes) }, stripped];
    } catch (e) {
      if (!(e instanceof WmbusError)) throw e;
    }
  }
  return [stripped];
}
