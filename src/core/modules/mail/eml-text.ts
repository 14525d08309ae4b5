// The plain-text part of an .eml file of the development outbox, for `openeks mail list --body`.
// It reads what nodemailer composes for our mails — a text/plain part (7bit, quoted-printable or
// base64, UTF-8), alone or inside multipart/* — and nothing else: not a general MIME parser (tests
// compare it with mailparser's reading of the same files).

interface Entity {
  headers: Map<string, string>;
  body: string;
}

function parseEntity(raw: string): Entity {
  const split = raw.indexOf('\n\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 2);
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function boundaryOf(contentType: string): string | undefined {
  return /;\s*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
}

function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i += 1) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(entity: Entity): string {
  const encoding = (entity.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(entity.body).toString('utf8');
  if (encoding === 'base64') return Buffer.from(entity.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return entity.body;
}

function findText(entity: Entity): string | null {
  const contentType = entity.headers.get('content-type') ?? 'text/plain';
  if (/^text\/plain\b/i.test(contentType)) return decodeBody(entity);
  const boundary = /^multipart\//i.test(contentType) ? boundaryOf(contentType) : undefined;
  if (boundary === undefined) return null;
  // Parts lie between "\n--boundary" lines; the last is followed by "--boundary--".
  const sections = `\n${entity.body}`.split(`\n--${boundary}`);
  for (const section of sections.slice(1)) {
    if (section.startsWith('--')) break;
    const found = findText(parseEntity(section.replace(/^[ \t]*\n/, '')));
    if (found !== null) return found;
  }
  return null;
}

/** The text/plain part of a message, decoded; null when it has none. */
export function textPartOf(eml: string): string | null {
  return findText(parseEntity(eml.replace(/\r\n/g, '\n')));
}
