import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context.js';
import { listOutbox, type OutboxItem } from '../api/outbox-api.js';
import { ErrorAlert } from '../components/error-alert.js';
import { formatDateTime } from '../components/format.js';
import { PageHeading } from '../components/page-heading.js';
import { OutboxMessageDialog } from './outbox-message-dialog.js';
import { useStatusText } from './outbox-status.js';

type Load = { status: 'loading' } | { status: 'ready' } | { status: 'loadingMore' } | { status: 'failed'; error: unknown };

export function OutboxPage() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const statusText = useStatusText();
  const [items, setItems] = useState<OutboxItem[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [openId, setOpenId] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    listOutbox(client, {}, { signal: controller.signal }).then(
      (page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor);
        setLoad({ status: 'ready' });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [client]);

  const loadMore = async () => {
    if (nextCursor === null || load.status === 'loadingMore') return;
    setLoad({ status: 'loadingMore' });
    try {
      const page = await listOutbox(client, { cursor: nextCursor });
      setItems((previous) => [...previous, ...page.items]);
      setNextCursor(page.nextCursor);
      setLoad({ status: 'ready' });
    } catch (error) {
      setLoad({ status: 'failed', error });
    }
  };

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
          <div className="table-footer">
            <p role="status" className="muted">
              {nextCursor === null ? t('outbox.shownAll', { count: items.length }) : t('outbox.shown', { count: items.length })}
            </p>
            {nextCursor !== null && (
              <button type="button" className="button button-secondary" onClick={() => void loadMore()} aria-disabled={load.status === 'loadingMore'}>
                {load.status === 'loadingMore' ? t('outbox.loadingMore') : t('outbox.more')}
              </button>
            )}
          </div>
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
