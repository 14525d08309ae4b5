// The public URL is the base of every link openeks hands out: in mails, and the setup link on the
// console. Unset, it follows where the service listens; set, it may name a reverse proxy openeks
// cannot see, but where it plainly names this machine at another port (or localhost while the
// service listens elsewhere), every link is dead: main.ts logs that once at start (issue 11).

/** Addresses that listen on every interface, loopback included. */
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `http://localhost:PORT` for a loopback or wildcard address, else `http://HOST:PORT` (IPv6 in brackets). */
export function defaultPublicUrl(host: string, port: number): string {
  const url = new URL('http://localhost');
  if (!isLoopback(host) && !WILDCARD.has(host)) url.hostname = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  url.port = String(port);
  return url.href;
}

function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/**
 * Why the public URL cannot reach the service listening on `host` and `port`, or undefined. Only
 * a URL that names this machine (a loopback name, or OPENEKS_HOST itself) can be checked; behind a
 * reverse proxy (`trustProxy`) the URL is the proxy's and nothing is checked. The text names the
 * URL's origin only: a user name or password in it never reaches the log.
 */
export function publicUrlProblem(config: { publicUrl: URL; host: string; trustProxy: boolean }, port: number): string | undefined {
  if (config.trustProxy) return undefined;
  const urlHost = config.publicUrl.hostname;
  const here = isLoopback(urlHost) || urlHost === config.host || urlHost === `[${config.host}]`;
  if (!here) return undefined;
  const otherPort = portOf(config.publicUrl) !== port;
  const loopbackNotListened = isLoopback(urlHost) && !isLoopback(config.host) && !WILDCARD.has(config.host);
  if (!otherPort && !loopbackNotListened) return undefined;
  return (
    `OPENEKS_PUBLIC_URL is ${config.publicUrl.origin}, but openeks listens on ${config.host}:${port}: links in mails and on the console will not open. ` +
    'Set OPENEKS_PUBLIC_URL to the address people reach openeks at (behind a reverse proxy, also OPENEKS_TRUST_PROXY=true).'
  );
}
