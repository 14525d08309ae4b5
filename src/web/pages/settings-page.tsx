// Service-wide settings (operators): the password policy profile (SEC-19), and the audit trail's
// state (SEC-14).
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { passwordProfiles, type PasswordProfile } from '../../shared/password-policy/index.js';
import { useApi } from '../api/api-context.js';
import { getPasswordProfile, setPasswordProfile } from '../api/settings-api.js';
import { ErrorAlert, Notice } from '../components/error-alert.js';
import { PageHeading } from '../components/page-heading.js';
import { AuditTrailBox } from './audit-trail-box.js';

type Load = { status: 'loading' } | { status: 'ready' } | { status: 'failed'; error: unknown };

export function SettingsPage() {
  const { t } = useTranslation();
  const client = useApi();
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [profile, setProfile] = useState<PasswordProfile>('guide');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    getPasswordProfile(client, { signal: controller.signal }).then(
      (current) => {
        setProfile(current);
        setLoad({ status: 'ready' });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [client]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setSaved(false);
    setSaveError(null);
    try {
      setProfile(await setPasswordProfile(client, profile));
      setSaved(true);
    } catch (error) {
      setSaveError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel panel-narrow">
      <PageHeading>{t('settings.title')}</PageHeading>
      <p>{t('settings.intro')}</p>
      {load.status === 'loading' && <p role="status">{t('settings.loading')}</p>}
      {load.status === 'failed' && <ErrorAlert error={load.error} />}
      {load.status === 'ready' && (
        <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
          {saveError !== null && <ErrorAlert error={saveError} />}
          {saved && <Notice>{t('settings.saved')}</Notice>}
          <fieldset className="settings-group" aria-describedby="settings-password-policy-hint">
            <legend>{t('settings.passwordPolicy')}</legend>
            <p id="settings-password-policy-hint" className="field-hint">
              {t('settings.passwordPolicyHint')}
            </p>
            {passwordProfiles.map((option) => (
              <label key={option} className="radio">
                <input
                  type="radio"
                  name="password-profile"
                  value={option}
                  checked={profile === option}
                  onChange={() => {
                    setProfile(option);
                    setSaved(false);
                  }}
                />
                <span>{t(`settings.profiles.${option}`)}</span>
              </label>
            ))}
          </fieldset>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('settings.saving') : t('settings.save')}
          </button>
        </form>
      )}
      <AuditTrailBox />
    </section>
  );
}
