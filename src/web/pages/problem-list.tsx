import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client.js';
import { ErrorAlert } from '../components/error-alert.js';
import { problemText } from './account-input.js';

/** An error with every problem the server named (failed password rules, invalid fields) in the user's language. */
export function ProblemAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const problems = isApiError(error) ? error.details : [];
  return (
    <ErrorAlert error={error}>
      {problems.length > 0 && (
        <ul>
          {[...new Set(problems.map((problem) => problemText(t, problem)))].map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      )}
    </ErrorAlert>
  );
}
