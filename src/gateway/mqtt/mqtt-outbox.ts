import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

// The on-disk buffer between the pipeline and the broker (docs/mqtt.md "Nothing lost, nothing
// twice"). Every message is a row with a rising sequence number; the sender reads rows in sequence
// order and deletes a row only when its PUBACK arrived. WAL with synchronous=FULL: a commit is on
// disk before the call returns, so neither a message handed to us nor the deletion that records a
// PUBACK is undone by a power cut (NORMAL would survive a crashed process but not a lost power
// supply, and an undone deletion is a message sent twice).

export interface OutboxRow {
  seq: number;
  topic: string;
  payload: Buffer;
  retain: boolean;
}

export interface OutboxCounters {
  buffered: number;
  dropped: number;
  delivered: number;
}

/** What one turn of the publisher writes: new messages, PUBACKed rows, state changes (null deletes). */
export interface OutboxTurn {
  messages: readonly { topic: string; payload: string | Buffer; retain: boolean }[];
  acks: readonly number[];
  states: ReadonlyMap<string, string | null>;
}

export interface Outbox {
  /**
   * One transaction, so one fsync for the whole turn (docs/mqtt.md "The outbox"): the acknowledged
   * rows are deleted first (so they do not count against the bound), then the messages appended
   * (past the bound the oldest dropped and counted), then the state changes. Returns how many
   * were dropped and how many acknowledged rows were deleted.
   */
  write(turn: OutboxTurn): { dropped: number; delivered: number };
  /** Appends messages in one transaction; past the bound the oldest rows are dropped and counted. Returns how many were dropped. */
  append(messages: readonly { topic: string; payload: string | Buffer; retain: boolean }[]): number;
  /** Up to `limit` rows with a sequence number above `afterSeq`, oldest first. */
  next(afterSeq: number, limit: number): OutboxRow[];
  /** Deletes acknowledged rows and counts them as delivered (rows already dropped are not counted). */
  acknowledge(seqs: readonly number[]): void;
  counters(): OutboxCounters;
  /** Small persistent values beside the queue (per-meter availability). */
  getState(key: string): string | undefined;
  setState(key: string, value: string | null): void;
  states(prefix: string): [string, string][];
  close(): void;
}

export class OutboxError extends Error {
  override name = 'OutboxError';
}

export function openOutbox(path: string, maxMessages: number): Outbox {
  if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new OutboxError(`bufferMaxMessages must be a whole number ≥ 1, not ${maxMessages}`);
  let db: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // The sender reads the newest rows, which are in the WAL and the last pages: SQLite's default
    // 2 MB page cache would only hold pages of rows long deleted, resident for the gateway's life.
    db.pragma('cache_size = -512');
    db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL, retain INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT OR IGNORE INTO counters (name, value) VALUES ('dropped', 0), ('delivered', 0);
    `);
  } catch (err) {
    throw new OutboxError(`the MQTT buffer ${path} cannot be opened: ${(err as Error).message}`);
  }
  const insert = db.prepare('INSERT INTO outbox (topic, payload, retain) VALUES (?, ?, ?)');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox');
  const dropOldest = db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)');
  const select = db.prepare<[number, number], { seq: number; topic: string; payload: Buffer; retain: number }>(
    'SELECT seq, topic, payload, retain FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?',
  );
  const del = db.prepare('DELETE FROM outbox WHERE seq = ?');
  const bump = db.prepare('UPDATE counters SET value = value + ? WHERE name = ?');
  const counter = db.prepare<[string], { value: number }>('SELECT value FROM counters WHERE name = ?');
  const getState = db.prepare<[string], { value: string }>('SELECT value FROM state WHERE key = ?');
  const putState = db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const delState = db.prepare('DELETE FROM state WHERE key = ?');
  const listStates = db.prepare<[string], { key: string; value: string }>('SELECT key, value FROM state WHERE key >= ? ORDER BY key');

  let buffered = count.get()?.n ?? 0;
  let dropped = counter.get('dropped')?.value ?? 0;
  let delivered = counter.get('delivered')?.value ?? 0;

  const append = db.transaction((messages: readonly { topic: string; payload: string | Buffer; retain: boolean }[]): number => {
    for (const m of messages) insert.run(m.topic, typeof m.payload === 'string' ? Buffer.from(m.payload) : m.payload, m.retain ? 1 : 0);
    const over = buffered + messages.length - maxMessages;
    if (over > 0) {
      dropOldest.run(over);
      bump.run(over, 'dropped');
    }
    return Math.max(0, over);
  });
  const acknowledge = db.transaction((seqs: readonly number[]): number => {
    let n = 0;
    for (const s of seqs) n += del.run(s).changes;
    if (n > 0) bump.run(n, 'delivered');
    return n;
  });

  const writeTurn = db.transaction((turn: OutboxTurn, before: number): { dropped: number; delivered: number } => {
    let delivered = 0;
    for (const s of turn.acks) delivered += del.run(s).changes;
    if (delivered > 0) bump.run(delivered, 'delivered');
    for (const m of turn.messages) insert.run(m.topic, typeof m.payload === 'string' ? Buffer.from(m.payload) : m.payload, m.retain ? 1 : 0);
    const over = Math.max(0, before - delivered + turn.messages.length - maxMessages);
    if (over > 0) {
      dropOldest.run(over);
      bump.run(over, 'dropped');
    }
    for (const [key, value] of turn.states) {
      if (value === null) delState.run(key);
      else putState.run(key, value);
    }
    return { dropped: over, delivered };
  });

  return {
    write(turn) {
      if (turn.messages.length === 0 && turn.acks.length === 0 && turn.states.size === 0) return { dropped: 0, delivered: 0 };
      const r = writeTurn(turn, buffered);
      buffered = Math.min(maxMessages, buffered - r.delivered + turn.messages.length);
      dropped += r.dropped;
      delivered += r.delivered;
      return r;
    },
    append(messages) {
      if (messages.length === 0) return 0;
      const over = append(messages);
      buffered = Math.min(maxMessages, buffered + messages.length);
      dropped += over;
      return over;
    },
    next(afterSeq, limit) {
      return select.all(afterSeq, limit).map((r) => ({ seq: r.seq, topic: r.topic, payload: r.payload, retain: r.retain === 1 }));
    },
    acknowledge(seqs) {
      if (seqs.length === 0) return;
      const n = acknowledge(seqs);
      buffered -= n;
      delivered += n;
    },
    counters: () => ({ buffered, dropped, delivered }),
    getState: (key) => getState.get(key)?.value,
    setState(key, value) {
      if (value === null) delState.run(key);
      else putState.run(key, value);
    },
    states: (prefix) => listStates.all(prefix).filter((r) => r.key.startsWith(prefix)).map((r) => [r.key, r.value]),
    close: () => db.close(),
  };
}
