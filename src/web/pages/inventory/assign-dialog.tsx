// "Leserechte zuordnen" / "Assign read rights" as the guide's screenshot shows it: the field
// "User email", "Cancel" and "Assign". A modal <dialog>: the browser keeps the focus inside,
// Escape cancels, focus starts in the field and returns to the opening button when it closes.
// A refusal stands at the field the server named; a changed selection shows the new count and
// offers to assign exactly that many.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { assignReadRights, type GrantResult } from '../../api/grants-api.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { formatNumber } from '../../components/format.js';
import { TextField } from '../../components/text-field.js';
import { selectionSize, toApiSelection, withCount, type Selection } from './device-selection.js';
import { assignProblem, emailProblem, type AssignProblem } from './grant-problems.js';

export function AssignDialog({
  selection,
  onAssigned,
  onSelectionChanged,
  onClose,
}: {
  selection: Selection;
  onAssigned: (result: GrantResult) => void;
  /** The server counted another number for "all matching": the page takes it over. */
  onSelectionChanged: (selection: Selection) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const ref = useRef<HTMLDialogElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const [email, setEmail] = useState('');
  const [problem, setProblem] = useState<AssignProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const language = i18n.language;
  const size = selectionSize(selection);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
  }, []);

  const send = async (sent: Selection) => {
    const body = toApiSelection(sent);
    if (body === null) return setProblem({ at: 'selection', key: 'selectionEmpty' });
    setBusy(true);
    try {
      const result = await assignReadRights(client, { selection: body, email: email.trim() });
      onAssigned(result);
      ref.current?.close();
    } catch (err) {
      const next = assignProblem(err);
      setProblem(next);
      setBusy(false);
      if (next.at === 'email') emailRef.current?.focus();
    }
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const local = emailProblem(email);
    setProblem(local);
    if (local !== null) return emailRef.current?.focus();
    void send(selection);
  };

  const onRetry = (count: number) => {
    const changed = withCount(selection, count);
    onSelectionChanged(changed);
    void send(changed);
  };

  const emailError =
    problem?.at !== 'email' ? null : 'code' in problem ? t(`errorCodes.${problem.code}`) : t(`assign.${problem.key}`);

  return (
    <dialog ref={ref} className="dialog dialog-small" aria-labelledby="assign-title" aria-describedby="assign-intro" onClose={onClose}>
      <h2 id="assign-title">{t('assign.title')}</h2>
      <p id="assign-intro">{t('assign.intro', { count: size, formatted: formatNumber(size, language) })}</p>
      {problem?.at === 'selection' && 'changedTo' in problem && (
        <div role="alert" className="alert alert-error">
          <p>{t('assign.changed', { count: problem.changedTo, formatted: formatNumber(problem.changedTo, language) })}</p>
          {problem.changedTo > 0 && (
            <button type="button" className="button button-secondary" disabled={busy} onClick={() => onRetry(problem.changedTo)}>
              {t('assign.retry', { count: problem.changedTo, formatted: formatNumber(problem.changedTo, language) })}
            </button>
          )}
        </div>
      )}
      {problem?.at === 'selection' && 'key' in problem && (
        <div role="alert" className="alert alert-error">
          <p>{t(`assign.${problem.key}`)}</p>
        </div>
      )}
      {problem?.at === 'form' && <ErrorAlert error={problem.error} />}
      <form noValidate onSubmit={onSubmit} className="form">
        <TextField
          ref={emailRef}
          id="assign-email"
          label={t('assign.email')}
          type="email"
          autoComplete="off"
          placeholder="abc@example.com"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={emailError}
          maxLength={254}
          autoFocus
        />
        <div className="button-row">
          <button type="button" className="button button-secondary" onClick={() => ref.current?.close()}>
            {t('assign.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('assign.submitting') : t('assign.submit')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
