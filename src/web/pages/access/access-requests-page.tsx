// "Anfragen" (operators, docs/superusers.md): the queue of superuser requests by status, open
// first and oldest first, with who asks, what for, the accounts that match and how long it has
// waited. The status lives in the URL (`?status=`).
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useApi } from '../../api/api-context.js';
import { listQueue, requestStatuses, type QueuedRequest, type RequestStatus } from '../../api/access-api.js';
import type { RequestOptions } from '../../api/client.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { formatDateTime, formatNumber } from '../../components/format.js';
import { PageHeading } from '../../components/page-heading.js';
import { PagedListFooter, usePagedList } from '../../components/paged-list.js';
import { Link, useRouter } from '../../router/router.js';
import { numberMatch, waitedFor } from './access-fields.js';
import { askedText } from './access-page.js';

export function statusOf(search: string): RequestStatus {
  const value = new URLSearchParams(search).get('status');
  return requestStatuses.find((status) => status === value) ?? 'open';
}

const queueLink = (status: RequestStatus) => (status === 'open' ? '/access-requests' : `/access-requests?status=${status}`);

export function waitedText(t: TFunction, createdAt: string, now: Date): string {
  const waited = waitedFor(createdAt, now);
  return waited === null ? t('accessVocabulary.waited.now') : t(`accessVocabulary.waited.${waited.unit}`, { count: waited.count });
}

export function AccessRequestsPage() {
  const { t } = useTranslation();
  const client = useApi();
  const { location } = useRouter();
  const status = statusOf(location.search);
  const fetchPage = useCallback((cursor: string | null, options?: RequestOptions) => listQueue(client, { status, cursor }, options), [client, status]);
  const { items, nextCursor, load, loadMore } = usePagedList(fetchPage);
  const statusText = t(`accessVocabulary.status.${status}`);

  return (
    <section className="panel">
      <PageHeading>{t('queue.title')}</PageHeading>
      <p className="panel-intro">{t('queue.intro')}</p>
      <nav className="tabs" aria-label={t('queue.statusLabel')}>
        <ul>
          {requestStatuses.map((s) => (
            <li key={s}>
              <Link to={queueLink(s)} className="tab" aria-current={s === status ? 'page' : undefined}>
                {t(`accessVocabulary.status.${s}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {load.status === 'loading' && <p role="status">{t('queue.loading')}</p>}
      {load.status === 'failed' && <ErrorAlert error={load.error} />}
      {load.status !== 'loading' && load.status !== 'failed' && items.length === 0 && <p className="empty-state">{t(`queue.empty.${status}`)}</p>}
      {items.length > 0 && (
        <>
          <div className="table-scroll" role="region" aria-labelledby="queue-caption" tabIndex={0}>
            <table className="table">
              <caption id="queue-caption">{t('queue.caption', { status: statusText })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('queue.columns.requester')}</th>
                  <th scope="col">{t('queue.columns.asked')}</th>
                  <th scope="col">{t('queue.columns.matches')}</th>
                  <th scope="col">{status === 'open' ? t('queue.columns.waited') : t('queue.columns.decided')}</th>
                  <th scope="col">{t('queue.columns.action')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((request) => (
                  <QueueRow key={request.id} request={request} />
                ))}
              </tbody>
            </table>
          </div>
          <PagedListFooter
            shown={nextCursor === null ? t('queue.shownAll', { count: items.length }) : t('queue.shown', { count: items.length })}
            hasMore={nextCursor !== null}
            busy={load.status === 'loadingMore'}
            more={t('queue.more')}
            moreBusy={t('queue.loadingMore')}
            onMore={() => void loadMore()}
          />
        </>
      )}
    </section>
  );
}

function QueueRow({ request }: { request: QueuedRequest }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const match = numberMatch(request);
  const open = request.status === 'open';
  return (
    <tr data-request={request.id}>
      <th scope="row" className="break">
        {request.requester.email}
        <span className="cell-secondary">{request.requester.name ?? t('queue.noName')}</span>
      </th>
      <td className="break">
        {askedText(t, request)}
        <span className="cell-secondary">{t(`accessVocabulary.relation.${request.relation}`)}</span>
      </td>
      <td className="break">
        {match.kind === 'matched' && (
          <span>
            <Link to={`/customers/${encodeURIComponent(match.customer.id)}`}>{match.customer.customerNo}</Link> {match.customer.name}{' '}
            <span className="muted">· {t('accessVocabulary.devices', { count: match.customer.deviceCount, formatted: formatNumber(match.customer.deviceCount, language) })}</span>
          </span>
        )}
        {match.kind === 'unmatched' && (
          <>
            <span className="badge badge-bad">{t('queue.unmatched')}</span>
            <span className="cell-secondary">{t('queue.unmatchedHint', { customerNo: request.customerNo ?? '' })}</span>
          </>
        )}
        {match.kind === 'noNumber' && <span className="muted">{t('queue.noNumber')}</span>}
        {request.matches.byName.length > 0 && <span className="cell-secondary">{t('queue.byName', { count: request.matches.byName.length })}</span>}
      </td>
      <td>
        {open ? (
          <>
            <span className="nowrap">{waitedText(t, request.createdAt, new Date())}</span>
            <span className="cell-secondary">{t('queue.receivedAt', { date: formatDateTime(request.createdAt, language) })}</span>
          </>
        ) : (
          <span className="nowrap">{request.decidedAt === null ? t('request.none') : formatDateTime(request.decidedAt, language)}</span>
        )}
      </td>
      <td>
        <Link to={`/access-requests/${encodeURIComponent(request.id)}`} aria-label={t(open ? 'queue.reviewLabel' : 'queue.viewLabel', { email: request.requester.email })}>
          {t(open ? 'queue.review' : 'queue.view')}
        </Link>
      </td>
    </tr>
  );
}
