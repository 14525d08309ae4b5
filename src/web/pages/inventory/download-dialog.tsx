// "Schlüssel herunterladen" / "Download keys" (docs/product.md flow 4, docs/downloads.md "In the
// browser"): a modal <dialog> over the EKS page's selection. The format (one line each on what it
// is), for KEM/KEM2 the file's password counted in UTF-8 bytes with the plain warning that it is
// the file's only protection, "encrypt to my OpenPGP key" when one is registered, and the server's
// preview: how many devices leave, how many stay behind and why, the file's name. A stale sign-in
// asks for the password (and code) first; the download streams with "rows written / total" and is
// saved under the server's file name. Cancel aborts it.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { isApiError } from '../../api/client.js';
import { previewExport, type ExportPreview } from '../../api/exports-api.js';
import { getOpenPgpKey } from '../../api/openpgp-key-api.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';
import { formatNumber } from '../../components/format.js';
import { TextField } from '../../components/text-field.js';
import { Link } from '../../router/router.js';
import { selectionSize, toApiSelection, withCount, type Selection } from './device-selection.js';
import { downloadFormats, leftOutReasons, leftOutTotal, needsPassword, passwordProblem, progressFraction, utf8Bytes, type DownloadFormat } from './download-input.js';
import { DownloadBroken, runDownload, saveFile, type DownloadProgress } from './download-run.js';
import { StepUpForm } from './step-up-form.js';

type Loaded<T> = { status: 'loading' } | { status: 'failed'; error: unknown } | { status: 'ready'; value: T };
type Phase =
  | { kind: 'choose' }
  | { kind: 'stepUp' }
  | { kind: 'downloading'; progress: DownloadProgress | null }
  | { kind: 'done'; fileName: string; devices: number };
type FieldErrors = { password?: string; encrypt?: string };

export function DownloadDialog({
  selection,
  onSelectionChanged,
  onClose,
}: {
  selection: Selection;
  /** The server counted another number for "all matching": the page takes it over. */
  onSelectionChanged: (selection: Selection) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const language = i18n.language;
  const ref = useRef<HTMLDialogElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const abortRef = useRef<AbortController | null>(null);
  const [format, setFormat] = useState<DownloadFormat>('kem');
  const [password, setPassword] = useState('');
  const [encrypt, setEncrypt] = useState(false);
  const [openPgp, setOpenPgp] = useState<Loaded<string | null>>({ status: 'loading' });
  const [preview, setPreview] = useState<{ key: string; state: Loaded<ExportPreview> } | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'choose' });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<'cancelled' | 'broken' | null>(null);
  const [changedTo, setChangedTo] = useState<number | null>(null);
  // The server found no device whose keys can leave (400 naming `selection`).
  const [refusedEmpty, setNothing] = useState(false);
  // After a confirmed step-up the preview's "reauthRequired" is stale: the server decides again.
  const [steppedUp, setSteppedUp] = useState(false);
  const size = selectionSize(selection);
  const apiSelection = toApiSelection(selection);
  const previewKey = JSON.stringify([apiSelection, format]);
  const current = preview?.key === previewKey ? preview.state : ({ status: 'loading' } as const);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    // Closing the dialog (Escape, Close) stops a download under way.
    return () => abortRef.current?.abort();
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    getOpenPgpKey(client, { signal: controller.signal }).then(
      (key) => setOpenPgp({ status: 'ready', value: key?.fingerprint ?? null }),
      (err: unknown) => {
        if (!controller.signal.aborted) setOpenPgp({ status: 'failed', error: err });
      },
    );
    return () => controller.abort();
  }, [client]);

  useEffect(() => {
    if (apiSelection === null) return;
    const controller = new AbortController();
    setPreview({ key: previewKey, state: { status: 'loading' } });
    previewExport(client, { selection: apiSelection, format }, { signal: controller.signal }).then(
      (value) => setPreview({ key: previewKey, state: { status: 'ready', value } }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(err) && err.code === 'selection_changed') setChangedTo(err.details[0]?.count ?? null);
        setPreview({ key: previewKey, state: { status: 'failed', error: err } });
      },
    );
    return () => controller.abort();
    // previewKey stands for the selection and the format.
  }, [client, previewKey]);

  const download = async () => {
    if (apiSelection === null) return;
    const controller = new AbortController();
    abortRef.current = controller;
    setPhase({ kind: 'downloading', progress: null });
    setNotice(null);
    setError(null);
    try {
      const received = await runDownload(
        client,
        { selection: apiSelection, format, ...(needsPassword(format) ? { password } : {}), ...(encrypt ? { encryptTo: 'openpgp' as const } : {}) },
        {
          signal: controller.signal,
          onProgress: (progress) => setPhase((was) => (was.kind === 'downloading' ? { kind: 'downloading', progress } : was)),
        },
      );
      const fileName = received.fileName ?? (current.status === 'ready' ? current.value.fileName : 'openeks-keys.zip');
      saveFile(received.blob, fileName);
      setPhase({ kind: 'done', fileName, devices: received.devices });
    } catch (err) {
      setPhase({ kind: 'choose' });
      if (err instanceof DOMException && err.name === 'AbortError') return setNotice('cancelled');
      if (err instanceof DownloadBroken) return setNotice('broken');
      refused(err);
    } finally {
      if (abortRef.current === controller) abortRef.current = null;
    }
  };

  /** A refusal stands where it belongs: at the password, at the OpenPGP box, above the form, or the step-up. */
  const refused = (err: unknown) => {
    if (!isApiError(err)) return setError(err);
    if (err.code === 'reauth_required') return setPhase({ kind: 'stepUp' });
    if (err.code === 'selection_changed') return setChangedTo(err.details[0]?.count ?? null);
    const field = err.details[0]?.field.split('.').pop();
    if (field === 'password') {
      setFieldErrors({ password: t('downloads.passwordRefused') });
      return passwordRef.current?.focus();
    }
    if (field === 'encryptTo') return setFieldErrors({ encrypt: t('downloads.encryptRefused') });
    if (field === 'selection') return setNothing(true);
    setError(err);
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    const problem = needsPassword(format) ? passwordProblem(password) : null;
    setFieldErrors(problem === null ? {} : { password: t(`downloads.${problem}`, { bytes: utf8Bytes(password) }) });
    if (problem !== null) return passwordRef.current?.focus();
    if (current.status === 'ready' && current.value.reauthRequired && !steppedUp) return setPhase({ kind: 'stepUp' });
    void download();
  };

  const onTakeOver = (count: number) => {
    setChangedTo(null);
    setNothing(false);
    onSelectionChanged(withCount(selection, count));
  };

  const onCancel = () => {
    if (abortRef.current !== null) abortRef.current.abort();
    else ref.current?.close();
  };

  const busy = phase.kind === 'downloading';
  const nothing = refusedEmpty || (current.status === 'ready' && current.value.devices === 0) || (current.status === 'failed' && namesSelection(current.error));
  const fingerprint = openPgp.status === 'ready' ? openPgp.value : null;

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="download-title" aria-describedby="download-intro" onClose={onClose}>
      <h2 id="download-title">{t('downloads.title')}</h2>
      <p id="download-intro">
        {t(selection.kind === 'all' ? 'downloads.introAll' : 'downloads.introIds', { count: size, formatted: formatNumber(size, language) })}
      </p>
      {changedTo !== null && (
        <div role="alert" className="alert alert-error">
          <p>{t('downloads.selectionChanged', { count: changedTo, formatted: formatNumber(changedTo, language) })}</p>
          {changedTo > 0 && (
            <button type="button" className="button button-secondary" disabled={busy} onClick={() => onTakeOver(changedTo)}>
              {t('downloads.takeOver', { count: changedTo, formatted: formatNumber(changedTo, language) })}
            </button>
          )}
        </div>
      )}
      {error !== null && <ErrorAlert error={error} />}
      {notice !== null && <Notice>{t(`downloads.${notice}`)}</Notice>}
      {phase.kind === 'done' && <Notice>{t('downloads.saved', { count: phase.devices, formatted: formatNumber(phase.devices, language), fileName: phase.fileName })}</Notice>}

      {phase.kind === 'stepUp' ? (
        <StepUpForm
          onConfirmed={() => {
            setSteppedUp(true);
            void download();
          }}
          onCancel={() => setPhase({ kind: 'choose' })}
        />
      ) : (
        <form noValidate onSubmit={onSubmit} className="form">
          <fieldset className="settings-group" disabled={busy}>
            <legend>{t('downloads.format')}</legend>
            {downloadFormats.map((option) => (
              <label key={option} className="radio">
                <input
                  type="radio"
                  name="download-format"
                  value={option}
                  checked={format === option}
                  aria-labelledby={`download-format-${option}-name`}
                  aria-describedby={`download-format-${option}-hint`}
                  onChange={() => {
                    setFormat(option);
                    setFieldErrors({});
                  }}
                />
                <span>
                  <span id={`download-format-${option}-name`} className="radio-label">
                    {t(`downloads.formats.${option}.name`)}
                  </span>
                  <span id={`download-format-${option}-hint`} className="radio-hint field-hint">
                    {t(`downloads.formats.${option}.hint`)}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
          <p className="field-hint">{t('downloads.signed')}</p>

          {needsPassword(format) && (
            <>
              <div className="alert alert-warning">
                <p className="alert-title">{t('downloads.kemWarningTitle')}</p>
                <p>{t('downloads.kemWarning')}</p>
              </div>
              <TextField
                ref={passwordRef}
                id="download-password"
                label={t('downloads.password')}
                hint={
                  <>
                    {t('downloads.passwordHint')} <span aria-live="polite">{t('downloads.passwordBytes', { bytes: utf8Bytes(password) })}</span>
                  </>
                }
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(event) => {
                  setPassword(event.target.value);
                  setFieldErrors({});
                }}
                error={fieldErrors.password ?? null}
                maxLength={64}
                disabled={busy}
              />
            </>
          )}

          <div className="checkbox-field">
            <input
              id="download-encrypt"
              type="checkbox"
              checked={encrypt && fingerprint !== null}
              disabled={fingerprint === null || busy}
              aria-describedby="download-encrypt-hint"
              aria-invalid={fieldErrors.encrypt !== undefined || undefined}
              onChange={(event) => {
                setEncrypt(event.target.checked);
                setFieldErrors({});
              }}
            />
            <div>
              <label htmlFor="download-encrypt">{t('downloads.encrypt')}</label>
              <p id="download-encrypt-hint" className="field-hint">
                {openPgp.status === 'loading' ? (
                  t('downloads.encryptLoading')
                ) : fingerprint !== null ? (
                  t('downloads.encryptHint', { fingerprint: groupedFingerprint(fingerprint) })
                ) : (
                  <>
                    {t('downloads.encryptNone')} <Link to="/profile">{t('downloads.encryptRegister')}</Link>
                  </>
                )}
              </p>
              {fieldErrors.encrypt !== undefined && <p className="field-error">{fieldErrors.encrypt}</p>}
            </div>
          </div>

          <section className="download-preview" aria-labelledby="download-preview-title" aria-busy={current.status === 'loading'}>
            <h3 id="download-preview-title">{t('downloads.previewTitle')}</h3>
            {current.status === 'loading' && <p role="status">{t('downloads.previewLoading')}</p>}
            {current.status === 'failed' && !(isApiError(current.error) && current.error.code === 'selection_changed') && !namesSelection(current.error) && (
              <ErrorAlert error={current.error} />
            )}
            {current.status === 'ready' && <PreviewFacts preview={current.value} encrypted={encrypt && fingerprint !== null} language={language} />}
            {nothing && <p className="field-error">{t('downloads.nothingToWrite')}</p>}
          </section>

          {phase.kind === 'downloading' && <DownloadProgressBar progress={phase.progress} language={language} />}
          {phase.kind === 'done' && <DownloadProgressBar progress={{ written: phase.devices, total: phase.devices }} language={language} />}

          <div className="button-row">
            {phase.kind === 'done' ? (
              <button type="button" className="button button-primary" onClick={() => ref.current?.close()}>
                {t('downloads.close')}
              </button>
            ) : (
              <button type="submit" className="button button-primary" disabled={busy || nothing || current.status !== 'ready'}>
                {t('downloads.submit')}
              </button>
            )}
            {phase.kind !== 'done' && (
              <button type="button" className="button button-secondary" onClick={onCancel}>
                {t('downloads.cancel')}
              </button>
            )}
          </div>
        </form>
      )}
    </dialog>
  );
}

/** "ABCD EF01 …": a fingerprint as people compare it. */
function groupedFingerprint(fingerprint: string): string {
  return fingerprint.replace(/(.{4})(?=.)/g, '$1 ');
}

/** A refusal because the selection holds no device whose keys can leave. */
function namesSelection(error: unknown): boolean {
  return isApiError(error) && error.code === 'validation_failed' && error.details.some((detail) => detail.field.split('.').pop() === 'selection');
}

function PreviewFacts({ preview, encrypted, language }: { preview: ExportPreview; encrypted: boolean; language: string }) {
  const { t } = useTranslation();
  const reasons = leftOutReasons(preview.leftOut);
  return (
    <dl className="meta download-facts">
      <dt>{t('downloads.previewDevices')}</dt>
      <dd>{formatNumber(preview.devices, language)}</dd>
      <dt>{t('downloads.previewKeys')}</dt>
      <dd>{formatNumber(preview.keys, language)}</dd>
      <dt>{t('downloads.previewLeftOut')}</dt>
      <dd>
        {reasons.length === 0 ? (
          t('downloads.previewLeftOutNone')
        ) : (
          <>
            {formatNumber(leftOutTotal(preview.leftOut), language)}
            <ul className="download-left-out">
              {reasons.map(({ reason, count }) => (
                <li key={reason}>{t('downloads.leftOutLine', { formatted: formatNumber(count, language), reason: t(`downloads.leftOut.${reason}`, { defaultValue: reason }) })}</li>
              ))}
            </ul>
          </>
        )}
      </dd>
      <dt>{t('downloads.previewFileName')}</dt>
      {/* Encrypted to the OpenPGP key, the ZIP travels inside `<name>.gpg` (docs/downloads.md "OpenPGP"). */}
      <dd className="download-file-name">{encrypted ? `${preview.fileName}.gpg` : preview.fileName}</dd>
    </dl>
  );
}

function DownloadProgressBar({ progress, language }: { progress: DownloadProgress | null; language: string }) {
  const { t } = useTranslation();
  return (
    <div className="download-progress">
      <label htmlFor="download-progress" className="progress-label">
        {t('downloads.progressLabel')}
      </label>
      {progress === null ? (
        <progress id="download-progress" className="progress" aria-describedby="download-progress-text" />
      ) : (
        <progress id="download-progress" className="progress" value={progressFraction(progress.written, progress.total)} max={1} aria-describedby="download-progress-text" />
      )}
      <p id="download-progress-text" className="progress-text" aria-live="polite">
        {progress === null ? t('downloads.starting') : t('downloads.progressText', { written: formatNumber(progress.written, language), total: formatNumber(progress.total, language) })}
      </p>
    </div>
  );
}
