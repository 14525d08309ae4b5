// One mail of the outbox in a modal <dialog>: the browser traps focus, closes on Escape and
// returns focus to the button that opened it. Its details only: the API never answers with what a
// mail says, since it can hold someone else's one-time link (issue 11, item 2).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context.js';
import { getOutboxMessage, type OutboxMessage } from '../api/outbox-api.js';
import { ErrorAlert } from '../components/error-alert.js';
import { formatDateTime } from '../components/format.js';
import { useStatusText } from './outbox-status.js';

type State = { status: 'loading' } | { status: 'ready'; message: OutboxMessage } | { status: 'failed'; error: unknown };

export function OutboxMessageDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const statusText = useStatusText();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [state, setState] = useState<State>({ status: 'loading' });

  useEffect(() => {
    const dialog = dialogRef.current;
    // No cleanup: removing the element on unmount ends the modal state by itself.
    if (dialog !== null && !dialog.open) dialog.showModal();
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    getOutboxMessage(client, id, { signal: controller.signal }).then(
      (message) => setState({ status: 'ready', message }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [client, id]);

  const message = state.status === 'ready' ? state.message : null;
  const language = i18n.language;

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby="outbox-message-title" onClose={onClose}>
      <div className="dialog-header">
        <h2 id="outbox-message-title">{message?.subject ?? t('outbox.message.title')}</h2>
        <button type="button" className="button button-secondary" onClick={() => dialogRef.current?.close()}>
          {t('outbox.message.close')}
        </button>
      </div>
      {state.status === 'loading' && <p role="status">{t('outbox.message.loading')}</p>}
      {state.status === 'failed' && <ErrorAlert error={state.error} />}
      {message !== null && (
        <>
          <dl className="meta">
            <dt>{t('outbox.message.to')}</dt>
            <dd className="break">{message.recipient}</dd>
            <dt>{t('outbox.columns.status')}</dt>
            <dd>{statusText(message.status)}</dd>
            <dt>{t('outbox.columns.attempts')}</dt>
            <dd>{message.attempts}</dd>
            <dt>{t('outbox.columns.createdAt')}</dt>
            <dd>{formatDateTime(message.createdAt, language)}</dd>
            <dt>{t('outbox.columns.sentAt')}</dt>
            <dd>{message.sentAt === null ? t('outbox.notSent') : formatDateTime(message.sentAt, language)}</dd>
            <dt>{t('outbox.columns.template')}</dt>
            <dd>
              <code>{message.template}</code> ({message.language})
            </dd>
            <dt>{t('outbox.message.oneTimeLink')}</dt>
            <dd>{message.oneTimeLink ? t('outbox.message.oneTimeLinkYes') : t('outbox.message.oneTimeLinkNo')}</dd>
            {message.lastError !== null && (
              <>
                <dt>{t('outbox.message.lastError')}</dt>
                <dd className="break">{message.lastError}</dd>
              </>
            )}
          </dl>
          <p>{t('outbox.message.noBody')}</p>
        </>
      )}
    </dialog>
  );
}
