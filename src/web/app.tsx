import { useTranslation } from 'react-i18next';
import { isOperator } from './api/session-api.js';
import { ErrorAlert } from './components/error-alert.js';
import { Redirect } from './components/redirect.js';
import { SiteHeader } from './components/site-header.js';
import { mainId, SkipLink } from './components/skip-link.js';
import { HomePage } from './pages/home-page.js';
import { ForbiddenPage, NotFoundPage } from './pages/not-found-page.js';
import { OperatorSetupPage } from './pages/operator-setup-page.js';
import { EmailRequestPage } from './pages/email-request-page.js';
import { requestPasswordReset, requestRegistration } from './api/accounts-api.js';
import { ProfilePage } from './pages/profile/profile-page.js';
import { RegisterCompletePage } from './pages/register-complete-page.js';
import { ResetPasswordPage } from './pages/reset-password-page.js';
import { AuditPage } from './pages/audit-page.js';
import { OutboxPage } from './pages/outbox-page.js';
import { SettingsPage } from './pages/settings-page.js';
import { ApiTokensPage } from './pages/api-tokens-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { MfaSetupPage } from './pages/mfa/mfa-setup-page.js';
import { CustomerPage } from './pages/inventory/customer-page.js';
import { CustomersPage } from './pages/inventory/customers-page.js';
import { DevicePage } from './pages/inventory/device-page.js';
import { EksPage } from './pages/inventory/eks-page.js';
import { ImportPage } from './pages/inventory/import-page.js';
import { TelegramCheckPage } from './pages/inventory/telegram-check-page.js';
import { AccessPage } from './pages/access/access-page.js';
import { AccessRequestPage } from './pages/access/access-request-page.js';
import { AccessRequestsPage } from './pages/access/access-requests-page.js';
import { SuperusersPage } from './pages/access/superusers-page.js';
import { returnPathOf, safeReturnPath, withReturnPath } from './router/return-path.js';
import { useRouter, type RouteLocation } from './router/router.js';
import { useSession, type SessionState } from './session/session-context.js';

export function App() {
  return (
    <>
      <SkipLink />
      <SiteHeader />
      <main id={mainId} tabIndex={-1} className="main">
        <CurrentPage />
      </main>
    </>
  );
}

function CurrentPage() {
  const { t } = useTranslation();
  const { location } = useRouter();
  const { state, reload } = useSession();

  // The setup link works whoever is (or is not) signed in in this browser.
  if (location.pathname === '/setup') return <OperatorSetupPage />;
  // So do the links of registration and password reset mails.
  if (location.pathname === '/register/complete') return <RegisterCompletePage />;
  if (location.pathname === '/password/reset') return <ResetPasswordPage />;

  if (state.status === 'loading') {
    return (
      <p role="status" className="panel">
        {t('app.loading')}
      </p>
    );
  }
  if (state.status === 'failed') {
    return (
      <section className="panel panel-narrow">
        <ErrorAlert error={state.error}>
          <p>{t('app.startFailed')}</p>
        </ErrorAlert>
        <button type="button" className="button button-primary" onClick={reload}>
          {t('app.retry')}
        </button>
      </section>
    );
  }
  return routeFor(location, state);
}

function routeFor(location: RouteLocation, state: Exclude<SessionState, { status: 'loading' | 'failed' }>) {
  const signedIn = state.status === 'signedIn' ? state.session : null;
  const returnTo = safeReturnPath(new URLSearchParams(location.search).get('next'));

  // A sign-in not yet finished (SEC-22): the second step is due, or the enrolment the account owes.
  if (state.status === 'secondFactor') return location.pathname === '/sign-in' ? <SignInPage reason="none" /> : <Redirect to={signInFor(location, state)} />;
  // The enrolment keeps the page that was asked for (`next`), so the user lands there afterwards.
  if (signedIn?.stage === 'enrol' && location.pathname !== '/mfa/setup') return <Redirect to={withReturnPath('/mfa/setup', returnPathOf(location))} />;

  const inventory = inventoryRoute(location, state);
  if (inventory !== null) return inventory;
  const access = accessRoute(location, state);
  if (access !== null) return access;

  switch (location.pathname) {
    case '/sign-in':
      if (signedIn !== null) return <Redirect to={returnTo ?? '/'} />;
      return <SignInPage reason={state.status === 'anonymous' ? state.reason : 'none'} />;
    case '/register':
      if (signedIn !== null) return <Redirect to="/" />;
      return <EmailRequestPage key="register" texts="register" send={requestRegistration} />;
    case '/password/forgot':
      if (signedIn !== null) return <Redirect to="/profile" />;
      return <EmailRequestPage key="forgot" texts="forgot" send={requestPasswordReset} />;
    case '/mfa/setup':
      if (signedIn === null) return <Redirect to={signInFor(location, state)} />;
      return <MfaSetupPage session={signedIn} returnTo={returnTo ?? '/'} />;
    case '/profile':
      if (signedIn === null) return <Redirect to={signInFor(location, state)} />;
      return <ProfilePage />;
    case '/':
      return signedIn === null ? <Redirect to="/sign-in" /> : <HomePage user={signedIn.user} />;
    case '/outbox':
      if (signedIn === null) return <Redirect to={signInFor(location, state)} />;
      return isOperator(signedIn.user) ? <OutboxPage /> : <ForbiddenPage />;
    case '/audit':
      if (signedIn === null) return <Redirect to={signInFor(location, state)} />;
      return <AuditPage operator={isOperator(signedIn.user)} />;
    case '/settings':
      if (signedIn === null) return <Redirect to={signInFor(location, state)} />;
      return isOperator(signedIn.user) ? <SettingsPage /> : <ForbiddenPage />;
    case '/api-tokens':
      if (signedIn === null) return <Redirect to={signInFor(location, state)} />;
      return isOperator(signedIn.user) ? <ApiTokensPage /> : <ForbiddenPage />;
    default:
      return <NotFoundPage />;
  }
}

/** The inventory pages (docs/inventory.md): EKS and the telegram check for everyone signed in, the rest for operators. */
function inventoryRoute(location: RouteLocation, state: Exclude<SessionState, { status: 'loading' | 'failed' }>) {
  const path = location.pathname;
  const device = /^\/eks\/devices\/([^/]+)$/.exec(path);
  const customer = /^\/customers\/([^/]+)$/.exec(path);
  const known = path === '/eks' || path === '/customers' || path === '/import' || path === '/telegram-check' || device !== null || customer !== null;
  if (!known) return null;
  const signedIn = state.status === 'signedIn' ? state.session : null;
  if (signedIn === null) return <Redirect to={signInFor(location, state)} />;
  const operator = isOperator(signedIn.user);
  const idOf = (match: RegExpExecArray) => decodeURIComponent(match[1] ?? '');
  if (path === '/eks') return <EksPage operator={operator} />;
  if (device !== null) return <DevicePage key={idOf(device)} id={idOf(device)} operator={operator} />;
  if (path === '/telegram-check') return <TelegramCheckPage />;
  if (!operator) return <ForbiddenPage />;
  if (path === '/customers') return <CustomersPage />;
  if (customer !== null) return <CustomerPage key={idOf(customer)} id={idOf(customer)} />;
  return <ImportPage />;
}

/** Superuser access (docs/superusers.md): asking for users who are not operators, deciding and linking for operators. */
function accessRoute(location: RouteLocation, state: Exclude<SessionState, { status: 'loading' | 'failed' }>) {
  const path = location.pathname;
  const request = /^\/access-requests\/([^/]+)$/.exec(path);
  const known = path === '/access' || path === '/access-requests' || path === '/superusers' || request !== null;
  if (!known) return null;
  const signedIn = state.status === 'signedIn' ? state.session : null;
  if (signedIn === null) return <Redirect to={signInFor(location, state)} />;
  const operator = isOperator(signedIn.user);
  if (path === '/access') return operator ? <ForbiddenPage /> : <AccessPage />;
  if (!operator) return <ForbiddenPage />;
  if (path === '/superusers') return <SuperusersPage />;
  if (request !== null) {
    const id = decodeURIComponent(request[1] ?? '');
    return <AccessRequestPage key={id} id={id} />;
  }
  return <AccessRequestsPage />;
}

/** Sign-in that returns to the current page afterwards, unless the user signed out on purpose. */
function signInFor(location: RouteLocation, state: SessionState): string {
  if (state.status === 'anonymous' && state.reason === 'signedOut') return '/sign-in';
  return `/sign-in?${new URLSearchParams({ next: location.pathname + location.search }).toString()}`;
}
