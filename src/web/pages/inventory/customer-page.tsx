// One customer account (operators): its data, a link to its devices, and the edit form
// (PATCH sends only what changed).
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import type { RequestOptions } from '../../api/client.js';
import { getCustomer, updateCustomer, type Customer, type CustomerInput } from '../../api/customers-api.js';
import { Notice } from '../../components/error-alert.js';
import { formatDateTime, formatNumber } from '../../components/format.js';
import { NotLoadedPanel, useLoaded } from '../../components/loaded.js';
import { PageHeading } from '../../components/page-heading.js';
import { Link } from '../../router/router.js';
import { CustomerSuperusers } from '../access/customer-superusers.js';
import { CustomerForm, type CustomerField } from './customer-form.js';
import { eksLink } from './device-query.js';

const valuesOf = (c: Customer): Record<CustomerField, string> => ({ customerNo: c.customerNo, name: c.name, contactEmail: c.contactEmail ?? '', notes: c.notes ?? '' });

export function changesOf(before: Customer, after: CustomerInput): Partial<CustomerInput> {
  const changes: Partial<CustomerInput> = {};
  if (after.customerNo !== before.customerNo) changes.customerNo = after.customerNo;
  if (after.name !== before.name) changes.name = after.name;
  if (after.contactEmail !== before.contactEmail) changes.contactEmail = after.contactEmail;
  if (after.notes !== before.notes) changes.notes = after.notes;
  return changes;
}

export function CustomerPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const fetchOne = useCallback((options: RequestOptions) => getCustomer(client, id, options), [client, id]);
  const [load, setCustomer] = useLoaded(fetchOne);
  const [saved, setSaved] = useState<'saved' | 'unchanged' | null>(null);

  if (load.status !== 'ready') {
    return <NotLoadedPanel load={load} className="panel panel-medium" title={t('customers.title')} loading={t('customer.loading')} back={{ to: '/customers', label: t('customer.back') }} />;
  }

  const customer = load.value;
  const language = i18n.language;
  const onSave = async (input: CustomerInput) => {
    setSaved(null);
    const changes = changesOf(customer, input);
    if (Object.keys(changes).length === 0) {
      setSaved('unchanged');
      return;
    }
    const updated = await updateCustomer(client, customer.id, changes);
    setCustomer(updated);
    setSaved('saved');
    return valuesOf(updated);
  };

  return (
    <section className="panel panel-medium">
      <p className="breadcrumb">
        <Link to="/customers">{t('customer.back')}</Link>
      </p>
      <PageHeading>{t('customer.title', { customerNo: customer.customerNo })}</PageHeading>
      <p className="lead">{customer.name}</p>
      <p className="muted">{t('customer.created', { date: formatDateTime(customer.createdAt, language), changed: formatDateTime(customer.updatedAt, language) })}</p>
      <p>
        <Link to={eksLink({ customerNo: customer.customerNo })}>
          {t('customers.showDevices')} ({t('customers.devices', { count: customer.deviceCount, formatted: formatNumber(customer.deviceCount, language) })})
        </Link>
      </p>
      <CustomerSuperusers customerId={customer.id} />
      <h2>{t('customer.editTitle')}</h2>
      {saved !== null && <Notice>{t(saved === 'saved' ? 'customer.saved' : 'customer.unchanged')}</Notice>}
      <CustomerForm key={customer.updatedAt} idPrefix="customer-edit" initial={valuesOf(customer)} submitLabel={t('customer.save')} busyLabel={t('customer.saving')} onSubmit={onSave} />
    </section>
  );
}
