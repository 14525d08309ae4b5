// Finding a customer account to pick (GET /api/customers?q=): used to add an account to an
// approval, to choose the account of a new superuser link, and to filter the links. It is no
// <form> of its own, so it may sit inside another form: Enter in the field searches.
import { useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { listCustomers, type Customer } from '../../api/customers-api.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { formatNumber } from '../../components/format.js';

const shownResults = 10;

type Search = { status: 'idle' } | { status: 'searching' } | { status: 'done'; q: string; items: Customer[] } | { status: 'failed'; error: unknown };

export function CustomerSearch(props: {
  idPrefix: string;
  label: string;
  hint?: string;
  /** The button of one result. */
  action: (customer: Customer) => { text: string; label: string; disabled?: boolean };
  onPick: (customer: Customer) => void;
  error?: string | null;
}) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const [term, setTerm] = useState('');
  const [search, setSearch] = useState<Search>({ status: 'idle' });
  const controller = useRef<AbortController | null>(null);
  const inputId = `${props.idPrefix}-q`;

  const run = async () => {
    const q = term.trim();
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setSearch({ status: 'searching' });
    try {
      const page = await listCustomers(client, { q, cursor: null }, { signal: current.signal });
      setSearch({ status: 'done', q, items: page.items.slice(0, shownResults) });
    } catch (error) {
      if (!current.signal.aborted) setSearch({ status: 'failed', error });
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    void run();
  };

  const describedBy = [props.hint !== undefined ? `${inputId}-hint` : null, props.error ? `${inputId}-error` : null].filter(Boolean).join(' ');
  return (
    <div className="customer-search">
      <div className="field">
        <label htmlFor={inputId}>
          {props.label}
        </label>
        {props.hint !== undefined && (
          <div id={`${inputId}-hint`} className="field-hint">
            {props.hint}
          </div>
        )}
        <div className="search-row">
          <input
            id={inputId}
            className="input"
            type="search"
            autoComplete="off"
            value={term}
            aria-describedby={describedBy || undefined}
            aria-invalid={props.error ? true : undefined}
            onChange={(event) => setTerm(event.currentTarget.value)}
            onKeyDown={onKeyDown}
          />
          <button type="button" className="button button-secondary" onClick={() => void run()} aria-disabled={search.status === 'searching'}>
            {search.status === 'searching' ? t('request.searching') : t('request.search')}
          </button>
        </div>
        {props.error && (
          <p id={`${inputId}-error`} className="field-error">
            {props.error}
          </p>
        )}
      </div>
      <div aria-live="polite">
        {search.status === 'failed' && <ErrorAlert error={search.error} />}
        {search.status === 'done' && search.items.length === 0 && <p className="muted">{t('request.searchEmpty', { q: search.q })}</p>}
        {search.status === 'done' && search.items.length > 0 && (
          <ul className="pick-list" aria-label={t('request.searchResults')}>
            {search.items.map((customer) => {
              const action = props.action(customer);
              return (
                <li key={customer.id} className="pick-item">
                  <span>
                    <strong>{customer.customerNo}</strong> {customer.name}{' '}
                    <span className="muted">· {t('request.deviceCount', { count: customer.deviceCount, formatted: formatNumber(customer.deviceCount, i18n.language) })}</span>
                  </span>
                  <button type="button" className="button button-secondary button-small" aria-label={action.label} disabled={action.disabled} onClick={() => props.onPick(customer)}>
                    {action.text}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </div>
  );
}
