import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboxError, openOutbox } from './mqtt-outbox.js';

const dirs: string[] = [];
const tmpPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'openeks-outbox-'));
  dirs.push(dir);
  return join(dir, 'sub', 'buffer.db');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const msg = (n: number) => ({ topic: `t/${n}`, payload: `p${n}`, retain: n % 2 === 0 });

describe('openOutbox', () => {
  it('hands rows out in sequence order after a given sequence number', () => {
    const box = openOutbox(tmpPath(), 100);
    box.append([msg(1), msg(2), msg(3)]);
    const all = box.next(0, 10);
    expect(all.map((r) => [r.topic, r.payload.toString(), r.retain])).toEqual([
      ['t/1', 'p1', false],
      ['t/2', 'p2', true],
      ['t/3', 'p3', false],
    ]);
    expect(box.next(all[0]?.seq ?? -1, 1).map((r) => r.topic)).toEqual(['t/2']);
    box.close();
  });

  it('drops the oldest past the bound and counts them, persistently', () => {
    const path = tmpPath();
    const box = openOutbox(path, 10);
    for (let i = 1; i <= 25; i++) box.append([msg(i)]);
    expect(box.counters()).toEqual({ buffered: 10, dropped: 15, delivered: 0 });
    expect(box.next(0, 100).map((r) => r.topic)).toEqual(Array.from({ length: 10 }, (_, i) => `t/${i + 16}`));
    box.close();
    const again = openOutbox(path, 10);
    expect(again.counters()).toEqual({ buffered: 10, dropped: 15, delivered: 0 });
    again.close();
  });

  it('writes a turn in one transaction: PUBACKed rows deleted before the bound is applied, messages appended, state kept', () => {
    const path = tmpPath();
    const box = openOutbox(path, 3);
    box.append([msg(1), msg(2), msg(3)]);
    const [a, b] = box.next(0, 2);
    const r = box.write({ messages: [msg(4), msg(5)], acks: [a?.seq ?? -1, b?.seq ?? -1], states: new Map([['availability:KAM-1', 'online']]) });
    // Two rows acknowledged make room for the two new ones: nothing is dropped.
    expect(r).toEqual({ dropped: 0, delivered: 2 });
    expect(box.next(0, 10).map((x) => x.topic)).toEqual(['t/3', 't/4', 't/5']);
    expect(box.getState('availability:KAM-1')).toBe('online');
    expect(box.write({ messages: [msg(6)], acks: [], states: new Map([['availability:KAM-1', null]]) })).toEqual({ dropped: 1, delivered: 0 });
    expect(box.counters()).toEqual({ buffered: 3, dropped: 1, delivered: 2 });
    box.close();
    const again = openOutbox(path, 3);
    expect(again.counters()).toEqual({ buffered: 3, dropped: 1, delivered: 2 });
    expect(again.next(0, 10).map((x) => x.topic)).toEqual(['t/4', 't/5', 't/6']);
    expect(again.getState('availability:KAM-1')).toBeUndefined();
    again.close();
  });

  it('deletes acknowledged rows for good: they are neither handed out again nor their numbers reused after a reopen', () => {
    const path = tmpPath();
    const box = openOutbox(path, 100);
    box.append([msg(1), msg(2), msg(3)]);
    const [a, b] = box.next(0, 2);
    box.acknowledge([a?.seq ?? -1, b?.seq ?? -1, b?.seq ?? -1]);
    expect(box.counters()).toEqual({ buffered: 1, dropped: 0, delivered: 2 });
    box.close();
    const again = openOutbox(path, 100);
    expect(again.next(0, 10).map((r) => r.topic)).toEqual(['t/3']);
    again.append([msg(4)]);
    const seqs = again.next(0, 10).map((r) => r.seq);
    expect(seqs[1]).toBeGreaterThan(b?.seq ?? Infinity);
    expect(again.counters()).toEqual({ buffered: 2, dropped: 0, delivered: 2 });
    again.close();
  });

  it('keeps small state values across a reopen', () => {
    const path = tmpPath();
    const box = openOutbox(path, 5);
    box.setState('availability:KAM-1', 'online');
    box.setState('availability:KAM-2', 'online');
    box.setState('discovery:x', '{}');
    box.setState('availability:KAM-2', null);
    box.close();
    const again = openOutbox(path, 5);
    expect(again.states('availability:')).toEqual([['availability:KAM-1', 'online']]);
    expect(again.getState('discovery:x')).toBe('{}');
    again.close();
  });

  it('refuses a bound below 1 and names a file it cannot open', () => {
    expect(() => openOutbox(tmpPath(), 0)).toThrow(OutboxError);
    const dir = mkdtempSync(join(tmpdir(), 'openeks-outbox-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'file'), '');
    const path = join(dir, 'file', 'buffer.db');
    expect(() => openOutbox(path, 5)).toThrow(`the MQTT buffer ${path} cannot be opened`);
  });
});
