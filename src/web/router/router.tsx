// A very small History-API router: the app has a handful of flat paths, so a path switch in
// app.tsx is all the routing it needs. `navigations` counts the page changes the user caused
// (a link, Back, a form that leads on) so the new page can take focus and a screen reader
// announces it, as after a full page load. Redirects while the page loads, before the user did
// anything, do not count: focus then stays at the start of the document, skip link first.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

export interface RouteLocation {
  pathname: string;
  search: string;
  state: unknown;
}

export interface NavigateOptions {
  replace?: boolean;
  state?: unknown;
}

interface RouterValue {
  location: RouteLocation;
  navigations: number;
  navigate(to: string, options?: NavigateOptions): void;
}

const RouterContext = createContext<RouterValue | null>(null);

function readLocation(): RouteLocation {
  return { pathname: window.location.pathname, search: window.location.search, state: window.history.state as unknown };
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(readLocation);
  const [navigations, setNavigations] = useState(0);

  const current = useRef(location);
  current.current = location;
  const userActed = useRef(false);

  useEffect(() => {
    const onInput = () => {
      userActed.current = true;
    };
    window.addEventListener('pointerdown', onInput, { capture: true });
    window.addEventListener('keydown', onInput, { capture: true });
    return () => {
      window.removeEventListener('pointerdown', onInput, { capture: true });
      window.removeEventListener('keydown', onInput, { capture: true });
    };
  }, []);

  useEffect(() => {
    const onPopState = () => {
      const next = readLocation();
      const previous = current.current;
      // A jump to a fragment (#main) is not a page change.
      if (previous.pathname !== next.pathname || previous.search !== next.search) setNavigations((n) => n + 1);
      setLocation(next);
    };
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  const navigate = useCallback((to: string, options: NavigateOptions = {}) => {
    const state = options.state ?? null;
    if (options.replace) window.history.replaceState(state, '', to);
    else window.history.pushState(state, '', to);
    setLocation(readLocation());
    if (userActed.current) setNavigations((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ location, navigations, navigate }), [location, navigations, navigate]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (value === null) throw new Error('useRouter needs a RouterProvider');
  return value;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; state?: unknown };

/** A real link (works with middle-click, copy address, keyboard) that navigates without reloading. */
export function Link({ to, state, onClick, ...rest }: LinkProps) {
  const { navigate } = useRouter();
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (rest.target !== undefined && rest.target !== '_self') return;
    event.preventDefault();
    navigate(to, { state });
  };
  return <a href={to} onClick={handleClick} {...rest} />;
}
