// The selection's size, always on screen while devices are listed ("3 ausgewählt"), with
// "Select all N matching" once a whole page is ticked, "Clear selection", "Edit read rights", and
// whatever else acts on the selection ("Download keys").
import type { ReactNode, Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_SELECTED_IDS } from '../../../shared/api/grants.js';
import { formatNumber } from '../../components/format.js';

export function SelectionBar({
  size,
  all,
  tooMany,
  selectAllCount,
  onSelectAll,
  onClear,
  onEdit,
  editButton,
  children,
}: {
  size: number;
  /** The selection is "all matching" (the filter), not ticked rows. */
  all: boolean;
  tooMany: boolean;
  /** How many "select all matching" would select, or null when it is not offered. */
  selectAllCount: number | null;
  onSelectAll: (count: number) => void;
  onClear: () => void;
  onEdit: () => void;
  editButton: Ref<HTMLButtonElement>;
  /** More actions on the selection, after "Edit read rights". */
  children?: ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const formatted = formatNumber(size, language);
  return (
    <div className="selection-bar" role="group" aria-label={t('selection.label')}>
      <p role="status" className="selection-size">
        {all ? t('selection.allSelected', { count: size, formatted }) : t('selection.selected', { count: size, formatted })}
      </p>
      {selectAllCount !== null && (
        <button type="button" className="link-button" onClick={() => onSelectAll(selectAllCount)}>
          {t('selection.selectAll', { count: selectAllCount, formatted: formatNumber(selectAllCount, language) })}
        </button>
      )}
      {size > 0 && (
        <button type="button" className="button button-secondary" onClick={onClear}>
          {t('selection.clear')}
        </button>
      )}
      <button ref={editButton} type="button" className="button button-primary" onClick={onEdit} aria-disabled={size === 0 || undefined}>
        {t('readers.edit')}
      </button>
      {children}
      {tooMany && (
        <p role="alert" className="field-error">
          {t('selection.tooMany', { max: formatNumber(MAX_SELECTED_IDS, language) })}
        </p>
      )}
    </div>
  );
}
