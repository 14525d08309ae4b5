// Where sign-in returns to (`/sign-in?next=…`, `/mfa/setup?next=…`): a path of this site only, never
// another site (an open redirect). The value is resolved the way the browser would resolve it (which
// drops tabs and line breaks and reads `\` as `/`), and refused unless it stays on the same origin;
// the browser's own reading is what is returned, so what was checked is what is navigated to.

// Only to resolve against: the .invalid top-level domain never resolves (RFC 2606).
const base = 'https://openeks.invalid';

export function safeReturnPath(value: string | null): string | null {
  if (value === null || !value.startsWith('/')) return null;
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return null;
  }
  if (url.origin !== base) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The page to return to after a sign-in step that interrupted it: the `next` it was given, else the page itself. */
export function returnPathOf(location: { pathname: string; search: string }): string {
  if (location.pathname === '/sign-in' || location.pathname === '/mfa/setup') return safeReturnPath(new URLSearchParams(location.search).get('next')) ?? '/';
  return safeReturnPath(location.pathname + location.search) ?? '/';
}

/** `path?next=…`, leaving `next` out where it would only say "home". */
export function withReturnPath(path: string, returnTo: string): string {
  return returnTo === '/' ? path : `${path}?${new URLSearchParams({ next: returnTo }).toString()}`;
}
