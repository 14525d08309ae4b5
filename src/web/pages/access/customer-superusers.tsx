// On a customer account's page (operators): who is superuser of it, with the way to /superusers.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { listSuperuserLinks } from '../../api/access-api.js';
import type { RequestOptions } from '../../api/client.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { formatDateTime } from '../../components/format.js';
import { useLoaded } from '../../components/loaded.js';
import { Link } from '../../router/router.js';

export function CustomerSuperusers({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const fetchLinks = useCallback((options: RequestOptions) => listSuperuserLinks(client, { customerId, cursor: null }, options), [client, customerId]);
  const [load] = useLoaded(fetchLinks);
  return (
    <section className="section" aria-labelledby="customer-superusers-title">
      <h2 id="customer-superusers-title">{t('customerSuperusers.title')}</h2>
      {load.status === 'loading' && <p role="status">{t('customerSuperusers.loading')}</p>}
      {load.status === 'failed' && <ErrorAlert error={load.error} />}
      {load.status === 'ready' && load.value.items.length === 0 && <p className="empty-state">{t('customerSuperusers.empty')}</p>}
      {load.status === 'ready' && load.value.items.length > 0 && (
        <ul className="plain-list" aria-labelledby="customer-superusers-title">
          {load.value.items.map((link) => (
            <li key={link.user.id}>
              {link.user.email}
              {link.user.name !== null && ` (${link.user.name})`} <span className="muted">{t('customerSuperusers.since', { date: formatDateTime(link.linkedAt, i18n.language) })}</span>
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to={`/superusers?${new URLSearchParams({ customerId }).toString()}`}>{t('customerSuperusers.manage')}</Link>
      </p>
    </section>
  );
}
