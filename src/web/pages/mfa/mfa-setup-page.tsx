// "/mfa/setup": enrolling an authenticator app (SEC-22). Operators arrive here straight from
// sign-in (their session can do nothing else until this is done); readers come from their
// profile and confirm their password first (SEC-25). The QR code and the secret are shown
// together; the recovery codes once, and the page only moves on after the user says they kept them.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { isApiError } from '../../api/client.js';
import { beginTotpEnrolment, confirmTotpEnrolment, getMfaStatus, type TotpEnrolment } from '../../api/security-api.js';
import type { Session } from '../../api/session-api.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';
import { PageHeading } from '../../components/page-heading.js';
import { digitsOf, OneTimeCodeField, oneTimeCodeProblem } from '../../components/one-time-code-field.js';
import { TextField } from '../../components/text-field.js';
import { Link, useRouter } from '../../router/router.js';
import { useSession } from '../../session/session-context.js';
import { RecoveryCodes } from './recovery-codes.js';

type Phase =
  | { name: 'loading' }
  | { name: 'failed'; error: unknown }
  | { name: 'alreadyOn' }
  | { name: 'password' }
  | { name: 'scan'; enrolment: TotpEnrolment }
  | { name: 'codes'; recoveryCodes: string[]; next: Session };

/** `returnTo`: where an enrolling sign-in goes once done, the page the user had asked for (a checked path of this site). */
export function MfaSetupPage({ session, returnTo }: { session: Session; returnTo: string }) {
  const { t } = useTranslation();
  const client = useApi();
  const { adoptSession } = useSession();
  const { navigate } = useRouter();
  const enrolling = session.stage === 'enrol';
  const [phase, setPhase] = useState<Phase>({ name: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    const failed = (error: unknown) => {
      if (!controller.signal.aborted) setPhase({ name: 'failed', error });
    };
    if (enrolling) {
      // An enrolment-only session has just proved its password: straight to the QR code. Each
      // start replaces the previous secret, so it is sent a tick later and only if the page is
      // still there (React's development double mount would otherwise send two).
      const timer = setTimeout(() => {
        beginTotpEnrolment(client, {}).then((enrolment) => {
          if (!controller.signal.aborted) setPhase({ name: 'scan', enrolment });
        }, failed);
      }, 0);
      return () => {
        clearTimeout(timer);
        controller.abort();
      };
    } else {
      getMfaStatus(client, { signal: controller.signal }).then((status) => {
        if (!controller.signal.aborted) setPhase(status.totp === 'on' ? { name: 'alreadyOn' } : { name: 'password' });
      }, failed);
    }
    return () => controller.abort();
    // Once per visit of the page: a changed session (after confirming) must not start over.
  }, []);

  const finish = (next: Session) => {
    adoptSession(next);
    navigate(enrolling ? returnTo : '/profile');
  };

  return (
    <section className="panel panel-medium">
      <PageHeading>{t('mfaSetup.title')}</PageHeading>
      {phase.name !== 'codes' && <p>{enrolling ? t('mfaSetup.requiredIntro') : t('mfaSetup.optionalIntro')}</p>}
      {phase.name === 'loading' && <p role="status">{t('mfaSetup.loading')}</p>}
      {phase.name === 'failed' && <ErrorAlert error={phase.error} />}
      {phase.name === 'alreadyOn' && (
        <>
          <Notice>{t('mfaSetup.alreadyOn')}</Notice>
          <p>
            <Link to="/profile">{t('mfaSetup.toProfile')}</Link>
          </p>
        </>
      )}
      {phase.name === 'password' && <PasswordStep onStarted={(enrolment) => setPhase({ name: 'scan', enrolment })} />}
      {phase.name === 'scan' && (
        <ScanStep
          enrolment={phase.enrolment}
          onConfirmed={(recoveryCodes, csrfToken) => {
            // The server replaced the session: its new CSRF token is needed from now on.
            client.setCsrfToken(csrfToken);
            setPhase({ name: 'codes', recoveryCodes, next: { ...session, csrfToken, stage: 'complete' } });
          }}
        />
      )}
      {phase.name === 'codes' && <RecoveryCodes codes={phase.recoveryCodes} email={session.user.email} onContinue={() => finish(phase.next)} />}
    </section>
  );
}

function PasswordStep({ onStarted }: { onStarted: (enrolment: TotpEnrolment) => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const [password, setPassword] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const missing = password.length === 0;
    setFieldError(missing ? t('mfaSetup.passwordRequired') : null);
    if (missing) return ref.current?.focus();
    setBusy(true);
    try {
      onStarted(await beginTotpEnrolment(client, { password }));
    } catch (err) {
      setError(err);
      setPassword('');
      setBusy(false);
      ref.current?.focus();
    }
  };

  return (
    <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
      {error !== null && <ErrorAlert error={error} />}
      <TextField
        ref={ref}
        id="mfa-setup-password"
        label={t('mfaSetup.password')}
        hint={t('mfaSetup.passwordHint')}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={fieldError}
        maxLength={1024}
      />
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? t('mfaSetup.starting') : t('mfaSetup.start')}
      </button>
    </form>
  );
}

/** The secret in groups of four, as apps show and people type it. */
export function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

function ScanStep({ enrolment, onConfirmed }: { enrolment: TotpEnrolment; onConfirmed: (recoveryCodes: string[], csrfToken: string) => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const secretLabel = useId();
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const entered = digitsOf(code);
    const problem = oneTimeCodeProblem(entered, { required: t('mfaSetup.codeRequired'), invalid: t('mfaSetup.codeInvalid') });
    setFieldError(problem);
    if (problem !== null) return ref.current?.focus();
    setBusy(true);
    try {
      const done = await confirmTotpEnrolment(client, entered);
      onConfirmed(done.recoveryCodes, done.csrfToken);
    } catch (err) {
      setError(err);
      setCode('');
      setBusy(false);
      if (!(isApiError(err) && err.code === 'unauthenticated')) ref.current?.focus();
    }
  };

  return (
    <>
      <ol className="steps">
        <li>{t('mfaSetup.stepApp')}</li>
        <li>
          <p>{t('mfaSetup.stepScan')}</p>
          <img className="qr-code" src={enrolment.qrDataUrl} alt={t('mfaSetup.qrAlt')} width={240} height={240} />
          <p id={secretLabel}>{t('mfaSetup.secretLabel')}</p>
          <code className="secret-box" aria-labelledby={secretLabel} data-secret={enrolment.secret}>
            {groupSecret(enrolment.secret)}
          </code>
        </li>
        <li>
          <p>{t('mfaSetup.stepCode')}</p>
          {error !== null && <ErrorAlert error={error} />}
          <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
            <OneTimeCodeField ref={ref} id="mfa-setup-code" label={t('mfaSetup.code')} value={code} onChange={(event) => setCode(event.target.value)} error={fieldError} />
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? t('mfaSetup.confirming') : t('mfaSetup.confirm')}
            </button>
          </form>
        </li>
      </ol>
    </>
  );
}
