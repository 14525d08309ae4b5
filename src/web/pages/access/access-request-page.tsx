// One superuser request (operators): what was asked and why, the matching customer accounts as
// checkboxes (the number's match pre-checked) plus any account found by searching, approve or
// reject with a reason; a decided request shows who decided when, why, and what was linked.
import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { approveRequest, getQueuedRequest, rejectRequest, type CustomerRef, type QueuedRequest } from '../../api/access-api.js';
import { isApiError, type RequestOptions } from '../../api/client.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';
import { characterCount, formatDateTime, formatNumber } from '../../components/format.js';
import { NotLoadedPanel, useLoaded } from '../../components/loaded.js';
import { PageHeading } from '../../components/page-heading.js';
import { Link } from '../../router/router.js';
import { approvalCandidates, initialSelection, orderedSelection, reasonMaxLength } from './access-fields.js';
import { waitedText } from './access-requests-page.js';
import { CustomerSearch } from './customer-search.js';
import { StatusBadge } from './status-badge.js';

const maxAccounts = 50;

type Outcome = { kind: 'approved' | 'rejected'; request: QueuedRequest } | null;

export function AccessRequestPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const fetchOne = useCallback((options: RequestOptions) => getQueuedRequest(client, id, options), [client, id]);
  const [load, setRequest] = useLoaded(fetchOne);
  const [outcome, setOutcome] = useState<Outcome>(null);

  if (load.status !== 'ready') {
    return <NotLoadedPanel load={load} className="panel panel-wide" title={t('request.titlePlain')} loading={t('request.loading')} back={{ to: '/access-requests', label: t('request.back') }} />;
  }
  const request = load.value;
  const language = i18n.language;
  const onDecided = (kind: 'approved' | 'rejected', updated: QueuedRequest) => {
    setRequest(updated);
    setOutcome({ kind, request: updated });
  };
  const none = t('request.none');

  return (
    <section className="panel panel-wide">
      <p className="breadcrumb">
        <Link to="/access-requests">{t('request.back')}</Link>
      </p>
      <PageHeading>{t('request.title', { email: request.requester.email })}</PageHeading>
      <dl className="meta">
        <dt>{t('request.requester')}</dt>
        <dd>
          {request.requester.email}
          {request.requester.name !== null && ` (${request.requester.name})`}
        </dd>
        <dt>{t('request.customerNo')}</dt>
        <dd>{request.customerNo ?? none}</dd>
        <dt>{t('request.customerName')}</dt>
        <dd>{request.customerName ?? none}</dd>
        <dt>{t('request.relation')}</dt>
        <dd>{t(`accessVocabulary.relation.${request.relation}`)}</dd>
        <dt>{t('request.comment')}</dt>
        <dd className="pre-line">{request.comment ?? none}</dd>
        <dt>{t('request.received')}</dt>
        <dd>
          {formatDateTime(request.createdAt, language)}
          {request.status === 'open' && ` · ${waitedText(t, request.createdAt, new Date())}`}
        </dd>
        <dt>{t('request.status')}</dt>
        <dd>
          <StatusBadge status={request.status} />
        </dd>
      </dl>
      {outcome !== null && (
        <Notice>
          {outcome.kind === 'approved'
            ? t('request.approvedNotice', { email: outcome.request.requester.email, customers: outcome.request.linkedCustomers.map((c) => `${c.customerNo} ${c.name}`).join(', ') })
            : t('request.rejectedNotice', { email: outcome.request.requester.email })}
        </Notice>
      )}
      {request.status === 'open' ? (
        <Decide key={request.id} request={request} onDecided={onDecided} onStale={() => void getQueuedRequest(client, id).then(setRequest, () => undefined)} />
      ) : (
        <Decided request={request} />
      )}
    </section>
  );
}

function Decided({ request }: { request: QueuedRequest }) {
  const { t, i18n } = useTranslation();
  const date = request.decidedAt === null ? t('request.none') : formatDateTime(request.decidedAt, i18n.language);
  return (
    <section className="section" aria-labelledby="decision-title">
      <h2 id="decision-title">{t('request.decisionTitle')}</h2>
      {request.status === 'withdrawn' && <p>{t('request.withdrawnNote')}</p>}
      <p>{request.decidedBy !== null && request.status !== 'withdrawn' ? t('request.decidedBy', { email: request.decidedBy.email, date }) : t('request.decidedAt', { date })}</p>
      {request.decisionReason !== null && (
        <dl className="meta">
          <dt>{request.status === 'approved' ? t('request.noteShown') : t('request.reason')}</dt>
          <dd className="pre-line">{request.decisionReason}</dd>
        </dl>
      )}
      {request.linkedCustomers.length > 0 && (
        <>
          <h3 className="section-heading">{t('request.linked')}</h3>
          <ul className="plain-list">
            {request.linkedCustomers.map((customer) => (
              <li key={customer.id}>
                <Link to={`/customers/${encodeURIComponent(customer.id)}`}>{customer.customerNo}</Link> {customer.name}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Decide({ request, onDecided, onStale }: { request: QueuedRequest; onDecided: (kind: 'approved' | 'rejected', updated: QueuedRequest) => void; onStale: () => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const fail = (err: unknown) => {
    setError(err);
    // Someone else decided meanwhile (or the user withdrew): show the request as it is now.
    if (isApiError(err) && err.code === 'access_request_decided') onStale();
  };
  return (
    <section className="section" aria-labelledby="decision-title">
      <h2 id="decision-title">{t('request.decisionTitle')}</h2>
      {error !== null && <ErrorAlert error={error} />}
      <div className="decision-forms">
        <ApproveForm request={request} onDecided={(updated) => onDecided('approved', updated)} onStart={() => setError(null)} onFailed={fail} />
        <RejectForm request={request} onDecided={(updated) => onDecided('rejected', updated)} onStart={() => setError(null)} onFailed={fail} />
      </div>
    </section>
  );
}

function ApproveForm({ request, onDecided, onStart, onFailed }: { request: QueuedRequest; onDecided: (updated: QueuedRequest) => void; onStart: () => void; onFailed: (err: unknown) => void }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const [added, setAdded] = useState<CustomerRef[]>([]);
  const [selected, setSelected] = useState<Set<string>>(() => new Set(initialSelection(request.matches)));
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [noteProblem, setNoteProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const candidates = approvalCandidates(request.matches, added);
  const language = i18n.language;

  const toggle = (customerId: string, on: boolean) => {
    setProblem(null);
    setSelected((previous) => {
      const next = new Set(previous);
      if (on) next.add(customerId);
      else next.delete(customerId);
      return next;
    });
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onStart();
    const customerIds = orderedSelection(candidates, selected);
    const found = customerIds.length === 0 ? t('request.chooseAccount') : customerIds.length > maxAccounts ? t('request.tooManyAccounts') : null;
    const noteFound = characterCount(note.trim()) > reasonMaxLength ? t('request.reasonTooLong') : null;
    setProblem(found);
    setNoteProblem(noteFound);
    if (found !== null) {
      document.getElementById(candidates[0] ? `approve-${candidates[0].customer.id}` : 'approve-search-q')?.focus();
      return;
    }
    if (noteFound !== null) {
      document.getElementById('approve-note')?.focus();
      return;
    }
    setBusy(true);
    try {
      onDecided(await approveRequest(client, request.id, { customerIds, note: note.trim() === '' ? null : note.trim() }));
    } catch (err) {
      if (isApiError(err) && err.code === 'validation_failed' && err.details.some((d) => d.field.startsWith('customerIds'))) setProblem(t('request.unknownAccount'));
      if (isApiError(err) && err.code === 'validation_failed' && err.details.some((d) => d.field.endsWith('note'))) setNoteProblem(t('request.reasonTooLong'));
      onFailed(err);
    } finally {
      setBusy(false);
    }
  };

  const sourceText = { number: t('request.matchNumber'), name: t('request.matchName'), search: t('request.matchSearch') };
  return (
    <form className="form decision-form" noValidate aria-labelledby="approve-title" onSubmit={(event) => void submit(event)}>
      <h3 id="approve-title" className="section-heading">
        {t('request.approveTitle')}
      </h3>
      <p className="muted">{t('request.approveIntro', { email: request.requester.email })}</p>
      <fieldset className="settings-group" aria-describedby={problem !== null ? 'approve-accounts-error' : undefined}>
        <legend>{t('request.accounts')}</legend>
        {candidates.length === 0 && <p className="muted">{t('request.noCandidates')}</p>}
        {candidates.map(({ customer, source }) => {
          const inputId = `approve-${customer.id}`;
          return (
            <div key={customer.id} className="checkbox-field checkbox-field-tight">
              <input
                id={inputId}
                type="checkbox"
                checked={selected.has(customer.id)}
                aria-describedby={`${inputId}-hint`}
                aria-invalid={problem !== null ? true : undefined}
                onChange={(event) => toggle(customer.id, event.currentTarget.checked)}
              />
              <div>
                <label htmlFor={inputId}>
                  {customer.customerNo} {customer.name}
                </label>
                <span id={`${inputId}-hint`} className="field-hint radio-hint">
                  {sourceText[source]}
                  {customer.deviceCount !== undefined && ` · ${t('request.deviceCount', { count: customer.deviceCount, formatted: formatNumber(customer.deviceCount, language) })}`}
                </span>
              </div>
            </div>
          );
        })}
        {problem !== null && (
          <p id="approve-accounts-error" className="field-error">
            {problem}
          </p>
        )}
      </fieldset>
      <CustomerSearch
        idPrefix="approve-search"
        label={t('request.searchLabel')}
        hint={t('request.searchHint')}
        action={(customer) => {
          const offered = candidates.some((c) => c.customer.id === customer.id && selected.has(customer.id));
          return { text: offered ? t('request.added') : t('request.add'), label: t('request.addLabel', { customerNo: customer.customerNo, name: customer.name }), disabled: offered };
        }}
        onPick={(customer) => {
          setAdded((previous) => (previous.some((c) => c.id === customer.id) ? previous : [...previous, { id: customer.id, customerNo: customer.customerNo, name: customer.name }]));
          toggle(customer.id, true);
        }}
      />
      <div className="field">
        <label htmlFor="approve-note">{t('request.note')}</label>
        <div id="approve-note-hint" className="field-hint">
          {t('request.noteHint')}
        </div>
        <textarea
          id="approve-note"
          className="input textarea-small"
          rows={2}
          value={note}
          aria-invalid={noteProblem !== null ? true : undefined}
          aria-describedby={['approve-note-hint', noteProblem !== null ? 'approve-note-error' : null].filter(Boolean).join(' ')}
          onChange={(event) => setNote(event.currentTarget.value)}
        />
        {noteProblem !== null && (
          <p id="approve-note-error" className="field-error">
            {noteProblem}
          </p>
        )}
      </div>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? t('request.approving') : t('request.approve')}
      </button>
    </form>
  );
}

function RejectForm({ request, onDecided, onStart, onFailed }: { request: QueuedRequest; onDecided: (updated: QueuedRequest) => void; onStart: () => void; onFailed: (err: unknown) => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onStart();
    const text = reason.trim();
    const found = text === '' ? t('request.reasonRequired') : characterCount(text) > reasonMaxLength ? t('request.reasonTooLong') : null;
    setProblem(found);
    if (found !== null) {
      document.getElementById('reject-reason')?.focus();
      return;
    }
    setBusy(true);
    try {
      onDecided(await rejectRequest(client, request.id, text));
    } catch (err) {
      if (isApiError(err) && err.code === 'validation_failed' && err.details.some((d) => d.field.endsWith('reason'))) setProblem(t('request.reasonTooLong'));
      onFailed(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form decision-form" noValidate aria-labelledby="reject-title" onSubmit={(event) => void submit(event)}>
      <h3 id="reject-title" className="section-heading">
        {t('request.rejectTitle')}
      </h3>
      <div className="field">
        <label htmlFor="reject-reason">{t('request.rejectReason')} *</label>
        <div id="reject-reason-hint" className="field-hint">
          {t('request.rejectReasonHint')}
        </div>
        <textarea
          id="reject-reason"
          className="input textarea-small"
          rows={3}
          required
          value={reason}
          aria-invalid={problem !== null ? true : undefined}
          aria-describedby={['reject-reason-hint', problem !== null ? 'reject-reason-error' : null].filter(Boolean).join(' ')}
          onChange={(event) => {
            setReason(event.currentTarget.value);
            if (problem !== null) setProblem(null);
          }}
        />
        {problem !== null && (
          <p id="reject-reason-error" className="field-error">
            {problem}
          </p>
        )}
      </div>
      <button type="submit" className="button button-danger" disabled={busy}>
        {busy ? t('request.rejecting') : t('request.reject')}
      </button>
    </form>
  );
}
