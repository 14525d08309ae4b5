// One layout for every mail. Templates describe their content as plain strings and links; this
// file turns that into plain text and HTML, so every interpolated value is HTML-escaped in one
// place and a template author never writes markup (and cannot forget to escape).

export type MailLanguage = 'de' | 'en';

export type MailBlock =
  | { kind: 'paragraph'; text: string }
  /** A call to action: label and URL; in plain text the URL stands on its own line. */
  | { kind: 'link'; label: string; href: string };

export interface MailContent {
  subject: string;
  greeting: string;
  blocks: MailBlock[];
  signature: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export const senderName = 'openeks';

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

export const paragraph = (text: string): MailBlock => ({ kind: 'paragraph', text });

/** Only absolute http(s) links: a `javascript:` or relative URL in a mail is a bug, not content. */
export function link(label: string, href: string): MailBlock {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new Error('mail link is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('mail link must be http: or https:');
  return { kind: 'link', label, href: url.toString() };
}

const dateFormats: Record<MailLanguage, Intl.DateTimeFormat> = {
  de: new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }),
};

/** A moment as a Date or an ISO-8601 string (the form the database keeps). */
export type Instant = Date | string;

/** "28. November 2026 um 10:30 UTC" / "28 November 2026 at 10:30 UTC": we do not know the reader's zone. */
export function formatInstant(value: Instant, language: MailLanguage): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error('mail date is not a valid timestamp');
  return `${dateFormats[language].format(date)} UTC`;
}

/** Header values are one line: a line break in data must never start a new header. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();
}

function textOf(block: MailBlock): string {
  return block.kind === 'paragraph' ? block.text : `${block.label}:\n${block.href}`;
}

function htmlOf(block: MailBlock): string {
  if (block.kind === 'paragraph') return `<p style="margin:0 0 16px">${escapeHtml(block.text)}</p>`;
  return (
    `<p style="margin:0 0 16px"><a href="${escapeHtml(block.href)}" style="display:inline-block;padding:10px 18px;` +
    `background:#1f5f99;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(block.label)}</a></p>` +
    `<p style="margin:0 0 16px;font-size:13px;color:#555555;word-break:break-all">${escapeHtml(block.href)}</p>`
  );
}

export function renderContent(content: MailContent, language: MailLanguage): RenderedMail {
  const subject = oneLine(content.subject);
  const text = [content.greeting, ...content.blocks.map(textOf), `-- \n${content.signature}`].join('\n\n') + '\n';
  const html = [
    '<!DOCTYPE html>',
    `<html lang="${language}">`,
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222222">',
    `<p style="margin:0 0 16px">${escapeHtml(content.greeting)}</p>`,
    ...content.blocks.map(htmlOf),
    `<p style="margin:24px 0 0;color:#555555">${escapeHtml(content.signature)}</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return { subject, text, html };
}
