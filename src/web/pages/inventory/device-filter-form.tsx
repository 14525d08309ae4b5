// The EKS table's search form. Its fields start from the URL's filters; searching puts them back
// into the URL (eks-page.tsx), so a filtered view can be bookmarked and Back returns to the last one.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { deviceKinds, media } from '../../../shared/inventory/device-fields.js';
import { deviceFilterNames, type DeviceFilter, type DeviceFilterName } from '../../api/devices-api.js';
import { kindText, mediumText } from './vocabulary.js';

export function DeviceFilterForm({ filter, invalid, onSearch }: { filter: DeviceFilter; invalid: readonly DeviceFilterName[]; onSearch: (filter: DeviceFilter) => void }) {
  const { t } = useTranslation();
  const [values, setValues] = useState<DeviceFilter>(filter);

  const bind = (name: DeviceFilterName) => ({
    id: `eks-filter-${name}`,
    name,
    value: values[name] ?? '',
    'aria-invalid': invalid.includes(name) ? true : undefined,
    onChange: (event: { currentTarget: { value: string } }) => {
      const value = event.currentTarget.value;
      setValues((previous) => ({ ...previous, [name]: value }));
    },
  });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const cleaned: DeviceFilter = {};
    for (const name of deviceFilterNames) {
      const trimmed = values[name]?.trim();
      if (trimmed) cleaned[name] = trimmed;
    }
    onSearch(cleaned);
  };

  const onReset = () => {
    setValues({});
    onSearch({});
  };

  const text = (name: DeviceFilterName, label: string, extra: { type?: string; hint?: string; inputMode?: 'numeric' } = {}) => (
    <div className="field">
      <label htmlFor={`eks-filter-${name}`}>{label}</label>
      {extra.hint !== undefined && (
        <div id={`eks-filter-${name}-hint`} className="field-hint">
          {extra.hint}
        </div>
      )}
      <input
        className="input"
        type={extra.type ?? 'text'}
        inputMode={extra.inputMode}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={[extra.hint !== undefined ? `eks-filter-${name}-hint` : null, invalid.includes(name) ? `eks-filter-${name}-error` : null].filter(Boolean).join(' ') || undefined}
        {...bind(name)}
      />
      {invalid.includes(name) && (
        <p id={`eks-filter-${name}-error`} className="field-error">
          {t('eks.invalidFilter')}
        </p>
      )}
    </div>
  );

  return (
    <form className="filter-form" role="search" aria-labelledby="eks-filter-title" noValidate onSubmit={onSubmit}>
      <h2 id="eks-filter-title" className="filter-title">
        {t('eks.filterTitle')}
      </h2>
      <div className="filter-grid">
        {text('serial', t('eks.serial'), { hint: t('eks.serialHint') })}
        <fieldset className="range">
          <legend>{t('eks.serialRange')}</legend>
          <div className="range-fields">
            {text('serialFrom', t('eks.serialFrom'))}
            {text('serialTo', t('eks.serialTo'))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="eks-filter-kind">{t('eks.kind')}</label>
          <select className="input" {...bind('kind')}>
            <option value="">{t('eks.any')}</option>
            {deviceKinds.map((kind) => (
              <option key={kind} value={kind}>
                {kindText(t, kind)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="eks-filter-medium">{t('eks.medium')}</label>
          <select className="input" {...bind('medium')}>
            <option value="">{t('eks.any')}</option>
            {media.map((medium) => (
              <option key={medium} value={medium}>
                {mediumText(t, medium)}
              </option>
            ))}
          </select>
        </div>
        {text('model', t('eks.model'))}
        {text('orderNo', t('eks.orderNo'))}
        {text('deliveryNote', t('eks.deliveryNote'))}
        {text('customerNo', t('eks.customerNo'))}
        <fieldset className="range">
          <legend>{t('eks.delivered')}</legend>
          <div className="range-fields">
            {text('deliveredFrom', t('eks.deliveredFrom'), { type: 'date' })}
            {text('deliveredTo', t('eks.deliveredTo'), { type: 'date' })}
          </div>
        </fieldset>
      </div>
      <div className="button-row">
        <button type="submit" className="button button-primary">
          {t('eks.apply')}
        </button>
        <button type="button" className="button button-secondary" onClick={onReset}>
          {t('eks.reset')}
        </button>
      </div>
    </form>
  );
}
