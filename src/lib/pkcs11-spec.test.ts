import { describe, expect, it } from 'vitest';
import { parsePkcs11Spec, pkcs11Label } from './pkcs11-spec.js';

const module = '/usr/lib/softhsm/libsofthsm2.so';

describe('pkcs11: spec', () => {
  it('parses module, token, pin source and label (default openeks-master)', () => {
    const parsed = parsePkcs11Spec(`pkcs11:module=${module};token=openeks;pin=env:OPENEKS_PKCS11_PIN`);
    expect(parsed).toEqual({ ok: true, spec: { module, token: 'openeks', pin: { kind: 'env', name: 'OPENEKS_PKCS11_PIN' }, label: 'openeks-master' } });
    const withFile = parsePkcs11Spec(`pkcs11:module=${module};token=openeks;pin=file:/run/secrets/pin;label=eks.master`);
    expect(withFile.ok && withFile.spec.pin).toEqual({ kind: 'file', path: '/run/secrets/pin' });
    if (withFile.ok) expect(pkcs11Label(withFile.spec)).toBe('pkcs11:token=openeks;label=eks.master');
  });

  it('refuses a PIN written into the spec and never echoes it', () => {
    const parsed = parsePkcs11Spec(`pkcs11:module=${module};token=openeks;pin=123456`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).not.toContain('123456');
    const typo = parsePkcs11Spec(`pkcs11:module=${module};token=openeks;pni=123456`);
    expect(typo.ok).toBe(false);
    if (!typo.ok) expect(typo.problem).not.toContain('123456');
  });

  it('rejects missing and malformed fields', () => {
    for (const spec of [
      'pkcs11:',
      'pkcs11:token=t;pin=env:P',
      'pkcs11:module=relative.so;token=t;pin=env:P',
      `pkcs11:module=${module};pin=env:P`,
      `pkcs11:module=${module};token=t`,
      `pkcs11:module=${module};token=t;pin=env:1BAD`,
      `pkcs11:module=${module};token=t;pin=env:P;label=bad label`,
      `pkcs11:module=${module};token=t;token=u;pin=env:P`,
      `pkcs11:module=${module};token=${'x'.repeat(33)};pin=env:P`,
    ]) {
      expect(parsePkcs11Spec(spec).ok, spec).toBe(false);
    }
  });
});
