import pino from 'pino';
import { openPublisher } from '../../src/gateway/mqtt/mqtt-publisher.js';

// A publisher in a process of its own, for the last-will test: the test kills it with SIGKILL.
const config = JSON.parse(process.argv[2] ?? '{}');
await openPublisher({ config, gatewayId: 'gw1', log: pino({ level: 'warn' }, process.stderr) });
setInterval(() => undefined, 60_000);
