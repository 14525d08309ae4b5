import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context.js';
import type { RequestOptions } from '../api/client.js';
import { listOutbox } from '../api/outbox-api.js';
import { ErrorAlert } from '../components/error-alert.js';
import { formatDateTime } from '../components/format.js';
import { PageHeading } from '../components/page-heading.js';
import { PagedListFooter, usePagedList } from '../components/paged-list.js';
import { OutboxMessageDialog } from './outbox-message-dialog.js';
import { useStatusText } from './outbox-status.js';

export function OutboxPage() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const statusText = useStatusText();
  const fetchPage = useCallback((cursor: string | null, options?: RequestOptions) => listOutbox(client, { cursor }, options), [client]);
  const { items, nextCursor, load, loadMore } = usePagedList(fetchPage);
  const [openId, setOpenId] = useState<string | null>(null);

  const language = i18n.language;
  return (
    <section className="panel">
      <PageHeading>{t('outbox.title')}</PageHeading>
      <p>{t('outbox.intro')}</p>
      {load.status === 'loading' && <p role="status">{t('app.loading')}</p>}
      {load.status === 'failed' && <ErrorAlert error={load.error} />}
      {load.status !== 'loading' && items.length === 0 && load.status !== 'failed' && <p>{t('outbox.empty')}</p>}
      {items.length > 0 && (
        <>
          <div className="table-scroll" role="region" aria-labelledby="outbox-caption" tabIndex={0}>
            <table className="table">
              <caption id="outbox-caption">
                {t('outbox.caption')}
                <span className="caption-hint">{t('outbox.openHint')}</span>
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('outbox.columns.subject')}</th>
                  <th scope="col">{t('outbox.columns.recipient')}</th>
                  <th scope="col">{t('outbox.columns.status')}</th>
                  <th scope="col" className="numeric">
                    {t('outbox.columns.attempts')}
                  </th>
                  <th scope="col">{t('outbox.columns.createdAt')}</th>
                  <th scope="col">{t('outbox.columns.sentAt')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.id}>
                    <th scope="row">
                      <button type="button" className="link-button" onClick={() => setOpenId(item.id)}>
                        {item.subject}
                      </button>
                    </th>
                    <td className="recipient">{item.recipient}</td>
                    <td>
                      <span className={`badge badge-${badgeKind(item.status)}`}>{statusText(item.status)}</span>
                    </td>
                    <td className="numeric">{item.attempts}</td>
                    <td className="nowrap">{formatDateTime(item.createdAt, language)}</td>
                    <td className="nowrap">{item.sentAt === null ? t('outbox.notSent') : formatDateTime(item.sentAt, language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <PagedListFooter
            shown={nextCursor === null ? t('outbox.shownAll', { count: items.length }) : t('outbox.shown', { count: items.length })}
            hasMore={nextCursor !== null}
            busy={load.status === 'loadingMore'}
            more={t('outbox.more')}
            moreBusy={t('outbox.loadingMore')}
            onMore={() => void loadMore()}
          />
        </>
      )}
      {openId !== null && <OutboxMessageDialog id={openId} onClose={() => setOpenId(null)} />}
    </section>
  );
}

function badgeKind(status: string): 'ok' | 'bad' | 'neutral' {
  if (status === 'sent') return 'ok';
  if (status === 'failed') return 'bad';
  return 'neutral';
}
