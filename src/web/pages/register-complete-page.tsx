// "Registrierung abschließen" as the guide shows it: name (optional), password, repeat, and the
// policy box beside the form, ticking while the user types. The link's token comes in the
// fragment; completing signs the new user in. An invitation (docs/grants.md) is the same link
// with the e-mail fixed by the inviter, and says how many devices it lets the invitee read.
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context.js';
import { completeRegistration, inspectRegistration } from '../api/accounts-api.js';
import { isApiError } from '../api/client.js';
import { ErrorAlert } from '../components/error-alert.js';
import { formatNumber } from '../components/format.js';
import { PageHeading } from '../components/page-heading.js';
import { NewPasswordFields, PolicyLayout, useNewPassword } from '../components/new-password-fields.js';
import { TextField } from '../components/text-field.js';
import { useFragmentToken, useLinkInspection } from '../components/link-token.js';
import { Link, useRouter } from '../router/router.js';
import { useSession } from '../session/session-context.js';
import { nameMaxLength, nameProblem } from './account-input.js';
import { LinkProblem } from './link-problem.js';
import { ProblemAlert } from './problem-list.js';
import type { ApiClient } from '../api/client.js';

export function RegisterCompletePage() {
  const { t } = useTranslation();
  const client = useApi();
  const token = useFragmentToken();
  const link = useLinkInspection(token, (value, signal) => inspectRegistration(client, value, { signal }));

  return (
    <section className={link.status === 'valid' ? 'panel panel-medium' : 'panel panel-narrow'}>
      <PageHeading>{t('registerComplete.title')}</PageHeading>
      {link.status === 'valid' && token !== null ? (
        <CompleteForm client={client} token={token} email={link.value.email} invitedDevices={link.value.invitedDevices ?? null} />
      ) : link.status === 'invalid' && isApiError(link.error) && link.error.code === 'invitation_withdrawn' ? (
        // Asking for a new activation link would not bring the read rights back: the inviter must.
        <ErrorAlert error={link.error}>
          <p>{t('registerComplete.withdrawnHint')}</p>
        </ErrorAlert>
      ) : (
        <LinkProblem state={link} texts="registerComplete" retryTo="/register" />
      )}
    </section>
  );
}

function CompleteForm({ client, token, email, invitedDevices }: { client: ApiClient; token: string; email: string; invitedDevices: number | null }) {
  const { t, i18n } = useTranslation();
  const { navigate } = useRouter();
  const { reload } = useSession();
  const [name, setName] = useState('');
  const newPassword = useNewPassword();
  const [fieldErrors, setFieldErrors] = useState<{ name?: string; password?: string; repeat?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const passwordCheck = newPassword.check();
    const errors = {
      ...(nameProblem(t, name) !== undefined ? { name: nameProblem(t, name) } : {}),
      ...passwordCheck.errors,
    };
    setFieldErrors(errors);
    setError(null);
    if (errors.name !== undefined) return nameRef.current?.focus();
    if (passwordCheck.focus !== null) return passwordCheck.focus();

    setBusy(true);
    try {
      const trimmed = name.trim();
      await completeRegistration(client, { token, password: newPassword.password, ...(trimmed === '' ? {} : { name: trimmed }) });
      // The server has set the session cookie: the app picks the new session up on the home page.
      navigate('/', { replace: true });
      reload();
    } catch (err) {
      setError(err);
      setBusy(false);
      newPassword.passwordRef.current?.focus();
    }
  };

  return (
    <>
      {invitedDevices !== null && (
        <p className="panel-intro invitation-note">
          <strong>{t('registerComplete.invited', { count: invitedDevices, formatted: formatNumber(invitedDevices, i18n.language) })}</strong>
        </p>
      )}
      <p className="panel-intro">{t('registerComplete.intro')}</p>
      {error !== null && <ProblemAlert error={error} />}
      <PolicyLayout state={newPassword} name={name} email={email}>
        <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
          <TextField id="register-email" label={t('registerComplete.email')} type="email" autoComplete="username" value={email} readOnly />
          <TextField
            ref={nameRef}
            id="register-name"
            label={t('registerComplete.name')}
            placeholder={t('registerComplete.namePlaceholder')}
            autoComplete="name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            error={fieldErrors.name ?? null}
            maxLength={nameMaxLength}
          />
          <NewPasswordFields
            state={newPassword}
            id="register-password"
            label={t('registerComplete.password')}
            placeholder={t('registerComplete.passwordPlaceholder')}
            repeatLabel={t('registerComplete.passwordRepeat')}
            repeatPlaceholder={t('registerComplete.passwordRepeatPlaceholder')}
            errors={fieldErrors}
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('registerComplete.submitting') : t('registerComplete.submit')}
          </button>
        </form>
      </PolicyLayout>
      <p className="form-aside">
        <Link to="/sign-in">{t('registerComplete.toSignIn')}</Link>
      </p>
    </>
  );
}
