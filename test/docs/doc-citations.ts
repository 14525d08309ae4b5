import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { lineAt, repoRoot, type RepoFile } from '../repo/repo-files.js';

// How the code and the docs cite the docs, read back for test/docs/citations.test.ts:
//   docs/product.md flow 6   docs/style.md 8   docs/protocols/wmbus-sticks.md §3
//   docs/product.md "Devices and keys"   [product.md](product.md) flow 2   [x](crypto.md#anchor)
// and the SEC-nn ids of docs/security.md.

export interface Heading {
  text: string;
  slug: string;
}

export type Ref = { kind: 'heading'; text: string } | { kind: 'flow' | 'section' | 'number'; n: number };

export interface Citation {
  file: string;
  line: number;
  /** The cited path relative to the repository root, as written (may not exist). */
  target: string;
  anchor?: string;
  refs: Ref[];
}

/** Fenced code blocks blanked out (line numbers kept): links and headings there are examples. */
export function withoutFences(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ''));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingsOf(markdown: string): Heading[] {
  const seen = new Map<string, number>();
  return [...withoutFences(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)].map((m) => {
    const text = m[1] ?? '';
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return { text, slug: count === 0 ? base : `${base}-${count}` };
  });
}

const REF = /^[ \t]*[,(]?[ \t]*\r?\n?[ \t]*(?:"([^"\n]{1,80})"|flow (\d+)\b|§(\d+)\b|(\d+)(?![\w.]))/;

/** The flows, numbers, sections and quoted headings written right after a citation. */
export function refsAfter(text: string, from: number): Ref[] {
  const refs: Ref[] = [];
  let rest = text.slice(from, from + 400);
  for (let m = REF.exec(rest); m !== null; m = REF.exec(rest)) {
    if (m[1] !== undefined) refs.push({ kind: 'heading', text: m[1] });
    else if (m[2] !== undefined) refs.push({ kind: 'flow', n: Number(m[2]) });
    else if (m[3] !== undefined) refs.push({ kind: 'section', n: Number(m[3]) });
    else refs.push({ kind: 'number', n: Number(m[4]) });
    rest = rest.slice(m[0].length);
  }
  return refs;
}

/** `docs/….md` anywhere (from the root), and in Markdown every relative link (from the file). */
export function citationsIn(file: RepoFile): Citation[] {
  const found: Citation[] = [];
  for (const m of file.text.matchAll(/(?<![\w./-])docs\/[\w./-]*?\.md\b/g)) {
    const end = m.index + m[0].length;
    found.push({ file: file.path, line: lineAt(file.text, m.index), target: m[0], refs: refsAfter(file.text, end) });
  }
  if (!file.path.endsWith('.md')) return found;
  const text = withoutFences(file.text);
  for (const m of text.matchAll(/\]\(([^()\s]+)\)/g)) {
    const link = m[1] ?? '';
    if (/^[a-z][a-z+.-]*:/i.test(link) || link.startsWith('#')) continue;
    const [path = '', anchor] = link.split('#');
    const target = relative(repoRoot, normalize(join(repoRoot, dirname(file.path), path))).split('\\').join('/') || '.';
    const end = m.index + m[0].length;
    found.push({ file: file.path, line: lineAt(text, m.index), target, ...(anchor ? { anchor } : {}), refs: refsAfter(text, end) });
  }
  return found;
}

/** What is wrong with a citation, or nothing. */
export function problemOf(citation: Citation): string | undefined {
  const full = join(repoRoot, citation.target);
  if (citation.target.startsWith('..') || !existsSync(full)) return `${citation.target} does not exist`;
  if (statSync(full).isDirectory() || !full.endsWith('.md')) return citation.refs.length > 0 || citation.anchor ? `${citation.target} is no Markdown page` : undefined;
  const headings = headingsOf(readFileSync(full, 'utf8'));
  const lines = withoutFences(readFileSync(full, 'utf8')).split('\n');
  if (citation.anchor !== undefined && !headings.some((h) => h.slug === citation.anchor)) return `${citation.target} has no heading #${citation.anchor}`;
  for (const ref of citation.refs) {
    if (ref.kind === 'heading') {
      if (!headings.some((h) => h.text.startsWith(ref.text))) return `${citation.target} has no heading "${ref.text}"`;
    } else if (ref.kind === 'flow') {
      if (!headings.some((h) => h.text.startsWith(`${ref.n}. `))) return `${citation.target} has no flow ${ref.n}`;
    } else if (ref.kind === 'section') {
      if (!headings.some((h) => h.text.startsWith(`§${ref.n} `) || h.text.startsWith(`${ref.n}. `))) return `${citation.target} has no §${ref.n}`;
    } else if (!lines.some((l) => l.startsWith(`${ref.n}. `)) && !headings.some((h) => h.text.startsWith(`${ref.n}. `))) {
      return `${citation.target} has no point ${ref.n}`;
    }
  }
  return undefined;
}

/** Every SEC-nn a text cites; a range (SEC-01…SEC-07, SEC-20 … SEC-22) cites each id in it. */
export function secIdsIn(text: string): { id: string; offset: number }[] {
  const ids: { id: string; offset: number }[] = [];
  let previous: { n: number; end: number } | undefined;
  for (const m of text.matchAll(/\bSEC-(\d+)/g)) {
    const n = Number(m[1]);
    // An id right after "SEC-nn…", "SEC-nn ... " or "SEC-nn – " closes a range: add what lies between.
    if (previous !== undefined && /^\s*(?:…|\.\.\.|–)\s*$/.test(text.slice(previous.end, m.index))) {
      for (let k = previous.n + 1; k < n; k += 1) ids.push({ id: `SEC-${String(k).padStart(2, '0')}`, offset: m.index });
    }
    ids.push({ id: m[0], offset: m.index });
    previous = { n, end: m.index + m[0].length };
  }
  return ids;
}
