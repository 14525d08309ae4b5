import { describe, expect, it } from 'vitest';
import { renderMail } from '../mail-templates.js';

describe('two-factor-changed', () => {
  it('tells the owner in German and English that two-factor sign-in was set up or switched off', () => {
    const on = renderMail('two-factor-changed', 'de', { when: '2026-11-28T10:30:00.000Z', change: 'enabled' });
    expect(on.subject).toBe('openeks: Zwei-Faktor-Anmeldung eingerichtet');
    expect(on.text).toContain('am 28. November 2026 um 10:30 UTC die Zwei-Faktor-Anmeldung eingerichtet');
    expect(on.html).toContain('<html lang="de">');
    const off = renderMail('two-factor-changed', 'en', { when: new Date('2026-11-28T10:30:00.000Z'), change: 'disabled' });
    expect(off.subject).toBe('openeks: two-factor sign-in switched off');
    expect(off.text).toContain('switched off for your openeks account on 28 November 2026 at 10:30 UTC');
    expect(off.text).toContain('change your password at once');
  });
});
