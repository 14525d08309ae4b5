import { isIPv4, isIPv6 } from 'node:net';

/**
 * The throttling subject of a source address: IPv4 as is (also when IPv4-mapped), IPv6 by its
 * /64 prefix, since one subscriber usually holds a whole /64.
 */
export function throttleSubject(ip: string | null): string {
  if (ip === null || ip === '') return 'ip:unknown';
  const mapped = ip.toLowerCase().startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
  if (isIPv4(mapped)) return `ip:${mapped}`;
  if (!isIPv6(ip)) return `ip:${ip.slice(0, 100)}`;
  const groups = ipv6Groups(ip);
  return groups === null ? `ip:${ip.toLowerCase()}` : `ip:${groups.slice(0, 4).join(':')}::/64`;
}

function ipv6Groups(ip: string): string[] | null {
  const address = ip.split('%')[0] ?? '';
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const part = (text: string | undefined) => (text ? text.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
