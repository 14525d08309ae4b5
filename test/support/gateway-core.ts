import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asSystem, createTestApp, signIn, type TestApp } from '../harness.js';
import { createActiveUser, goodPassword } from './accounts.js';
import { FixedClock } from './clock.js';
import { clearRetained, gatewayEnv, type MqttWatch } from './gateway-bench.js';
import { post } from './grants.js';

// The core side of the gateway's end-to-end tests (test/gateway/gateway-*e2e.test.ts): a real core on
// loopback with the test database, one reader holding the meters, and the gateway token they grant.

/** The core on the wall clock: the gateway's key sync and a revocation happen in real time. */
export class WallClock extends FixedClock {
  override now(): Date {
    return new Date();
  }
}

export interface GatewayCore {
  core: TestApp;
  coreUrl: string;
  /** The reader the meters are granted to (revoke with `readerId: userId`). */
  userId: string;
  email: string;
  /** A scratch folder for the configuration files, key caches and buffers. */
  dir: string;
}

/** A core listening on 127.0.0.1 (a free port) with one active user `email`, and a scratch folder. */
export async function startGatewayCore(folderPrefix: string, email: string): Promise<GatewayCore> {
  const dir = await mkdtemp(join(tmpdir(), folderPrefix));
  const core = await createTestApp({ clock: new WallClock() });
  await core.app.listen({ host: '127.0.0.1', port: 0 });
  const address = core.app.server.address();
  const coreUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const userId = await createActiveUser(core, { email });
  return { core, coreUrl, userId, email, dir };
}

/**
 * Grants the devices to the user, has the user create a gateway token named `tokenName`, and
 * returns the gateway's environment: that token and a fresh cache key.
 */
export async function grantToGatewayToken(c: GatewayCore, deviceIds: string[], tokenName: string): Promise<NodeJS.ProcessEnv> {
  await c.core.container.grants.assign({ ...asSystem, selection: { ids: deviceIds }, email: c.email });
  const session = await signIn(c.core.app, c.email, goodPassword);
  const created = await post(c.core, session, '/api/me/tokens', { name: tokenName, kind: 'gateway' });
  if (created.statusCode !== 201) throw new Error(`token: ${created.statusCode} ${created.body}`);
  return gatewayEnv(created.json<{ token: string }>().token, randomBytes(32));
}

/** After the test's gateway and meters: clears what it retained on the broker, closes the core, removes the folder. */
export async function closeGatewayCore(c: GatewayCore | undefined, watch: MqttWatch | undefined): Promise<void> {
  if (watch) {
    await clearRetained(watch);
    await watch.close();
  }
  await c?.core.close();
  if (c) await rm(c.dir, { recursive: true, force: true });
}
