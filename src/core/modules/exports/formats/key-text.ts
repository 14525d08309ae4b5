// How keys and text appear in the written formats.

/** A key as upper-case hex, as Kamstrup's files and the import's CSV write it. */
export function keyHex(key: Buffer): string {
  return key.toString('hex').toUpperCase();
}

const XML_SPECIAL = /[<>&"']/g;
const XML_ENTITY: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

/** Text for an XML element or attribute value: the five special characters as entities. */
export function xmlText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return value.replace(XML_SPECIAL, (ch) => XML_ENTITY[ch] ?? ch);
}
