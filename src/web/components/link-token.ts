// One-time links carry their token in the URL fragment (`/register/complete#token=…`): never
// sent to a server, never in a Referer. The page reads it once and removes it from the address
// bar and history at once, and takes a second link opened in the same tab (only the fragment
// changes, no new page load).
import { useEffect, useState } from 'react';

function tokenFromFragment(): string | null {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  return token === null || token === '' ? null : token;
}

export function useFragmentToken(): string | null {
  const [token, setToken] = useState(tokenFromFragment);
  useEffect(() => {
    const takeToken = () => {
      const fromFragment = tokenFromFragment();
      if (fromFragment !== null) setToken(fromFragment);
      if (window.location.hash !== '') {
        window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
      }
    };
    takeToken();
    window.addEventListener('hashchange', takeToken);
    return () => window.removeEventListener('hashchange', takeToken);
  }, []);
  return token;
}

export type LinkState<T> = { status: 'missing' } | { status: 'checking' } | { status: 'valid'; value: T } | { status: 'invalid'; error: unknown };

/** Asks the server what a link is for (its e-mail) before the page shows the form. */
export function useLinkInspection<T>(token: string | null, inspect: (token: string, signal: AbortSignal) => Promise<T>): LinkState<T> {
  const [state, setState] = useState<LinkState<T>>(token ? { status: 'checking' } : { status: 'missing' });
  useEffect(() => {
    if (!token) {
      setState({ status: 'missing' });
      return;
    }
    setState({ status: 'checking' });
    const controller = new AbortController();
    inspect(token, controller.signal).then(
      (value) => setState({ status: 'valid', value }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'invalid', error });
      },
    );
    return () => controller.abort();
    // `inspect` is a module-level function at every call site; the token alone decides.
  }, [token]);
  return state;
}
