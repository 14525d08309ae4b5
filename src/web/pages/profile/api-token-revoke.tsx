// Revoking a token from a list (the profile's own tokens, the operators' page of everyone's): ask
// with a confirmation, revoke, say which token was revoked or show the error, and reload the list.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiToken } from '../../api/tokens-api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorAlert, Notice } from '../../components/error-alert.js';

export interface TokenRevoke<T extends ApiToken> {
  /** Opens the confirmation for this token. */
  ask(token: T): void;
  /** Drops the "revoked" notice (another action starts). */
  clearNotice(): void;
  /** The error or the "revoked" notice, where the list shows its messages. */
  feedback: ReactNode;
  /** The confirmation dialog while one is open. */
  dialog: ReactNode;
}

export function useTokenRevoke<T extends ApiToken>({ dialogId, revoke, reload }: { dialogId: string; revoke: (token: T) => Promise<void>; reload: () => void }): TokenRevoke<T> {
  const { t } = useTranslation();
  const [revoking, setRevoking] = useState<T | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const onRevoke = async (token: T) => {
    setRevoking(null);
    setError(null);
    try {
      await revoke(token);
      setRevoked(token.name);
    } catch (err) {
      setError(err);
    } finally {
      reload();
    }
  };

  return {
    ask: setRevoking,
    clearNotice: () => setRevoked(null),
    feedback: (
      <>
        {error !== null && <ErrorAlert error={error} />}
        {revoked !== null && <Notice>{t('apiTokens.revoked', { name: revoked })}</Notice>}
      </>
    ),
    dialog: revoking !== null && (
      <ConfirmDialog
        id={dialogId}
        title={t('apiTokens.revokeTitle')}
        text={t('apiTokens.revokeText', { name: revoking.name })}
        confirmLabel={t('apiTokens.revokeConfirm')}
        cancelLabel={t('apiTokens.cancel')}
        onConfirm={() => void onRevoke(revoking)}
        onClose={() => setRevoking(null)}
      />
    ),
  };
}
