// The EKS device table: one row per device, the serial links to the device page; the sortable
// columns have a button in their header and say their order with aria-sort. For whoever manages
// read rights, a first column of boxes selects rows (the header box: the page) and a column says
// how many readers each device has (docs/grants.md).
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Device, DeviceSort, SortColumn } from '../../api/devices-api.js';
import { formatDate, formatNumber } from '../../components/format.js';
import { Link } from '../../router/router.js';
import { ariaSort } from './device-query.js';
import { kindText, mediumText } from './vocabulary.js';

/** Ticking rows; absent for readers, who only see what was granted to them. */
export interface RowSelection {
  /** Rows of devices the user may not hand on have no box. */
  selectable: (id: string) => boolean;
  isSelected: (id: string) => boolean;
  page: 'all' | 'some' | 'none';
  /** Under "all matching" every row is selected and the boxes cannot untick single rows. */
  locked: boolean;
  onRow: (id: string) => void;
  onPage: () => void;
}

export function DeviceTable({
  devices,
  sort,
  onSort,
  busy,
  selection,
}: {
  devices: Device[];
  sort: DeviceSort;
  onSort: (column: SortColumn) => void;
  busy: boolean;
  selection: RowSelection | null;
}) {
  const { t, i18n } = useTranslation();
  const none = t('vocabulary.none');
  const language = i18n.language;

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
            {selection !== null && (
              <th scope="col" className="select-cell">
                <PageBox selection={selection} label={t('selection.selectPage')} />
              </th>
            )}
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
            {selection !== null && <th scope="col">{t('readers.column')}</th>}
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => (
            <tr key={device.id}>
              {selection !== null && !selection.selectable(device.id) && <td className="select-cell" />}
              {selection !== null && selection.selectable(device.id) && (
                <td className="select-cell">
                  <input
                    type="checkbox"
                    className="checkbox"
                    checked={selection.isSelected(device.id)}
                    aria-disabled={selection.locked || undefined}
                    aria-label={t('selection.selectRow', { serial: device.serial })}
                    onChange={() => selection.onRow(device.id)}
                  />
                </td>
              )}
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
              <td className="nowrap">{device.deliveryDate === null ? none : formatDate(device.deliveryDate, language)}</td>
              <td>{device.driverHint === null ? none : <code>{device.driverHint}</code>}</td>
              {selection !== null && <td className="number">{device.readerCount === null ? none : formatNumber(device.readerCount, language)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The header box: checked when the whole page is ticked, mixed when part of it is. */
function PageBox({ selection, label }: { selection: RowSelection; label: string }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current !== null) ref.current.indeterminate = selection.page === 'some';
  }, [selection.page]);
  return (
    <input
      ref={ref}
      type="checkbox"
      className="checkbox"
      checked={selection.page === 'all'}
      aria-checked={selection.page === 'some' ? 'mixed' : selection.page === 'all'}
      aria-disabled={selection.locked || undefined}
      aria-label={label}
      onChange={selection.onPage}
    />
  );
}
