// Import (operators): a factory file goes up as the raw body (XMLHttpRequest, for its upload
// progress), then the page polls the import until it has succeeded or failed. All or nothing:
// a failed import lists its problems and stored nothing.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { getImport, startImport } from '../../api/imports-api.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { formatBytes, formatNumber } from '../../components/format.js';
import { PageHeading } from '../../components/page-heading.js';
import { TextField } from '../../components/text-field.js';
import { customerNoPattern } from './customer-form.js';
import { pollInterval, progressView, type ImportPhase } from './import-progress.js';
import { ImportResult } from './import-result.js';
import { RecentImports } from './recent-imports.js';

const maxBytes = 512 * 1024 * 1024;

type Run = ImportPhase & { customerNo: string };

export function ImportPage() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [newVersion, setNewVersion] = useState(false);
  const [customerNo, setCustomerNo] = useState('');
  const [deliveryDate, setDeliveryDate] = useState('');
  const [problems, setProblems] = useState<{ file?: string; customerNo?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [run, setRun] = useState<Run | null>(null);
  const [finishedRuns, setFinishedRuns] = useState(0);
  const fileRef = useRef<HTMLInputElement>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);
  const language = i18n.language;

  // Poll the running import until it is finished.
  const runningId = run?.phase === 'importing' ? run.import.id : null;
  useEffect(() => {
    if (runningId === null) return;
    const controller = new AbortController();
    let timer: number | undefined;
    const poll = () => {
      getImport(client, runningId, { signal: controller.signal }).then(
        (imp) => {
          if (imp.status === 'running') {
            setRun((previous) => (previous === null ? null : { ...previous, phase: 'importing', import: imp }));
            timer = window.setTimeout(poll, pollInterval);
          } else {
            setRun((previous) => (previous === null ? null : { ...previous, phase: 'finished', import: imp }));
            setFinishedRuns((n) => n + 1);
          }
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          setError(err);
          setRun(null);
        },
      );
    };
    timer = window.setTimeout(poll, pollInterval);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [client, runningId]);

  const finished = run?.phase === 'finished' ? run.import : null;
  useEffect(() => {
    if (finished !== null) resultRef.current?.focus();
  }, [finished?.id]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: { file?: string; customerNo?: string } = {};
    if (file === null) found.file = t('import.fileRequired');
    else if (file.size > maxBytes) found.file = t('import.fileTooLarge');
    const customer = customerNo.trim();
    if (customer !== '' && !customerNoPattern.test(customer)) found.customerNo = t('customers.problems.customerNoInvalid');
    setProblems(found);
    setError(null);
    if (found.file !== undefined) fileRef.current?.focus();
    else if (found.customerNo !== undefined) document.getElementById('import-customer')?.focus();
    if (file === null || Object.keys(found).length > 0) return;

    setRun({ phase: 'uploading', sent: 0, total: file.size, customerNo: customer });
    try {
      const started = await startImport(
        client,
        { file, fileName: file.name, password, newVersion, customerNo: customer, deliveryDate },
        { onProgress: (sent, total) => setRun((previous) => (previous?.phase === 'uploading' ? { ...previous, sent, total } : previous)) },
      );
      setPassword('');
      setRun({ phase: started.status === 'running' ? 'importing' : 'finished', import: started, customerNo: customer });
      if (started.status !== 'running') setFinishedRuns((n) => n + 1);
    } catch (err) {
      setRun(null);
      setError(err);
    }
  };

  const reset = () => {
    setRun(null);
    setFile(null);
    setError(null);
    if (fileRef.current !== null) fileRef.current.value = '';
    window.setTimeout(() => fileRef.current?.focus(), 0);
  };

  const busy = run !== null && run.phase !== 'finished';

  return (
    <section className="panel">
      <PageHeading>{t('import.title')}</PageHeading>
      <p>{t('import.intro')}</p>
      <div className="alert alert-warning" role="note" aria-labelledby="import-warning-title">
        <p id="import-warning-title" className="alert-title">
          {t('import.warningTitle')}
        </p>
        <p>{t('import.warningKem')}</p>
        <p>{t('import.warningCsv')}</p>
      </div>
      <div className="two-columns">
        <div>
          {error !== null && <ErrorAlert error={error} />}
          {finished === null ? (
            <form className="form" noValidate onSubmit={(event) => void onSubmit(event)} aria-busy={busy}>
              <div className="field">
                <label htmlFor="import-file">{t('import.file')}</label>
                <div id="import-file-hint" className="field-hint">
                  {t('import.fileHint')}
                </div>
                <input
                  ref={fileRef}
                  id="import-file"
                  className="input input-file"
                  type="file"
                  accept=".csv,.kem,.kem2,.zip,text/csv,application/zip"
                  aria-describedby={['import-file-hint', problems.file ? 'import-file-error' : null].filter(Boolean).join(' ')}
                  aria-invalid={problems.file ? true : undefined}
                  disabled={busy}
                  onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
                />
                {problems.file && (
                  <p id="import-file-error" className="field-error">
                    {problems.file}
                  </p>
                )}
              </div>
              <TextField
                id="import-password"
                label={t('import.password')}
                hint={t('import.passwordHint')}
                type="password"
                autoComplete="off"
                value={password}
                disabled={busy}
                onChange={(event) => setPassword(event.currentTarget.value)}
              />
              <div className="checkbox-field checkbox-field-tight">
                <input id="import-new-version" type="checkbox" checked={newVersion} disabled={busy} aria-describedby="import-new-version-hint" onChange={(event) => setNewVersion(event.currentTarget.checked)} />
                <span>
                  <label htmlFor="import-new-version">{t('import.newVersion')}</label>
                  <span id="import-new-version-hint" className="field-hint block">
                    {t('import.newVersionHint')}
                  </span>
                </span>
              </div>
              <TextField
                id="import-customer"
                label={t('import.customerNo')}
                hint={t('import.customerNoHint')}
                autoComplete="off"
                spellCheck={false}
                value={customerNo}
                disabled={busy}
                error={problems.customerNo ?? null}
                onChange={(event) => setCustomerNo(event.currentTarget.value)}
              />
              <TextField
                id="import-delivery-date"
                label={t('import.deliveryDate')}
                hint={t('import.deliveryDateHint')}
                type="date"
                value={deliveryDate}
                disabled={busy}
                onChange={(event) => setDeliveryDate(event.currentTarget.value)}
              />
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? t('import.uploading') : t('import.submit')}
              </button>
            </form>
          ) : (
            <ImportResult imp={finished} customerNo={run?.customerNo ?? ''} headingRef={resultRef} onAnother={reset} />
          )}
        </div>
        <aside className="side-panel" aria-labelledby="import-progress-title">
          <h2 id="import-progress-title">{t('import.progressTitle')}</h2>
          <ProgressBlock run={run} language={language} />
        </aside>
      </div>
      <RecentImports refresh={finishedRuns} />
    </section>
  );
}

function ProgressBlock({ run, language }: { run: Run | null; language: string }) {
  const { t } = useTranslation();
  const view = run === null ? null : progressView(run);
  let text: string;
  if (run === null) text = t('import.idle');
  else if (run.phase === 'uploading') text = t('import.phaseUpload', { done: formatBytes(run.sent, language), total: formatBytes(run.total, language) });
  else if (view?.text === 'waiting') text = t('import.phaseWaiting');
  else if (run.phase === 'importing')
    text = t('import.phaseImport', { done: formatBytes(run.import.bytesDone ?? 0, language), total: formatBytes(run.import.bytesTotal ?? 0, language), rows: formatNumber(run.import.rowsDone, language) });
  else if (view?.text === 'failed')
    text = t('import.phaseFailed', { done: formatBytes(run.import.bytesDone ?? 0, language), total: formatBytes(run.import.bytesTotal ?? 0, language), count: run.import.rowsDone });
  else text = t('import.succeededTitle');
  // The live region is always there, so the first change is announced too.
  return (
    <>
      {view !== null && (
        <>
          <label htmlFor="import-progress" className="progress-label">
            {t('import.progressLabel')}
          </label>
          {view.value === null ? (
            <progress id="import-progress" className="progress" aria-describedby="import-progress-text" />
          ) : (
            <progress id="import-progress" className={view.text === 'failed' ? 'progress progress-failed' : 'progress'} value={view.value} max={view.max} aria-describedby="import-progress-text" />
          )}
        </>
      )}
      <p id="import-progress-text" aria-live="polite" className={run === null ? 'progress-text muted' : view?.text === 'failed' ? 'progress-text progress-text-failed' : 'progress-text'}>
        {text}
      </p>
    </>
  );
}
