import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliFailure } from './cli-context.js';
import { sessionOptions } from './dlms-read.js';

// The defaults `openeks dlms read` derives from what it is given: keys → the management client
// with HLS-GMAC and ciphering; none → the public client, no security; the counter from the clock.

const GUEK = '000102030405060708090A0B0C0D0E0F';
const GAK = 'D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF';
const NOW = Date.UTC(2026, 11, 4, 19, 0, 0);

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CliFailure && e.exitCode === 2) return e.message;
    throw e;
  }
  throw new Error('accepted');
}

describe('dlms read options', () => {
  it('with both keys: client 1, HLS-GMAC, authenticated+encrypted, server 1/17, counter 8 per second since 2024', () => {
    const o = sessionOptions({ link: '/dev/ttyUSB0', guek: GUEK, gak: GAK }, {}, NOW);
    expect(o).toMatchObject({ client: 1, serverUpper: 1, serverLower: 17, authentication: 'hls-gmac', security: 'authenticated-encrypted', timeoutMs: 3000 });
    expect(o.invocationCounter).toBe(((NOW - Date.UTC(2024, 0, 1)) / 1000) * 8);
    expect(o.clientSystemTitle?.toString('hex')).toBe('4f454b0000000001');
    expect(sessionOptions({ link: '/dev/x', guek: GUEK, gak: GAK }, {}, NOW + 1000).invocationCounter).toBe((o.invocationCounter ?? 0) + 8);
  });

  it('without keys: the public client 16 and no security; a given counter and server are taken as they are', () => {
    const o = sessionOptions({ link: '/dev/x', server: '1', invocationCounter: '77' }, {}, NOW);
    expect(o).toMatchObject({ client: 16, serverUpper: 1, authentication: 'none', security: 'none', invocationCounter: 77 });
    expect(o.serverLower).toBeUndefined();
  });

  it('LLS takes the password from a file (one line), not only from the command line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openeks-dlms-pw-'));
    try {
      const file = join(dir, 'pw');
      writeFileSync(file, '12345678\n');
      const o = sessionOptions({ link: '/dev/x', auth: 'lls', passwordFile: file }, {}, NOW);
      expect(o).toMatchObject({ authentication: 'lls', client: 1 });
      expect(o.password?.toString('latin1')).toBe('12345678');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2 and name the option', () => {
    expect(usage(() => sessionOptions({ link: '/dev/x', server: '1/2/3' }, {}, NOW))).toBe('--server must be LOGICAL or LOGICAL/PHYSICAL, e.g. 1/17');
    expect(usage(() => sessionOptions({ link: '/dev/x', auth: 'hls' }, {}, NOW))).toBe('--auth must be none, lls or hls-gmac');
    expect(usage(() => sessionOptions({ link: '/dev/x', auth: 'lls' }, {}, NOW))).toBe('--auth lls needs --password or --password-file');
    expect(usage(() => sessionOptions({ link: '/dev/x', auth: 'lls', password: 'a', passwordFile: '/x' }, {}, NOW))).toBe('give either --password or --password-file, not both');
    expect(usage(() => sessionOptions({ link: '/dev/x', auth: 'lls', passwordFile: '/nonexistent/pw' }, {}, NOW))).toBe('--password-file /nonexistent/pw: cannot read the file');
    expect(usage(() => sessionOptions({ link: '/dev/x', security: 'authenticated-encrypted', guek: GUEK }, {}, NOW))).toContain('needs the GUEK and the GAK');
    expect(usage(() => sessionOptions({ link: '/dev/x', client: '200' }, {}, NOW))).toBe('--client must be a whole number from 1 to 127');
    expect(usage(() => sessionOptions({ link: '/dev/x', systemTitle: 'ABC' }, {}, NOW))).toBe('--system-title must be 16 hex digits (8 bytes)');
  });
});
