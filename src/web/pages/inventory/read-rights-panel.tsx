// "Leserechte bearbeiten" / "Edit read rights" (docs/grants.md): who can read the selected
// devices — per reader the e-mail and name, how many of the selected devices, since when, granted
// by whom, pending invitation or active — with "Remove" (from the selection, or everything of that
// reader), and "Assign", which opens the guide's dialog. It reloads after every change it makes.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { listReaders, revokeReadRights, type GrantResult, type Reader, type Readers } from '../../api/grants-api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';
import { formatDateTime, formatNumber } from '../../components/format.js';
import { AssignDialog } from './assign-dialog.js';
import { selectionSize, toApiSelection, withCount, type Selection } from './device-selection.js';
import { assignProblem } from './grant-problems.js';

type Load = { status: 'loading' } | { status: 'ready'; readers: Readers } | { status: 'failed'; error: unknown };
type Removal = { reader: Reader; everything: boolean };

export function ReadRightsPanel({
  selection,
  onChanged,
  onSelectionChanged,
  onClose,
}: {
  selection: Selection;
  /** Read rights changed: the device list reloads its reader counts. */
  onChanged: () => void;
  onSelectionChanged: (selection: Selection) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const language = i18n.language;
  const body = toApiSelection(selection);
  const bodyKey = JSON.stringify(body);
  const [version, setVersion] = useState(0);
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [assigning, setAssigning] = useState(false);
  const [removal, setRemoval] = useState<Removal | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const assignButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    if (body === null) return;
    const controller = new AbortController();
    setLoad({ status: 'loading' });
    listReaders(client, body, { signal: controller.signal }).then(
      (readers) => setLoad({ status: 'ready', readers }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ status: 'failed', error });
      },
    );
    return () => controller.abort();
    // The body's JSON stands for the selection: a new object with the same content loads nothing.
  }, [client, bodyKey, version]);

  const changed = (text: string) => {
    setNotice(text);
    setFailure(null);
    setVersion((v) => v + 1);
    onChanged();
  };

  const onAssigned = (result: GrantResult) => {
    const granted = t('assign.granted', { count: result.granted, formatted: formatNumber(result.granted, language), email: result.reader.email });
    const invited = result.reader.status === 'invited' ? ` ${t('assign.invited')}` : '';
    const already = result.alreadyGranted > 0 ? ` ${t('assign.already', { count: result.alreadyGranted, formatted: formatNumber(result.alreadyGranted, language) })}` : '';
    changed(`${granted}${invited}.${already}`);
  };

  const onRemove = async ({ reader, everything }: Removal) => {
    setRemoval(null);
    // The confirmation is gone with the row's button behind it: focus goes to the panel's heading.
    heading.current?.focus();
    try {
      const selected = everything ? null : toApiSelection(selection);
      const result = await revokeReadRights(client, { readerId: reader.readerId, ...(selected === null ? {} : { selection: selected }) });
      changed(t('readers.removed', { count: result.revoked, formatted: formatNumber(result.revoked, language), email: reader.email }));
    } catch (err) {
      setNotice(null);
      setFailure(err);
      setVersion((v) => v + 1);
    }
  };

  const size = selectionSize(selection);
  const selected = load.status === 'ready' ? load.readers.selected : size;

  return (
    <section className="read-rights" aria-labelledby="read-rights-title">
      <div className="dialog-header">
        <h2 id="read-rights-title" ref={heading} tabIndex={-1}>
          {t('readers.title')}
        </h2>
        <button type="button" className="button button-secondary" onClick={onClose}>
          {t('readers.close')}
        </button>
      </div>
      <p>{t('readers.intro', { count: selected, formatted: formatNumber(selected, language) })}</p>
      {notice !== null && <Notice>{notice}</Notice>}
      {failure !== null && <Failure error={failure} onTake={(count) => onSelectionChanged(withCount(selection, count))} />}
      {load.status === 'loading' && <p role="status">{t('readers.loading')}</p>}
      {load.status === 'failed' && <Failure error={load.error} onTake={(count) => onSelectionChanged(withCount(selection, count))} />}
      {load.status === 'ready' && load.readers.items.length === 0 && <p className="empty-state">{t('readers.none')}</p>}
      {load.status === 'ready' && load.readers.items.length > 0 && (
        <div className="table-scroll" role="region" aria-labelledby="readers-caption" tabIndex={0}>
          <table className="table">
            <caption id="readers-caption">{t('readers.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('readers.columns.email')}</th>
                <th scope="col">{t('readers.columns.devices')}</th>
                <th scope="col">{t('readers.columns.since')}</th>
                <th scope="col">{t('readers.columns.grantedBy')}</th>
                <th scope="col">{t('readers.columns.status')}</th>
                <th scope="col">{t('readers.columns.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {load.readers.items.map((reader) => (
                <tr key={reader.readerId}>
                  <th scope="row">
                    <span className="nowrap">{reader.email}</span>
                    <span className="cell-secondary">{reader.name ?? t('readers.unnamed')}</span>
                  </th>
                  <td className="nowrap">
                    {t('readers.devicesOf', { devices: formatNumber(reader.devices, language), selected: formatNumber(load.readers.selected, language) })}
                  </td>
                  <td className="nowrap">{formatDateTime(reader.since, language)}</td>
                  <td>{reader.grantedBy === null ? t('readers.grantedByNobody') : reader.grantedBy.name === null ? reader.grantedBy.email : `${reader.grantedBy.name} (${reader.grantedBy.email})`}</td>
                  <td>
                    <span className={reader.status === 'active' ? 'badge badge-ok' : 'badge badge-open'}>{t(`readers.status.${reader.status}`)}</span>
                  </td>
                  <td>
                    <div className="button-row button-row-tight">
                      <button type="button" className="button button-secondary" aria-label={t('readers.removeLabel', { email: reader.email })} onClick={() => setRemoval({ reader, everything: false })}>
                        {t('readers.remove')}
                      </button>
                      <button type="button" className="button button-secondary" aria-label={t('readers.removeAllLabel', { email: reader.email })} onClick={() => setRemoval({ reader, everything: true })}>
                        {t('readers.removeAll')}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="button-row">
        <button ref={assignButton} type="button" className="button button-primary" onClick={() => setAssigning(true)}>
          {t('readers.assign')}
        </button>
      </div>
      {assigning && (
        <AssignDialog
          selection={selection}
          onAssigned={onAssigned}
          onSelectionChanged={onSelectionChanged}
          onClose={() => {
            setAssigning(false);
            assignButton.current?.focus();
          }}
        />
      )}
      {removal !== null && (
        <ConfirmDialog
          id="remove-reader"
          title={t(removal.everything ? 'readers.removeAllTitle' : 'readers.removeTitle')}
          text={t(removal.everything ? 'readers.removeAllText' : 'readers.removeText', { email: removal.reader.email })}
          confirmLabel={t('readers.removeConfirm')}
          cancelLabel={t('readers.cancel')}
          onConfirm={() => void onRemove(removal)}
          onClose={() => setRemoval(null)}
        />
      )}
    </section>
  );
}

/** A refusal; for "all matching" whose count changed meanwhile, the new count and a way to take it over. */
function Failure({ error, onTake }: { error: unknown; onTake: (count: number) => void }) {
  const { t, i18n } = useTranslation();
  const problem = assignProblem(error);
  if (problem.at !== 'selection' || !('changedTo' in problem)) return <ErrorAlert error={error} />;
  const formatted = formatNumber(problem.changedTo, i18n.language);
  return (
    <div role="alert" className="alert alert-error">
      <p>{t('readers.changed', { count: problem.changedTo, formatted })}</p>
      <button type="button" className="button button-secondary" onClick={() => onTake(problem.changedTo)}>
        {t('readers.takeCount', { count: problem.changedTo, formatted })}
      </button>
    </div>
  );
}
