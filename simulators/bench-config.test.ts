import { describe, expect, it } from 'vitest';
import { BenchConfigError, loadBenchConfig, parseBenchConfig } from './bench-config.js';

describe('config/bench.yaml', () => {
  it('loads: a stick, a link and the four meter kinds', async () => {
    const c = await loadBenchConfig('config/bench.yaml');
    expect(c.stick).toBe('im871a');
    expect(c.link).toEqual({ kind: 'pty' });
    expect(c.meters.map((m) => m.kind)).toEqual(['multical21', 'flowiq2200', 'multical403', 'oms-water']);
  });

  it.each([
    ['seed: 1\nstick: nope\nlink: {kind: pty}\nmeters: []', /stick/],
    ['stick: cul\nlink: {kind: pty}\nmeters: [{kind: multical21, id: "1", key: "00", intervalSeconds: 1}]', /id/],
    ['stick: cul\nlink: {kind: pty}\nmeters: [{kind: multical21, id: "12345678", key: "00", intervalSeconds: 1}]', /key/],
    ['stick: cul\nlink: {kind: pty}\nextra: 1\nmeters: []', /unknown field "extra"/],
  ])('refuses a bad configuration', (text, message) => {
    expect(() => parseBenchConfig(text)).toThrow(BenchConfigError);
    expect(() => parseBenchConfig(text)).toThrow(message);
  });
});
