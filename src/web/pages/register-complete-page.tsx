// "Registrierung abschließen" as the guide shows it: name (optional), password, repeat, and the
// policy box beside the form, ticking while the user types. The link's token comes in the
// fragment; completing signs the new user in.
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PolicyResult } from '../../lib/password-policy/index.js';
import { useApi } from '../api/api-context.js';
import { completeRegistration, inspectRegistration } from '../api/accounts-api.js';
import { PageHeading } from '../components/page-heading.js';
import { PasswordPolicyBox } from '../components/password-policy-box.js';
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
        <CompleteForm client={client} token={token} email={link.value.email} />
      ) : (
        <LinkProblem state={link} texts="registerComplete" retryTo="/register" />
      )}
    </section>
  );
}

function CompleteForm({ client, token, email }: { client: ApiClient; token: string; email: string }) {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const { reload } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [policy, setPolicy] = useState<PolicyResult | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ name?: string; password?: string; repeat?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const repeatRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors = {
      ...(nameProblem(t, name) !== undefined ? { name: nameProblem(t, name) } : {}),
      ...(password === '' ? { password: t('account.passwordRequired') } : policy?.ok === false ? { password: t('account.policyNotMet') } : {}),
      ...(repeat !== password ? { repeat: t('account.mismatch') } : {}),
    };
    setFieldErrors(errors);
    setError(null);
    if (errors.name !== undefined) return nameRef.current?.focus();
    if (errors.password !== undefined) return passwordRef.current?.focus();
    if (errors.repeat !== undefined) return repeatRef.current?.focus();

    setBusy(true);
    try {
      const trimmed = name.trim();
      await completeRegistration(client, { token, password, ...(trimmed === '' ? {} : { name: trimmed }) });
      // The server has set the session cookie: the app picks the new session up on the home page.
      navigate('/', { replace: true });
      reload();
    } catch (err) {
      setError(err);
      setBusy(false);
      passwordRef.current?.focus();
    }
  };

  return (
    <>
      <p className="panel-intro">{t('registerComplete.intro')}</p>
      {error !== null && <ProblemAlert error={error} />}
      <div className="policy-layout">
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
          <TextField
            ref={passwordRef}
            id="register-password"
            label={t('registerComplete.password')}
            placeholder={t('registerComplete.passwordPlaceholder')}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            error={fieldErrors.password ?? null}
          />
          <TextField
            ref={repeatRef}
            id="register-password-repeat"
            label={t('registerComplete.passwordRepeat')}
            placeholder={t('registerComplete.passwordRepeatPlaceholder')}
            type="password"
            autoComplete="new-password"
            value={repeat}
            onChange={(event) => setRepeat(event.target.value)}
            error={fieldErrors.repeat ?? null}
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('registerComplete.submitting') : t('registerComplete.submit')}
          </button>
        </form>
        <PasswordPolicyBox password={password} name={name} email={email} onResult={setPolicy} />
      </div>
      <p className="form-aside">
        <Link to="/sign-in">{t('registerComplete.toSignIn')}</Link>
      </p>
    </>
  );
}
