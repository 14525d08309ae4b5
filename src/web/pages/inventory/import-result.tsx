// The outcome of one import on the import page: what was stored, or why nothing was, with every
// problem the server listed in the reader's language (docs/inventory.md "Import problems").
import type { TFunction } from 'i18next';
import type { RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.js';
import type { Import } from '../../api/imports-api.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { Link } from '../../router/router.js';
import { eksLink } from './device-query.js';
import { importProblemText, rejectionSummary } from './import-problem-text.js';
import { unlistedProblems } from './import-progress.js';

export function ImportResult({ imp, customerNo, headingRef, onAnother }: { imp: Import; customerNo: string; headingRef: RefObject<HTMLHeadingElement | null>; onAnother: () => void }) {
  const { t } = useTranslation();
  const more = unlistedProblems(imp);
  if (imp.status === 'succeeded') {
    return (
      <div className="result result-ok">
        <h2 ref={headingRef} tabIndex={-1}>
          {t('import.succeededTitle')}
        </h2>
        <p>{t('import.succeeded', { fileName: imp.fileName })}</p>
        <ul>
          <li>{t('import.succeededSummary', { count: imp.devicesCreated })}</li>
          <li>{t('import.keysSummary', { count: imp.keysCreated })}</li>
        </ul>
        <p>
          <Link to={eksLink(customerNo === '' ? {} : { customerNo })}>{customerNo === '' ? t('import.showAllDevices') : t('import.showDevices')}</Link>
        </p>
        <button type="button" className="button button-secondary" onClick={onAnother}>
          {t('import.another')}
        </button>
      </div>
    );
  }
  const error = new ApiError({ status: 422, code: imp.errorCode ?? 'internal', message: imp.errorCode ?? 'failed' });
  return (
    <div className="result result-failed">
      <h2 ref={headingRef} tabIndex={-1}>
        {t('import.failedTitle')}
      </h2>
      {imp.errorCode === 'import_rejected' ? (
        <div role="alert" className="alert alert-error">
          <p>{rejectedText(t, imp)}</p>
        </div>
      ) : (
        <ErrorAlert error={error}>
          <p>{t('import.failedNothing')}</p>
        </ErrorAlert>
      )}
      {imp.problems.length > 0 && (
        <div className="table-scroll" role="region" aria-labelledby="import-problems-caption" tabIndex={0}>
          <table className="table">
            <caption id="import-problems-caption">{t('import.problemsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col" className="numeric">
                  {t('import.problemColumns.row')}
                </th>
                <th scope="col">{t('import.problemColumns.field')}</th>
                <th scope="col">{t('import.problemColumns.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {imp.problems.map((problem, index) => (
                <tr key={index}>
                  <td className="numeric">{problem.row ?? t('vocabulary.none')}</td>
                  <td>
                    <code>{problem.field}</code>
                  </td>
                  <td className="break">{importProblemText(t, problem)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more > 0 && <p className="muted">{t('import.moreProblems', { count: more })}</p>}
      <button type="button" className="button button-secondary" onClick={onAnother}>
        {t('import.another')}
      </button>
    </div>
  );
}

/** "1 row is invalid", "2 rows are invalid", "at least 1,000 rows": the rows refused, in words that fit the count. */
function rejectedText(t: TFunction, imp: Import): string {
  const summary = rejectionSummary(imp);
  if (summary.kind === 'file') return t('import.rejectedFile');
  return summary.kind === 'atLeast' ? t('import.rejectedAtLeast', { count: summary.count }) : t('import.rejected', { count: summary.count });
}
