import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client.js';
import { errorMessage } from '../i18n/error-message.js';

/** An error in the user's language, announced at once. Server faults show their request id for support. */
export function ErrorAlert({ error, children }: { error: unknown; children?: ReactNode }) {
  const { t } = useTranslation();
  const reference = isApiError(error) && error.status >= 500 ? error.requestId : undefined;
  return (
    <div role="alert" className="alert alert-error">
      <p>{errorMessage(t, error)}</p>
      {children}
      {reference !== undefined && <p className="alert-reference">{t('error.reference', { id: reference })}</p>}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="alert alert-info">
      <p>{children}</p>
    </div>
  );
}
