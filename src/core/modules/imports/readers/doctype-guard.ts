// Issue 11, item 11: KEM and KEM2 files never declare a DOCTYPE, and openeks reads no DTD. saxes
// would not expand external or nested entities anyway, but a file that declares them is no file
// from Kamstrup, so the readers refuse the declaration itself, wherever it stands (before the root,
// where XML allows it, or misplaced after it), in the outer XML and in the decrypted content.

const DOCTYPE = /<!doctype/i;
/** `<!DOCTYPE` is 9 characters: the 8 before a chunk's end may be the start of one cut in two. */
const CARRY = 8;

import { importProblem } from '../../../../shared/inventory/import-problems.js';

/** The problem a DOCTYPE is, coded for the web UI's translation (docs/inventory.md). */
export const DOCTYPE_PROBLEM = importProblem('xml_doctype', {});

/** Finds `<!DOCTYPE` (any case) in text that arrives in pieces; offsets count from the first piece. */
export class DoctypeGuard {
  private carry = '';
  private seen = 0;

  /** The offset of a DOCTYPE that starts in (or just before) `text`, or undefined. */
  scan(text: string): number | undefined {
    // The seam with the previous piece first, then the piece itself: no copy of a large piece.
    const seam = (this.carry + text.slice(0, CARRY)).search(DOCTYPE);
    const inside = seam < 0 ? text.search(DOCTYPE) : -1;
    const found = seam >= 0 ? this.seen - this.carry.length + seam : inside >= 0 ? this.seen + inside : undefined;
    this.carry = text.length >= CARRY ? text.slice(-CARRY) : (this.carry + text).slice(-CARRY);
    this.seen += text.length;
    return found;
  }
}
