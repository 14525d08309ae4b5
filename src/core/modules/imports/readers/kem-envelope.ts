import { SaxesParser, type SaxesTagNS } from 'saxes';
import { isAppError } from '../../../../shared/errors.js';
import { DOCTYPE_PROBLEM, DoctypeGuard } from './doctype-guard.js';
import { EXPECTED, unreadable } from './reader-errors.js';
import { type CodedReason, importProblem } from '../../../../shared/inventory/import-problems.js';

const XMLENC = 'http://www.w3.org/2001/04/xmlenc#';
const AES128_CBC = 'http://www.w3.org/2001/04/xmlenc#aes128-cbc';
/** The envelope around the CipherValue is a few hundred bytes; more is not a KEM file. */
const MAX_ENVELOPE = 65_536;
/** `<CipherValue>` or `<prefix:CipherValue>` (checked in cipherValueTag: no other name ends like it). */
const CIPHER_VALUE_TAG = /<([\w.-]*:?)CipherValue\s*>/g;

export interface EnvelopeHandlers {
  /** The CipherValue starts: from here on it is a KEM file. */
  onCipherStart(): void;
  onBase64(text: string, offset: number): void;
  onCipherEnd(offset: number): void;
}

/**
 * Reads the W3C XML Encryption envelope of a KEM file. saxes checks the short parts before and
 * after the CipherValue; the CipherValue itself (hundreds of MB for a large order) is not given
 * to saxes, which would gather it into one string, but handed on piece by piece. The file is
 * read as latin1, so a position in the text is a byte offset.
 */
export class KemEnvelope {
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private state: 'head' | 'body' | 'tail' = 'head';
  private head = '';
  private offset = 0;
  /** Bytes of CipherValue, which saxes never saw: added to its positions after it (and the BOM). */
  private skipped = 0;
  private tailLength = 0;
  /** Local names of the elements open around the current position. */
  private readonly openTags: string[] = [];
  private bom = 0;
  private cipherValues = 0;
  /** Sees exactly what saxes sees, so its offsets add up like saxes's positions. */
  private readonly doctype = new DoctypeGuard();

  constructor(private readonly handlers: EnvelopeHandlers) {
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('closetag', () => this.openTags.pop());
  }

  push(chunk: Buffer): void {
    let text = chunk.toString('latin1');
    if (this.offset === 0 && text.startsWith('\xef\xbb\xbf')) {
      text = text.slice(3);
      this.bom = 3;
    }
    const start = this.offset;
    this.offset += chunk.length;
    if (this.state === 'head') this.pushHead(text);
    else if (this.state === 'body') this.pushBody(text, start);
    else this.pushTail(text);
  }

  end(): void {
    if (this.state === 'head') {
      this.xml(this.head);
      this.xml(null);
      throw this.notKem(importProblem('kem_no_cipher_value', {}));
    }
    if (this.state === 'body') {
      throw unreadable('The KEM file is cut short: it ends inside its CipherValue.', { field: 'CipherValue', ...importProblem('cipher_cut_short', {}), offset: this.offset });
    }
    this.xml(null);
  }

  private pushHead(text: string): void {
    this.head += text;
    const tag = cipherValueTag(this.head);
    if (tag === undefined) {
      if (this.head.length > MAX_ENVELOPE) {
        this.xml(this.head);
        throw this.notKem(importProblem('kem_cipher_value_late', {}));
      }
      return;
    }
    const bodyStart = tag;
    this.xml(this.head.slice(0, bodyStart));
    if (this.cipherValues !== 1) throw this.notKem(importProblem('kem_cipher_value_misplaced', {}));
    const rest = this.head.slice(bodyStart);
    this.head = '';
    this.state = 'body';
    this.handlers.onCipherStart();
    this.pushBody(rest, this.offset - rest.length);
  }

  private pushBody(text: string, offset: number): void {
    const end = text.indexOf('<');
    if (end < 0) {
      if (text.length > 0) this.handlers.onBase64(text, offset);
      this.skipped += text.length;
      return;
    }
    if (end > 0) this.handlers.onBase64(text.slice(0, end), offset);
    this.skipped += end;
    this.handlers.onCipherEnd(offset + end);
    this.state = 'tail';
    this.pushTail(text.slice(end));
  }

  private pushTail(text: string): void {
    this.tailLength += text.length;
    if (this.tailLength > MAX_ENVELOPE) throw this.notKem(importProblem('kem_tail_too_long', {}));
    this.xml(text);
  }

  /** Feeds saxes (null: the end); its errors become `file_unreadable` with the byte offset. */
  private xml(text: string | null): void {
    const doctypeAt = text === null ? undefined : this.doctype.scan(text);
    if (doctypeAt !== undefined) {
      // Before the CipherValue nothing was skipped; after it, the DOCTYPE is past what saxes saw.
      const offset = this.bom + doctypeAt + (this.state === 'head' ? 0 : this.skipped);
      throw unreadable(`The file declares a DOCTYPE at byte ${offset}; KEM files have none, and openeks reads no DTD. ${EXPECTED}`, {
        field: 'xml',
        ...DOCTYPE_PROBLEM,
        offset,
      });
    }
    try {
      if (text === null) this.parser.close();
      else this.parser.write(text);
    } catch (err) {
      if (isAppError(err)) throw err;
      const offset = this.bom + this.parser.position + this.skipped;
      throw unreadable(`The file is not well-formed XML (at byte ${offset}). ${EXPECTED}`, { field: 'xml', ...importProblem('xml_malformed', {}), offset });
    }
  }

  private open(tag: SaxesTagNS): void {
    const parent = this.openTags.at(-1);
    this.openTags.push(tag.local);
    if (this.openTags.length === 1) {
      if (tag.local !== 'EncryptedData' || tag.uri !== XMLENC) throw this.notKem(importProblem('kem_root', {}));
      return;
    }
    if (tag.uri !== XMLENC) return;
    if (tag.local === 'EncryptionMethod') {
      const algorithm = tag.attributes['Algorithm']?.value;
      if (algorithm !== undefined && algorithm !== AES128_CBC) throw this.notKem(importProblem('kem_algorithm', {}));
    }
    if (tag.local === 'CipherValue') {
      this.cipherValues++;
      if (this.cipherValues > 1 || parent !== 'CipherData' || this.openTags.length !== 3) {
        throw this.notKem(importProblem('kem_cipher_value_misplaced', {}));
      }
    }
  }

  private notKem(coded: CodedReason) {
    return unreadable(`The file is XML but not a KEM file: ${coded.reason}. ${EXPECTED}`, { field: 'xml', ...coded });
  }
}

/** Where the text after the CipherValue start tag begins, if the tag is in `text`. */
function cipherValueTag(text: string): number | undefined {
  for (const match of text.matchAll(CIPHER_VALUE_TAG)) {
    const prefix = match[1] ?? '';
    if (prefix === '' || prefix.endsWith(':')) return match.index + match[0].length;
  }
  return undefined;
}
