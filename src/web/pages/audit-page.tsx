// "Protokoll" / "Audit trail" (docs/audit-trail.md): the records of the devices the user may see,
// operators all of them. The filters live in the URL (a device page links here with its id);
// paging goes forward with the server's cursor and back through the cursors it kept, as on EKS.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditRecordView, AuditTrailPageView } from '../../shared/api/audit.js';
import { useApi } from '../api/api-context.js';
import { auditCsvHref, auditFilterNames, listAuditTrail, type AuditFilter } from '../api/audit-api.js';
import { ErrorAlert } from '../components/error-alert.js';
import { formatDateTime } from '../components/format.js';
import { PageHeading } from '../components/page-heading.js';
import { Link, useRouter } from '../router/router.js';
import { currentCursor, firstPage, pageNumber, popCursor, pushCursor, type CursorStack } from './inventory/cursor-stack.js';

const PAGE_SIZE = 50;

/** The events the filter offers; the API takes any event of the catalogue. */
const offeredEvents = ['grant.create', 'grant.revoke', 'key.state_change', 'key.compromise_notice', 'telegram.check', 'invitation.send', 'invitation.accept', 'session.create', 'access.deny'];

type Rows = { status: 'loading' } | { status: 'ready'; page: AuditTrailPageView } | { status: 'failed'; error: unknown };

function readFilter(search: string): AuditFilter {
  const params = new URLSearchParams(search);
  const filter: AuditFilter = {};
  for (const name of auditFilterNames) {
    const value = params.get(name);
    if (value !== null && value !== '') filter[name] = value;
  }
  return filter;
}

export function AuditPage({ operator }: { operator: boolean }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const { location, navigate } = useRouter();
  const search = location.search;
  const filter = readFilter(search);
  const [paging, setPaging] = useState<{ search: string; stack: CursorStack }>({ search, stack: firstPage });
  const stack = paging.search === search ? paging.stack : firstPage;
  const cursor = currentCursor(stack);
  const [rows, setRows] = useState<Rows>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    setRows({ status: 'loading' });
    listAuditTrail(client, { filter, cursor, limit: PAGE_SIZE }, { signal: controller.signal }).then(
      (page) => setRows({ status: 'ready', page }),
      (error: unknown) => {
        if (!controller.signal.aborted) setRows({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [client, search, cursor]);

  const onSearch = (next: AuditFilter) => {
    const query = new URLSearchParams();
    for (const name of auditFilterNames) if (next[name]) query.set(name, next[name] ?? '');
    const text = query.toString();
    navigate(`/audit${text === '' ? '' : `?${text}`}`);
  };
  const canGoOn = rows.status === 'ready' && rows.page.nextCursor !== null;
  const canGoBack = stack.length > 1 && rows.status !== 'loading';
  const language = i18n.language;
  const eventText = useEventText();
  const items = rows.status === 'ready' ? rows.page.items : [];

  return (
    <section className="panel">
      <PageHeading>{t('trail.title')}</PageHeading>
      <p>{operator ? t('trail.introOperator') : t('trail.intro')}</p>
      <AuditFilterForm key={search} filter={filter} onSearch={onSearch} />
      <p>
        <a className="button button-secondary" href={auditCsvHref(filter)} download>
          {t('trail.csv')}
        </a>
      </p>
      {rows.status === 'failed' && <ErrorAlert error={rows.error} />}
      {rows.status === 'loading' && <p role="status">{t('trail.loading')}</p>}
      {rows.status === 'ready' && items.length === 0 && <p className="empty-state">{t('trail.empty')}</p>}
      {items.length > 0 && (
        <>
          <div className="table-scroll" role="region" aria-labelledby="audit-caption" tabIndex={0}>
            <table className="table">
              <caption id="audit-caption">{t('trail.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('trail.columns.at')}</th>
                  <th scope="col">{t('trail.columns.event')}</th>
                  <th scope="col">{t('trail.columns.actor')}</th>
                  <th scope="col">{t('trail.columns.ip')}</th>
                  <th scope="col">{t('trail.columns.device')}</th>
                  <th scope="col">{t('trail.columns.result')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <AuditRow key={item.seq} item={item} at={formatDateTime(item.at, language)} event={eventText(item.event)} />
                ))}
              </tbody>
            </table>
          </div>
          <nav className="table-footer" aria-label={t('trail.paging')}>
            <p className="muted">{t('trail.pageInfo', { page: pageNumber(stack) })}</p>
            <div className="pager">
              <button type="button" className="button button-secondary" aria-disabled={!canGoBack} onClick={() => canGoBack && setPaging({ search, stack: popCursor(stack) })}>
                {t('trail.previous')}
              </button>
              <button
                type="button"
                className="button button-secondary"
                aria-disabled={!canGoOn}
                onClick={() => rows.status === 'ready' && rows.page.nextCursor !== null && setPaging({ search, stack: pushCursor(stack, rows.page.nextCursor) })}
              >
                {t('trail.next')}
              </button>
            </div>
          </nav>
        </>
      )}
    </section>
  );
}

/** An event's label where the texts have one (`.` of the code as `_`), else its code. */
function useEventText() {
  const { t, i18n } = useTranslation();
  return (code: string) => {
    const key = `trail.events.${code.replace('.', '_')}`;
    return i18n.exists(key) ? t(key as 'trail.title') : code;
  };
}

function AuditRow({ item, at, event }: { item: AuditRecordView; at: string; event: string }) {
  const { t } = useTranslation();
  const result = item.result === 'allowed' || item.result === 'denied' || item.result === 'error' ? t(`trail.results.${item.result}`) : item.result;
  return (
    <tr>
      <td className="nowrap">{at}</td>
      <td>
        <span title={item.event}>{event}</span>
      </td>
      <td>{item.actor === null ? t('trail.service') : (item.actor.email ?? item.actor.id)}</td>
      <td className="nowrap">{item.ip ?? ''}</td>
      <td>{item.device === null ? '' : <Link to={`/eks/devices/${encodeURIComponent(item.device.id)}`}>{[item.device.manufacturer, item.device.serial].filter(Boolean).join(' ') || item.device.id}</Link>}</td>
      <td>{result}</td>
    </tr>
  );
}

function AuditFilterForm({ filter, onSearch }: { filter: AuditFilter; onSearch: (filter: AuditFilter) => void }) {
  const { t } = useTranslation();
  const eventText = useEventText();
  const [values, setValues] = useState<AuditFilter>(filter);
  const field = (name: 'device' | 'actor' | 'from' | 'to', type: string) => (
    <div className="field">
      <label htmlFor={`audit-filter-${name}`}>{t(`trail.${name}`)}</label>
      <input
        id={`audit-filter-${name}`}
        className="input"
        type={type}
        autoComplete="off"
        spellCheck={false}
        value={values[name] ?? ''}
        onChange={(event) => {
          const value = event.currentTarget.value;
          setValues((previous) => ({ ...previous, [name]: value }));
        }}
      />
    </div>
  );
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const cleaned: AuditFilter = {};
    for (const name of auditFilterNames) {
      const trimmed = values[name]?.trim();
      if (trimmed) cleaned[name] = trimmed;
    }
    onSearch(cleaned);
  };
  return (
    <form className="filter-form" role="search" aria-labelledby="audit-filter-title" noValidate onSubmit={onSubmit}>
      <h2 id="audit-filter-title" className="filter-title">
        {t('trail.filters')}
      </h2>
      <div className="filter-grid">
        {field('device', 'text')}
        {field('actor', 'email')}
        <div className="field">
          <label htmlFor="audit-filter-event">{t('trail.event')}</label>
          <select id="audit-filter-event" className="input" value={values.event ?? ''} onChange={(event) => setValues((previous) => ({ ...previous, event: event.currentTarget.value }))}>
            <option value="">{t('trail.anyEvent')}</option>
            {[...new Set([...offeredEvents, ...(filter.event === undefined ? [] : [filter.event])])].map((code) => (
              <option key={code} value={code}>
                {eventText(code)}
              </option>
            ))}
          </select>
        </div>
        {field('from', 'date')}
        {field('to', 'date')}
      </div>
      <div className="button-row">
        <button type="submit" className="button button-primary">
          {t('trail.search')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            setValues({});
            onSearch({});
          }}
        >
          {t('trail.reset')}
        </button>
      </div>
    </form>
  );
}
