import { describe, expect, it } from 'vitest';
import { BenchConfigError, loadBenchConfig, parseBenchConfig } from './bench-config.js';

describe('config/bench.yaml', () => {
  it('loads: a stick, a link and the four meter kinds', async () => {
    const c = await loadBenchConfig('config/bench.yaml');
    expect(c.stick).toBe('im871a');
    expect(c.link).toEqual({ kind: 'pty' });
    expect(c.meters.map((m) => m.kind)).toEqual(['multical21', 'flowiq2200', 'multical403', 'oms-water']);
  });

  it('loads the KMP and DLMS meters and the concentrator', async () => {
    const c = await loadBenchConfig('config/bench.yaml');
    expect(c.kmp).toEqual([{ serial: '60312345', key: '1B447EAFDA53291879AE307423070D29' }]);
    expect(c.dlms?.map((m) => [m.serial, m.authentication, m.pushSeconds, m.modeE])).toEqual([
      ['57012345', 'hls-gmac', 10, true],
      ['57012346', 'hls-gmac', 0, true],
    ]);
    expect(c.concentrator).toEqual({ coreUrl: 'http://127.0.0.1:8080', tokenFile: 'concentrator.token', meters: ['57012346'], syncSeconds: 60, pollSeconds: 30 });
  });

  const wmbus = 'stick: cul\nlink: {kind: pty}\nmeters: [{kind: multical21, id: "12345678", key: "00112233445566778899AABBCCDDEEFF", intervalSeconds: 1}]\n';
  const dlms = (fields: string): string => `${wmbus}dlms: [{serial: "57012345", guek: "00112233445566778899AABBCCDDEEFF", gak: "00112233445566778899AABBCCDDEEFF", ${fields}}]\n`;

  it('fills the defaults of a DLMS meter: no HAN port, sign-on answered', () => {
    expect(parseBenchConfig(dlms('authentication: none')).dlms?.[0]).toMatchObject({ pushSeconds: 0, modeE: true });
    expect(parseBenchConfig(dlms('authentication: lls, password: "Zähler"'.replace('ä', 'ae'))).dlms?.[0]?.password).toBe('Zaehler');
  });

  it.each([
    [dlms('authentication: hls'), 'dlms[0].authentication: one of none, lls, hls-gmac'],
    [dlms('authentication: lls'), 'dlms[0].password: 1 to 16 printable ASCII characters, for lls'],
    [dlms('authentication: none, password: "x"'), 'dlms[0].password: only with authentication lls'],
    [dlms('authentication: none, pushSeconds: -1'), 'dlms[0].pushSeconds: 0 (no HAN port) or a number from 0.01 to 86400'],
    [dlms('authentication: none, han: 1'), 'dlms[0]: unknown field "han"'],
    [dlms('authentication: none').replace('gak: "00112233445566778899AABBCCDDEEFF"', 'gak: "00"'), 'dlms[0].gak: 32 hex digits'],
    [`${wmbus}kmp: [{serial: "12345678", key: "00112233445566778899AABBCCDDEEFF"}]`, 'serial "12345678" appears twice in the bench'],
    [`${wmbus}kmp: [{serial: 60312345, key: "00112233445566778899AABBCCDDEEFF"}]`, 'kmp[0].serial: 8 digits, quoted'],
    [`${dlms('authentication: none')}concentrator: {coreUrl: "http://x:1", tokenFile: t, meters: ["57012399"]}`, 'concentrator.meters[0]: "57012399" is not a dlms meter of this bench'],
    [`${dlms('authentication: none')}concentrator: {coreUrl: "ftp://x", tokenFile: t}`, 'concentrator.coreUrl: http(s)://host[:port]'],
    [`${dlms('authentication: none')}concentrator: {coreUrl: "http://x", tokenFile: t, syncSeconds: 61}`, 'concentrator.syncSeconds: a number from 0.1 to 60 (docs/key-sync.md)'],
    [`${wmbus}concentrator: {coreUrl: "http://x", tokenFile: t}`, 'concentrator: needs at least one dlms meter to read'],
  ])('refuses a bad KMP, DLMS or concentrator section (%#)', (text, message) => {
    expect(() => parseBenchConfig(text)).toThrow(new BenchConfigError(message));
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
