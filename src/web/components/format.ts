/** A timestamp from the API (ISO 8601) in the user's language; unparsable values are shown as sent. */
export function formatDateTime(value: string, language: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** Length as the user sees it: code points, not UTF-16 units (an emoji is one character). */
export function characterCount(value: string): number {
  return [...value].length;
}
