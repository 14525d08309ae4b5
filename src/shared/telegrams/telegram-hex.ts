// A telegram in hex as people paste it (docs/inventory.md "Telegram check"): from a receiver
// stick's tool, from wmbusmeters' log, from a spreadsheet. One reading for the API, the CLI and
// the web UI, so none of them accepts less than another.

/**
 * What may stand between the hex digits: whitespace (spaces, tabs, line breaks), `:` (hex dumps),
 * and `_` and `|`, with which wmbusmeters' logs mark the encrypted part and the frame. Not `-`:
 * no tool we read writes it, and in pasted text it is more often a range or a minus sign than a
 * separator, so such text is refused rather than guessed at.
 */
const SEPARATORS = /[\s:_|]/g;

/** The longest input taken (a format B frame is at most 256 bytes; room for format A's CRCs). */
export const MAX_TELEGRAM_BYTES = 512;

export type HexProblem = 'is empty' | 'is not hexadecimal' | 'is not whole bytes' | `is longer than ${typeof MAX_TELEGRAM_BYTES} bytes`;

/** The hex digits without separators (case kept), or what is wrong with the text. */
export function parseTelegramHex(text: string): { hex: string } | { problem: HexProblem } {
  const hex = text.replace(SEPARATORS, '');
  if (hex === '') return { problem: 'is empty' };
  if (!/^[0-9A-Fa-f]+$/.test(hex)) return { problem: 'is not hexadecimal' };
  if (hex.length % 2 !== 0) return { problem: 'is not whole bytes' };
  if (hex.length / 2 > MAX_TELEGRAM_BYTES) return { problem: 'is longer than 512 bytes' };
  return { hex };
}
