// SEC-15: CR, LF and other control characters in user-supplied text are encoded before they
// reach a log line or an audit record, so a name like "x\nFAKE ENTRY" cannot forge a line.
export function encodeControlChars(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
