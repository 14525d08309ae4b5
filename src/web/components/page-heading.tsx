import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useRouter } from '../router/router.js';

/**
 * The page's h1. After a client-side navigation it takes focus, so keyboard and screen-reader
 * users start on the new page as they would after a full load; `focus` forces that (used when
 * a page changes its state, e.g. from a form to its result).
 */
export function PageHeading({ children, focus = false }: { children: string; focus?: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const { navigations } = useRouter();
  const { t } = useTranslation();
  const suffix = t('app.titleSuffix');

  useEffect(() => {
    document.title = `${children} – ${suffix}`;
  }, [children, suffix]);

  useEffect(() => {
    if (focus || navigations > 0) ref.current?.focus();
    // Only on mount: a language switch re-renders the heading but must not move focus.
  }, []);

  return (
    <h1 ref={ref} tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
}
