// The EKS device table: one row per device, the serial links to the device page; the sortable
// columns have a button in their header and say their order with aria-sort.
import { useTranslation } from 'react-i18next';
import type { Device, DeviceSort, SortColumn } from '../../api/devices-api.js';
import { formatDate } from '../../components/format.js';
import { Link } from '../../router/router.js';
import { ariaSort } from './device-query.js';
import { kindText, mediumText } from './vocabulary.js';

export function DeviceTable({ devices, sort, onSort, busy }: { devices: Device[]; sort: DeviceSort; onSort: (column: SortColumn) => void; busy: boolean }) {
  const { t, i18n } = useTranslation();
  const none = t('vocabulary.none');

  const sortable = (column: SortColumn, label: string) => {
    const order = ariaSort(sort, column);
    return (
      <th scope="col" aria-sort={order}>
        <button type="button" className="sort-button" onClick={() => onSort(column)}>
          {label}
          <span className={`sort-mark sort-mark-${order}`} aria-hidden="true" />
        </button>
      </th>
    );
  };

  return (
    <div className="table-scroll" role="region" aria-labelledby="eks-caption" tabIndex={0}>
      <table className="table table-devices" aria-busy={busy}>
        <caption id="eks-caption">
          {t('eks.caption')}
          <span className="caption-hint">{t('eks.captionHint')}</span>
        </caption>
        <thead>
          <tr>
            {sortable('serial', t('eks.columns.serial'))}
            <th scope="col">{t('eks.columns.manufacturer')}</th>
            <th scope="col">{t('eks.columns.kind')}</th>
            <th scope="col">{t('eks.columns.medium')}</th>
            {sortable('model', t('eks.columns.model'))}
            <th scope="col">{t('eks.columns.orderNo')}</th>
            <th scope="col">{t('eks.columns.deliveryNote')}</th>
            {sortable('customerNo', t('eks.columns.customer'))}
            {sortable('deliveryDate', t('eks.columns.deliveryDate'))}
            <th scope="col">{t('eks.columns.driverHint')}</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => (
            <tr key={device.id}>
              <th scope="row" className="nowrap">
                <Link to={`/eks/devices/${encodeURIComponent(device.id)}`} className="serial">
                  {device.serial}
                </Link>
              </th>
              <td>{device.manufacturer}</td>
              <td>{kindText(t, device.kind)}</td>
              <td>{mediumText(t, device.medium)}</td>
              <td className="nowrap">{device.model ?? none}</td>
              <td className="nowrap">{device.orderNo ?? none}</td>
              <td>{device.deliveryNote ?? none}</td>
              <td>
                {device.customerNo === null ? (
                  none
                ) : (
                  <>
                    <span className="nowrap">{device.customerNo}</span>
                    {device.customerName !== null && <span className="cell-secondary">{device.customerName}</span>}
                  </>
                )}
              </td>
              <td className="nowrap">{device.deliveryDate === null ? none : formatDate(device.deliveryDate, i18n.language)}</td>
              <td>{device.driverHint === null ? none : <code>{device.driverHint}</code>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
