import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { GatewayEvent, Publisher, PublisherStatus, Reading } from '../gateway-types.js';
import { discoveryConfigs } from './ha-discovery.js';
import { eventMessage, eventMeterKey, isoSeconds, stateMessage } from './mqtt-messages.js';
import type { MqttOptions } from './mqtt-options.js';
import { topicsFor } from './mqtt-options.js';
import { openOutbox, type Outbox } from './mqtt-outbox.js';

// The MQTT publisher (docs/mqtt.md). Every reading, event and availability change is first a row
// of the SQLite outbox; one sender publishes rows in sequence order, QoS 1, at most WINDOW in flight,
// and deletes a row when its PUBACK arrives. What one turn of the event loop brings (new messages,
// PUBACKs, availability and discovery state) is written in one transaction: synchronous=FULL costs
// one fsync per commit, so the commits, not the rows, set the pace. The mqtt client is created anew for every connection
// (clean session, no automatic reconnect), so its in-memory store never resends a message behind
// our back: after a reconnect the sender starts again from the oldest row still in the outbox.

// Large enough that the PUBACKs of one fsync's wait fill the next turn's commit: the broker answers
// within a millisecond, a commit takes several, and a window of 64 held the sender to ~64 per commit.
const WINDOW = 512;
/** At most one commit per this many ms; a message waits at most this long before its transaction (docs/mqtt.md). */
const GROUP_COMMIT_MS = 10;
const BACKOFF_INITIAL_MS = 250;
const BACKOFF_MAX_MS = 5_000;
const CLOSE_FLUSH_MS = 3_000;
const AVAILABILITY = 'availability:';
const DISCOVERY = 'discovery:';

export interface PublisherOptions {
  config: MqttOptions;
  gatewayId: string;
  log: Logger;
}

/** The broker's address without credentials, for logs. */
function brokerName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the configured broker';
  }
}

export async function openPublisher(o: PublisherOptions): Promise<Publisher> {
  const { config, gatewayId, log } = o;
  const topics = topicsFor(config.topicPrefix, gatewayId, config.homeAssistant.discoveryPrefix);
  let ca: Buffer | undefined;
  if (config.caPath !== undefined) {
    try {
      ca = readFileSync(config.caPath);
    } catch {
      throw new Error(`mqtt.ca_file: the CA file ${config.caPath} cannot be read`);
    }
  }
  const outbox: Outbox = openOutbox(config.bufferPath, config.bufferMaxMessages);
  const broker = brokerName(config.url);
  // setTimeout holds at most 2^31-1 ms (24.8 days); beyond, Node would fire at once.
  const timeoutMs = Math.min(Math.max(config.availabilityTimeoutSeconds, 1) * 1000, 2 ** 31 - 1);

  let client: MqttClient | null = null;
  let gen = 0;
  let connected = false;
  let closed = false;
  let backoff = BACKOFF_INITIAL_MS;
  let reconnectTimer: NodeJS.Timeout | null = null;
  const inflight = new Set<number>();
  let lastSent = 0;
  let acked: number[] = [];
  let detailDirty = true;
  let idleWaiter: (() => void) | null = null;
  /** Messages the outbox could not take (a write error), counted with the dropped ones. */
  let lost = 0;
  let pending: { topic: string; payload: string; retain: boolean }[] = [];
  /** State changes waiting for the turn's commit; the last one per key wins. */
  let pendingStates = new Map<string, string | null>();
  let commitQueued = false;
  let sendQueued = false;
  let lastCommitAt = -Infinity;
  const counters = () => {
    commit();
    const c = outbox.counters();
    return { ...c, dropped: c.dropped + lost };
  };

  // Per-meter availability: online after a verified reading, offline after timeoutMs without one.
  // Only changes are written (to the outbox's state table), so a restart knows which meters are online.
  const online = new Map<string, NodeJS.Timeout | null>();
  const discovery = new Map<string, string>();
  for (const [key] of outbox.states(AVAILABILITY)) online.set(key.slice(AVAILABILITY.length), null);
  for (const [key, payload] of outbox.states(DISCOVERY)) discovery.set(key.slice(DISCOVERY.length), payload);
  for (const meterKey of online.keys()) armTimer(meterKey);

  /** Keeps a value for the next start, written with the turn's commit (a write error is logged there). */
  function remember(key: string, value: string | null): void {
    pendingStates.set(key, value);
    queueCommit();
  }

  /**
   * The next commit: at the end of this turn when the last one is GROUP_COMMIT_MS ago or more, else
   * when it will be; everything that arrives meanwhile joins it. A commit waits for its fsync (~2 ms
   * on a plain disk) with the event loop blocked, so one per turn (one per pty read) spent most of
   * the loop there at a couple of thousand telegrams a second, while a quiet gateway commits at once.
   */
  function queueCommit(): void {
    if (commitQueued) return;
    commitQueued = true;
    const run = (): void => {
      commitQueued = false;
      if (outboxOpen) pump();
    };
    const wait = lastCommitAt + GROUP_COMMIT_MS - performance.now();
    if (wait <= 0) setImmediate(run);
    else setTimeout(run, wait);
  }

  /** After PUBACKs: fill the window again from rows already on disk, without waiting for the commit. */
  function queueSend(): void {
    if (sendQueued) return;
    sendQueued = true;
    setImmediate(() => {
      sendQueued = false;
      if (outboxOpen) send();
    });
  }

  function armTimer(meterKey: string): void {
    const t = online.get(meterKey);
    if (t) {
      t.refresh();
      return;
    }
    const timer = setTimeout(() => setAvailability(meterKey, false), timeoutMs);
    timer.unref();
    online.set(meterKey, timer);
  }

  /** The availability message when it changes, else nothing. */
  function availabilityChange(meterKey: string, isOnline: boolean): { topic: string; payload: string; retain: boolean }[] {
    if (isOnline) {
      const was = online.has(meterKey);
      armTimer(meterKey);
      if (was) return [];
      remember(AVAILABILITY + meterKey, 'online');
    } else {
      if (!online.has(meterKey)) return [];
      const t = online.get(meterKey);
      if (t) clearTimeout(t);
      online.delete(meterKey);
      remember(AVAILABILITY + meterKey, null);
    }
    return [{ topic: topics.availability(meterKey), payload: isOnline ? 'online' : 'offline', retain: true }];
  }

  function enqueue(messages: { topic: string; payload: string; retain: boolean }[]): void {
    if (messages.length === 0) return;
    for (const m of messages) pending.push(m);
    queueCommit();
  }

  /**
   * Group commit: what arrived during one turn of the event loop (messages, PUBACKs, state) goes to
   * disk in one transaction (one fsync), so a burst of telegrams costs one disk flush, not one each.
   */
  function commit(): void {
    if (pending.length === 0 && acked.length === 0 && pendingStates.size === 0) return;
    const messages = pending;
    const acks = acked;
    const states = pendingStates;
    pending = [];
    acked = [];
    pendingStates = new Map();
    lastCommitAt = performance.now();
    let dropped: number;
    try {
      dropped = outbox.write({ messages, acks, states }).dropped;
    } catch (err) {
      // The disk refused (full, read-only, gone): these messages are lost, and counted as dropped.
      // The PUBACKs and the state changes are kept for the next commit: a PUBACKed row must be
      // deleted before the sender could hand it out again (after a reconnect or a restart).
      acked = acks.concat(acked);
      for (const [key, value] of states) if (!pendingStates.has(key)) pendingStates.set(key, value);
      lost += messages.length;
      detailDirty = true;
      log.error({ code: (err as { code?: unknown }).code, lost: messages.length, statesNotKept: states.size }, 'MQTT buffer cannot be written: messages lost');
      return;
    }
    if (dropped > 0) {
      detailDirty = true;
      log.warn({ dropped, total: outbox.counters().dropped }, 'MQTT buffer full: the oldest messages were dropped');
    }
  }

  function setAvailability(meterKey: string, isOnline: boolean): void {
    if (closed) return;
    enqueue(availabilityChange(meterKey, isOnline));
  }

  function publishDetail(c: MqttClient): void {
    detailDirty = false;
    const detail = { ...counters(), connected: true, timestamp: isoSeconds(new Date()) };
    c.publish(topics.statusDetail, JSON.stringify(detail), { qos: 1, retain: true });
  }

  function pump(): void {
    commit();
    send();
  }

  function send(): void {
    const c = client;
    if (!connected || c === null) {
      if (closed) idleWaiter?.();
      return;
    }
    const myGen = gen;
    while (inflight.size < WINDOW) {
      const rows = outbox.next(lastSent, WINDOW - inflight.size);
      if (rows.length === 0) break;
      for (const row of rows) {
        inflight.add(row.seq);
        lastSent = row.seq;
        c.publish(row.topic, row.payload, { qos: 1, retain: row.retain }, (err) => onSent(myGen, row.seq, err));
      }
    }
    if (detailDirty) publishDetail(c);
    if (inflight.size === 0) idleWaiter?.();
  }

  function onSent(g: number, seq: number, err: Error | undefined): void {
    if (err) {
      // A publish that failed on the live connection: drop the connection, the sender starts again
      // from the oldest unacknowledged row, so the order holds.
      if (g === gen && connected) {
        log.warn({ err: err.message, broker }, 'MQTT publish failed; reconnecting');
        client?.stream.destroy();
      }
      return;
    }
    acked.push(seq);
    if (g === gen) inflight.delete(seq);
    queueCommit();
    queueSend();
  }

  function republish(c: MqttClient): void {
    for (const [topic, payload] of discovery) c.publish(topic, payload, { qos: 1, retain: true });
    for (const meterKey of online.keys()) c.publish(topics.availability(meterKey), 'online', { qos: 1, retain: true });
  }

  function connect(): void {
    reconnectTimer = null;
    if (closed) return;
    const g = ++gen;
    const opts: IClientOptions = {
      clientId: config.clientId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      protocolVersion: 4,
      // mqtt-packet otherwise builds a table of 65,536 two-byte Buffers for the packet ids on the
      // first packet written: ~6 MB of heap the gateway carries for its whole life to save one
      // 2-byte allocation per publish (docs/gateway.md "Memory").
      writeCache: false,
      will: { topic: topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
      ...(config.username !== undefined ? { username: config.username } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(ca !== undefined ? { ca } : {}),
    };
    const c = mqtt.connect(config.url, opts);
    client = c;
    let ended = false;
    c.on('connect', () => {
      if (g !== gen) return;
      connected = true;
      backoff = BACKOFF_INITIAL_MS;
      inflight.clear();
      lastSent = 0;
      log.info({ broker }, 'MQTT connected');
      c.publish(topics.status, 'online', { qos: 1, retain: true });
      if (config.homeAssistant.enabled) c.subscribe(topics.haStatus, { qos: 1 });
      detailDirty = true;
      pump();
    });
    c.on('message', (topic, payload) => {
      if (topic === topics.haStatus && payload.toString('utf8') === 'online' && g === gen && connected) republish(c);
    });
    c.on('error', (err) => log.warn({ err: err.message, broker }, 'MQTT connection error'));
    c.on('close', () => {
      if (ended) return;
      ended = true;
      c.end(true);
      if (g !== gen) return;
      if (connected && !closed) log.warn({ broker, buffered: outbox.counters().buffered }, 'MQTT disconnected; buffering');
      connected = false;
      inflight.clear();
      if (closed) {
        idleWaiter?.();
        return;
      }
      reconnectTimer = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    });
  }

  let outboxOpen = true;
  connect();

  return {
    reading(r: Reading): void {
      if (closed) {
        log.warn({ meter: r.meterKey }, 'reading after the publisher closed: not published');
        return;
      }
      const messages: { topic: string; payload: string; retain: boolean }[] = [];
      if (config.homeAssistant.enabled) {
        for (const [topic, payload] of discoveryConfigs(r, gatewayId, topics)) {
          if (discovery.get(topic) === payload) continue;
          discovery.set(topic, payload);
          remember(DISCOVERY + topic, payload);
          messages.push({ topic, payload, retain: true });
        }
      }
      messages.push({ topic: topics.state(r.meterKey), payload: JSON.stringify(stateMessage(r, gatewayId)), retain: true });
      messages.push(...availabilityChange(r.meterKey, true));
      enqueue(messages);
    },
    event(e: GatewayEvent): void {
      if (closed) return;
      const meterKey = eventMeterKey(e);
      const topic = meterKey === undefined ? topics.gatewayEvent : topics.event(meterKey);
      enqueue([{ topic, payload: JSON.stringify(eventMessage(e, gatewayId)), retain: false }]);
    },
    availability: setAvailability,
    status(): PublisherStatus {
      return { connected, ...counters() };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      for (const t of online.values()) if (t) clearTimeout(t);
      const c = client;
      if (connected && c !== null) {
        // Deliver what the broker takes within CLOSE_FLUSH_MS; the rest waits in the outbox.
        await new Promise<void>((resolve) => {
          const done = setTimeout(resolve, CLOSE_FLUSH_MS);
          idleWaiter = () => {
            if (connected && (inflight.size > 0 || outbox.next(lastSent, 1).length > 0)) return;
            clearTimeout(done);
            resolve();
          };
          pump();
        });
        idleWaiter = null;
        let clean = false;
        if (connected) {
          clean = await new Promise<boolean>((resolve) => {
            const done = setTimeout(() => resolve(false), CLOSE_FLUSH_MS);
            c.publish(topics.status, 'offline', { qos: 1, retain: true }, (err) => {
              clearTimeout(done);
              resolve(err === undefined);
            });
          });
        }
        // A clean DISCONNECT only when nothing is outstanding: mqtt's end(false) waits for every
        // PUBACK, however long. Otherwise the socket is cut; the broker then publishes the last will, `offline` too.
        const force = !clean || inflight.size > 0;
        await new Promise<void>((resolve) => c.end(force, {}, () => resolve()));
      } else if (c !== null) {
        await new Promise<void>((resolve) => c.end(true, {}, () => resolve()));
      }
      gen++;
      commit();
      outboxOpen = false;
      outbox.close();
      log.info({ broker, ...counters() }, 'MQTT publisher closed');
    },
  };
}
