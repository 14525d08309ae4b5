import { unreadable } from './reader-errors.js';
import { type CodedReason, importProblem } from '../../../../shared/inventory/import-problems.js';

const INVALID = /[^A-Za-z0-9+/=\t\n\r ]/;
const WHITESPACE = /[\t\n\r ]+/g;
const HAS_WHITESPACE = /[\t\n\r ]/;
const NOT_PADDING = /[^=\t\n\r ]/;

/**
 * Decodes the CipherValue's base64 as it streams by: whole groups of four characters are decoded,
 * the rest waits for the next piece. Strict where Buffer.from(…, 'base64') is lenient: a character
 * outside the alphabet, data after the padding or a length that is not a multiple of four is a
 * damaged file, named by its byte offset.
 */
export class Base64Stream {
  private carry = '';
  private padded = false;
  private padding = 0;

  constructor(private readonly onBytes: (bytes: Buffer) => void) {}

  /** `text` is the next piece of the base64 text; `offset` its position in the file. */
  push(text: string, offset: number): void {
    const bad = INVALID.exec(text);
    if (bad !== null) throw damaged(importProblem('base64_character', {}), offset + bad.index);
    const pad = this.padded ? 0 : text.indexOf('=');
    if (pad >= 0) {
      const tail = text.slice(pad);
      const after = NOT_PADDING.exec(tail);
      if (after !== null) throw damaged(importProblem('base64_after_padding', {}), offset + pad + after.index);
      this.padded = true;
      this.padding += tail.split('=').length - 1;
    }
    const clean = HAS_WHITESPACE.test(text) ? text.replace(WHITESPACE, '') : text;
    const all = this.carry.length === 0 ? clean : this.carry + clean;
    const cut = all.length - (all.length % 4);
    this.carry = all.slice(cut);
    if (cut > 0) this.onBytes(Buffer.from(cut === all.length ? all : all.slice(0, cut), 'base64'));
  }

  /** At the end of the CipherValue (at `offset`): the text must have been complete. */
  end(offset: number): void {
    if (this.carry.length !== 0) throw damaged(importProblem('base64_cut_short', {}), offset);
    if (this.padding > 2) throw damaged(importProblem('base64_padding', {}), offset);
  }
}

function damaged(coded: CodedReason, offset: number) {
  return unreadable(`The KEM file is damaged: its CipherValue has ${coded.reason} (at byte ${offset}).`, { field: 'CipherValue', ...coded, offset });
}
