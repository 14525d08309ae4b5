// A new password through a reset link (fragment token). Afterwards every session of the account
// has ended and nobody is signed in: the user signs in normally, second factor included.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context.js';
import { completePasswordReset, inspectPasswordReset } from '../api/accounts-api.js';
import type { ApiClient } from '../api/client.js';
import { PageHeading } from '../components/page-heading.js';
import { NewPasswordFields, PolicyLayout, useNewPassword } from '../components/new-password-fields.js';
import { TextField } from '../components/text-field.js';
import { useFragmentToken, useLinkInspection } from '../components/link-token.js';
import { Link } from '../router/router.js';
import { useSession } from '../session/session-context.js';
import { LinkProblem } from './link-problem.js';
import { ProblemAlert } from './problem-list.js';

export function ResetPasswordPage() {
  const { t } = useTranslation();
  const client = useApi();
  const token = useFragmentToken();
  const link = useLinkInspection(token, (value, signal) => inspectPasswordReset(client, value, { signal }));
  const [doneEmail, setDoneEmail] = useState<string | null>(null);

  if (doneEmail !== null) {
    return (
      <section className="panel panel-narrow">
        <PageHeading key="done" focus>
          {t('reset.doneTitle')}
        </PageHeading>
        <p>{t('reset.doneText')}</p>
        <p>
          <Link to="/sign-in" state={{ email: doneEmail }} className="button button-primary">
            {t('reset.toSignIn')}
          </Link>
        </p>
      </section>
    );
  }

  return (
    <section className={link.status === 'valid' ? 'panel panel-medium' : 'panel panel-narrow'}>
      <PageHeading>{t('reset.title')}</PageHeading>
      {link.status === 'valid' && token !== null ? (
        <ResetForm client={client} token={token} account={link.value} onDone={setDoneEmail} />
      ) : (
        <LinkProblem state={link} texts="reset" retryTo="/password/forgot" />
      )}
    </section>
  );
}

function ResetForm({ client, token, account, onDone }: { client: ApiClient; token: string; account: { email: string; name: string | null }; onDone: (email: string) => void }) {
  const { t } = useTranslation();
  const { state, reload } = useSession();
  const newPassword = useNewPassword();
  const [fieldErrors, setFieldErrors] = useState<{ password?: string; repeat?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const { errors, focus } = newPassword.check();
    setFieldErrors(errors);
    setError(null);
    if (focus !== null) return focus();

    setBusy(true);
    try {
      await completePasswordReset(client, { token, password: newPassword.password });
      onDone(account.email);
      // Any session of this browser ended on the server with the others.
      if (state.status === 'signedIn') reload();
    } catch (err) {
      setError(err);
      setBusy(false);
      newPassword.passwordRef.current?.focus();
    }
  };

  return (
    <>
      <p className="panel-intro">{t('reset.intro')}</p>
      {error !== null && <ProblemAlert error={error} />}
      <PolicyLayout state={newPassword} name={account.name} email={account.email}>
        <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
          <TextField id="reset-email" label={t('reset.email')} type="email" autoComplete="username" value={account.email} readOnly />
          <NewPasswordFields state={newPassword} id="reset-password" label={t('reset.password')} repeatLabel={t('reset.passwordRepeat')} errors={fieldErrors} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('reset.submitting') : t('reset.submit')}
          </button>
        </form>
      </PolicyLayout>
    </>
  );
}
