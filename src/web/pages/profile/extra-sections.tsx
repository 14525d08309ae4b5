// The profile page's sections beyond name, language and password: the user's sessions (SEC-24)
// and two-factor sign-in (SEC-22). Each loads its own data, so a failure in one leaves the
// others usable.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { isApiError } from '../../api/client.js';
import { disableTotp, endSession, getMfaStatus, listSessions, type MfaStatus, type SessionSummary } from '../../api/security-api.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';
import { formatDateTime } from '../../components/format.js';
import { TextField } from '../../components/text-field.js';
import { Link } from '../../router/router.js';
import { digitsOf } from '../../components/one-time-code-field.js';
import { OpenPgpKeySection } from './openpgp-key-section.js';

export function ProfileExtraSections() {
  return (
    <>
      <SessionsSection />
      <TwoFactorSection />
      <OpenPgpKeySection />
    </>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="profile-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

type Loaded<T> = { status: 'loading' } | { status: 'failed'; error: unknown } | { status: 'ready'; value: T };

/** Loads on mount and on `reload()`; the previous value stays on screen while reloading. */
function useLoaded<T>(load: (signal: AbortSignal) => Promise<T>): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (value) => setState({ status: 'ready', value }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [load, round]);
  return [state, useCallback(() => setRound((n) => n + 1), [])];
}

function SessionsSection() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const load = useCallback((signal: AbortSignal) => listSessions(client, { signal }), [client]);
  const [sessions, reload] = useLoaded(load);
  const [error, setError] = useState<unknown>(null);
  const [ended, setEnded] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const captionRef = useRef<HTMLTableCaptionElement>(null);

  const onEnd = async (session: SessionSummary) => {
    setBusy(session.id);
    setError(null);
    setEnded(false);
    try {
      await endSession(client, session.id);
      setEnded(true);
    } catch (err) {
      // Already gone (another tab, expiry): the list below shows the truth either way.
      if (!(isApiError(err) && err.code === 'not_found')) setError(err);
    } finally {
      setBusy(null);
      reload();
      // The button is gone with its row: keep keyboard focus in the table.
      captionRef.current?.focus();
    }
  };

  return (
    <Section title={t('sessions.title')}>
      <p>{t('sessions.intro')}</p>
      {error !== null && <ErrorAlert error={error} />}
      {ended && <Notice>{t('sessions.ended')}</Notice>}
      {sessions.status === 'loading' && <p role="status">{t('sessions.loading')}</p>}
      {sessions.status === 'failed' && <ErrorAlert error={sessions.error} />}
      {sessions.status === 'ready' && (
        <div className="table-scroll">
          <table className="table">
            <caption ref={captionRef} tabIndex={-1}>
              {t('sessions.caption')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('sessions.device')}</th>
                <th scope="col">{t('sessions.ip')}</th>
                <th scope="col">{t('sessions.lastUse')}</th>
                <th scope="col">{t('sessions.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('sessions.action')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.value.map((session) => {
                const device = session.device ?? t('sessions.unknownDevice');
                return (
                  <tr key={session.id}>
                    <th scope="row">{device}</th>
                    <td className="nowrap">{session.ip}</td>
                    <td className="nowrap">{formatDateTime(session.lastSeenAt, i18n.language)}</td>
                    <td>
                      {session.current ? (
                        <span className="badge badge-ok">{t('sessions.current')}</span>
                      ) : session.stage === 'mfa' ? (
                        <span className="badge badge-bad">{t('sessions.waiting')}</span>
                      ) : (
                        <span className="badge badge-neutral">{t('sessions.active')}</span>
                      )}
                    </td>
                    <td>
                      {!session.current && (
                        <button
                          type="button"
                          className="button button-secondary"
                          aria-label={t('sessions.endLabel', { device, ip: session.ip })}
                          disabled={busy !== null}
                          onClick={() => void onEnd(session)}
                        >
                          {t('sessions.end')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function TwoFactorSection() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const load = useCallback((signal: AbortSignal) => getMfaStatus(client, { signal }), [client]);
  const [status, reload] = useLoaded(load);
  const [switchingOff, setSwitchingOff] = useState(false);
  const [switchedOff, setSwitchedOff] = useState(false);

  const describe = (value: MfaStatus) =>
    value.totp === 'on' ? (
      <>
        <p>{t('twoFactor.on', { date: formatDateTime(value.confirmedAt ?? '', i18n.language) })}</p>
        <p>{t('twoFactor.codesLeft', { count: value.recoveryCodesLeft })}</p>
        {value.required && <p>{t('twoFactor.required')}</p>}
      </>
    ) : (
      <p>{t('twoFactor.off')}</p>
    );

  return (
    <Section title={t('twoFactor.title')}>
      {switchedOff && <Notice>{t('twoFactor.switchedOff')}</Notice>}
      {status.status === 'loading' && <p role="status">{t('twoFactor.loading')}</p>}
      {status.status === 'failed' && <ErrorAlert error={status.error} />}
      {status.status === 'ready' && (
        <>
          {describe(status.value)}
          {status.value.totp !== 'on' && (
            <p>
              <Link to="/mfa/setup" className="button button-primary">
                {t('twoFactor.setUp')}
              </Link>
            </p>
          )}
          {status.value.totp === 'on' && !status.value.required && !switchingOff && (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => {
                setSwitchedOff(false);
                setSwitchingOff(true);
              }}
            >
              {t('twoFactor.switchOff')}
            </button>
          )}
          {switchingOff && (
            <SwitchOffForm
              onCancel={() => setSwitchingOff(false)}
              onDone={() => {
                setSwitchingOff(false);
                setSwitchedOff(true);
                reload();
              }}
            />
          )}
        </>
      )}
    </Section>
  );
}

function SwitchOffForm({ onCancel, onDone }: { onCancel: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [fieldErrors, setFieldErrors] = useState<{ password?: string; code?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => passwordRef.current?.focus(), []);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const entered = digitsOf(code);
    const errors = {
      ...(password === '' ? { password: t('twoFactor.passwordRequired') } : {}),
      ...(/^\d{6}$/.test(entered) ? {} : { code: t('twoFactor.codeInvalid') }),
    };
    setFieldErrors(errors);
    if (errors.password !== undefined) return passwordRef.current?.focus();
    if (errors.code !== undefined) return codeRef.current?.focus();
    setBusy(true);
    try {
      await disableTotp(client, { password, code: entered });
      onDone();
    } catch (err) {
      setBusy(false);
      setCode('');
      setError(err);
      if (isApiError(err) && err.code === 'invalid_credentials') {
        setPassword('');
        passwordRef.current?.focus();
      } else codeRef.current?.focus();
    }
  };

  return (
    <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
      <p>{t('twoFactor.switchOffIntro')}</p>
      {error !== null && <ErrorAlert error={error} />}
      <TextField
        ref={passwordRef}
        id="two-factor-off-password"
        label={t('twoFactor.password')}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={fieldErrors.password ?? null}
        maxLength={1024}
      />
      <TextField
        ref={codeRef}
        id="two-factor-off-code"
        label={t('twoFactor.code')}
        inputMode="numeric"
        autoComplete="one-time-code"
        className="input-code"
        value={code}
        onChange={(event) => setCode(event.target.value)}
        error={fieldErrors.code ?? null}
        maxLength={12}
      />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? t('twoFactor.switchingOff') : t('twoFactor.confirmOff')}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          {t('twoFactor.cancel')}
        </button>
      </div>
    </form>
  );
}
