// The newest imports (GET /api/imports), reloaded whenever an import on this page finishes.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { listImports, type Import } from '../../api/imports-api.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { formatDateTime, formatNumber } from '../../components/format.js';

type Load = { status: 'loading' } | { status: 'ready'; items: Import[] } | { status: 'failed'; error: unknown };

export function RecentImports({ refresh }: { refresh: number }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const [load, setLoad] = useState<Load>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    listImports(client, { signal: controller.signal }).then(
      (items) => setLoad({ status: 'ready', items }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [client, refresh]);

  const language = i18n.language;
  const none = t('import.notFinished');
  return (
    <section aria-labelledby="recent-imports-title" className="section">
      <h2 id="recent-imports-title">{t('import.recentTitle')}</h2>
      {load.status === 'loading' && <p role="status">{t('import.recentLoading')}</p>}
      {load.status === 'failed' && <ErrorAlert error={load.error} />}
      {load.status === 'ready' && load.items.length === 0 && <p className="empty-state">{t('import.recentEmpty')}</p>}
      {load.status === 'ready' && load.items.length > 0 && (
        <div className="table-scroll" role="region" aria-labelledby="recent-imports-caption" tabIndex={0}>
          <table className="table">
            <caption id="recent-imports-caption">{t('import.recentCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('import.recentColumns.fileName')}</th>
                <th scope="col">{t('import.recentColumns.format')}</th>
                <th scope="col">{t('import.recentColumns.status')}</th>
                <th scope="col" className="numeric">
                  {t('import.recentColumns.devices')}
                </th>
                <th scope="col" className="numeric">
                  {t('import.recentColumns.keys')}
                </th>
                <th scope="col">{t('import.recentColumns.createdAt')}</th>
                <th scope="col">{t('import.recentColumns.finishedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {load.items.map((imp) => (
                <tr key={imp.id}>
                  <th scope="row" className="break">
                    {imp.fileName}
                  </th>
                  <td>{imp.format === null ? t('import.unknownFormat') : imp.format.toUpperCase()}</td>
                  <td>
                    <span className={`badge badge-${imp.status === 'succeeded' ? 'ok' : imp.status === 'failed' ? 'bad' : 'neutral'}`}>{t(`import.status.${imp.status}`)}</span>
                  </td>
                  <td className="numeric">{formatNumber(imp.devicesCreated, language)}</td>
                  <td className="numeric">{formatNumber(imp.keysCreated, language)}</td>
                  <td className="nowrap">{formatDateTime(imp.createdAt, language)}</td>
                  <td className="nowrap">{imp.finishedAt === null ? none : formatDateTime(imp.finishedAt, language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
