// Text folding shared by the context-word and blocklist checks: compatibility decomposition,
// combining marks dropped, lower case, ß as ss. "Ánna", "ANNA" and "anna" fold alike; so do the
// list entries, which are folded with the same function when the blocklist is built.
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 'ss');
}

// Leetspeak read back as letters. "1" stands for i as often as for l, so it yields both readings.
const leetCommon: Record<string, string> = { '0': 'o', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

export function leetVariants(folded: string): string[] {
  if (!/[013457@$]/.test(folded)) return [];
  const base = folded.replace(/[0345@$7]/g, (c) => leetCommon[c] ?? c);
  return base.includes('1') ? [base.replace(/1/g, 'i'), base.replace(/1/g, 'l')] : [base];
}

/** The words a person's name or e-mail gives away: every part of 3+ characters. */
export function contextWords(name: string | null | undefined, email: string | null | undefined): { name: string[]; email: string[] } {
  const nameParts = name ? fold(name).split(/[^\p{L}]+/u) : [];
  const at = email ? email.lastIndexOf('@') : -1;
  const local = email ? fold(at > 0 ? email.slice(0, at) : email) : '';
  const emailParts = local === '' ? [] : [local, ...local.split(/[._+-]+/)];
  const long = (parts: string[]) => [...new Set(parts.filter((part) => [...part].length >= 3))];
  return { name: long(nameParts), email: long(emailParts) };
}
