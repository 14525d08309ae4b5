// "E-Mail" and "Senden": the guide's registration page, and the forgot-password page built the
// same way. The server answers every address alike (it never tells whether an account exists),
// so the confirmation says what happens next without claiming more.
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context.js';
import type { ApiClient } from '../api/client.js';
import type { Language } from '../api/accounts-api.js';
import { ErrorAlert } from '../components/error-alert.js';
import { PageHeading } from '../components/page-heading.js';
import { TextField } from '../components/text-field.js';
import { currentLanguage } from '../i18n/i18n.js';
import { Link } from '../router/router.js';
import { emailMaxLength, emailProblem } from './account-input.js';

export function EmailRequestPage({
  texts,
  send,
}: {
  texts: 'register' | 'forgot';
  send: (client: ApiClient, input: { email: string; language: Language }) => Promise<void>;
}) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problem = emailProblem(t, email);
    setFieldError(problem);
    setError(null);
    if (problem !== undefined) return emailRef.current?.focus();
    setBusy(true);
    try {
      const address = email.trim();
      await send(client, { email: address, language: currentLanguage(i18n) });
      setSentTo(address);
    } catch (err) {
      setError(err);
      emailRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  if (sentTo !== null) {
    return (
      <section className="panel panel-narrow">
        <PageHeading key="sent" focus>
          {t(`${texts}.sentTitle`)}
        </PageHeading>
        <p>{t(`${texts}.sentText`, { email: sentTo })}</p>
        <p>
          <Link to="/sign-in" state={{ email: sentTo }}>
            {t(`${texts}.toSignIn`)}
          </Link>
        </p>
      </section>
    );
  }

  return (
    <section className="panel panel-narrow">
      <PageHeading>{t(`${texts}.title`)}</PageHeading>
      <p>{t(`${texts}.intro`)}</p>
      {error !== null && <ErrorAlert error={error} />}
      <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
        <TextField
          ref={emailRef}
          id={`${texts}-email`}
          label={t(`${texts}.email`)}
          type="email"
          autoComplete="email"
          spellCheck={false}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldError ?? null}
          maxLength={emailMaxLength}
        />
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? t(`${texts}.submitting`) : t(`${texts}.submit`)}
        </button>
      </form>
      <p className="form-aside">
        {t(`${texts}.otherWay`)} <Link to="/sign-in">{t(`${texts}.toSignIn`)}</Link>
      </p>
    </section>
  );
}
