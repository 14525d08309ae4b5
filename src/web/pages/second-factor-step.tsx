// The second sign-in step (SEC-22): after the password, a code from the authenticator app or,
// instead, one of the recovery codes. The server has not named the account yet, so this step
// shows no e-mail. Cancelling ends the half-open session on the server.
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/error-alert.js';
import { PageHeading } from '../components/page-heading.js';
import { digitsOf, OneTimeCodeField, oneTimeCodeProblem } from '../components/one-time-code-field.js';
import { TextField } from '../components/text-field.js';
import { useSession } from '../session/session-context.js';

export function SecondFactorStep() {
  const { t } = useTranslation();
  const { verifySecondFactor, signOut } = useSession();
  const [mode, setMode] = useState<'code' | 'recovery'>('code');
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  const switchMode = () => {
    setMode((m) => (m === 'code' ? 'recovery' : 'code'));
    setValue('');
    setFieldError(null);
    setError(null);
    // The field is replaced; focus the new one once it is there.
    setTimeout(() => inputRef.current?.focus(), 0);
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const entered = mode === 'code' ? digitsOf(value) : value.trim();
    const problem =
      mode === 'code'
        ? oneTimeCodeProblem(entered, { required: t('secondFactor.codeRequired'), invalid: t('secondFactor.codeInvalid') })
        : entered === ''
          ? t('secondFactor.recoveryCodeRequired')
          : null;
    setFieldError(problem);
    if (problem !== null) return inputRef.current?.focus();
    setBusy(true);
    try {
      // On success the session changes and the app leaves this page by itself.
      await verifySecondFactor(mode === 'code' ? { code: entered } : { recoveryCode: entered });
    } catch (err) {
      setError(err);
      setValue('');
      setBusy(false);
      inputRef.current?.focus();
    }
  };

  const onCancel = async () => {
    try {
      await signOut();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="panel panel-narrow">
      <PageHeading focus>{t('secondFactor.title')}</PageHeading>
      <p>{mode === 'code' ? t('secondFactor.intro') : t('secondFactor.introRecovery')}</p>
      {error !== null && <ErrorAlert error={error} />}
      <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
        {mode === 'code' ? (
          <OneTimeCodeField
            key="code"
            ref={inputRef}
            id="sign-in-code"
            label={t('secondFactor.code')}
            hint={t('secondFactor.codeHint')}
            value={value}
            onChange={(event) => setValue(event.target.value)}
            error={fieldError}
          />
        ) : (
          <TextField
            key="recovery"
            ref={inputRef}
            id="sign-in-recovery-code"
            label={t('secondFactor.recoveryCode')}
            hint={t('secondFactor.recoveryCodeHint')}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            className="input-code"
            value={value}
            onChange={(event) => setValue(event.target.value)}
            error={fieldError}
            maxLength={40}
          />
        )}
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? t('secondFactor.submitting') : t('secondFactor.submit')}
        </button>
      </form>
      <p className="form-aside">
        <button type="button" className="link-button" onClick={switchMode}>
          {mode === 'code' ? t('secondFactor.useRecoveryCode') : t('secondFactor.useCode')}
        </button>
      </p>
      <p className="form-aside">
        <button type="button" className="link-button" onClick={() => void onCancel()}>
          {t('secondFactor.cancel')}
        </button>
      </p>
    </section>
  );
}
