import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isRecord } from '../api/client.js';
import { ErrorAlert, Notice } from '../components/error-alert.js';
import { PageHeading } from '../components/page-heading.js';
import { TextField } from '../components/text-field.js';
import { Link, useRouter } from '../router/router.js';
import { useSession } from '../session/session-context.js';
import { SecondFactorStep } from './second-factor-step.js';

/** The e-mail a previous page handed over in the history state (the setup page does). */
function emailFromState(state: unknown): string {
  return isRecord(state) && typeof state['email'] === 'string' ? state['email'] : '';
}

/** Sign-in: e-mail and password, then (for accounts with a second factor) the second step. */
export function SignInPage({ reason }: { reason: 'none' | 'signedOut' | 'ended' }) {
  const { state } = useSession();
  return state.status === 'secondFactor' ? <SecondFactorStep /> : <PasswordStep reason={reason} />;
}

function PasswordStep({ reason }: { reason: 'none' | 'signedOut' | 'ended' }) {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const { location } = useRouter();
  const [email, setEmail] = useState(() => emailFromState(location.state));
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors = {
      ...(email.trim() === '' ? { email: t('signIn.emailRequired') } : {}),
      ...(password === '' ? { password: t('signIn.passwordRequired') } : {}),
    };
    setFieldErrors(errors);
    setError(null);
    if (errors.email !== undefined) return emailRef.current?.focus();
    if (errors.password !== undefined) return passwordRef.current?.focus();

    setBusy(true);
    try {
      // On success the session changes and the app leaves this page by itself.
      await signIn({ email: email.trim(), password });
    } catch (err) {
      setError(err);
      setPassword('');
      setBusy(false);
      passwordRef.current?.focus();
    }
  };

  return (
    <section className="panel panel-narrow">
      <PageHeading>{t('signIn.title')}</PageHeading>
      {reason === 'signedOut' && <Notice>{t('signIn.signedOut')}</Notice>}
      {reason === 'ended' && <Notice>{t('signIn.sessionEnded')}</Notice>}
      {error !== null && <ErrorAlert error={error} />}
      <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
        <TextField
          ref={emailRef}
          id="sign-in-email"
          label={t('signIn.email')}
          type="email"
          autoComplete="username"
          spellCheck={false}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldErrors.email ?? null}
          maxLength={254}
        />
        <TextField
          ref={passwordRef}
          id="sign-in-password"
          label={t('signIn.password')}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={fieldErrors.password ?? null}
          maxLength={1024}
        />
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? t('signIn.submitting') : t('signIn.submit')}
        </button>
      </form>
      <p className="form-aside">
        <Link to="/password/forgot">{t('signIn.forgotPassword')}</Link>
      </p>
      <p className="form-aside">
        {t('signIn.noAccount')} <Link to="/register">{t('signIn.register')}</Link>
      </p>
    </section>
  );
}
