// The audit trail's state for operators (SEC-14): what `openeks audit verify` would say, and the
// newest anchor kept outside the database. The check runs when the page opens.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditStatus } from '../../shared/api/audit.js';
import { useApi } from '../api/api-context.js';
import { getAuditStatus } from '../api/audit-api.js';
import { ErrorAlert } from '../components/error-alert.js';
import { formatDateTime } from '../components/format.js';

type Load = { status: 'loading' } | { status: 'ready'; value: AuditStatus } | { status: 'failed'; error: unknown };

export function AuditTrailBox() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const [load, setLoad] = useState<Load>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    getAuditStatus(client, { signal: controller.signal }).then(
      (value) => setLoad({ status: 'ready', value }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [client]);

  return (
    <section className="settings-group" aria-labelledby="settings-audit-title" data-testid="audit-trail-box">
      <h2 id="settings-audit-title" className="settings-group-title">
        {t('settings.audit.title')}
      </h2>
      {load.status === 'loading' && <p role="status">{t('settings.audit.checking')}</p>}
      {load.status === 'failed' && <ErrorAlert error={load.error} />}
      {load.status === 'ready' && (
        <>
          <p>
            <span className={`badge ${load.value.state === 'intact' ? 'badge-ok' : 'badge-bad'}`}>{t(`settings.audit.states.${load.value.state}`)}</span>{' '}
            {t('settings.audit.records', { records: load.value.records, keyed: load.value.keyed })}
          </p>
          <p>
            {load.value.lastAnchor === null
              ? t('settings.audit.noAnchor')
              : t('settings.audit.lastAnchor', { date: formatDateTime(load.value.lastAnchor.at, i18n.language), seq: load.value.lastAnchor.seq })}
          </p>
          {load.value.unkeyedSinceKeying > 0 && <p>{t('settings.audit.unkeyed', { count: load.value.unkeyedSinceKeying })}</p>}
          {load.value.message !== undefined && (
            <p className="field-hint">
              {t('settings.audit.detail')} <code>{load.value.message}</code>
            </p>
          )}
          <p className="field-hint">{t('settings.audit.hint')}</p>
        </>
      )}
    </section>
  );
}
