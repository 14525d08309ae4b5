// "API-Zugänge" / "API tokens" for operators (docs/api-tokens.md): every user's tokens, newest
// first, page by page, each revocable with a confirmation.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context.js';
import type { RequestOptions } from '../api/client.js';
import { listAllTokens, revokeAnyToken, type OperatorToken } from '../api/tokens-api.js';
import { ErrorAlert } from '../components/error-alert.js';
import { PageHeading } from '../components/page-heading.js';
import { usePagedList } from '../components/paged-list.js';
import { useTokenRevoke } from './profile/api-token-revoke.js';
import { TokenTable } from './profile/api-tokens-section.js';

export function ApiTokensPage() {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const fetchPage = useCallback((cursor: string | null, options?: RequestOptions) => listAllTokens(client, { cursor }, options), [client]);
  const { items, nextCursor, load, loadMore, reload } = usePagedList<OperatorToken>(fetchPage);
  const revoke = useTokenRevoke<OperatorToken>({ dialogId: 'api-token-admin-revoke', revoke: (token) => revokeAnyToken(client, token.id), reload });

  return (
    <section className="panel">
      <PageHeading>{t('tokensAdmin.title')}</PageHeading>
      <p className="panel-intro">{t('tokensAdmin.intro')}</p>
      {revoke.feedback}
      {load.status === 'loading' && <p role="status">{t('tokensAdmin.loading')}</p>}
      {load.status === 'failed' && <ErrorAlert error={load.error} />}
      {load.status !== 'loading' && items.length === 0 && load.status !== 'failed' && <p>{t('tokensAdmin.none')}</p>}
      {items.length > 0 && (
        <TokenTable
          tokens={items}
          language={i18n.language}
          caption={t('tokensAdmin.caption')}
          userOf={(token) => (token as OperatorToken).email}
          onRevoke={(token) => revoke.ask(token as OperatorToken)}
        />
      )}
      {nextCursor !== null && (
        <button type="button" className="button button-secondary" onClick={() => void loadMore()} aria-disabled={load.status === 'loadingMore'}>
          {t('tokensAdmin.more')}
        </button>
      )}
      {revoke.dialog}
    </section>
  );
}
