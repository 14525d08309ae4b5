// Customer accounts (operators): search by number prefix or name, a paged list with device
// counts, and the form for a new account. The search term lives in the URL (`?q=`).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import type { RequestOptions } from '../../api/client.js';
import { createCustomer, listCustomers, type Customer } from '../../api/customers-api.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';
import { formatNumber } from '../../components/format.js';
import { PageHeading } from '../../components/page-heading.js';
import { PagedListFooter, usePagedList } from '../../components/paged-list.js';
import { Link, useRouter } from '../../router/router.js';
import { CustomerForm } from './customer-form.js';
import { eksLink } from './device-query.js';

const empty = { customerNo: '', name: '', contactEmail: '', notes: '' };

export function CustomersPage() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const { location, navigate } = useRouter();
  const q = new URLSearchParams(location.search).get('q')?.trim() ?? '';
  const [term, setTerm] = useState(q);
  const fetchPage = useCallback((cursor: string | null, options?: RequestOptions) => listCustomers(client, { q, cursor }, options), [client, q]);
  const { items, nextCursor, load, loadMore, reload } = usePagedList(fetchPage);
  const [created, setCreated] = useState<Customer | null>(null);

  useEffect(() => setTerm(q), [q]);

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = term.trim();
    navigate(value === '' ? '/customers' : `/customers?${new URLSearchParams({ q: value }).toString()}`);
  };

  const onCreate = async (input: Parameters<typeof createCustomer>[1]) => {
    setCreated(null);
    const customer = await createCustomer(client, input);
    setCreated(customer);
    reload();
    return empty;
  };

  const language = i18n.language;
  return (
    <section className="panel">
      <PageHeading>{t('customers.title')}</PageHeading>
      <p>{t('customers.intro')}</p>
      <div className="two-columns">
        <div>
          <form role="search" className="search-form" noValidate onSubmit={onSearch}>
            <div className="field">
              <label htmlFor="customers-q">{t('customers.search')}</label>
              <div id="customers-q-hint" className="field-hint">
                {t('customers.searchHint')}
              </div>
              <div className="search-row">
                <input id="customers-q" className="input" type="search" value={term} aria-describedby="customers-q-hint" onChange={(event) => setTerm(event.currentTarget.value)} />
                <button type="submit" className="button button-primary">
                  {t('customers.searchSubmit')}
                </button>
              </div>
            </div>
          </form>
          {load.status === 'loading' && <p role="status">{t('customers.loading')}</p>}
          {load.status === 'failed' && <ErrorAlert error={load.error} />}
          {load.status !== 'loading' && load.status !== 'failed' && items.length === 0 && <p className="empty-state">{q === '' ? t('customers.empty') : t('customers.emptySearch', { q })}</p>}
          {items.length > 0 && (
            <>
              <div className="table-scroll" role="region" aria-labelledby="customers-caption" tabIndex={0}>
                <table className="table">
                  <caption id="customers-caption">{t('customers.caption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('customers.columns.customerNo')}</th>
                      <th scope="col">{t('customers.columns.name')}</th>
                      <th scope="col">{t('customers.columns.contactEmail')}</th>
                      <th scope="col" className="numeric">
                        {t('customers.columns.deviceCount')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((customer) => (
                      <tr key={customer.id}>
                        <th scope="row" className="nowrap">
                          <Link to={`/customers/${encodeURIComponent(customer.id)}`}>{customer.customerNo}</Link>
                        </th>
                        <td>{customer.name}</td>
                        <td className="break">{customer.contactEmail ?? t('vocabulary.none')}</td>
                        <td className="numeric">
                          {customer.deviceCount === 0 ? (
                            '0'
                          ) : (
                            <Link to={eksLink({ customerNo: customer.customerNo })} aria-label={`${t('customers.devices', { count: customer.deviceCount })}: ${t('customers.showDevices')}`}>
                              {formatNumber(customer.deviceCount, language)}
                            </Link>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <PagedListFooter
                shown={nextCursor === null ? t('customers.shownAll', { count: items.length }) : t('customers.shown', { count: items.length })}
                hasMore={nextCursor !== null}
                busy={load.status === 'loadingMore'}
                more={t('customers.more')}
                moreBusy={t('customers.loadingMore')}
                onMore={() => void loadMore()}
              />
            </>
          )}
        </div>
        <section className="side-panel" aria-labelledby="customer-create-title">
          <h2 id="customer-create-title">{t('customers.createTitle')}</h2>
          {created !== null && (
            <Notice>
              {t('customers.created', { customerNo: created.customerNo, name: created.name })}
            </Notice>
          )}
          <CustomerForm idPrefix="customer-new" initial={empty} submitLabel={t('customers.create')} busyLabel={t('customers.creating')} onSubmit={onCreate} />
        </section>
      </div>
    </section>
  );
}
