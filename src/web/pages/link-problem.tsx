import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/error-alert.js';
import type { LinkState } from '../components/link-token.js';
import { Link } from '../router/router.js';

/** What a link page shows until its form: checking, a missing token, or a dead link with the way to a new one. */
export function LinkProblem({ state, texts, retryTo }: { state: LinkState<unknown>; texts: 'registerComplete' | 'reset'; retryTo: string }) {
  const { t } = useTranslation();
  if (state.status === 'checking') return <p role="status">{t(`${texts}.checking`)}</p>;
  const retry = (
    <p>
      <Link to={retryTo}>{t(`${texts}.newLink`)}</Link>
    </p>
  );
  if (state.status === 'missing') {
    return (
      <>
        <div role="alert" className="alert alert-error">
          <p>{t(`${texts}.missingToken`)}</p>
        </div>
        {retry}
      </>
    );
  }
  if (state.status === 'invalid') {
    return (
      <>
        <ErrorAlert error={state.error} />
        {retry}
      </>
    );
  }
  return null;
}
