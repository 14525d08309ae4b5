// The check page's own look at the input before sending it; the server parses the telegram.

/** Hex with any whitespace; an even number of digits. */
export function telegramProblem(value: string): 'required' | 'invalid' | null {
  const compact = value.replace(/\s+/g, '');
  if (compact === '') return 'required';
  if (!/^[0-9A-Fa-f]+$/.test(compact) || compact.length % 2 !== 0) return 'invalid';
  return null;
}
