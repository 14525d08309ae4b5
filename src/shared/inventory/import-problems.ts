// The problems an import reports (docs/inventory.md "Import problems"): each has a stable code
// that clients translate, the parameters its text needs, and the English reason that API clients
// and the CLI have always read. One list, so the server's reasons and the web UI's translations
// cannot drift apart: the web UI's test checks a translation exists for every code.
// Parameters never carry key material: a key's length, never its digits.
import { media } from './device-fields.js';

export const importProblemCodes = [
  // One row (the import's shape rules, src/core/modules/imports/import-validate.ts)
  'manufacturer_format',
  'kind_unknown',
  'meter_serial_format',
  'serial_format',
  'medium_unknown',
  'text_too_long',
  'key_type_unknown',
  'key_hex',
  'key_length',
  'column_count',
  'no_keys',
  // Rows against the inventory and each other (import-batch.ts, import-run.ts)
  'customer_unknown',
  'device_exists',
  'differs_from_earlier_row',
  'duplicate_row',
  'no_devices',
  // The file (the readers: file_unreadable)
  'file_empty',
  'file_type',
  'not_utf8',
  'header_columns',
  'header_column',
  'csv_quote_not_closed',
  'csv_closing_quote',
  'csv_opening_quote',
  'csv_line_too_long',
  'csv_invalid',
  'xml_malformed',
  'xml_doctype',
  'kem_no_cipher_value',
  'kem_cipher_value_late',
  'kem_cipher_value_misplaced',
  'kem_tail_too_long',
  'kem_root',
  'kem_algorithm',
  'cipher_cut_short',
  'base64_character',
  'base64_after_padding',
  'base64_cut_short',
  'base64_padding',
  'cipher_empty',
  'cipher_length',
  'cipher_padding',
  'content_malformed',
  'content_root',
  'content_value_too_long',
  'zip_too_many_members',
  'zip_unexpected_member',
  'zip_missing_kem',
  'zip_missing_xsd',
  'zip_member_encrypted',
  'zip_member_compression',
  'zip_member_too_large',
  'zip_member_sizes',
  'zip_member_larger',
  'zip_member_smaller',
  'zip_member_crc',
  'zip_damaged',
] as const;

export type ImportProblemCode = (typeof importProblemCodes)[number];

/** The parameters of the codes that have any; every other code has none. */
interface ParamsByCode {
  text_too_long: { max: number };
  key_length: { length: number };
  column_count: { count: number; expected: number };
  customer_unknown: { customerNo: string };
  device_exists: { manufacturer: string; serial: string };
  not_utf8: { offset: number };
  header_columns: { count: number; expected: number };
  header_column: { column: number; name: string };
  csv_line_too_long: { max: number };
  cipher_length: { bytes: number };
  content_root: { root: string };
  content_value_too_long: { max: number };
  zip_too_many_members: { max: number };
  zip_unexpected_member: { name: string };
  zip_missing_xsd: { name: string };
  zip_member_encrypted: { name: string };
  zip_member_compression: { name: string };
  zip_member_too_large: { name: string };
  zip_member_sizes: { name: string };
}

// Every key of ParamsByCode must be a code (checked by the compiler, not at run time).
type CodesOnly<T extends ImportProblemCode> = T;
export type CodesWithParams = CodesOnly<keyof ParamsByCode>;

export type ImportProblemParams<C extends ImportProblemCode> = C extends keyof ParamsByCode ? ParamsByCode[C] : Record<string, never>;

/** The English reason of each code, word for word what the API and the CLI said before codes existed. */
const english: { [C in ImportProblemCode]: (p: ImportProblemParams<C>) => string } = {
  manufacturer_format: () => 'a manufacturer is the 3-letter M-Bus code in capitals, e.g. KAM',
  kind_unknown: () => 'a kind is meter or concentrator',
  meter_serial_format: () => 'a meter serial is its 8-digit wireless M-Bus ID',
  serial_format: () => 'a serial is 1 to 32 letters, digits, ".", "_", "-" or "/"',
  medium_unknown: () => `a medium is one of ${media.join(', ')}`,
  text_too_long: (p) => `at most ${p.max} characters`,
  key_type_unknown: () => 'a key type is DEK, GPK1–GPK4, GUEK, GBEK, GAK, KEK or OPTICAL',
  key_hex: () => 'a key is hexadecimal digits only',
  key_length: (p) => `a key is 32 or 64 hex digits (16 or 32 bytes), not ${p.length}`,
  column_count: (p) => `has ${p.count} columns, not ${p.expected}`,
  no_keys: () => 'the device has no keys',
  customer_unknown: (p) => `no customer account ${p.customerNo}`,
  device_exists: (p) => `device ${p.manufacturer} ${p.serial} already exists`,
  differs_from_earlier_row: () => 'differs from an earlier row of the same device',
  duplicate_row: () => 'duplicate of an earlier row',
  no_devices: () => 'the file holds no devices',
  file_empty: () => 'the file is empty',
  file_type: () => 'not a CSV, KEM or KEM2 file, or a ZIP',
  not_utf8: (p) => `not UTF-8 at byte ${p.offset}`,
  header_columns: (p) => `it has ${p.count} columns, not ${p.expected}`,
  header_column: (p) => `column ${p.column} should be "${p.name}"`,
  csv_quote_not_closed: () => 'a quoted value is not closed',
  csv_closing_quote: () => 'a quote inside a quoted value must be doubled ("")',
  csv_opening_quote: () => 'a quote may only open a value',
  csv_line_too_long: (p) => `a line is longer than ${p.max} bytes`,
  csv_invalid: () => 'it is not valid CSV',
  xml_malformed: () => 'not well-formed XML',
  xml_doctype: () => 'a DOCTYPE declaration (KEM files have none)',
  kem_no_cipher_value: () => 'the file has no CipherValue',
  kem_cipher_value_late: () => 'no CipherValue in its first 64 KiB',
  kem_cipher_value_misplaced: () => 'the CipherValue is not where XML Encryption has it',
  kem_tail_too_long: () => 'more than 64 KiB after the CipherValue',
  kem_root: () => "its root element is not XML Encryption's EncryptedData",
  kem_algorithm: () => 'it is not encrypted with AES-128-CBC',
  cipher_cut_short: () => 'the file ends inside the CipherValue',
  base64_character: () => 'a character that is not base64',
  base64_after_padding: () => 'base64 data after its padding',
  base64_cut_short: () => 'the base64 text is cut short (its length is not a multiple of 4)',
  base64_padding: () => 'too much base64 padding',
  cipher_empty: () => 'no ciphertext',
  cipher_length: (p) => `a ciphertext of ${p.bytes} bytes, not a multiple of 16`,
  cipher_padding: () => 'a damaged last block (its padding is wrong)',
  content_malformed: () => 'the decrypted XML is malformed',
  content_root: (p) => `the decrypted content is not a <${p.root}> list`,
  content_value_too_long: (p) => `a value is longer than ${p.max} bytes`,
  zip_too_many_members: (p) => `more than ${p.max} members`,
  zip_unexpected_member: (p) => `unexpected member "${p.name}"`,
  zip_missing_kem: () => 'missing member *.kem or *.kem2',
  zip_missing_xsd: (p) => `missing member ${p.name}`,
  zip_member_encrypted: (p) => `the member "${p.name}" is encrypted`,
  zip_member_compression: (p) => `the member "${p.name}" uses a compression method other than deflate`,
  zip_member_too_large: (p) => `the member "${p.name}" is larger than 2 GiB`,
  zip_member_sizes: (p) => `the member "${p.name}" declares sizes that do not fit together`,
  zip_member_larger: () => 'the KEM member is larger than the ZIP says',
  zip_member_smaller: () => 'the KEM member is smaller than the ZIP says',
  zip_member_crc: () => 'the KEM member fails its CRC-32 check',
  zip_damaged: () => 'the ZIP file is damaged',
};

/** A problem's code, its parameters (where it has any) and its English reason. */
export interface CodedReason {
  code: ImportProblemCode;
  params?: Record<string, string | number>;
  reason: string;
}

/** The code with its parameters and English reason, ready to be placed at a row or field. */
export function importProblem<C extends ImportProblemCode>(code: C, params: ImportProblemParams<C>): CodedReason {
  const reason = english[code](params);
  const values: Record<string, string | number> = { ...params };
  return Object.keys(values).length === 0 ? { code, reason } : { code, params: values, reason };
}

export function isImportProblemCode(value: unknown): value is ImportProblemCode {
  return typeof value === 'string' && (importProblemCodes as readonly string[]).includes(value);
}
