import type { Entry, ZipFile } from 'yauzl';
import type { FieldProblem } from '../../../../shared/errors.js';
import { unreadable } from './reader-errors.js';
import { type CodedReason, importProblem } from '../../../../shared/inventory/import-problems.js';

export const XSD_NAME = 'meter_information_file.xsd';
const KEM_NAME = /^[^/\\]+\.kem2?$/i;
/** openeks's own downloads carry their checksums and signature (docs/downloads.md); the import passes them by. */
const SIGNATURE_MEMBERS: ReadonlySet<string> = new Set(['SHA256SUMS', 'SHA256SUMS.sig']);
/** A KEM ZIP has two members; a few more are still worth naming, a million is a bomb. */
const MAX_ENTRIES = 16;
const MAX_MEMBER = 2 * 1024 ** 3;
/** Deflate cannot shrink data more than about 1032:1; a member claiming more is lying. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Reads the ZIP's directory and picks its KEM member: exactly one `.kem`/`.kem2` and
 * `meter_information_file.xsd`, nothing else but an openeks download's `SHA256SUMS` and its
 * `.sig`. Every problem found is listed.
 */
export async function findKemMember(zip: ZipFile): Promise<Entry> {
  const problems: FieldProblem[] = [];
  const problem = (coded: CodedReason) => problems.push({ field: 'zip', ...coded });
  let kem: Entry | undefined;
  let xsd = false;
  for (let entry = await nextEntry(zip), count = 1; entry !== undefined; entry = await nextEntry(zip), count++) {
    if (count > MAX_ENTRIES) {
      problem(importProblem('zip_too_many_members', { max: MAX_ENTRIES }));
      break;
    }
    const name = entry.fileName;
    if (name === XSD_NAME && !xsd) xsd = true;
    else if (KEM_NAME.test(name) && kem === undefined) kem = entry;
    else if (!SIGNATURE_MEMBERS.has(name)) problem(importProblem('zip_unexpected_member', { name: shown(name) }));
  }
  if (kem === undefined) problem(importProblem('zip_missing_kem', {}));
  // The XSD describes KEM's MetersInOrder; a KEM2 ZIP (openeks's own download) may come without it.
  if (!xsd && !(kem !== undefined && /\.kem2$/i.test(kem.fileName))) problem(importProblem('zip_missing_xsd', { name: XSD_NAME }));
  if (kem !== undefined) {
    const sizeProblem = memberProblem(kem);
    if (sizeProblem !== undefined) problem(importProblem(sizeProblem, { name: shown(kem.fileName) }));
  }
  if (kem === undefined || problems.length > 0) {
    throw unreadable(`The ZIP file does not hold what a KEM ZIP holds (one .kem or .kem2 file and ${XSD_NAME}).`, ...problems);
  }
  return kem;
}

type MemberProblem = 'zip_member_encrypted' | 'zip_member_compression' | 'zip_member_too_large' | 'zip_member_sizes';

function memberProblem(entry: Entry): MemberProblem | undefined {
  if (entry.isEncrypted()) return 'zip_member_encrypted';
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) return 'zip_member_compression';
  if (entry.uncompressedSize > MAX_MEMBER) return 'zip_member_too_large';
  const stored = entry.compressionMethod === 0;
  if (stored ? entry.compressedSize !== entry.uncompressedSize : entry.uncompressedSize > entry.compressedSize * MAX_DEFLATE_RATIO + 64) {
    return 'zip_member_sizes';
  }
  return undefined;
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => (cleanup(), resolve(entry));
    const onEnd = () => (cleanup(), resolve(undefined));
    const onError = (err: unknown) => (cleanup(), reject(err instanceof Error ? err : new Error(String(err))));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/** Member names come from the file: shown shortened and without control characters. */
function shown(name: string): string {
  const clean = name.replace(/[\x00-\x1f\x7f"]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}
