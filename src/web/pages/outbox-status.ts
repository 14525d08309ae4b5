import { useTranslation } from 'react-i18next';
import { en } from '../i18n/en.js';

type KnownStatus = keyof typeof en.outbox.status;

function isKnownStatus(status: string): status is KnownStatus {
  return Object.hasOwn(en.outbox.status, status);
}

/** A mail status in the user's language; a status this UI does not know yet is shown as sent. */
export function useStatusText(): (status: string) => string {
  const { t } = useTranslation();
  return (status) => (isKnownStatus(status) ? t(`outbox.status.${status}`) : status);
}
