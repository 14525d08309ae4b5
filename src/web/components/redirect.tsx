import { useEffect } from 'react';
import { useRouter } from '../router/router.js';

/** Replaces the current history entry, so Back does not return to a page that only redirects. */
export function Redirect({ to }: { to: string }) {
  const { navigate } = useRouter();
  useEffect(() => {
    navigate(to, { replace: true });
  }, [navigate, to]);
  return null;
}
