import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { authenticator } from 'otplib';
import { buildApp, type AppOptions } from '../src/core/app.js';
import { systemPrincipal } from '../src/core/access/principal.js';
import { createContainer, type Container, type ContainerOptions } from '../src/core/container.js';
import { loadSettings, type Config, type Secrets } from '../src/lib/config.js';
import { envVar } from '../src/lib/env-vars.js';
import { FixedClock } from './support/clock.js';
import { captureLogs } from './support/log-capture.js';
import { createTestDb } from './support/test-db.js';

// The harness: the real app on a fresh database per test file, without listening (inject()),
// on a fixed clock, with a random master key from the environment provider.

export interface TestApp {
  app: FastifyInstance;
  container: Container;
  clock: FixedClock;
  config: Config;
  /** What the container got beside the config (the master key spec: to open a second vault on the same key). */
  secrets: Secrets;
  logs: () => string;
  /**
   * Creates an active operator through the real setup link and signs them in all the way:
   * operators must have a second factor, so this enrols TOTP (codes from otplib at the test
   * clock's time) and returns the final session, with the seed for later sign-ins.
   */
  signInOperator(email?: string, password?: string): Promise<SignedIn & { totpSecret: string; recoveryCodes: string[] }>;
  close(): Promise<void>;
}

export interface SignedIn {
  cookie: string;
  csrfToken: string;
  /** Empty while the second factor is due (the server does not name the user before it). */
  userId: string;
  stage: 'complete' | 'mfa' | 'enrol';
}

export const operatorPassword = 'Zähler-Schlüssel 2026!';

export function testMasterKey(): string {
  return `env:${randomBytes(32).toString('base64')}`;
}

export async function createTestApp(
  options: {
    /** Environment variables by name (`{ [envVar.smtpUrl]: … }`), over the harness's own. */
    env?: Record<string, string>;
    container?: Partial<Omit<ContainerOptions, 'config' | 'secrets' | 'clock' | 'logger'>>;
    app?: AppOptions;
    clock?: FixedClock;
  } = {},
): Promise<TestApp> {
  const testDb = await createTestDb();
  await testDb.db.close();
  // Each app its own development outbox folder (on PostgreSQL the default would be ./data/outbox).
  const outboxRoot = await mkdtemp(join(tmpdir(), 'openeks-test-outbox-'));
  const { config, secrets } = loadSettings({
    [envVar.databaseUrl]: testDb.url,
    [envVar.masterKey]: testMasterKey(),
    [envVar.publicUrl]: 'http://localhost:8080',
    [envVar.outboxDir]: join(outboxRoot, 'outbox'),
    [envVar.auditAnchors]: join(outboxRoot, 'audit-anchors.jsonl'),
    ...options.env,
  });
  const clock = options.clock ?? new FixedClock();
  const { logger, text } = captureLogs();
  let container: Container;
  try {
    container = await createContainer({ config, secrets, clock, logger, ...options.container });
  } catch (err) {
    await testDb.cleanup();
    await rm(outboxRoot, { recursive: true, force: true });
    throw err;
  }
  const app = await buildApp(container, { logger, rateLimits: { global: 10_000, auth: 1_000 }, ...options.app });
  await app.ready();

  const testApp: TestApp = {
    app,
    container,
    clock,
    config,
    secrets,
    logs: text,
    async signInOperator(email = `op-${randomBytes(4).toString('hex')}@example.com`, password = operatorPassword) {
      const { link } = await container.operatorSetup.createOperator({ email, ...asSystem });
      const token = new URL(link).hash.replace('#token=', '');
      const done = await app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token, password } });
      if (done.statusCode !== 204) throw new Error(`operator setup failed: ${done.statusCode} ${done.body}`);
      const first = await signIn(app, email, password);
      if (first.stage !== 'enrol') throw new Error(`an operator without a second factor should have to enrol, not ${first.stage}`);
      const enrolled = await enrolTotp(app, first, clock);
      return { ...enrolled.session, userId: first.userId, totpSecret: enrolled.secret, recoveryCodes: enrolled.recoveryCodes };
    },
    async close() {
      await app.close();
      await container.close();
      await testDb.cleanup();
      await rm(outboxRoot, { recursive: true, force: true });
    },
  };
  return testApp;
}

export const systemActor = { userId: null, role: 'system' as const, ip: null, userAgent: 'test', requestId: null, authMethod: 'cli' };

/** The CLI's rights (every permission, every device) with the test's actor, for tests that call services directly. */
export const asSystem = { principal: systemPrincipal, actor: systemActor };

/** The password step only: the session may still owe its second factor (`stage`). */
export async function signIn(app: FastifyInstance, email: string, password: string, options: { remoteAddress?: string } = {}): Promise<SignedIn> {
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { email, password }, ...options });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const body = res.json<{ csrfToken: string; user?: { id: string }; stage: SignedIn['stage'] }>();
  return { cookie: sessionCookieOf(res), csrfToken: body.csrfToken, userId: body.user?.id ?? '', stage: body.stage };
}

/** The TOTP code for a base32 seed at the test clock's time, `steps` periods of 30 s later or earlier. */
export function totpCode(secret: string, clock: { now(): Date }, steps = 0): string {
  return authenticator.clone({ epoch: clock.now().getTime() + steps * 30_000 }).generate(secret);
}

/** Enrols TOTP in a signed-in or enrolment-only session: the seed, the recovery codes and the fresh session. */
export async function enrolTotp(app: FastifyInstance, session: SignedIn, clock: { now(): Date }, password?: string) {
  const headers = { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
  const begin = await app.inject({ method: 'POST', url: '/api/me/mfa/totp', headers, payload: password === undefined ? {} : { password } });
  if (begin.statusCode !== 200) throw new Error(`TOTP enrolment failed: ${begin.statusCode} ${begin.body}`);
  const secret = begin.json<{ secret: string }>().secret;
  const confirm = await app.inject({ method: 'POST', url: '/api/me/mfa/totp/confirm', headers, payload: { code: totpCode(secret, clock) } });
  if (confirm.statusCode !== 200) throw new Error(`TOTP confirmation failed: ${confirm.statusCode} ${confirm.body}`);
  const body = confirm.json<{ csrfToken: string; recoveryCodes: string[] }>();
  const fresh: SignedIn = { cookie: sessionCookieOf(confirm), csrfToken: body.csrfToken, userId: session.userId, stage: 'complete' };
  return { secret, recoveryCodes: body.recoveryCodes, session: fresh };
}

/**
 * Both sign-in steps for an account with TOTP: the code is taken at the clock's time, so a second
 * sign-in within the same 30 s is a replay; advance the clock between them.
 */
export async function signInWithTotp(app: FastifyInstance, email: string, password: string, secret: string, clock: { now(): Date }): Promise<SignedIn> {
  const first = await signIn(app, email, password);
  if (first.stage !== 'mfa') throw new Error(`expected the second-factor stage, got ${first.stage}`);
  const res = await app.inject({ method: 'POST', url: '/api/session/mfa', headers: { cookie: first.cookie, 'x-csrf-token': first.csrfToken }, payload: { code: totpCode(secret, clock) } });
  if (res.statusCode !== 200) throw new Error(`second factor failed: ${res.statusCode} ${res.body}`);
  const body = res.json<{ csrfToken: string; user: { id: string } }>();
  return { cookie: sessionCookieOf(res), csrfToken: body.csrfToken, userId: body.user.id, stage: 'complete' };
}

export function sessionCookieOf(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name.endsWith('openeks_session'));
  if (!cookie) throw new Error('no session cookie set');
  return `${cookie.name}=${cookie.value}`;
}

/** A real listening server (browser tests). */
export async function startTestServer(options: Parameters<typeof createTestApp>[0] = {}) {
  const t = await createTestApp({ ...options, clock: options.clock });
  const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    ...t,
    baseUrl: address,
    async createOperatorSetupLink(email: string): Promise<string> {
      const { link } = await t.container.operatorSetup.createOperator({ email, ...asSystem });
      const url = new URL(link);
      return `${address}${url.pathname}${url.hash}`;
    },
  };
}
