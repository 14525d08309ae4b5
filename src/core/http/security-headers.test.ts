import { describe, expect, it } from 'vitest';
import { isApiPath } from './security-headers.js';

// SEC-26: no-store is decided on the path as a router or proxy may read it, not as written.
describe('isApiPath', () => {
  it('reads percent-encoded, double-encoded, doubled, dotted and differently cased spellings of /api', () => {
    for (const url of ['/api', '/api/', '/api/me', '/api/me?x=1', '/%61pi/me', '/%2561pi/me', '/%61%70%69/vault', '//api//me', '/./api/me', '/assets/../api/me', '/API/me', '/api%2fme', '/x\\..\\api/me', '/api#frag']) {
      expect({ url, api: isApiPath(url) }).toEqual({ url, api: true });
    }
  });

  it('leaves the web shell, its files and a path that only looks alike', () => {
    for (const url of ['/', '/sign-in', '/assets/index-Ab12Cd34.js', '/favicon.svg', '/apix/me', '/api-docs', '/api/../assets/x.js', '/x?next=/api/me', '/%E0%A4%A/api']) {
      expect({ url, api: isApiPath(url) }).toEqual({ url, api: false });
    }
  });
});
