// Who is signed in. The session itself is the server's (an HttpOnly cookie); the UI only mirrors
// it: asked once on load, set by sign-in, cleared by sign-out or by any 401 `unauthenticated`.
// Between the password and the second factor the state is `secondFactor` (nobody is named yet);
// an account that must first set up a second factor is `signedIn` with the session's stage `enrol`.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useApi } from '../api/api-context.js';
import { isApiError } from '../api/client.js';
import { createSession, deleteSession, getSession, verifySecondFactor, type Session, type SessionAnswer } from '../api/session-api.js';

export type SessionState =
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  | { status: 'anonymous'; reason: 'none' | 'signedOut' | 'ended' }
  | { status: 'secondFactor' }
  | { status: 'signedIn'; session: Session };

function stateOf(answer: SessionAnswer): SessionState {
  return answer.stage === 'mfa' ? { status: 'secondFactor' } : { status: 'signedIn', session: answer };
}

interface SessionValue {
  state: SessionState;
  signIn(input: { email: string; password: string }): Promise<void>;
  /** The second step after the password: a code from the app or a recovery code. */
  verifySecondFactor(input: { code: string } | { recoveryCode: string }): Promise<void>;
  /** Takes over a session the server has just replaced (after enrolling a second factor). */
  adoptSession(session: Session): void;
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
      (answer) => {
        client.setCsrfToken(answer.csrfToken);
        setState(stateOf(answer));
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
        setState((previous) => (previous.status === 'signedIn' || previous.status === 'secondFactor' ? { status: 'anonymous', reason: 'ended' } : previous));
      }),
    [client],
  );

  const signIn = useCallback(
    async (input: { email: string; password: string }) => {
      const answer = await createSession(client, input);
      client.setCsrfToken(answer.csrfToken);
      setState(stateOf(answer));
    },
    [client],
  );

  const secondFactor = useCallback(
    async (input: { code: string } | { recoveryCode: string }) => {
      const session = await verifySecondFactor(client, input);
      client.setCsrfToken(session.csrfToken);
      setState({ status: 'signedIn', session });
    },
    [client],
  );

  const adoptSession = useCallback(
    (session: Session) => {
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

  const value = useMemo(() => ({ state, signIn, verifySecondFactor: secondFactor, adoptSession, signOut, reload }), [state, signIn, secondFactor, adoptSession, signOut, reload]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (value === null) throw new Error('useSession needs a SessionProvider');
  return value;
}
