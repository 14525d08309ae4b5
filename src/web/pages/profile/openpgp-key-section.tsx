// The profile's "OpenPGP-Schlüssel" / "OpenPGP key" section (docs/downloads.md "OpenPGP"): paste the
// armored public key, see its fingerprint, remove it. Downloads can then be encrypted to it.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { isApiError } from '../../api/client.js';
import { deleteOpenPgpKey, getOpenPgpKey, putOpenPgpKey, type OpenPgpKeyView } from '../../api/openpgp-key-api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';
import { formatDateTime } from '../../components/format.js';
import { OPENPGP_ARMORED_MAX } from '../../../shared/api/openpgp-key.js';

type Loaded = { status: 'loading' } | { status: 'failed'; error: unknown } | { status: 'ready'; key: OpenPgpKeyView | null };
type ReasonKey = 'private' | 'garbage' | 'signingOnly' | 'expired' | 'tooLong';

/** The server's reasons (openpgp-key-check.ts) as the keys of their translated texts. */
const reasonKeys: Readonly<Record<string, ReasonKey>> = {
  'is a private key': 'private',
  'is not an armored OpenPGP public key': 'garbage',
  'has no encryption key': 'signingOnly',
  'is expired or revoked': 'expired',
  'is too long for a public key': 'tooLong',
};

/** Groups of four, as gpg prints a fingerprint. */
const grouped = (fingerprint: string): string => fingerprint.replace(/(.{4})(?=.)/g, '$1 ');

export function OpenPgpKeySection() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const titleId = useId();
  const [state, setState] = useState<Loaded>({ status: 'loading' });
  const [armored, setArmored] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<'saved' | 'removed' | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const fieldRef = useRef<HTMLTextAreaElement>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      getOpenPgpKey(client, signal ? { signal } : undefined).then(
        (key) => setState({ status: 'ready', key }),
        (err: unknown) => {
          if (!signal?.aborted) setState({ status: 'failed', error: err });
        },
      ),
    [client],
  );
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    if (armored.trim() === '') {
      setFieldError(t('openPgpKey.required'));
      fieldRef.current?.focus();
      return;
    }
    setFieldError(null);
    setBusy(true);
    try {
      const key = await putOpenPgpKey(client, armored);
      setState({ status: 'ready', key });
      setArmored('');
      setNotice('saved');
    } catch (err) {
      const reason = isApiError(err) && err.code === 'openpgp_key_invalid' ? reasonKeys[err.details[0]?.reason ?? ''] : undefined;
      if (reason !== undefined) setFieldError(t(`openPgpKey.reasons.${reason}`));
      else setError(err);
      fieldRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const onRemove = async () => {
    setConfirming(false);
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      await deleteOpenPgpKey(client);
      setNotice('removed');
    } catch (err) {
      if (!(isApiError(err) && err.code === 'not_found')) setError(err);
    } finally {
      setBusy(false);
      await load();
    }
  };

  const key = state.status === 'ready' ? state.key : null;
  return (
    <section className="profile-section" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('openPgpKey.title')}</h2>
      <p>{t('openPgpKey.intro')}</p>
      {notice !== null && <Notice>{t(`openPgpKey.${notice}`)}</Notice>}
      {error !== null && <ErrorAlert error={error} />}
      {state.status === 'loading' && <p role="status">{t('openPgpKey.loading')}</p>}
      {state.status === 'failed' && <ErrorAlert error={state.error} />}
      {state.status === 'ready' && key === null && <p>{t('openPgpKey.none')}</p>}
      {key !== null && (
        <>
          <dl className="facts">
            <dt>{t('openPgpKey.fingerprint')}</dt>
            <dd className="mono" data-testid="openpgp-fingerprint">
              {grouped(key.fingerprint)}
            </dd>
            <dt>{t('openPgpKey.algorithm')}</dt>
            <dd>{key.algorithm}</dd>
          </dl>
          <p>{t('openPgpKey.registered', { date: formatDateTime(key.createdAt, i18n.language) })}</p>
          <p>
            <button type="button" className="button button-secondary" disabled={busy} onClick={() => setConfirming(true)}>
              {t('openPgpKey.remove')}
            </button>
          </p>
        </>
      )}
      {state.status === 'ready' && (
        <form className="form" noValidate onSubmit={(event) => void onSubmit(event)}>
          <div className="field">
            <label htmlFor="openpgp-armored">{t('openPgpKey.field')}</label>
            <div id="openpgp-armored-hint" className="field-hint">
              {t('openPgpKey.fieldHint')}
            </div>
            <textarea
              ref={fieldRef}
              id="openpgp-armored"
              className="input input-mono"
              rows={6}
              spellCheck={false}
              autoComplete="off"
              maxLength={OPENPGP_ARMORED_MAX}
              value={armored}
              aria-invalid={fieldError !== null ? true : undefined}
              aria-describedby={['openpgp-armored-hint', fieldError !== null ? 'openpgp-armored-error' : null].filter(Boolean).join(' ')}
              onChange={(event) => setArmored(event.currentTarget.value)}
            />
            {fieldError !== null && (
              <p id="openpgp-armored-error" className="field-error">
                {fieldError}
              </p>
            )}
          </div>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('openPgpKey.saving') : key === null ? t('openPgpKey.save') : t('openPgpKey.replace')}
          </button>
        </form>
      )}
      {confirming && (
        <ConfirmDialog
          id="openpgp-remove"
          title={t('openPgpKey.removeTitle')}
          text={t('openPgpKey.removeText')}
          confirmLabel={t('openPgpKey.remove')}
          cancelLabel={t('openPgpKey.cancel')}
          onConfirm={() => void onRemove()}
          onClose={() => setConfirming(false)}
        />
      )}
    </section>
  );
}
