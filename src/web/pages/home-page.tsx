import { useTranslation } from 'react-i18next';
import { isOperator, type SessionUser } from '../api/session-api.js';
import { PageHeading } from '../components/page-heading.js';
import { Link } from '../router/router.js';

export function HomePage({ user }: { user: SessionUser }) {
  const { t } = useTranslation();
  const operator = isOperator(user);
  return (
    <section className="panel">
      <PageHeading>{t('home.title')}</PageHeading>
      <p>{t('home.greeting', { name: user.name ?? user.email })}</p>
      <h2>{t('home.areas')}</h2>
      {operator ? (
        <ul className="cards">
          <li className="card">
            <Link to="/outbox" className="card-link">
              {t('nav.outbox')}
            </Link>
            <p>{t('home.outboxDescription')}</p>
          </li>
        </ul>
      ) : (
        <p>{t('home.noAreas')}</p>
      )}
    </section>
  );
}
