import { formatInstant, type Instant, paragraph } from '../mail-render.js';
import { defineMailTemplate } from './define.js';

/** SEC-23: two-factor sign-in was set up or switched off; the owner of the address hears of it. */
export const twoFactorChanged = defineMailTemplate<{ when: Instant; change: 'enabled' | 'disabled' }>({
  de: (data) => ({
    subject: data.change === 'enabled' ? 'openeks: Zwei-Faktor-Anmeldung eingerichtet' : 'openeks: Zwei-Faktor-Anmeldung ausgeschaltet',
    greeting: 'Guten Tag,',
    blocks: [
      paragraph(
        data.change === 'enabled'
          ? `Für Ihr openeks-Konto wurde am ${formatInstant(data.when, 'de')} die Zwei-Faktor-Anmeldung eingerichtet.`
          : `Für Ihr openeks-Konto wurde am ${formatInstant(data.when, 'de')} die Zwei-Faktor-Anmeldung ausgeschaltet.`,
      ),
      paragraph('Wenn Sie das nicht waren, ändern Sie bitte sofort Ihr Passwort und wenden Sie sich an einen Betreiber von openeks.'),
    ],
    signature: 'openeks',
  }),
  en: (data) => ({
    subject: data.change === 'enabled' ? 'openeks: two-factor sign-in set up' : 'openeks: two-factor sign-in switched off',
    greeting: 'Hello,',
    blocks: [
      paragraph(
        data.change === 'enabled'
          ? `Two-factor sign-in was set up for your openeks account on ${formatInstant(data.when, 'en')}.`
          : `Two-factor sign-in was switched off for your openeks account on ${formatInstant(data.when, 'en')}.`,
      ),
      paragraph('If this was not you, please change your password at once and contact an operator of openeks.'),
    ],
    signature: 'openeks',
  }),
});
