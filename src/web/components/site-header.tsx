import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isOperator } from '../api/session-api.js';
import { Link, useRouter } from '../router/router.js';
import { useSession } from '../session/session-context.js';
import { ErrorAlert } from './error-alert.js';
import { LanguageSwitcher } from './language-switcher.js';

export function SiteHeader() {
  const { t } = useTranslation();
  const { state, signOut } = useSession();
  const { location } = useRouter();
  const [signOutError, setSignOutError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // On a phone the navigation folds behind a menu button; following a link folds it again.
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const session = state.status === 'signedIn' ? state.session : null;
  useEffect(() => setMenuOpen(false), [location.pathname, location.search]);

  const onSignOut = async () => {
    setBusy(true);
    setSignOutError(null);
    try {
      // The signed-out state takes the app to the sign-in page by itself.
      await signOut();
    } catch (error) {
      setSignOutError(error);
    } finally {
      setBusy(false);
    }
  };

  // A section's link stays current on its sub-pages (a device is part of EKS).
  const current = (to: string) => location.pathname === to || (to !== '/' && location.pathname.startsWith(`${to}/`));
  const navLink = (to: string, label: string) => (
    <li>
      <Link to={to} className="nav-link" aria-current={current(to) ? 'page' : undefined}>
        {label}
      </Link>
    </li>
  );

  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link to="/" className="brand">
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </Link>
        {session !== null && session.stage === 'complete' && (
          <button
            ref={menuButton}
            type="button"
            className="button button-secondary menu-button"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
            onClick={() => setMenuOpen((open) => !open)}
          >
            {t('nav.menu')}
          </button>
        )}
        {session !== null && session.stage === 'complete' && (
          <nav
            id="main-nav"
            aria-label={t('nav.label')}
            className={menuOpen ? 'main-nav main-nav-open' : 'main-nav'}
            onKeyDown={(event) => {
              if (event.key !== 'Escape' || !menuOpen) return;
              setMenuOpen(false);
              menuButton.current?.focus();
            }}
          >
            <ul>
              {navLink('/', t('nav.home'))}
              {navLink('/eks', t('nav.eks'))}
              {isOperator(session.user) && navLink('/customers', t('nav.customers'))}
              {isOperator(session.user) && navLink('/import', t('nav.import'))}
              {navLink('/telegram-check', t('nav.telegram'))}
              {!isOperator(session.user) && navLink('/access', t('nav.access'))}
              {isOperator(session.user) && navLink('/access-requests', t('nav.requests'))}
              {isOperator(session.user) && navLink('/superusers', t('nav.superusers'))}
              {isOperator(session.user) && navLink('/outbox', t('nav.outbox'))}
              {isOperator(session.user) && navLink('/api-tokens', t('nav.apiTokens'))}
              {isOperator(session.user) && navLink('/settings', t('nav.settings'))}
              {navLink('/audit', t('nav.audit'))}
              {navLink('/profile', t('nav.profile'))}
            </ul>
          </nav>
        )}
        <div className="header-tools">
          {session !== null && (
            <div className="account">
              <span className="account-email">
                <span className="visually-hidden">{t('nav.signedInAs')} </span>
                {session.user.email}
              </span>
              <button type="button" className="button button-secondary" onClick={() => void onSignOut()} disabled={busy}>
                {t('nav.signOut')}
              </button>
            </div>
          )}
          <LanguageSwitcher />
        </div>
      </div>
      {signOutError !== null && (
        <div className="site-header-inner">
          <ErrorAlert error={signOutError} />
        </div>
      )}
    </header>
  );
}
