// One device: its delivery data and the history of its key versions (metadata only). Operators
// change a version's state here (SEC-09).
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import type { RequestOptions } from '../../api/client.js';
import { getDevice, type DeviceDetail, type KeyVersion } from '../../api/devices-api.js';
import { Notice } from '../../components/error-alert.js';
import { formatDate, formatDateTime } from '../../components/format.js';
import { NotLoadedPanel, useLoaded } from '../../components/loaded.js';
import { PageHeading } from '../../components/page-heading.js';
import { Link } from '../../router/router.js';
import { eksLink } from './device-query.js';
import { allowedTransitions } from './key-transitions.js';
import { KeyStateForm } from './key-state-form.js';
import { badgeForKeyState, keyStateText, kindText, mediumText } from './vocabulary.js';

export function DevicePage({ id, operator }: { id: string; operator: boolean }) {
  const { t } = useTranslation();
  const client = useApi();
  const fetchOne = useCallback((options: RequestOptions) => getDevice(client, id, options), [client, id]);
  const [load] = useLoaded(fetchOne);

  if (load.status !== 'ready') {
    return <NotLoadedPanel load={load} className="panel" title={t('device.title', { serial: '' }).trim()} loading={t('device.loading')} back={{ to: '/eks', label: t('device.back') }} />;
  }
  return <DeviceView device={load.value} operator={operator} />;
}

function DeviceView({ device, operator }: { device: DeviceDetail; operator: boolean }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const none = t('vocabulary.none');
  const [keys, setKeys] = useState<KeyVersion[]>(device.keys);
  const [editing, setEditing] = useState<string | null>(null);
  const [changed, setChanged] = useState<KeyVersion | null>(null);

  const onChanged = (updated: KeyVersion) => {
    // Activating one version deactivates the one active before: take the server's word for the
    // changed row and mark the others as the rule says, until the next load.
    setKeys((previous) =>
      previous.map((key) => {
        if (key.id === updated.id) return updated;
        if (updated.state === 'active' && key.keyType === updated.keyType && key.state === 'active') return { ...key, state: 'deactivated' };
        return key;
      }),
    );
    setEditing(null);
    setChanged(updated);
    // The form is gone: focus returns to the updated row's state for keyboard users.
    window.setTimeout(() => document.getElementById(`key-row-${updated.id}`)?.focus(), 0);
  };

  const fields: [string, string][] = [
    [t('device.fields.manufacturer'), device.manufacturer],
    [t('device.fields.serial'), device.serial],
    [t('device.fields.kind'), kindText(t, device.kind)],
    [t('device.fields.medium'), mediumText(t, device.medium)],
    [t('device.fields.model'), device.model ?? none],
    [t('device.fields.typeNo'), device.typeNo ?? none],
    [t('device.fields.configNo'), device.configNo ?? none],
    [t('device.fields.orderNo'), device.orderNo ?? none],
    [t('device.fields.deliveryNote'), device.deliveryNote ?? none],
    [t('device.fields.deliveryDate'), device.deliveryDate === null ? none : formatDate(device.deliveryDate, language)],
    [t('device.fields.driverHint'), device.driverHint ?? none],
    [t('device.fields.createdAt'), formatDateTime(device.createdAt, language)],
  ];
  const editingKey = keys.find((key) => key.id === editing) ?? null;

  return (
    <section className="panel">
      <p className="breadcrumb">
        <Link to="/eks">{t('device.back')}</Link>
      </p>
      <PageHeading>{t('device.title', { serial: device.serial })}</PageHeading>
      <p>
        <Link to={`/audit?device=${encodeURIComponent(device.id)}`}>{t('trail.deviceTrail')}</Link>
      </p>
      <h2>{t('device.detailsTitle')}</h2>
      <dl className="meta device-fields">
        {fields.map(([label, value]) => (
          <div key={label} className="meta-row">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
        <div className="meta-row">
          <dt>{t('device.fields.customer')}</dt>
          <dd>
            {device.customerNo === null ? (
              none
            ) : (
              <Link to={eksLink({ customerNo: device.customerNo })}>{[device.customerNo, device.customerName].filter(Boolean).join(' – ')}</Link>
            )}
          </dd>
        </div>
      </dl>

      <h2>{t('device.keysTitle')}</h2>
      <p className="muted">{t('device.keysIntro')}</p>
      {changed !== null && <Notice>{t('device.changed', { keyType: changed.keyType, version: changed.version, state: keyStateText(t, changed.state) })}</Notice>}
      {keys.length === 0 ? (
        <p>{t('device.noKeys')}</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="keys-caption" tabIndex={0}>
          <table className="table">
            <caption id="keys-caption">{t('device.keysCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('device.columns.keyType')}</th>
                <th scope="col" className="numeric">
                  {t('device.columns.version')}
                </th>
                <th scope="col">{t('device.columns.state')}</th>
                <th scope="col">{t('device.columns.length')}</th>
                <th scope="col">{t('device.columns.createdAt')}</th>
                <th scope="col">{t('device.columns.stateChangedAt')}</th>
                <th scope="col">{t('device.columns.reason')}</th>
                {operator && <th scope="col">{t('device.columns.action')}</th>}
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id}>
                  <th scope="row">{key.keyType}</th>
                  <td className="numeric">{key.version}</td>
                  <td id={`key-row-${key.id}`} tabIndex={-1}>
                    <span className={`badge badge-${badgeForKeyState(key.state)}`}>{keyStateText(t, key.state)}</span>
                  </td>
                  <td className="nowrap">{key.length === null ? none : t('device.bits', { bits: key.length * 8 })}</td>
                  <td className="nowrap">{formatDateTime(key.createdAt, language)}</td>
                  <td className="nowrap">{key.stateChangedAt === null ? none : formatDateTime(key.stateChangedAt, language)}</td>
                  <td className="break reason">{key.stateReason ?? none}</td>
                  {operator && (
                    <td>
                      {allowedTransitions(key.state).length === 0 ? (
                        <span className="muted">{t('device.noChange')}</span>
                      ) : (
                        <button
                          type="button"
                          className="button button-secondary button-small"
                          aria-label={t('device.changeLabel', { keyType: key.keyType, version: key.version })}
                          aria-expanded={editing === key.id}
                          aria-controls={editing === key.id ? 'key-state-title' : undefined}
                          onClick={() => {
                            setChanged(null);
                            setEditing(key.id);
                          }}
                        >
                          {t('device.change')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {operator && editingKey !== null && (
        <KeyStateForm key={editingKey.id} deviceId={device.id} keyVersion={editingKey} onChanged={onChanged} onCancel={() => setEditing(null)} />
      )}
    </section>
  );
}
