/** What the first bytes of a file say it is; the readers check the rest. */
export type Sniffed = 'empty' | 'zip' | 'xml' | 'text' | 'binary';

const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const SNIFF_LENGTH = 4096;

export function sniff(head: Buffer | undefined): Sniffed {
  if (head === undefined || head.length === 0) return 'empty';
  if (ZIP_MAGIC.some((magic) => head.subarray(0, 4).equals(magic))) return 'zip';
  const start = head.subarray(0, 3).equals(BOM) ? 3 : 0;
  const sample = head.subarray(start, start + SNIFF_LENGTH);
  // Control characters other than tab and line ends do not occur in CSV or XML text.
  if (sample.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return 'binary';
  const first = sample.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  if (first === undefined) return head.length - start <= SNIFF_LENGTH ? 'empty' : 'text';
  return first === 0x3c /* < */ ? 'xml' : 'text';
}
