// Step-up (SEC-25, docs/downloads.md "In the browser"): a bulk download needs a sign-in within the last 5
// minutes. The dialog asks for the password again, and for the authenticator app's code when the
// account has two-factor sign-in on (GET /api/me/mfa), confirms it with POST /api/session/reauth,
// and goes on with the download. A wrong password or code stands at its field.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { isApiError } from '../../api/client.js';
import { reauthenticate } from '../../api/exports-api.js';
import { getMfaStatus } from '../../api/security-api.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { digitsOf, OneTimeCodeField, oneTimeCodeProblem } from '../../components/one-time-code-field.js';
import { TextField } from '../../components/text-field.js';

export function StepUpForm({ onConfirmed, onCancel }: { onConfirmed: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const [totp, setTotp] = useState<boolean | null>(null);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<{ password?: string; code?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    passwordRef.current?.focus();
    // Unknown (the status failed to load): ask for the code, the server says whether it needs it.
    getMfaStatus(client, { signal: controller.signal }).then(
      (status) => setTotp(status.totp === 'on'),
      () => {
        if (!controller.signal.aborted) setTotp(true);
      },
    );
    return () => controller.abort();
  }, [client]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const entered = digitsOf(code);
    const found = {
      ...(password === '' ? { password: t('downloads.stepUp.passwordRequired') } : {}),
      ...(totp === true ? withCode(oneTimeCodeProblem(entered, { required: t('downloads.stepUp.codeInvalid'), invalid: t('downloads.stepUp.codeInvalid') })) : {}),
    };
    setErrors(found);
    if (found.password !== undefined) return passwordRef.current?.focus();
    if (found.code !== undefined) return codeRef.current?.focus();
    setBusy(true);
    try {
      await reauthenticate(client, { password, ...(totp === true ? { code: entered } : {}) });
      onConfirmed();
    } catch (err) {
      setBusy(false);
      setCode('');
      const field = isApiError(err) ? err.details[0]?.field.split('.').pop() : undefined;
      if (isApiError(err) && err.code === 'invalid_credentials') {
        setPassword('');
        setErrors({ password: t('errorCodes.invalid_credentials') });
        passwordRef.current?.focus();
      } else if (isApiError(err) && (err.code === 'mfa_invalid' || field === 'code')) {
        setErrors({ code: err.code === 'mfa_invalid' ? t('errorCodes.mfa_invalid') : t('downloads.stepUp.codeInvalid') });
        codeRef.current?.focus();
      } else setError(err);
    }
  };

  return (
    <form noValidate onSubmit={(event) => void onSubmit(event)} className="form" aria-labelledby="step-up-title">
      <h3 id="step-up-title">{t('downloads.stepUp.title')}</h3>
      <p>{totp === true ? t('downloads.stepUp.introCode') : t('downloads.stepUp.intro')}</p>
      {error !== null && <ErrorAlert error={error} />}
      <TextField
        ref={passwordRef}
        id="step-up-password"
        label={t('downloads.stepUp.password')}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={errors.password ?? null}
        maxLength={1024}
      />
      {totp === true && (
        <OneTimeCodeField
          ref={codeRef}
          id="step-up-code"
          label={t('downloads.stepUp.code')}
          hint={t('downloads.stepUp.codeHint')}
          value={code}
          onChange={(event) => setCode(event.target.value)}
          error={errors.code ?? null}
        />
      )}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={busy || totp === null}>
          {busy ? t('downloads.stepUp.submitting') : t('downloads.stepUp.submit')}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          {t('downloads.cancel')}
        </button>
      </div>
    </form>
  );
}

function withCode(problem: string | null): { code?: string } {
  return problem === null ? {} : { code: problem };
}
