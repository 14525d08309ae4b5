import { describe, expect, it } from 'vitest';
import { publicUrlProblem } from './public-url.js';

// New-user finding of issue 11: a public URL that does not reach the service makes every link in
// mails and on the console dead, and nothing said so. At start the service compares the two.

const problem = (publicUrl: string, host: string, port: number, trustProxy = false) => publicUrlProblem({ publicUrl: new URL(publicUrl), host, trustProxy }, port);

describe('publicUrlProblem', () => {
  it('finds nothing when the public URL reaches the port and address listened on', () => {
    expect(problem('http://localhost:8080', '127.0.0.1', 8080)).toBeUndefined();
    expect(problem('http://127.0.0.1:9090/', '0.0.0.0', 9090)).toBeUndefined();
    expect(problem('http://[::1]:9090', '::', 9090)).toBeUndefined();
    expect(problem('http://192.168.10.5:8443', '192.168.10.5', 8443)).toBeUndefined();
    expect(problem('http://localhost', '127.0.0.1', 80)).toBeUndefined();
  });

  it('finds nothing to check in a name of another machine: a reverse proxy may stand in front', () => {
    expect(problem('https://eks.example.com', '127.0.0.1', 8080)).toBeUndefined();
    expect(problem('http://10.1.1.1:9999', '127.0.0.1', 8080)).toBeUndefined();
  });

  it('names both when the public URL points here but at another port', () => {
    expect(problem('http://localhost:8080', '127.0.0.1', 9090)).toBe(
      'OPENEKS_PUBLIC_URL is http://localhost:8080, but openeks listens on 127.0.0.1:9090: links in mails and on the console will not open. Set OPENEKS_PUBLIC_URL to the address people reach openeks at (behind a reverse proxy, also OPENEKS_TRUST_PROXY=true).',
    );
    expect(problem('https://localhost', '127.0.0.1', 8080)).toMatch(/^OPENEKS_PUBLIC_URL is https:\/\/localhost, but openeks listens on 127\.0\.0\.1:8080:/);
    expect(problem('http://192.168.10.5:8080', '192.168.10.5', 8443)).toMatch(/^OPENEKS_PUBLIC_URL is http:\/\/192\.168\.10\.5:8080, but openeks listens on 192\.168\.10\.5:8443:/);
  });

  it('names both when the public URL says localhost but the service listens on one other address only', () => {
    expect(problem('http://localhost:8080', '192.168.10.5', 8080)).toMatch(/^OPENEKS_PUBLIC_URL is http:\/\/localhost:8080, but openeks listens on 192\.168\.10\.5:8080:/);
  });

  it('never prints a user name or password the URL may carry', () => {
    const text = problem('http://admin:Xq7canary@localhost:8080/eks', '127.0.0.1', 9090) ?? '';
    expect(text).toContain('OPENEKS_PUBLIC_URL is http://localhost:8080,');
    expect(text).not.toContain('Xq7canary');
    expect(text).not.toContain('admin');
  });

  it('stays quiet behind a reverse proxy (OPENEKS_TRUST_PROXY=true), which may listen anywhere', () => {
    expect(problem('https://localhost', '127.0.0.1', 8080, true)).toBeUndefined();
  });
});
