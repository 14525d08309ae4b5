// "Superuser" (operators, docs/superusers.md): who is superuser of which customer account,
// filtered by an account (`?customerId=` in the URL, chosen through the customers search), a
// user linked by e-mail directly, and a link removed after asking once more.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { createSuperuserLink, deleteSuperuserLink, listSuperuserLinks, type CustomerRef, type SuperuserLink } from '../../api/access-api.js';
import { isApiError, type RequestOptions } from '../../api/client.js';
import { getCustomer } from '../../api/customers-api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';
import { formatDateTime } from '../../components/format.js';
import { PageHeading } from '../../components/page-heading.js';
import { PagedListFooter, usePagedList } from '../../components/paged-list.js';
import { TextField } from '../../components/text-field.js';
import { Link, useRouter } from '../../router/router.js';
import { linkProblems, serverLinkProblems, type LinkProblem } from './access-fields.js';
import { CustomerSearch } from './customer-search.js';

export function SuperusersPage() {
  const { t } = useTranslation();
  const client = useApi();
  const { location, navigate } = useRouter();
  const customerId = new URLSearchParams(location.search).get('customerId')?.trim() || null;
  const fetchPage = useCallback((cursor: string | null, options?: RequestOptions) => listSuperuserLinks(client, { customerId, cursor }, options), [client, customerId]);
  const { items, nextCursor, load, loadMore, reload } = usePagedList(fetchPage);
  const [filterCustomer, setFilterCustomer] = useState<CustomerRef | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState<SuperuserLink | null>(null);
  const [removeError, setRemoveError] = useState<unknown>(null);

  // The filter's account, for its label (from a link to this page, e.g. the customer page).
  useEffect(() => {
    if (customerId === null) {
      setFilterCustomer(null);
      return;
    }
    if (filterCustomer?.id === customerId) return;
    const controller = new AbortController();
    getCustomer(client, customerId, { signal: controller.signal }).then(
      (customer) => setFilterCustomer({ id: customer.id, customerNo: customer.customerNo, name: customer.name }),
      () => undefined,
    );
    return () => controller.abort();
  }, [client, customerId]);

  const onRemove = async (link: SuperuserLink) => {
    setRemoving(null);
    setRemoveError(null);
    setNotice(null);
    try {
      await deleteSuperuserLink(client, { customerId: link.customer.id, userId: link.user.id });
      setNotice(t('superusers.removed', { email: link.user.email, customerNo: link.customer.customerNo }));
      reload();
    } catch (err) {
      setRemoveError(err);
    }
  };

  const onLinked = (link: SuperuserLink) => {
    setNotice(t('superusers.linkedNotice', { email: link.user.email, customerNo: link.customer.customerNo }));
    reload();
  };

  return (
    <section className="panel">
      <PageHeading>{t('superusers.title')}</PageHeading>
      <p className="panel-intro">{t('superusers.intro')}</p>
      <div className="two-columns">
        <div>
          <section aria-labelledby="superusers-filter-title" className="filter-box">
            <h2 id="superusers-filter-title" className="section-heading">
              {t('superusers.filterTitle')}
            </h2>
            {customerId !== null ? (
              <p>
                {filterCustomer !== null ? t('superusers.filtered', { customerNo: filterCustomer.customerNo, name: filterCustomer.name }) : ''}{' '}
                <Link to="/superusers">{t('superusers.showAll')}</Link>
              </p>
            ) : (
              <CustomerSearch
                idPrefix="superusers-filter"
                label={t('superusers.customer')}
                hint={t('request.searchHint')}
                action={(customer) => ({ text: t('superusers.choose'), label: t('superusers.chooseLabel', { customerNo: customer.customerNo, name: customer.name }) })}
                onPick={(customer) => {
                  setFilterCustomer({ id: customer.id, customerNo: customer.customerNo, name: customer.name });
                  navigate(`/superusers?${new URLSearchParams({ customerId: customer.id }).toString()}`);
                }}
              />
            )}
          </section>
          {notice !== null && <Notice>{notice}</Notice>}
          {removeError !== null && <ErrorAlert error={removeError} />}
          {load.status === 'loading' && <p role="status">{t('superusers.loading')}</p>}
          {load.status === 'failed' && <ErrorAlert error={load.error} />}
          {load.status !== 'loading' && load.status !== 'failed' && items.length === 0 && <p className="empty-state">{customerId === null ? t('superusers.empty') : t('superusers.emptyFiltered')}</p>}
          {items.length > 0 && (
            <>
              <div className="table-scroll" role="region" aria-labelledby="superusers-caption" tabIndex={0}>
                <LinkTable items={items} onRemove={(link) => setRemoving(link)} />
              </div>
              <PagedListFooter
                shown={nextCursor === null ? t('superusers.shownAll', { count: items.length }) : t('superusers.shown', { count: items.length })}
                hasMore={nextCursor !== null}
                busy={load.status === 'loadingMore'}
                more={t('superusers.more')}
                moreBusy={t('superusers.loadingMore')}
                onMore={() => void loadMore()}
              />
            </>
          )}
        </div>
        <section className="side-panel" aria-labelledby="superusers-link-title">
          <h2 id="superusers-link-title">{t('superusers.linkTitle')}</h2>
          <p className="muted">{t('superusers.linkIntro')}</p>
          <LinkForm initialCustomer={customerId !== null ? filterCustomer : null} onLinked={onLinked} />
        </section>
      </div>
      {removing !== null && (
        <ConfirmDialog
          id="confirm-remove"
          title={t('superusers.confirmTitle')}
          text={t('superusers.confirmText', { email: removing.user.email, customerNo: removing.customer.customerNo, name: removing.customer.name })}
          confirmLabel={t('superusers.confirmRemove')}
          cancelLabel={t('superusers.cancel')}
          onConfirm={() => void onRemove(removing)}
          onClose={() => setRemoving(null)}
        />
      )}
    </section>
  );
}

function LinkTable({ items, onRemove }: { items: SuperuserLink[]; onRemove: (link: SuperuserLink) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <table className="table">
      <caption id="superusers-caption">{t('superusers.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('superusers.columns.customer')}</th>
          <th scope="col">{t('superusers.columns.user')}</th>
          <th scope="col">{t('superusers.columns.linked')}</th>
          <th scope="col">{t('superusers.columns.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((link) => (
          <tr key={`${link.customer.id}/${link.user.id}`}>
            <th scope="row" className="break">
              <Link to={`/customers/${encodeURIComponent(link.customer.id)}`}>{link.customer.customerNo}</Link>
              <span className="cell-secondary">{link.customer.name}</span>
            </th>
            <td className="break">
              {link.user.email}
              {link.user.name !== null && <span className="cell-secondary">{link.user.name}</span>}
            </td>
            <td>
              <span className="nowrap">
                {link.linkedBy !== null ? t('superusers.linkedBy', { date: formatDateTime(link.linkedAt, i18n.language), email: link.linkedBy.email }) : formatDateTime(link.linkedAt, i18n.language)}
              </span>
              {link.requestId !== null && (
                <span className="cell-secondary">
                  <Link to={`/access-requests/${encodeURIComponent(link.requestId)}`}>{t('superusers.fromRequest')}</Link>
                </span>
              )}
            </td>
            <td>
              <button
                type="button"
                className="button button-secondary button-small"
                aria-label={t('superusers.removeLabel', { email: link.user.email, customerNo: link.customer.customerNo })}
                onClick={() => onRemove(link)}
              >
                {t('superusers.remove')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LinkForm({ initialCustomer, onLinked }: { initialCustomer: CustomerRef | null; onLinked: (link: SuperuserLink) => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const [email, setEmail] = useState('');
  const [customer, setCustomer] = useState<CustomerRef | null>(initialCustomer);
  const [problems, setProblems] = useState<{ email?: LinkProblem; customer?: LinkProblem }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  // The page's filter suggests the account to link to.
  useEffect(() => {
    if (initialCustomer !== null) setCustomer(initialCustomer);
  }, [initialCustomer?.id]);

  const focusFirst = (found: { email?: LinkProblem; customer?: LinkProblem }) => {
    if (found.email !== undefined) document.getElementById('link-email')?.focus();
    else if (found.customer !== undefined) document.getElementById('link-customer-q')?.focus();
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = linkProblems({ email, customerId: customer?.id ?? null });
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0 || customer === null) {
      focusFirst(found);
      return;
    }
    setBusy(true);
    try {
      const link = await createSuperuserLink(client, { email: email.trim(), customerId: customer.id });
      setEmail('');
      onLinked(link);
    } catch (err) {
      const atFields = serverLinkProblems(err);
      setProblems(atFields);
      focusFirst(atFields);
      // A validation answer is said at its field; anything else (the link exists) above the form.
      if (Object.keys(atFields).length === 0 || !isApiError(err) || err.code !== 'validation_failed') setError(err);
    } finally {
      setBusy(false);
    }
  };

  const problemText = (problem: LinkProblem | undefined) => (problem === undefined ? null : t(`superusers.problems.${problem}`));
  return (
    <form className="form" noValidate onSubmit={(event) => void submit(event)}>
      {error !== null && <ErrorAlert error={error} />}
      <TextField
        id="link-email"
        label={t('superusers.email')}
        type="email"
        autoComplete="off"
        value={email}
        onChange={(event) => setEmail(event.currentTarget.value)}
        error={problemText(problems.email)}
        required
      />
      {customer !== null ? (
        <div className="field">
          <p id="link-customer-chosen" className="chosen">
            {t('superusers.chosen', { customerNo: customer.customerNo, name: customer.name })}
          </p>
          <button type="button" className="link-button" onClick={() => setCustomer(null)}>
            {t('superusers.change')}
          </button>
          {problems.customer !== undefined && <p className="field-error">{problemText(problems.customer)}</p>}
        </div>
      ) : (
        <CustomerSearch
          idPrefix="link-customer"
          label={t('superusers.customer')}
          hint={t('request.searchHint')}
          error={problemText(problems.customer)}
          action={(found) => ({ text: t('superusers.choose'), label: t('superusers.chooseLabel', { customerNo: found.customerNo, name: found.name }) })}
          onPick={(found) => {
            setCustomer({ id: found.id, customerNo: found.customerNo, name: found.name });
            setProblems((previous) => ({ ...previous, customer: undefined }));
          }}
        />
      )}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? t('superusers.linking') : t('superusers.link')}
      </button>
    </form>
  );
}
