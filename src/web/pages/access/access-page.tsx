// "Superuser-Zugang" (docs/product.md flow 2, docs/superusers.md) for a signed-in user who is not an
// operator: ask for superuser access to a customer account, follow the requests (status, the
// reason of a rejection, the accounts an approval linked), withdraw an open one, and see the
// accounts the user is superuser of.
import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useApi } from '../../api/api-context.js';
import { createAccessRequest, listOwnCustomerAccounts, listOwnRequests, relations, withdrawRequest, type AccessRequest, type LinkedCustomer, type Relation } from '../../api/access-api.js';
import type { RequestOptions } from '../../api/client.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';
import { formatDateTime } from '../../components/format.js';
import { useLoaded } from '../../components/loaded.js';
import { PageHeading } from '../../components/page-heading.js';
import { TextField } from '../../components/text-field.js';
import { Link } from '../../router/router.js';
import { eksLink } from '../inventory/device-query.js';
import { askedFor, requestInput, requestProblems, serverRequestProblems, type RequestField, type RequestProblems, type RequestValues } from './access-fields.js';
import { StatusBadge } from './status-badge.js';

const empty: RequestValues = { customerNo: '', customerName: '', relation: null, comment: '' };
const order: RequestField[] = ['customerNo', 'customerName', 'relation', 'comment'];
const fieldId = (field: RequestField) => (field === 'relation' ? `access-relation-${relations[0]}` : `access-${field}`);

export function askedText(t: TFunction, request: { customerNo: string | null; customerName: string | null }): string {
  return askedFor(request) ?? t('accessVocabulary.unnamed');
}

export function AccessPage() {
  const { t } = useTranslation();
  const client = useApi();
  const fetchRequests = useCallback((options: RequestOptions) => listOwnRequests(client, options), [client]);
  const fetchAccounts = useCallback((options: RequestOptions) => listOwnCustomerAccounts(client, options), [client]);
  const [requests, setRequests] = useLoaded(fetchRequests);
  const [accounts] = useLoaded(fetchAccounts);
  const [notice, setNotice] = useState<string | null>(null);

  const replace = (updated: AccessRequest) => {
    if (requests.status !== 'ready') return;
    setRequests(requests.value.map((r) => (r.id === updated.id ? updated : r)));
  };
  const onCreated = (created: AccessRequest) => {
    setNotice(t('access.sent', { asked: askedText(t, created) }));
    setRequests([created, ...(requests.status === 'ready' ? requests.value : [])]);
  };

  return (
    <section className="panel">
      <PageHeading>{t('access.title')}</PageHeading>
      <p className="panel-intro">{t('access.intro')}</p>
      <div className="two-columns">
        <section aria-labelledby="access-form-title">
          <h2 id="access-form-title">{t('access.formTitle')}</h2>
          {notice !== null && <Notice>{notice}</Notice>}
          <RequestForm
            onCreated={onCreated}
            onStart={() => setNotice(null)}
          />
        </section>
        <section className="side-panel" aria-labelledby="access-accounts-title">
          <h2 id="access-accounts-title">{t('access.accountsTitle')}</h2>
          {accounts.status === 'loading' && <p role="status">{t('access.accountsLoading')}</p>}
          {accounts.status === 'failed' && <ErrorAlert error={accounts.error} />}
          {accounts.status === 'ready' && <OwnAccounts accounts={accounts.value} />}
          <p className="muted">{t('access.twoFactorNote')}</p>
        </section>
      </div>
      <section className="section" aria-labelledby="access-requests-title">
        <h2 id="access-requests-title">{t('access.requestsTitle')}</h2>
        {requests.status === 'loading' && <p role="status">{t('access.requestsLoading')}</p>}
        {requests.status === 'failed' && <ErrorAlert error={requests.error} />}
        {requests.status === 'ready' && <OwnRequests requests={requests.value} onChanged={replace} onNotice={setNotice} />}
      </section>
    </section>
  );
}

function RequestForm({ onCreated, onStart }: { onCreated: (created: AccessRequest) => void; onStart: () => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const [values, setValues] = useState<RequestValues>(empty);
  const [problems, setProblems] = useState<RequestProblems>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const focusFirst = (found: RequestProblems) => {
    const first = order.find((field) => found[field] !== undefined);
    if (first !== undefined) document.getElementById(fieldId(first))?.focus();
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onStart();
    const found = requestProblems(values);
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0 || values.relation === null) {
      focusFirst(found);
      return;
    }
    setBusy(true);
    try {
      const created = await createAccessRequest(client, requestInput({ ...values, relation: values.relation }));
      setValues(empty);
      onCreated(created);
    } catch (err) {
      const atFields = serverRequestProblems(err);
      setProblems(atFields);
      focusFirst(atFields);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const change = (field: 'customerNo' | 'customerName' | 'comment') => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setValues((previous) => ({ ...previous, [field]: value }));
  };
  const problem = (field: RequestField) => {
    const found = problems[field];
    return found === undefined ? null : t(`access.problems.${found}`);
  };
  const relationError = problem('relation');
  const commentError = problem('comment');

  return (
    <form className="form" noValidate onSubmit={(event) => void submit(event)}>
      {error !== null && <ErrorAlert error={error} />}
      <TextField
        id="access-customerNo"
        label={t('access.customerNo')}
        hint={t('access.customerNoHint')}
        value={values.customerNo}
        onChange={change('customerNo')}
        error={problem('customerNo')}
        autoComplete="off"
        spellCheck={false}
        maxLength={32}
      />
      <TextField id="access-customerName" label={t('access.customerName')} value={values.customerName} onChange={change('customerName')} error={problem('customerName')} autoComplete="organization" />
      <fieldset className="settings-group" aria-describedby={relationError !== null ? 'access-relation-error' : undefined}>
        <legend>{t('access.relation')}</legend>
        {relations.map((relation: Relation) => (
          <div key={relation} className="radio">
            <input
              id={`access-relation-${relation}`}
              type="radio"
              name="access-relation"
              value={relation}
              checked={values.relation === relation}
              aria-invalid={relationError !== null ? true : undefined}
              onChange={() => {
                setValues((previous) => ({ ...previous, relation }));
                setProblems((previous) => ({ ...previous, relation: undefined }));
              }}
            />
            <label htmlFor={`access-relation-${relation}`} className="radio-label">
              {t(`access.relations.${relation}`)}
            </label>
          </div>
        ))}
        {relationError !== null && (
          <p id="access-relation-error" className="field-error">
            {relationError}
          </p>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor="access-comment">{t('access.comment')}</label>
        <div id="access-comment-hint" className="field-hint">
          {t('access.commentHint')}
        </div>
        <textarea
          id="access-comment"
          className="input textarea-small"
          rows={3}
          value={values.comment}
          onChange={change('comment')}
          aria-invalid={commentError !== null ? true : undefined}
          aria-describedby={['access-comment-hint', commentError !== null ? 'access-comment-error' : null].filter(Boolean).join(' ')}
        />
        {commentError !== null && (
          <p id="access-comment-error" className="field-error">
            {commentError}
          </p>
        )}
      </div>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? t('access.submitting') : t('access.submit')}
      </button>
    </form>
  );
}

function OwnRequests({ requests, onChanged, onNotice }: { requests: AccessRequest[]; onChanged: (updated: AccessRequest) => void; onNotice: (text: string) => void }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const language = i18n.language;

  const onWithdraw = async (request: AccessRequest) => {
    setBusy(request.id);
    setError(null);
    try {
      const updated = await withdrawRequest(client, request.id);
      onChanged(updated);
      onNotice(t('access.withdrawn', { asked: askedText(t, updated) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  if (requests.length === 0) return <p className="empty-state">{t('access.requestsEmpty')}</p>;
  return (
    <>
      {error !== null && <ErrorAlert error={error} />}
      <div className="table-scroll" role="region" aria-labelledby="access-requests-caption" tabIndex={0}>
        <table className="table">
          <caption id="access-requests-caption">{t('access.requestsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('access.columns.asked')}</th>
              <th scope="col">{t('access.columns.relation')}</th>
              <th scope="col">{t('access.columns.date')}</th>
              <th scope="col">{t('access.columns.status')}</th>
              <th scope="col">{t('access.columns.outcome')}</th>
              <th scope="col">{t('access.columns.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((request) => {
              const asked = askedText(t, request);
              return (
                <tr key={request.id}>
                  <th scope="row" className="break">
                    {asked}
                    {request.comment !== null && <span className="cell-secondary pre-line">{request.comment}</span>}
                  </th>
                  <td>{t(`accessVocabulary.relation.${request.relation}`)}</td>
                  <td className="nowrap">{formatDateTime(request.createdAt, language)}</td>
                  <td>
                    <StatusBadge status={request.status} />
                  </td>
                  <td className="break">
                    {request.decidedAt !== null && <span className="cell-secondary">{t('access.decidedAt', { date: formatDateTime(request.decidedAt, language) })}</span>}
                    {request.status === 'rejected' && request.decisionReason !== null && <span className="pre-line">{t('access.reason', { reason: request.decisionReason })}</span>}
                    {request.status === 'approved' && request.decisionReason !== null && <span className="pre-line">{request.decisionReason}</span>}
                    {request.linkedCustomers.length > 0 && (
                      <>
                        <span>{t('access.linked')}</span>
                        <ul className="plain-list">
                          {request.linkedCustomers.map((customer) => (
                            <li key={customer.id}>
                              {customer.customerNo} {customer.name}
                            </li>
                          ))}
                        </ul>
                      </>
                    )}
                  </td>
                  <td>
                    {request.status === 'open' && (
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-label={t('access.withdrawLabel', { asked })}
                        aria-disabled={busy !== null}
                        onClick={() => {
                          if (busy === null) void onWithdraw(request);
                        }}
                      >
                        {busy === request.id ? t('access.withdrawing') : t('access.withdraw')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function OwnAccounts({ accounts }: { accounts: LinkedCustomer[] }) {
  const { t, i18n } = useTranslation();
  if (accounts.length === 0) return <p className="empty-state">{t('access.accountsEmpty')}</p>;
  return (
    <ul className="plain-list account-list" aria-labelledby="access-accounts-title">
      {accounts.map((account) => (
        <li key={account.id}>
          <strong>{account.customerNo}</strong> {account.name}
          <span className="cell-secondary">
            {t('access.accountSince', { date: formatDateTime(account.linkedAt, i18n.language) })} ·{' '}
            <Link to={eksLink({ customerNo: account.customerNo })} aria-label={t('access.showDevicesOf', { customerNo: account.customerNo })}>
              {t('access.showDevices')}
            </Link>
          </span>
        </li>
      ))}
    </ul>
  );
}
