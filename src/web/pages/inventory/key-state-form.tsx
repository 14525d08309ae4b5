// An operator changes the state of one key version: only the legal targets are offered, a reason
// is required for "compromised", and "destroyed" asks once more in a modal dialog because it
// erases the key for good.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { KeyState } from '../../../shared/inventory/device-fields.js';
import { useApi } from '../../api/api-context.js';
import { changeKeyState, type KeyVersion } from '../../api/devices-api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { allowedTransitions, needsConfirmation, reasonRequired } from './key-transitions.js';
import { keyStateText } from './vocabulary.js';

const reasonMaxLength = 500;

export function KeyStateForm({ deviceId, keyVersion, onChanged, onCancel }: { deviceId: string; keyVersion: KeyVersion; onChanged: (updated: KeyVersion) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const targets = allowedTransitions(keyVersion.state);
  const [target, setTarget] = useState<KeyState | null>(null);
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<{ state?: string; reason?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const names = { keyType: keyVersion.keyType, version: keyVersion.version };

  useEffect(() => {
    headingRef.current?.focus();
  }, [keyVersion.id]);

  const send = async (state: KeyState) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await changeKeyState(client, { deviceId, keyId: keyVersion.id, state, reason: reason.trim() }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: { state?: string; reason?: string } = {};
    if (target === null) found.state = t('device.stateRequired');
    if (target !== null && reasonRequired(target) && reason.trim() === '') found.reason = t('device.reasonRequired');
    if ([...reason.trim()].length > reasonMaxLength) found.reason = t('device.reasonTooLong');
    setProblems(found);
    if (found.state !== undefined) {
      document.getElementById(`key-state-${targets[0] ?? ''}`)?.focus();
      return;
    }
    if (found.reason !== undefined) {
      document.getElementById('key-state-reason')?.focus();
      return;
    }
    if (target === null) return;
    if (needsConfirmation(target)) setConfirming(true);
    else void send(target);
  };

  return (
    <section className="key-state-panel" aria-labelledby="key-state-title">
      <h3 id="key-state-title" ref={headingRef} tabIndex={-1} className="section-heading">
        {t('device.changeTitle', names)}
      </h3>
      <p>{t('device.changeIntro', { state: keyStateText(t, keyVersion.state) })}</p>
      {error !== null && <ErrorAlert error={error} />}
      <form className="form" noValidate onSubmit={onSubmit}>
        <fieldset className="settings-group" aria-describedby={problems.state ? 'key-state-error' : undefined}>
          <legend>{t('device.newState')}</legend>
          {targets.map((state) => (
            <div key={state} className="radio">
              <input
                id={`key-state-${state}`}
                type="radio"
                name="key-state"
                value={state}
                checked={target === state}
                aria-describedby={`key-state-${state}-hint`}
                onChange={() => {
                  setTarget(state);
                  setProblems({});
                }}
              />
              <div>
                <label htmlFor={`key-state-${state}`} className="radio-label">
                  {keyStateText(t, state)}
                </label>
                <span id={`key-state-${state}-hint`} className="field-hint radio-hint">
                  {t(`device.stateHints.${state}`)}
                </span>
              </div>
            </div>
          ))}
          {problems.state && (
            <p id="key-state-error" className="field-error">
              {problems.state}
            </p>
          )}
        </fieldset>
        <div className="field">
          <label htmlFor="key-state-reason">
            {t('device.reason')}
            {target !== null && reasonRequired(target) ? ' *' : ''}
          </label>
          <div id="key-state-reason-hint" className="field-hint">
            {t('device.reasonHint')}
          </div>
          <textarea
            id="key-state-reason"
            className="input textarea-small"
            rows={2}
            value={reason}
            required={target !== null && reasonRequired(target)}
            aria-invalid={problems.reason ? true : undefined}
            aria-describedby={['key-state-reason-hint', problems.reason ? 'key-state-reason-error' : null].filter(Boolean).join(' ')}
            onChange={(event) => {
              setReason(event.currentTarget.value);
              if (problems.reason !== undefined) setProblems((previous) => ({ ...previous, reason: undefined }));
            }}
          />
          {problems.reason && (
            <p id="key-state-reason-error" className="field-error">
              {problems.reason}
            </p>
          )}
        </div>
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('device.applying') : t('device.apply')}
          </button>
          <button type="button" className="button button-secondary" onClick={onCancel}>
            {t('device.cancel')}
          </button>
        </div>
      </form>
      {confirming && (
        <ConfirmDialog
          id="confirm-destroy"
          title={t('device.confirmTitle')}
          text={t('device.confirmText')}
          confirmLabel={t('device.confirmDestroy')}
          cancelLabel={t('device.cancel')}
          onConfirm={() => {
            setConfirming(false);
            void send('destroyed');
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </section>
  );
}
