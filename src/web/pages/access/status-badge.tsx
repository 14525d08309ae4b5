import { useTranslation } from 'react-i18next';
import type { RequestStatus } from '../../api/access-api.js';

const tone: Record<RequestStatus, 'ok' | 'bad' | 'neutral' | 'open'> = { open: 'open', approved: 'ok', rejected: 'bad', withdrawn: 'neutral' };

/** A request's status as a badge; the word carries the meaning, the colour only repeats it. */
export function StatusBadge({ status }: { status: RequestStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${tone[status]}`} data-status={status}>
      {t(`accessVocabulary.status.${status}`)}
    </span>
  );
}
