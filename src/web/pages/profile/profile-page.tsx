// "Profil": the signed-in user's name, language and password. Sessions and two-factor sign-in
// follow in ProfileExtraSections, API tokens in ApiTokensSection.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { changePassword, getProfile, updateProfile, type Language, type Profile } from '../../api/accounts-api.js';
import { isApiError } from '../../api/client.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';
import { PageHeading } from '../../components/page-heading.js';
import { NewPasswordFields, PolicyLayout, useNewPassword } from '../../components/new-password-fields.js';
import { TextField } from '../../components/text-field.js';
import { chooseLanguage, languages } from '../../i18n/i18n.js';
import { nameMaxLength, nameProblem } from '../account-input.js';
import { ProblemAlert } from '../problem-list.js';
import { ApiTokensSection } from './api-tokens-section.js';
import { ProfileExtraSections } from './extra-sections.js';

type LoadState = { status: 'loading' } | { status: 'failed'; error: unknown } | { status: 'ready'; profile: Profile };

export function ProfilePage() {
  const { t } = useTranslation();
  const client = useApi();
  const [state, setState] = useState<LoadState>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    getProfile(client, { signal: controller.signal }).then(
      (profile) => setState({ status: 'ready', profile }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [client]);

  const onSaved = (profile: Profile) => setState({ status: 'ready', profile });

  return (
    <section className="panel panel-medium">
      <PageHeading>{t('profile.title')}</PageHeading>
      {state.status === 'loading' && <p role="status">{t('profile.loading')}</p>}
      {state.status === 'failed' && <ErrorAlert error={state.error} />}
      {state.status === 'ready' && (
        <>
          <p className="panel-intro">{t('profile.intro', { email: state.profile.email })}</p>
          <NameSection profile={state.profile} onSaved={onSaved} />
          <LanguageSection profile={state.profile} onSaved={onSaved} />
          <PasswordSection profile={state.profile} />
          <ProfileExtraSections />
          <ApiTokensSection />
        </>
      )}
    </section>
  );
}

function ProfileSection({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="profile-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function NameSection({ profile, onSaved }: { profile: Profile; onSaved: (profile: Profile) => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const [name, setName] = useState(profile.name ?? '');
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const problem = nameProblem(t, name);
    setFieldError(problem);
    setError(null);
    setSaved(false);
    if (problem !== undefined) return nameRef.current?.focus();
    setBusy(true);
    try {
      const trimmed = name.trim();
      const updated = await updateProfile(client, { name: trimmed === '' ? null : trimmed });
      setName(updated.name ?? '');
      setSaved(true);
      onSaved(updated);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <ProfileSection title={t('profile.nameTitle')}>
      {error !== null && <ProblemAlert error={error} />}
      {saved && <Notice>{t('profile.nameSaved')}</Notice>}
      <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
        <TextField
          ref={nameRef}
          id="profile-name"
          label={t('profile.name')}
          autoComplete="name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={fieldError ?? null}
          maxLength={nameMaxLength}
        />
        <button type="submit" className="button button-secondary" disabled={busy}>
          {busy ? t('profile.saving') : t('profile.saveName')}
        </button>
      </form>
    </ProfileSection>
  );
}

function LanguageSection({ profile, onSaved }: { profile: Profile; onSaved: (profile: Profile) => void }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const [language, setLanguage] = useState<Language>(profile.language);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    setBusy(true);
    try {
      const updated = await updateProfile(client, { language });
      // The pages follow the account's language at once (and on the next visit).
      await chooseLanguage(i18n, updated.language);
      setSaved(true);
      onSaved(updated);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <ProfileSection title={t('profile.languageTitle')}>
      {error !== null && <ErrorAlert error={error} />}
      {saved && <Notice>{t('profile.languageSaved')}</Notice>}
      <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
        <fieldset className="settings-group">
          <legend>{t('profile.languageLegend')}</legend>
          {languages.map((option) => (
            <label key={option} className="radio" lang={option}>
              <input type="radio" name="profile-language" value={option} checked={language === option} onChange={() => setLanguage(option)} />
              <span>{t(`language.${option}`)}</span>
            </label>
          ))}
          <p className="field-hint">{t('profile.languageHint')}</p>
        </fieldset>
        <button type="submit" className="button button-secondary" disabled={busy}>
          {busy ? t('profile.saving') : t('profile.saveLanguage')}
        </button>
      </form>
    </ProfileSection>
  );
}

function PasswordSection({ profile }: { profile: Profile }) {
  const { t } = useTranslation();
  const client = useApi();
  const [current, setCurrent] = useState('');
  const newPassword = useNewPassword();
  const [fieldErrors, setFieldErrors] = useState<{ current?: string; password?: string; repeat?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [changed, setChanged] = useState(false);
  const [busy, setBusy] = useState(false);
  const currentRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const passwordCheck = newPassword.check();
    const errors = {
      ...(current === '' ? { current: t('profile.currentRequired') } : {}),
      ...passwordCheck.errors,
    };
    setFieldErrors(errors);
    setError(null);
    setChanged(false);
    if (errors.current !== undefined) return currentRef.current?.focus();
    if (passwordCheck.focus !== null) return passwordCheck.focus();
    setBusy(true);
    try {
      await changePassword(client, { currentPassword: current, newPassword: newPassword.password });
      setCurrent('');
      newPassword.clear();
      setChanged(true);
    } catch (err) {
      if (isApiError(err) && err.code === 'invalid_credentials') {
        setFieldErrors({ current: t('profile.currentWrong') });
        setCurrent('');
        currentRef.current?.focus();
      } else {
        setError(err);
        newPassword.passwordRef.current?.focus();
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <ProfileSection title={t('profile.passwordTitle')}>
      {error !== null && <ProblemAlert error={error} />}
      {changed && <Notice>{t('profile.passwordChanged')}</Notice>}
      <PolicyLayout state={newPassword} name={profile.name} email={profile.email}>
        <form noValidate onSubmit={(event) => void onSubmit(event)} className="form">
          {/* For password managers: whose password this is. */}
          <input type="text" className="visually-hidden" autoComplete="username" value={profile.email} readOnly tabIndex={-1} aria-hidden="true" />
          <TextField
            ref={currentRef}
            id="profile-current-password"
            label={t('profile.currentPassword')}
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
            error={fieldErrors.current ?? null}
          />
          <NewPasswordFields state={newPassword} id="profile-new-password" label={t('profile.newPassword')} repeatLabel={t('profile.passwordRepeat')} errors={fieldErrors} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('profile.changingPassword') : t('profile.changePassword')}
          </button>
        </form>
      </PolicyLayout>
    </ProfileSection>
  );
}
