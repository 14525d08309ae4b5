import { describe, expect, it } from 'vitest';
import { returnPathOf, safeReturnPath, withReturnPath } from './return-path.js';

// Where sign-in returns to (`?next=`): only a path of this origin, never another site.
describe('the return path after sign-in', () => {
  it('takes a path of this site, with its query and fragment', () => {
    expect(safeReturnPath('/eks')).toBe('/eks');
    expect(safeReturnPath('/eks?customerNo=K-1000&limit=25')).toBe('/eks?customerNo=K-1000&limit=25');
    expect(safeReturnPath('/eks/devices/dev_1#keys')).toBe('/eks/devices/dev_1#keys');
    expect(safeReturnPath('/customers/K%2F1')).toBe('/customers/K%2F1');
  });

  it('refuses another site, however it is written', () => {
    for (const value of [
      '//evil.example',
      '//evil.example/eks',
      '/\\evil.example',
      '\\\\evil.example',
      'https://evil.example/eks',
      'http://127.0.0.1:1/eks',
      'javascript:alert(1)',
      'evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      ' //evil.example',
      '',
    ]) {
      expect(safeReturnPath(value), JSON.stringify(value)).toBeNull();
    }
    expect(safeReturnPath(null)).toBeNull();
  });

  it('is carried through the sign-in steps: the `next` of the sign-in or enrolment page, else the page itself', () => {
    expect(returnPathOf({ pathname: '/sign-in', search: '?next=%2Fcustomers%3Fq%3Dstadt' })).toBe('/customers?q=stadt');
    expect(returnPathOf({ pathname: '/mfa/setup', search: '?next=%2Fimport' })).toBe('/import');
    expect(returnPathOf({ pathname: '/sign-in', search: '' })).toBe('/');
    expect(returnPathOf({ pathname: '/sign-in', search: '?next=%2F%2Fevil.example' })).toBe('/');
    expect(returnPathOf({ pathname: '/eks', search: '?limit=25' })).toBe('/eks?limit=25');
    expect(withReturnPath('/mfa/setup', '/eks?limit=25')).toBe('/mfa/setup?next=%2Feks%3Flimit%3D25');
    expect(withReturnPath('/mfa/setup', '/')).toBe('/mfa/setup');
  });
});
