import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../test/support/log-capture.js';
import { type TestBroker, testBroker, waitFor } from '../../../test/support/mqtt-broker.js';
import type { MqttOptions } from './mqtt-options.js';
import { openPublisher } from './mqtt-publisher.js';

// mqtts with the CA of mqtt.ca_file: a Mosquitto with a certificate from a CA made here by openssl.

let dir = '';
let broker: TestBroker;
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openeks-mqtt-tls-'));
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=openeks test CA');
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  broker = await testBroker({ ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') });
  await broker.start();
});
afterAll(async () => {
  await broker.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const options = (caPath?: string): MqttOptions => ({
  url: broker.url,
  ...(caPath !== undefined ? { caPath } : {}),
  clientId: `openeks-tls-${process.pid}-${caPath === undefined ? 'noca' : 'ca'}`,
  topicPrefix: 'meters',
  bufferPath: join(mkdtempSync(join(dir, 'buf-')), 'buffer.db'),
  bufferMaxMessages: 100,
  homeAssistant: { enabled: false, discoveryPrefix: 'homeassistant' },
  availabilityTimeoutSeconds: 3600,
});

describe('openPublisher over mqtts', () => {
  it('connects and delivers with the CA of mqtt.ca_file', async () => {
    const pub = await openPublisher({ config: options(join(dir, 'ca.pem')), gatewayId: 'gw1', log: captureLogs().logger });
    try {
      pub.availability('KAM-63941885', true);
      await waitFor(() => pub.status().delivered === 1, 'the availability over TLS');
      expect(pub.status()).toEqual({ connected: true, buffered: 0, dropped: 0, delivered: 1 });
    } finally {
      await pub.close();
    }
  });

  it('refuses a broker whose certificate it cannot verify, and keeps the message', async () => {
    const logs = captureLogs();
    const pub = await openPublisher({ config: options(), gatewayId: 'gw1', log: logs.logger });
    try {
      pub.availability('KAM-63941885', true);
      await waitFor(() => /self[- ]signed certificate in certificate chain|unable to verify|unable to get local issuer/.test(logs.text()), 'the TLS error in the log');
      expect(pub.status()).toEqual({ connected: false, buffered: 1, dropped: 0, delivered: 0 });
    } finally {
      await pub.close();
    }
  });

  it('names the CA file it cannot read', async () => {
    await expect(openPublisher({ config: options(join(dir, 'missing.pem')), gatewayId: 'gw1', log: captureLogs().logger })).rejects.toThrow(
      `mqtt.ca_file: the CA file ${join(dir, 'missing.pem')} cannot be read`,
    );
  });
});
