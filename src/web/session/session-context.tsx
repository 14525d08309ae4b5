// Who is signed in. The session itself is the server's (an HttpOnly cookie); the UI only mirrors
// it: asked once on load, set by sign-in, cleared by sign-out or by any 401 `unauthenticated`.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useApi } from '../api/api-context.js';
import { isApiError } from '../api/client.js';
import { createSession, deleteSession, getSession, type Session } from '../api/session-api.js';

export type SessionState =
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  | { status: 'anonymous'; reason: 'none' | 'signedOut' | 'ended' }
  | { status: 'signedIn'; session: Session };

interface SessionValue {
  state: SessionState;
  signIn(input: { email: string; password: string }): Promise<void>;
  signOut(): Promise<void>;
  reload(): void;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useApi();
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    getSession(client, { signal: controller.signal }).then(
      (session) => {
        client.setCsrfToken(session.csrfToken);
        setState({ status: 'signedIn', session });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(error) && error.code === 'unauthenticated') setState({ status: 'anonymous', reason: 'none' });
        else setState({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [client, attempt]);

  useEffect(
    () =>
      client.onUnauthenticated(() => {
        client.setCsrfToken(null);
        setState((previous) => (previous.status === 'signedIn' ? { status: 'anonymous', reason: 'ended' } : previous));
      }),
    [client],
  );

  const signIn = useCallback(
    async (input: { email: string; password: string }) => {
      const session = await createSession(client, input);
      client.setCsrfToken(session.csrfToken);
      setState({ status: 'signedIn', session });
    },
    [client],
  );

  const signOut = useCallback(async () => {
    try {
      await deleteSession(client);
    } catch (error) {
      // Already gone on the server: that is what the user wanted.
      if (!(isApiError(error) && error.code === 'unauthenticated')) throw error;
    }
    client.setCsrfToken(null);
    setState({ status: 'anonymous', reason: 'signedOut' });
  }, [client]);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut, reload }), [state, signIn, signOut, reload]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (value === null) throw new Error('useSession needs a SessionProvider');
  return value;
}
