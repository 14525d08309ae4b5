import type { MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';

export const mainId = 'main';

/** First thing on the page for keyboard users; moves focus into <main> without changing the route. */
export function SkipLink() {
  const { t } = useTranslation();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    document.getElementById(mainId)?.focus();
  };
  return (
    <a href={`#${mainId}`} className="skip-link" onClick={onClick}>
      {t('app.skipLink')}
    </a>
  );
}
