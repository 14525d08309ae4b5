import { useTranslation } from 'react-i18next';
import { isOperator, type SessionUser } from '../api/session-api.js';
import { PageHeading } from '../components/page-heading.js';
import { Link } from '../router/router.js';

export function HomePage({ user }: { user: SessionUser }) {
  const { t } = useTranslation();
  const operator = isOperator(user);
  const areas: { to: string; label: string; description: string }[] = [
    { to: '/eks', label: t('nav.eks'), description: t('homeAreas.eks') },
    { to: '/telegram-check', label: t('nav.telegram'), description: t('homeAreas.telegram') },
    ...(operator
      ? [
          { to: '/customers', label: t('nav.customers'), description: t('homeAreas.customers') },
          { to: '/import', label: t('nav.import'), description: t('homeAreas.import') },
          { to: '/access-requests', label: t('nav.requests'), description: t('accessAreas.requests') },
          { to: '/superusers', label: t('nav.superusers'), description: t('accessAreas.superusers') },
          { to: '/outbox', label: t('nav.outbox'), description: t('home.outboxDescription') },
        ]
      : [{ to: '/access', label: t('nav.access'), description: t('accessAreas.access') }]),
  ];
  return (
    <section className="panel">
      <PageHeading>{t('home.title')}</PageHeading>
      <p>{t('home.greeting', { name: user.name ?? user.email })}</p>
      <h2>{t('home.areas')}</h2>
      <ul className="cards">
        {areas.map((area) => (
          <li key={area.to} className="card">
            <Link to={area.to} className="card-link">
              {area.label}
            </Link>
            <p>{area.description}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
