// http(s) URLs up to whitespace or a character that cannot end a URL in running text.
const urlPattern = /https?:\/\/[^\s<>"'`]+/g;
const trailingPunctuation = /[.,;:!?)\]}]+$/;

export type LinkPart = { kind: 'text'; value: string } | { kind: 'link'; value: string; href: string };

/** Splits plain text into text and http(s) links. Anything that does not parse as such a URL stays text. */
export function splitLinks(text: string): LinkPart[] {
  const parts: LinkPart[] = [];
  let last = 0;
  for (const match of text.matchAll(urlPattern)) {
    const start = match.index;
    const raw = match[0].replace(trailingPunctuation, '');
    const href = toSafeHref(raw);
    if (href === null) continue;
    if (start > last) parts.push({ kind: 'text', value: text.slice(last, start) });
    parts.push({ kind: 'link', value: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) parts.push({ kind: 'text', value: text.slice(last) });
  return parts;
}

function toSafeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
