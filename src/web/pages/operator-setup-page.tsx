// The operator's first password. The token comes in the URL fragment (never sent to a server,
// never in a Referer); it is read once and removed from the address bar and history at once.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context.js';
import { isApiError } from '../api/client.js';
import { completeOperatorSetup, inspectOperatorSetup } from '../api/operator-setup-api.js';
import { ErrorAlert } from '../components/error-alert.js';
import { currentLanguage } from '../i18n/i18n.js';
import { PageHeading } from '../components/page-heading.js';
import { NewPasswordFields, PolicyLayout, useNewPassword } from '../components/new-password-fields.js';
import { TextField } from '../components/text-field.js';
import { Link } from '../router/router.js';
import { reasonText } from './setup-reasons.js';

function tokenFromFragment(): string | null {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  return token === null || token === '' ? null : token;
}

/** `email` is null for the bootstrap link of the first operator: the page then asks for it. */
type LinkState = { status: 'checking' } | { status: 'valid'; email: string | null } | { status: 'invalid'; error: unknown };

export function OperatorSetupPage() {
  const { t } = useTranslation();
  const client = useApi();
  const [token, setToken] = useState(tokenFromFragment);
  const [link, setLink] = useState<LinkState>({ status: 'checking' });
  const [doneEmail, setDoneEmail] = useState<string | null>(null);

  useEffect(() => {
    const takeToken = () => {
      const fromFragment = tokenFromFragment();
      if (fromFragment !== null) setToken(fromFragment);
      if (window.location.hash !== '') {
        window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
      }
    };
    takeToken();
    // A second link opened in the same tab changes only the fragment: no new page load.
    window.addEventListener('hashchange', takeToken);
    return () => window.removeEventListener('hashchange', takeToken);
  }, []);

  useEffect(() => {
    if (!token) return;
    setLink({ status: 'checking' });
    setDoneEmail(null);
    const controller = new AbortController();
    inspectOperatorSetup(client, token, { signal: controller.signal }).then(
      ({ email }) => setLink({ status: 'valid', email }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLink({ status: 'invalid', error });
      },
    );
    return () => controller.abort();
  }, [client, token]);

  if (doneEmail !== null) {
    return (
      <section className="panel panel-narrow">
        <PageHeading key="done" focus>
          {t('setup.doneTitle')}
        </PageHeading>
        <p>{t('setup.doneText')}</p>
        <p>
          <Link to="/sign-in" state={{ email: doneEmail }} className="button button-primary">
            {t('setup.toSignIn')}
          </Link>
        </p>
      </section>
    );
  }

  return (
    <section className={link.status === 'valid' ? 'panel panel-medium' : 'panel panel-narrow'}>
      <PageHeading>{t('setup.title')}</PageHeading>
      {token === null ? (
        <div role="alert" className="alert alert-error">
          <p>{t('setup.missingToken')}</p>
        </div>
      ) : link.status === 'checking' ? (
        <p role="status">{t('setup.checking')}</p>
      ) : link.status === 'invalid' ? (
        <ErrorAlert error={link.error} />
      ) : (
        <SetupForm token={token} knownEmail={link.email} onDone={setDoneEmail} />
      )}
    </section>
  );
}

function SetupForm({ token, knownEmail, onDone }: { token: string; knownEmail: string | null; onDone: (email: string) => void }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const [email, setEmail] = useState(knownEmail ?? '');
  const [name, setName] = useState('');
  const newPassword = useNewPassword();
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string; repeat?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const passwordCheck = newPassword.check({ policyNotMet: t('setup.policyNotMet'), mismatch: t('setup.mismatch') });
    const errors = {
      ...(knownEmail === null && email.trim() === '' ? { email: t('setup.emailRequired') } : {}),
      ...passwordCheck.errors,
    };
    setFieldErrors(errors);
    setError(null);
    if (errors.email !== undefined) return emailRef.current?.focus();
    if (passwordCheck.focus !== null) return passwordCheck.focus();

    setBusy(true);
    try {
      const trimmedName = name.trim();
      const address = email.trim();
      await completeOperatorSetup(client, {
        token,
        password: newPassword.password,
        ...(trimmedName === '' ? {} : { name: trimmedName }),
        ...(knownEmail === null ? { email: address } : {}),
        // The language this page is read in becomes the account's: its mails come in it.
        language: currentLanguage(i18n),
      });
      onDone(address);
    } catch (err) {
      setError(err);
      setBusy(false);
      newPassword.passwordRef.current?.focus();
    }
  };

  return (
    <>
      <p>{knownEmail === null ? t('setup.introFirst') : t('setup.intro')}</p>
      {error !== null && (
        <ErrorAlert error={error}>
          {isApiError(error) && error.details.length > 0 && (
            <ul>
              {error.details.map((problem, index) => (
                <li key={index}>{reasonText(t, problem)}</li>
              ))}
            </ul>
          )}
        </ErrorAlert>
      )}
      <PolicyLayout state={newPassword} name={name} email={knownEmail ?? email}>
        <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
          <TextField
            ref={emailRef}
            id="setup-email"
            label={t('setup.email')}
            type="email"
            autoComplete="username"
            spellCheck={false}
            value={email}
            readOnly={knownEmail !== null}
            onChange={(event) => setEmail(event.target.value)}
            error={fieldErrors.email ?? null}
            maxLength={254}
          />
          <TextField
            id="setup-name"
            label={t('setup.name')}
            autoComplete="name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            maxLength={200}
          />
          <NewPasswordFields state={newPassword} id="setup-password" label={t('setup.password')} repeatLabel={t('setup.passwordRepeat')} errors={fieldErrors} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('setup.submitting') : t('setup.submit')}
          </button>
        </form>
      </PolicyLayout>
    </>
  );
}
