import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, formatLogLine, logFormatFor, setupLinkNotice } from './log-format.js';

// New-user finding of issue 11: the console's JSON request log buried the setup link. On a
// terminal the service writes one readable line per record; elsewhere (or asked) JSON, as before.

const at = Date.UTC(2026, 10, 28, 9, 5, 7, 42);
const line = (record: Record<string, unknown>) => formatLogLine(JSON.stringify({ level: 30, time: at, service: 'openeks', ...record }));

describe('formatLogLine', () => {
  it('writes time, level, request id and message, then the other fields as key=value', () => {
    expect(line({ msg: 'shutting down', signal: 'SIGTERM' })).toBe('09:05:07.042Z INFO  shutting down signal=SIGTERM\n');
    expect(line({ level: 40, msg: 'slow', reqId: 'req_abc', ms: 1200, ok: false, none: null })).toBe('09:05:07.042Z WARN  req_abc slow ms=1200 ok=false none=null\n');
  });

  it('shortens the request log to method, URL, status and time', () => {
    expect(line({ reqId: 'req_1', msg: 'incoming request', req: { method: 'GET', url: '/api/session', host: 'localhost:8080', remoteAddress: '127.0.0.1', remotePort: 51234 } })).toBe(
      '09:05:07.042Z INFO  req_1 incoming request GET /api/session\n',
    );
    expect(line({ reqId: 'req_1', msg: 'request completed', res: { statusCode: 401 }, responseTime: 3.4567 })).toBe('09:05:07.042Z INFO  req_1 request completed 401 3.5 ms\n');
  });

  it('flattens nested fields and quotes values with spaces or quotes', () => {
    expect(line({ msg: 'm', listening: { host: '127.0.0.1', port: 8080 }, text: 'two words', q: 'say "x"', list: [1, 2] })).toBe(
      '09:05:07.042Z INFO  m listening.host=127.0.0.1 listening.port=8080 text="two words" q="say \\"x\\"" list=[1,2]\n',
    );
  });

  it('puts an error after the line, its stack indented beneath', () => {
    const text = line({ level: 50, msg: 'request failed', code: 'internal', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.js:1:1)' } });
    expect(text).toBe('09:05:07.042Z ERROR request failed code=internal err="Error: boom"\n    Error: boom\n        at f (a.js:1:1)\n');
  });

  it('encodes control characters, so that no value can forge a line (SEC-15)', () => {
    const text = line({ msg: 'm\n09:00:00.000Z INFO  forged', ua: 'x\r\nFAKE ENTRY' });
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toBe('09:05:07.042Z INFO  m\\n09:00:00.000Z INFO  forged ua="x\\r\\nFAKE ENTRY"\n');
  });

  it('passes a line that is not a JSON record through unchanged', () => {
    expect(formatLogLine('not json\n')).toBe('not json\n');
  });
});

describe('logFormatFor and createLogger', () => {
  it('chooses text on a terminal and JSON elsewhere, unless told', () => {
    expect([logFormatFor('auto', true), logFormatFor('auto', false), logFormatFor('json', true), logFormatFor('text', false)]).toEqual(['text', 'json', 'json', 'text']);
  });

  function capture(isTTY: boolean) {
    const chunks: string[] = [];
    const out = Object.assign(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push(chunk.toString('utf8'));
          done();
        },
      }),
      { isTTY },
    );
    return { out, text: () => chunks.join('') };
  }

  it('writes readable lines on a terminal, with the logger redaction still applied', () => {
    const { out, text } = capture(true);
    createLogger({ logLevel: 'info', logFormat: 'auto' }, out).info({ req: { method: 'POST', url: '/api/session', headers: { cookie: 'openeks_session=Xq7canary' } } }, 'incoming request');
    expect(text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}Z INFO  incoming request POST \/api\/session\n$/);
    expect(text()).not.toContain('Xq7canary');
  });

  it('writes JSON when the output is no terminal', () => {
    const { out, text } = capture(false);
    createLogger({ logLevel: 'info', logFormat: 'auto' }, out).warn({ link: { token: 'Xq7canary' } }, 'careful');
    const record = JSON.parse(text());
    expect(record).toMatchObject({ level: 40, msg: 'careful', service: 'openeks', link: { token: '[redacted]' } });
  });
});

describe('setupLinkNotice', () => {
  const link = 'http://localhost:8080/setup#token=abc';
  it('frames the link between rules, and on a terminal makes it bold', () => {
    const plain = setupLinkNotice(link, '2026-11-29T09:00:00.000Z', false);
    expect(plain).toContain(`\n    ${link}\n`);
    expect(plain).toContain('(valid until 2026-11-29T09:00:00.000Z; a restart issues a new link)');
    expect(plain.split('\n').filter((l) => /^ {2}─{20,}$/.test(l))).toHaveLength(2);
    expect(plain).not.toContain('\u001b');
    expect(setupLinkNotice(link, '2026-11-29T09:00:00.000Z', true)).toContain(`\u001b[1m${link}\u001b[22m`);
  });
});
