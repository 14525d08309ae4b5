import { newApiToken } from '../../src/lib/crypto/tokens.js';
import { newId } from '../../src/lib/ids.js';
import { storeDevice } from '../support/devices.js';
import { probeApp, serveWithHello } from './probe-server.js';

// The server side of export-token.bench.ts, in a process of its own (like sign-in-server.ts):
// the real app on loopback with a Fastify hello-world beside it (the floor). Seeds a customer
// account with DEVICES devices (a DEK and a GPK1 each), a superuser linked to it and a *gateway*
// API token of his; prints one JSON line with both ports, the token and the device ids; ends on
// SIGTERM. The HTTP rate limit is raised so that the figure measures the work, not a refusal.

const DEVICES = Number(process.env.OPENEKS_BENCH_TOKEN_DEVICES ?? 1000);

const { container, app } = await probeApp({ name: 'export-token-server' });

const now = new Date().toISOString();
const kysely = container.db.kysely;
const customerId = newId('cus');
await kysely.insertInto('customer_accounts').values({ id: customerId, customer_no: 'BENCH-1', name: 'Bench Stadtwerke', name_search: 'bench stadtwerke', contact_email: null, notes: null, created_at: now, updated_at: now }).execute();
const userId = 'usr_bench_gateway';
await kysely
  .insertInto('users')
  .values({ id: userId, email: 'gateway@bench.example', name: null, password_hash: null, is_operator: 0, status: 'active', language: 'en', created_at: now, updated_at: now, email_verified_at: now })
  .execute();
await kysely.insertInto('superuser_links').values({ user_id: userId, customer_account_id: customerId, linked_by: null, request_id: null, created_at: now }).execute();
const deviceIds: string[] = [];
for (let i = 0; i < DEVICES; i++) {
  const hex = (n: number) => Buffer.alloc(16, (i + n) % 256).toString('hex');
  const stored = await storeDevice(container, {
    manufacturer: 'KAM',
    serial: String(60_000_000 + i),
    customerAccountId: customerId,
    keys: [{ hex: hex(1) }, { hex: hex(2), keyType: 'GPK1' }],
  });
  deviceIds.push(stored.deviceId);
}
const { token, hash } = newApiToken();
await kysely
  .insertInto('api_tokens')
  .values({
    id: newId('tok'),
    user_id: userId,
    name: 'bench gateway',
    kind: 'gateway',
    token_hash: hash,
    device_filter: null,
    public_key: null,
    created_at: now,
    expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    revoked_at: null,
    revoked_by: null,
    last_used_at: null,
    last_used_ip: null,
  })
  .execute();

await serveWithHello({ container, app, extra: { token, deviceIds } });
