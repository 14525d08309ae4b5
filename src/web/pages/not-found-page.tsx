import { useTranslation } from 'react-i18next';
import { PageHeading } from '../components/page-heading.js';
import { Link } from '../router/router.js';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <section className="panel panel-narrow">
      <PageHeading>{t('notFound.title')}</PageHeading>
      <p>{t('notFound.text')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </section>
  );
}

export function ForbiddenPage() {
  const { t } = useTranslation();
  return (
    <section className="panel panel-narrow">
      <PageHeading>{t('forbidden.title')}</PageHeading>
      <p>{t('forbidden.text')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </section>
  );
}
